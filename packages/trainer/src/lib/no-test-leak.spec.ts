import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TrainingConfig } from '@reelrank/config';
import { plantedData } from '../testing/planted-data.js';
import { smallTraining } from '../testing/small-training.js';
import * as baselines from './baselines.js';
import * as easeModule from './ease.js';
import * as evaluate from './evaluate.js';
import * as evaluateSplit from './evaluate-split.js';
import * as neighbourhoodModule from './fit-neighbourhood.js';
import * as neighbourhoodBlendModule from './neighbourhood-blend.js';
import { inGateHoldout } from './gate-holdout.js';
import * as rankingBlend from './ranking-blend.js';
import { concatColumns, selectRows, type RatingsColumns } from './ratings.js';
import { runTraining } from './run-training.js';
import { splitRows } from './split.js';
import * as trainMfModule from './train-mf.js';
import * as trainSvdppModule from './train-svdpp.js';

/**
 * No gate-holdout row may reach anything a training does (every fit, tuning, early stopping and
 * selection, before and after the evaluation, and the served refit on all ratings), and no row of
 * the test split may reach what the reported test figures depend on: the rating model's
 * fits (selection and refit), the validation set early stopping watches, the baselines, the ranker's
 * implicit and EASE fits, the blend tuning (its train and held-out rows), and the neighbourhood
 * predictor's lists and blend weights (fit and validation rows). Every function that fits or tunes
 * is spied on (wrapping the real one) during a real runTraining; the (user, movie) pairs it got are
 * compared with the test split, recomputed independently with the configured seed and fraction.
 * Only after the evaluation may the served model be refit on every rating (refitOnAll), and then
 * without early stopping or tuning.
 */

const { gate } = smallTraining();
const training: TrainingConfig = smallTraining({
  gate: { ...gate, holdoutShare: 0.05 }, // enough holdout pairs on this small set to make the check bite
  maxEpochs: 30,
  patience: 4,
  // The served fit on every rating in this thread, where the spies see it (served-fit.spec: on its worker thread it fits the same models).
  threads: 1,
});

type Phase = 'before' | 'evaluation' | 'serving';
interface Seen {
  phase: Phase;
  what: string;
  rows: RatingsColumns;
}

const pairsOf = (rows: { userIds: ArrayLike<number>; movieIds: ArrayLike<number> }) => {
  const out = new Set<string>();
  for (let r = 0; r < rows.userIds.length; r++) out.add(`${rows.userIds[r]}:${rows.movieIds[r]}`);
  return out;
};
const overlap = (a: Set<string>, b: Set<string>) => [...a].filter((p) => b.has(p));

/** Ranker data (indexed ratings + their indexing) back as raw (user, movie) columns. */
function rowsOfIndexed(data: {
  indexing: { users: { ids: Int32Array }; movies: { ids: Int32Array } };
  train: { users: Int32Array; movies: Int32Array };
}) {
  const n = data.train.users.length;
  const rows: RatingsColumns = {
    userIds: new Int32Array(n),
    movieIds: new Int32Array(n),
    ratings: new Float32Array(n),
    timestamps: new Float64Array(n),
  };
  for (let r = 0; r < n; r++) {
    rows.userIds[r] = data.indexing.users.ids[data.train.users[r]];
    rows.movieIds[r] = data.indexing.movies.ids[data.train.movies[r]];
  }
  return rows;
}

