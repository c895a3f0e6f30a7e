import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import express from 'express';
import request from 'supertest';
import { createApp } from '@reelrank/api';
import { loadConfig, type AppConfig } from '@reelrank/config';
import { loadDatabase } from '@reelrank/database';
import { openSqliteRatingsStore, type RatingsStore } from '@reelrank/feedback';
import { runIngest } from '@reelrank/ingest';
import { generatedMovieLensSource, readCatalogue, readRatings, tempWorkspace } from '@reelrank/ingest/testing';
import { loadModelArtifacts } from '@reelrank/model';
import { openCatalog, Recommender } from '@reelrank/serving';
import { runTraining } from '@reelrank/trainer';

/**
 * One client cannot poison training: it posts 5.0 for an obscure movie from every visitor identity
 * it can mint (each visitor is a new user), all from one client address, through the real POST
 * /ratings. After a retrain with the default per-identity caps the movie is in neither the cold-start
 * top 10 nor any data-set user's top 10; the same flood with the caps lifted puts it there, so the
 * caps are what stops it.
 *
 * Visitors count under their client address (identityOf in the trainer): each visitor writes for one
 * user of its own, so a cap per visitor would bound nothing; the address is what one client cannot
 * multiply as cheaply, and POST /ratings records it with every rating.
 */

/** Visitors one address mints in 60 s at 5 a second: more than a mint limit per address lets through; the cap bounds them together whatever that limit is. */
const VISITORS = 300;
const FLOOD_ADDRESS = '127.0.0.1'; // supertest's client address: the route records it
/** The most rated movies each visitor also rates 5.0 (a bandwagon attack: the obscure movie rides along with what everyone watches). */
const BANDWAGON = 20;
const FLOOD = VISITORS * (1 + BANDWAGON);
const quiet = () => undefined;

describe('training that one client cannot poison', () => {
  let root: string;
  let source: string;
  let obscure: number;
  let dataSetUsers: number[];

  const configWith = (training: Partial<AppConfig['training']>) =>
    loadConfig({ root, env: { MOVIELENS_SOURCE: source }, overrides: { training: { ratingModel: 'mf', factors: 8, maxEpochs: 15, ...training } } });

  /** Retrains on the data set and the posted ratings, then answers as the API would. */
  async function retrain(training: Partial<AppConfig['training']>) {
    const config = configWith(training);
    const lines: string[] = [];
    await runTraining(config, { log: (line) => lines.push(line) });
    const recommender = new Recommender(loadModelArtifacts(config.paths.modelDir), await openCatalog(config));
    const ids = (list: { movie_id: number }[]) => list.map((m) => m.movie_id);
    const coldStart = recommender.recommend(999_999_999, { n: 10 });
    const usersWithIt = dataSetUsers.filter((u) => ids(recommender.recommend(u, { n: 10 }).recommendations).includes(obscure));
    recommender.close();
    const metrics = JSON.parse(readFileSync(join(config.paths.modelDir, 'metrics.json'), 'utf8'));
    return { coldStart: coldStart.strategy === 'popular' ? ids(coldStart.recommendations) : [], usersWithIt, posted: metrics.training.posted, lines };
  }

  beforeAll(async () => {
    source = await generatedMovieLensSource({ users: 150, movies: 240, ratings: 9_000, seed: 26 });
    root = tempWorkspace();
    const config = configWith({});
    await runIngest(config, { log: quiet });
    await loadDatabase({ processedDir: config.paths.processedDir, dbPath: config.paths.dbPath, dataset: config.dataset.dataset, log: quiet });
    await runTraining(config, { log: quiet, implicit: false });
    dataSetUsers = [...new Set(readRatings(config.paths.processedDir).map((r) => r[0]))];
    // The obscure movie: the fewest ratings of any rated movie (ties: the lowest id); the bandwagon: the most rated ones.
    const byCount = readCatalogue(source)
      .filter((m) => m.ratings > 0)
      .sort((a, b) => a.ratings - b.ratings || a.movieId - b.movieId);
    obscure = byCount[0].movieId;
    const bandwagon = byCount.slice(-BANDWAGON).map((m) => m.movieId);

    // The flood, through the real route: each request is a fresh visitor (as the identity middleware
    // mints one per cookie-less browser) rating, for its own new user, the obscure movie 5.0 and the
    // most popular ones 5.0 too (so the movie rides along with what everyone watches).
    const store: RatingsStore = openSqliteRatingsStore(config.paths.ratingsDbPath);
    const recommender = new Recommender(loadModelArtifacts(config.paths.modelDir), await openCatalog(config));
    try {
      let visitor = 0;
      const server = express();
      server.use((_req, res, next) => {
        visitor++;
        res.locals.identity = { role: 'visitor', subject: `visitor:bot-${visitor}`, userId: 5_000_000 + visitor };
        next();
      });
      server.use(createApp({ recommender, config: { serving: config.serving }, ratings: store }));
      for (let i = 1; i <= VISITORS; i++)
        await request(server)
          .post('/ratings')
          .send({ ratings: [obscure, ...bandwagon].map((movie_id) => ({ user_id: 5_000_000 + i, movie_id, rating: 5 })) })
          .expect(201);
      expect((await store.version()).count).toBe(FLOOD);
    } finally {
      recommender.close();
      await store.close();
    }
  }, 300_000);

  it('when the caps are lifted, then the flood works: the obscure movie enters the cold-start top 10 and data-set users’ top 10', async () => {
    const lifted = await retrain({ postedNewUsersPerIdentity: 1_000_000, postedRatingsPerIdentity: 1_000_000 });
    expect(lifted.posted).toMatchObject({ count: FLOOD, newUsers: VISITORS, droppedByIdentityCap: 0 });
    expect(lifted.coldStart).toContain(obscure);
    expect(lifted.usersWithIt.length).toBeGreaterThan(0);
  }, 300_000);

  it('when the default caps apply, then the movie is in neither the cold-start top 10 nor any data-set user’s top 10, and training says what it dropped', async () => {
    const defaults = configWith({}).training;
    const capped = await retrain({});
    expect(capped.coldStart).toHaveLength(10);
    expect(capped.coldStart).not.toContain(obscure);
    expect(capped.usersWithIt).toEqual([]);
    const kept = defaults.postedNewUsersPerIdentity;
    const dropped = (VISITORS - kept) * (1 + BANDWAGON);
    expect(capped.posted).toMatchObject({ count: FLOOD, newUsers: kept, added: kept * (1 + BANDWAGON), droppedByIdentityCap: dropped });
    expect(capped.posted.identityCaps).toMatchObject({
      newUsersPerIdentity: kept,
      droppedByNewUserCap: dropped,
      cappedIdentities: [{ identity: `addr:${FLOOD_ADDRESS}`, ratings: FLOOD, dropped, newUsers: VISITORS, droppedNewUsers: VISITORS - kept }],
    });
    expect(capped.lines).toContain(
      `[train]   addr:${FLOOD_ADDRESS}: ${dropped} of ${FLOOD} rating(s) dropped, ${VISITORS - kept} of ${VISITORS} new user(s)`,
    );
  }, 300_000);
});
