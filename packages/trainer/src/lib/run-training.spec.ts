import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256 } from '@reelrank/artifacts';
import { contentFactors, listModelVersions, loadModelArtifacts, predictRating, type MovieContent } from '@reelrank/model';
import { plantedData } from '../testing/planted-data.js';
import { smallTraining } from '../testing/small-training.js';
import { concatColumns, selectRows } from './ratings.js';
import { runTraining } from './run-training.js';
import { easeSettings } from './training-plan.js';

const training = smallTraining();

describe('runTraining', () => {
  const planted = plantedData({ nUsers: 50, nMovies: 30, seed: 4 });
  const ratings = concatColumns(planted.observed, planted.heldOut);

  it('when run on given ratings, then it saves a loadable model trained on all ratings with a full report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trainer-run-'));
    try {
      const lines: string[] = [];
      const config = {
        training,
        dataset: { dataset: 'synthetic' as const, source: null, sampleSize: 100 },
        paths: { modelDir: dir, registryDir: `${dir}-versions`, dbPath: '/nonexistent.db' } as never,
      };
      const result = await runTraining(config, { ratings, log: (line) => lines.push(line) });
      const bundle = loadModelArtifacts(dir);
      expect(bundle.manifest.version).toBe(result.manifest.version);
      // The training is also kept in the registry, and live there.
      expect(listModelVersions(`${dir}-versions`).map((v) => [v.version, v.live])).toEqual([[result.manifest.version, true]]);
      expect(bundle.manifest.training).toMatchObject({ trainedOn: 'all', bestEpoch: result.report.selection.bestEpoch });
      expect(bundle.manifest.dataHash).toMatch(/^[0-9a-f]{64}$/);
      expect(bundle.model.userIds.length).toBe(50);
      expect(bundle.popularity.movieIds.length).toBeGreaterThan(0);
      const metrics = JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8'));
      expect(metrics.models.map((m: { model: string }) => m.model)).toEqual([
        'global mean',
        'baseline (mu + b_u + b_i, ALS)',
        'most-rated (popularity)',
        'SVD++ (SGD)',
        'SVD++ (SGD) + item kNN on baseline residuals',
        'served ranking (SVD++ + implicit ALS + popularity + EASE)',
      ]);
      // The served rating is the blend with the neighbourhood predictor: its lists and validation-fitted weights are saved,
      // and the headline test RMSE is the blend's.
      expect(bundle.neighbourhood).toBeDefined();
      expect(bundle.neighbourhood!.offsets.length).toBe(bundle.model.movieIds.length + 1);
      expect(bundle.manifest.neighbourhood?.blend).toEqual(metrics.neighbourhood.blend);
      expect(metrics.neighbourhood.validationRows).toBe(metrics.splits.validation);
      const blended = metrics.models.find((m: { model: string }) => m.model === 'SVD++ (SGD) + item kNN on baseline residuals');
      expect(bundle.manifest.metrics.testRmse).toBe(blended.rmse);
      expect(metrics.models.find((m: { model: string }) => m.model.startsWith('served ranking')).rmse).toBe(blended.rmse);
      // The plan (auto on a small set: SVD++, refit on all) is logged once and recorded with the metrics.
      expect(lines.filter((l) => l.startsWith('[train] plan:'))).toHaveLength(1);
      expect(metrics.plan).toMatchObject({
        rating: { kind: 'svdpp', label: 'SVD++ (SGD)', neighbourhood: { kind: 'item-knn', fitted: true } },
        ranking: {
          label: 'served ranking (SVD++ + implicit ALS + popularity + EASE)',
          implicit: { kind: 'implicit-als' },
          ease: { kind: 'ease', fitted: true, settings: { lambda: training.ranker.ease.lambda, maxMovies: training.ranker.ease.maxMovies } },
        },
        served: { fittedOn: 'all' },
      });
      // Everything but the gate holdout is trained on; the holdout is set aside before the split.
      expect(metrics.training.ratings.gateHoldout).toBeGreaterThan(0);
      expect(metrics.plan.ratings).toEqual({ all: ratings.ratings.length - metrics.training.ratings.gateHoldout, train: metrics.splits.train });
      expect(bundle.manifest.gate).toMatchObject({ decision: 'promoted', reason: expect.stringContaining('no live model'), live: null });
      expect(bundle.ranking).toBeDefined();
      expect(bundle.ranking!.userFactors.length).toBe(50 * bundle.ranking!.factors);
      expect(bundle.manifest.ranking?.weights.implicit).toBe(1);
      expect(metrics.ranking.tuning.grid.length).toBeGreaterThan(1);
      // The diversity sweep on the same test protocol: at 0 it is the served ranking itself; more diversity, never less varied lists.
      const sweep = metrics.ranking.diversity as { diversity: number; ndcg: number; intraListDiversity: number; novelty: number }[];
      expect(sweep.map((p) => p.diversity)).toEqual([0, 0.25, 0.5, 0.75]);
      expect(sweep[0].ndcg).toBeCloseTo(metrics.models.find((m: { model: string }) => m.model.startsWith('served ranking')).ndcgAtK, 2);
      expect(sweep[3].intraListDiversity).toBeGreaterThanOrEqual(sweep[0].intraListDiversity); // equal when the planted factors leave no variety to find
      for (const p of sweep) expect(p.novelty).toBeGreaterThan(0);
      // EASE was fitted and its weight searched over its grid; when the search kept it, the artifact carries B.
      expect(metrics.ranking.ease).toMatchObject({ lambda: training.ranker.ease.lambda, maxMovies: training.ranker.ease.maxMovies });
      expect(new Set(metrics.ranking.tuning.grid.map((g: { ease: number }) => g.ease))).toEqual(new Set(training.ranker.ease.weightGrid));
      const wEase = bundle.manifest.ranking!.weights.ease!;
      expect(training.ranker.ease.weightGrid).toContain(wEase);
      // X weighs ratings as configured (1 from the relevance threshold up), and the served B says so.
      if (wEase > 0) {
        expect(bundle.ranking!.ease!.movies.length).toBeLessThanOrEqual(30);
        expect(bundle.ranking!.ease!.input).toEqual(easeSettings(training.ranker.ease).input);
      } else expect(bundle.ranking!.ease).toBeUndefined();
      const mf = metrics.models[3];
      const baseline = metrics.models[1];
      expect(mf.rmse).toBeLessThan(baseline.rmse);
      expect(metrics.selection.history.length).toBe(metrics.selection.epochsRun);
      expect(lines.some((l) => l.includes('epoch 1/'))).toBe(true);
      expect(predictRating(bundle.model, 0, 0)).toBeGreaterThan(0);
      expect(existsSync(join(dir, bundle.manifest.weights.file))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(`${dir}-versions`, { recursive: true, force: true });
    }
  });

  it('when taste signals are given, then the ranker trains with them: recorded in metrics.json, a new data hash, and a seen movie scores higher', async () => {
    // User `user` without its ratings of three movies, which it then marks as seen.
    const user = ratings.userIds[0];
    const unrated = Array.from(ratings.userIds.keys())
      .filter((r) => ratings.userIds[r] === user)
      .slice(0, 3)
      .map((r) => ratings.movieIds[r]);
    const keep = Array.from(ratings.userIds.keys()).filter((r) => !(ratings.userIds[r] === user && unrated.includes(ratings.movieIds[r])));
    const fewer = selectRows(ratings, Int32Array.from(keep));
    const dirs: string[] = [];
    const train = async (signals: [number, number, 'seen' | 'watchlist' | 'not_interested'][]) => {
      const dir = mkdtempSync(join(tmpdir(), 'trainer-signals-'));
      dirs.push(dir, `${dir}-versions`);
      const config = {
        training,
        dataset: { dataset: 'synthetic' as const, source: null, sampleSize: 100 },
        paths: { modelDir: dir, registryDir: `${dir}-versions`, dbPath: '/nonexistent.db' } as never,
      };
      const source = (async function* () {
        let id = 0;
        for (const [userId, movieId, kind] of signals) yield { id: ++id, userId, movieId, kind, createdAt: 0, source: 't', sourceAddress: 't' };
      })();
      const result = await runTraining(config, { ratings: fewer, signals: source, log: () => undefined });
      return { result, bundle: loadModelArtifacts(dir), metrics: JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8')) };
    };
    try {
      const plain = await train([]);
      const withSignals = await train(unrated.map((m) => [user, m, 'seen'] as [number, number, 'seen']));
      expect(withSignals.metrics.training.signals).toMatchObject({ count: 3, used: { seen: 3, watchlist: 0, not_interested: 0 }, ratedPairs: 0 });
      expect(withSignals.bundle.manifest.dataHash).not.toBe(plain.bundle.manifest.dataHash);
      const implicitScore = (bundle: typeof plain.bundle, movieId: number) => {
        const r = bundle.ranking!;
        const u = bundle.model.userIds.indexOf(user);
        const i = bundle.model.movieIds.indexOf(movieId);
        let dot = 0;
        for (let d = 0; d < r.factors; d++) dot += r.userFactors[u * r.factors + d] * r.movieFactors[i * r.factors + d];
        return dot;
      };
      const mean = (bundle: typeof plain.bundle) => unrated.reduce((s, m) => s + implicitScore(bundle, m), 0) / unrated.length;
      expect(mean(withSignals.bundle)).toBeGreaterThan(mean(plain.bundle));
    } finally {
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    }
  });

  it('when there are more ratings than refitMaxRatings and more test users than evaluationMaxUsers, then the validated model is served and the user sample is recorded', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trainer-run-'));
    try {
      const config = {
        training: {
          ...training,
          refitMaxRatings: 10,
          evaluationMaxUsers: 5,
          gate: { ...training.gate, holdoutShare: 0 }, // the sample below counts every test user
          ranker: { ...training.ranker, ease: { ...training.ranker.ease, maxRatings: 10 } },
        },
        dataset: { dataset: 'synthetic' as const, source: null, sampleSize: 100 },
        paths: { modelDir: dir, registryDir: `${dir}-versions`, dbPath: '/nonexistent.db' } as never,
      };
      const lines: string[] = [];
      const result = await runTraining(config, { ratings, log: (line) => lines.push(line) });
      expect(result.manifest.training).toMatchObject({ trainedOn: 'fit', refit: { onAll: false, refitMaxRatings: 10 } });
      expect(lines.some((l) => l.includes('no refit'))).toBe(true);
      // Above ranker.ease.maxRatings the ranker has no EASE term.
      expect(lines.some((l) => l.includes('no EASE in the ranker'))).toBe(true);
      const metrics = JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8'));
      expect(metrics.test.rankingUsersEvaluated).toBe(5);
      expect(metrics.test.rankingUsers).toBeGreaterThan(5);
      expect(metrics.evaluationSample).toMatchObject({ maxUsers: 5, seed: 42, testUsers: 5 });
      expect(metrics.ranking.tuning.users).toBe(Math.min(5, metrics.ranking.tuning.ofUsers));
      expect(metrics.ranking.ease).toBeNull();
      expect(metrics.plan.ranking).toMatchObject({
        label: 'served ranking (SVD++ + implicit ALS + popularity)',
        ease: { fitted: false, settings: null, chosenBy: `${metrics.splits.train} train ratings > ranker.ease.maxRatings 10` },
      });
      // The served model is the one the test metrics come from.
      const served = loadModelArtifacts(dir);
      expect(served.model.userIds.length).toBeLessThanOrEqual(50);
      expect(served.ranking!.ease).toBeUndefined();
      expect(served.manifest.ranking!.kind).toBe('implicit-als+rating+popularity');
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(`${dir}-versions`, { recursive: true, force: true });
    }
  });

  it('when content is given, then the content map is saved next to weights bit-identical to a run without it, and an unrated catalogue movie gets content vectors', async () => {
    const dirs = [mkdtempSync(join(tmpdir(), 'trainer-plain-')), mkdtempSync(join(tmpdir(), 'trainer-content-'))];
    try {
      const content = new Map<number, MovieContent>();
      for (let i = 0; i < 30; i++) content.set(planted.movieId(i), { genres: i % 3 === 0 ? ['Drama'] : ['Comedy', 'Romance'], year: 1980 + i });
      const unrated = { genres: ['Drama'], year: 2001 };
      content.set(99_999, unrated);
      const config = (dir: string) => ({
        training: { ...training, contentMap: { ...training.contentMap, minRatings: 5 } },
        dataset: { dataset: 'synthetic' as const, source: null, sampleSize: 100 },
        paths: { modelDir: dir, registryDir: `${dir}-versions`, dbPath: '/nonexistent.db' } as never,
      });
      const plain = await runTraining(config(dirs[0]), { ratings, log: () => undefined });
      const withContent = await runTraining(config(dirs[1]), { ratings, content, log: () => undefined });
      expect(plain.manifest.contentMap).toBeUndefined();
      expect(withContent.manifest.version).toBe(plain.manifest.version);
      const weights = (dir: string, file: string) => sha256(readFileSync(join(dir, file)));
      expect(weights(dirs[1], withContent.manifest.weights.file)).toBe(weights(dirs[0], plain.manifest.weights.file));
      const bundle = loadModelArtifacts(dirs[1]);
      expect(bundle.contentMap!.map.spec.genres).toEqual(['Comedy', 'Drama', 'Romance']);
      const entry = bundle.contentMap!.coldStart.find((e) => e.movieId === 99_999)!;
      expect(entry.ratings).toBe(0);
      // The artifact stores the vectors as 32-bit floats.
      const fromContent = contentFactors(bundle.contentMap!.map, unrated);
      expect(entry.factors).toEqual({ ...fromContent, movieBias: Math.fround(fromContent.movieBias) });
      // The registry's copy carries the map too.
      expect(loadModelArtifacts(join(`${dirs[1]}-versions`, withContent.manifest.version)).contentMap).toBeDefined();
      const metrics = JSON.parse(readFileSync(join(dirs[1], 'metrics.json'), 'utf8'));
      expect(metrics.contentMap).toMatchObject({ trainingMovies: 30, coldStartMovies: 1 });
    } finally {
      for (const dir of dirs) {
        rmSync(dir, { recursive: true, force: true });
        rmSync(`${dir}-versions`, { recursive: true, force: true });
      }
    }
  });
});
