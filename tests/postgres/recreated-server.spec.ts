import { randomBytes } from 'node:crypto';
import { generatedMovieLensSource } from '@reelrank/ingest/testing';
import { npmStart, nxWorkspace, type NxWorkspace } from '../nx-workspace';
import { freshDatabase } from './postgres-test-db';

/**
 * `npm start` with DATABASE_URL, twice, through the real Nx and one shared cache, with the server's
 * database recreated empty at the same URL in between (a new container, a dropped database): an Nx
 * cache entry restores files, never rows on a server, so the second start must load the catalogue
 * again and serve. With the server holding the data, the next start's stage finds it there (its key
 * is then the loaded state's, which no run stored yet) and the one after hits the cache.
 */

describe('npm start against a PostgreSQL database recreated empty at the same URL', () => {
  let workspace: NxWorkspace;
  let db: { url: string; drop(): Promise<void>; recreate(): Promise<void> };

  beforeAll(async () => {
    db = await freshDatabase();
    const source = await generatedMovieLensSource({ users: 40, movies: 120, ratings: 2_400, seed: 26 });
    workspace = nxWorkspace('pg-recreated', {
      MOVIELENS_SOURCE: source,
      REELRANK_DATASET: 'pg-recreated',
      REELRANK_TRAIN_MAX_EPOCHS: '3',
      REELRANK_TRAIN_FACTORS: '4',
      REELRANK_TRAIN_RATING_MODEL: 'mf',
      REELRANK_ADMIN_TOKEN: randomBytes(32).toString('base64url'),
      DATABASE_URL: db.url,
    });
  });

  afterAll(async () => {
    await db?.drop();
    workspace?.dispose();
  });

  const serves = async () => {
    const outcome = await npmStart(workspace.env);
    if (outcome.kind !== 'serving') throw new Error(`npm start exited ${outcome.code} instead of serving:\n${outcome.output}`);
    const answer = await fetch(`${outcome.url}/recommendations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user_id: 1, n_recommendations: 3 }),
    });
    expect(answer.status).toBe(200);
    const output = outcome.output();
    await outcome.stop();
    return output;
  };

  /** How Nx ran the database stage in a start's output: 'ran', or its cache status ("local cache", ...). */
  const databaseStage = (output: string) => /nx run database:pipeline(?: +\[([^\]]+)\])?/.exec(output)?.[1] ?? 'ran';

  it('when the database is recreated empty between two starts, then the second start loads it again and serves; later ones find it loaded, then hit the cache', async () => {
    expect(databaseStage(await serves())).toBe('ran');
    await db.recreate();
    // Serving at all proves the load: the API exits when the catalogue is absent.
    expect(databaseStage(await serves())).toBe('ran');
    expect(databaseStage(await serves())).toBe('ran'); // the stage finds the data there: nothing to load
    expect(databaseStage(await serves())).toMatch(/^(local cache|existing outputs match the cache, left as is)$/);
  }, 600_000);
});