describe('no test-split row reaches training, early stopping or blend tuning', () => {
  const planted = plantedData({ nUsers: 60, nMovies: 40, seed: 11 });
  const all = concatColumns(planted.observed, planted.heldOut);
  let phase: Phase = 'before';
  let seen: Seen[] = [];
  let baselineOfFitCalls: number[] = [];
  /** prepareEvaluation's result -> the raw rows it was built from (fitRanker / tuneBlendWeights get the result). */
  const prepared = new WeakMap<object, { train: RatingsColumns; heldOut: RatingsColumns }>();

  beforeEach(() => {
    phase = 'before';
    seen = [];
    baselineOfFitCalls = [];
    const record = (what: string, rows: RatingsColumns | null | undefined) => {
      if (rows) seen.push({ phase, what, rows });
    };
    const wrap = <M extends object, K extends keyof M>(module: M, name: K, spy: (args: any[]) => void) => {
      const original = module[name] as unknown as (...args: any[]) => any;
      jest.spyOn(module, name as never).mockImplementation(((...args: any[]) => {
        spy(args);
        return original(...args);
      }) as never);
    };
    wrap(trainSvdppModule, 'trainSvdpp', ([train, validation]) => {
      record('rating model fit (SVD++)', train);
      record('early-stopping validation (SVD++)', validation);
    });
    wrap(trainMfModule, 'trainMf', ([train, validation]) => {
      record('rating model fit (MF)', train);
      record('early-stopping validation (MF)', validation);
    });
    wrap(neighbourhoodBlendModule, 'selectNeighbourhoodBlend', ([fitPart, validation]) => {
      record('neighbourhood lists fit (selection)', fitPart);
      record('neighbourhood blend (validation rows)', validation);
    });
    wrap(neighbourhoodModule, 'fitNeighbourhood', ([train]) => record('neighbourhood lists fit', train));
    wrap(baselines, 'fitBaseline', ([train]) => record('baseline fit', train));
    // The evaluation's baseline row takes the biases the rating model's fit started from: the rows of that fit.
    wrap(baselines, 'baselineOfFit', () => baselineOfFitCalls.push(1));
    wrap(baselines, 'fitGlobalMean', ([train]) => record('global mean fit', train));
    wrap(baselines, 'fitFallbackBiases', ([train]) => record('fallback biases fit', train));
    wrap(baselines, 'coldStartPopularity', ([train]) => record('cold-start popularity list', train));
    const originalPrepare = evaluate.prepareEvaluation;
    jest.spyOn(evaluate, 'prepareEvaluation').mockImplementation((train, heldOut) => {
      const data = originalPrepare(train, heldOut);
      prepared.set(data, { train, heldOut });
      record('evaluation data (train side)', train);
      return data;
    });
    const originalWithHeldOut = evaluate.withHeldOut;
    jest.spyOn(evaluate, 'withHeldOut').mockImplementation((base, heldOut) => {
      const data = originalWithHeldOut(base, heldOut);
      const rows = prepared.get(base);
      if (!rows) throw new Error('withHeldOut got data not built by prepareEvaluation');
      prepared.set(data, { train: rows.train, heldOut });
      return data;
    });
    const source = (data: object, what: string) => {
      const rows = prepared.get(data);
      if (rows) return rows;
      // Outside prepareEvaluation only the serving refit on all ratings builds ranker data.
      if (phase !== 'serving') throw new Error(`${what} got data not built by prepareEvaluation during ${phase}`);
      return null;
    };
    // EASE gets indexed user rows from inside fitRanker: mapped back to ids through that call's indexing.
    let rankerData: { indexing: { users: { ids: Int32Array }; movies: { ids: Int32Array } } } | null = null;
    // A fit whose X weighs ratings reads each row's rating as well as its pair: the same rows, labelled so.
    wrap(easeModule, 'fitEase', ([items, , settings]) => {
      if (!rankerData) throw new Error('fitEase called outside fitRanker');
      const { users, movies } = rankerData.indexing;
      const n = items.movies.length;
      const rows: RatingsColumns = {
        userIds: new Int32Array(n),
        movieIds: new Int32Array(n),
        ratings: new Float32Array(n),
        timestamps: new Float64Array(n),
      };
      for (let u = 0; u < items.offsets.length - 1; u++)
        for (let p = items.offsets[u]; p < items.offsets[u + 1]; p++) {
          rows.userIds[p] = users.ids[u];
          rows.movieIds[p] = movies.ids[items.movies[p]];
          rows.ratings[p] = items.ratings[p];
        }
      record(settings.input ? 'ranker EASE fit (X weighs ratings)' : 'ranker EASE fit', rows);
    });
    wrap(rankingBlend, 'fitRanker', ([data]) => {
      rankerData = data;
      const rows = source(data, 'fitRanker');
      if (rows) record('ranker implicit ALS fit', rows.train);
      else seen.push({ phase, what: 'ranker implicit ALS fit (serving, all ratings)', rows: rowsOfIndexed(data) });
    });
    wrap(rankingBlend, 'tuneBlendWeights', ([, data]) => {
      const rows = source(data, 'tuneBlendWeights')!;
      record('blend tuning (train side)', rows.train);
      record('blend tuning (held-out rows of the tuning users)', rows.heldOut);
    });
    const originalEvaluateOnSplit = evaluateSplit.evaluateOnSplit;
    jest.spyOn(evaluateSplit, 'evaluateOnSplit').mockImplementation(async (...args) => {
      phase = 'evaluation';
      try {
        return await originalEvaluateOnSplit(...args);
      } finally {
        phase = 'serving';
      }
    });
  });

  afterEach(() => jest.restoreAllMocks());

  async function run(hyper: TrainingConfig, ratingModel?: 'mf' | 'svdpp') {
    const dir = mkdtempSync(join(tmpdir(), 'trainer-leak-'));
    try {
      const config = {
        training: hyper,
        dataset: { dataset: 'synthetic' as const, source: null, sampleSize: 100 },
        paths: { modelDir: dir, registryDir: `${dir}-versions`, dbPath: '/nonexistent.db' } as never,
      };
      return await runTraining(config, { ratings: all, log: () => undefined, scorer: 'typed-array', ...(ratingModel ? { ratingModel } : {}) });
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(`${dir}-versions`, { recursive: true, force: true });
    }
  }

  /** The gate holdout, recomputed pair by pair from the gate's hash. */
  const gateRows = (hyper: TrainingConfig) =>
    Array.from({ length: all.ratings.length }, (_, r) => r).filter((r) => inGateHoldout(hyper.gate, all.userIds[r], all.movieIds[r]));
  const gatePairs = (hyper: TrainingConfig) => pairsOf(selectRows(all, gateRows(hyper)));
  /** What a training may use: every rating outside the gate holdout. */
  const trainable = (hyper: TrainingConfig) => {
    const held = new Set(gateRows(hyper));
    return selectRows(
      all,
      Array.from({ length: all.ratings.length }, (_, r) => r).filter((r) => !held.has(r)),
    );
  };
  /** The test split, recomputed the way the trainer documents it (seeded, per user, on what a training may use). */
  const testPairs = (hyper: TrainingConfig) => {
    const rest = trainable(hyper);
    return pairsOf(selectRows(rest, splitRows(rest, { seed: hyper.seed, validationFraction: 0, testFraction: hyper.testFraction }).test));
  };

  /** No consumer in any phase saw a gate-holdout pair, and the gate scored exactly those pairs. */
  function expectNoGateLeak(hyper: TrainingConfig, result: Awaited<ReturnType<typeof run>>) {
    const gate = gatePairs(hyper);
    expect(gate.size).toBeGreaterThan(20);
    const leaks = seen.map((s) => ({ what: `${s.phase}: ${s.what}`, rows: overlap(pairsOf(s.rows), gate).length })).filter((l) => l.rows > 0);
    expect(leaks).toEqual([]);
    expect(seen.some((s) => s.phase === 'serving')).toBe(true);
    expect(seen.some((s) => s.what === 'cold-start popularity list')).toBe(true);
    expect(result.gate.holdout.ratings).toBe(gate.size);
    expect(result.gate.candidate.rows).toBe(gate.size);
  }

  function expectNoLeak(hyper: TrainingConfig, phases: Phase[]) {
    const test = testPairs(hyper);
    expect(test.size).toBeGreaterThan(50);
    // The served cold-start list is built from every trainable rating after the evaluation: no test figure depends on it.
    const checked = seen.filter((s) => phases.includes(s.phase) && s.what !== 'cold-start popularity list');
    const leaks = checked.map((s) => ({ what: `${s.phase}: ${s.what}`, rows: overlap(pairsOf(s.rows), test).length })).filter((l) => l.rows > 0);
    expect(leaks).toEqual([]);
    // The spies did see each kind of consumer (a renamed function would otherwise pass silently).
    const kinds = checked.map((s) => s.what);
    for (const kind of [
      /rating model fit/,
      /early-stopping validation/,
      /ranker implicit ALS fit/,
      /ranker EASE fit/,
      /blend tuning \(train side\)/,
      /blend tuning \(held-out/,
      /neighbourhood lists fit/,
      /neighbourhood blend \(validation rows\)/,
    ]) {
      expect(kinds.some((k) => kind.test(k))).toBe(true);
    }
    // The committed EASE weighs ratings in X unless its other-rating weight is 1: the spied fits did as configured.
    expect(kinds.some((k) => /ranker EASE fit \(X weighs ratings\)/.test(k))).toBe(hyper.ranker.ease.otherRatingWeight !== 1);
    // The baseline row either reused the rating model fit's biases (checked above with its rows) or was fitted (spied).
    expect(baselineOfFitCalls.length > 0 || kinds.some((k) => /baseline fit/.test(k))).toBe(true);
    // The evaluation scored exactly that test split (so the recomputed split is the one used).
    const scored = seen.filter((s) => s.phase === 'evaluation' && s.what === 'evaluation data (train side)');
    expect(scored.length).toBeGreaterThan(0);
    const early = checked.filter((s) => /early-stopping validation/.test(s.what));
    for (const s of early) expect(s.rows.ratings.length).toBeGreaterThan(0);
  }

  it('when the served model is refit on all ratings, then nothing before that refit saw a test row, and the refit has no early stopping or tuning', async () => {
    const result = await run(training);
    expect(result.manifest.training.trainedOn).toBe('all');
    expect(result.report.splits.test).toBe(testPairs(training).size);
    expectNoLeak(training, ['before', 'evaluation']);
    expectNoGateLeak(training, result);
    // After the evaluation: fits on every rating outside the gate holdout (the served model), but no validation set and no tuning.
    const serving = seen.filter((s) => s.phase === 'serving');
    const rest = trainable(training).ratings.length;
    expect(rest).toBeLessThan(all.ratings.length);
    expect(serving.some((s) => s.what.startsWith('rating model fit') && s.rows.ratings.length === rest)).toBe(true);
    expect(serving.filter((s) => /early-stopping|blend tuning/.test(s.what))).toEqual([]);
  });

  it('when nothing is refit on all ratings, then no fit at all saw a test row (plain MF too)', async () => {
    const hyper = { ...training, refitOnAll: false };
    const result = await run(hyper, 'mf');
    expect(result.manifest.training.trainedOn).toBe('train');
    expect(seen.some((s) => s.what === 'rating model fit (MF)')).toBe(true);
    expectNoLeak(hyper, ['before', 'evaluation', 'serving']);
    expectNoGateLeak(hyper, result);
  });

  it('when a consumer is fed a gate-holdout row, then the check reports it (the check can fail)', () => {
    const [user, movie] = [...gatePairs(training)][0].split(':').map(Number);
    expect(inGateHoldout(training.gate, user, movie)).toBe(true);
    const fed = concatColumns(trainable(training), {
      userIds: Int32Array.of(user),
      movieIds: Int32Array.of(movie),
      ratings: Float32Array.of(4),
      timestamps: Float64Array.of(0),
    });
    expect(overlap(pairsOf(fed), gatePairs(training))).toEqual([`${user}:${movie}`]);
    expect(overlap(pairsOf(trainable(training)), gatePairs(training))).toEqual([]);
  });

  it('when the spies are fed a test row, then they report it (the check can fail)', () => {
    const test = testPairs(training);
    const [user, movie] = [...test][0].split(':').map(Number);
    const leaky = concatColumns(selectRows(all, [0]), {
      userIds: Int32Array.of(user),
      movieIds: Int32Array.of(movie),
      ratings: Float32Array.of(4),
      timestamps: Float64Array.of(0),
    });
    expect(overlap(pairsOf(leaky), test)).toEqual([`${user}:${movie}`]);
  });
});
