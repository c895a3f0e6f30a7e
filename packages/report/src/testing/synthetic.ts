/** Deterministic report inputs for tests (not exported from the package index). */
import { seededRandom } from '@reelrank/random';
import type { ActivityError } from '../lib/activity-error.js';
import type { ModelSummary } from '../lib/model-metrics.js';
import type { ReportInput } from '../lib/sections.js';
import type { MovieInfo, RatingColumns } from '../lib/stats.js';

const GENRES = ['Drama', 'Comedy', 'Action', 'Thriller', 'Romance', 'Horror', 'Documentary'];

/** Long-tailed users and movies (Zipf-like), half-star ratings, timestamps over 2000-2005. */
export function syntheticColumns(users = 120, movies = 400, seed = 7): { columns: RatingColumns; movies: MovieInfo[] } {
  const random = seededRandom(seed);
  const rows: [number, number, number, number][] = [];
  for (let u = 1; u <= users; u++) {
    const count = Math.min(movies, Math.max(3, Math.round(400 / u ** 0.8)));
    const seen = new Set<number>();
    while (seen.size < count) seen.add(1 + Math.floor(movies * random() ** 2.5));
    for (const m of [...seen].sort((a, b) => a - b)) {
      const rating = Math.min(5, Math.max(0.5, Math.round((3.5 + (random() - 0.5) * 3 + (m % 7) / 10) * 2) / 2));
      rows.push([u, m, rating, 946684800 + Math.floor(random() * 6 * 365 * 86400)]);
    }
  }
  const columns: RatingColumns = {
    userIds: Int32Array.from(rows, (r) => r[0]),
    movieIds: Int32Array.from(rows, (r) => r[1]),
    ratings: Float32Array.from(rows, (r) => r[2]),
    timestamps: Float64Array.from(rows, (r) => r[3]),
  };
  const catalogue: MovieInfo[] = Array.from({ length: movies + 5 }, (_, i) => ({
    movieId: i + 1,
    title: `Movie ${i + 1} (${1990 + (i % 30)})`,
    year: 1990 + (i % 30),
    genres: i % 50 === 49 ? [] : [GENRES[i % GENRES.length], ...(i % 3 === 0 ? [GENRES[(i + 2) % GENRES.length]] : [])],
  }));
  return { columns, movies: catalogue };
}

export function syntheticModelSummary(): ModelSummary {
  return {
    version: 'mf-test',
    createdAt: '2026-01-01T00:00:00.000Z',
    backend: 'cpu',
    k: 10,
    hyperParameters: { seed: 42, factors: 8, learningRate: 0.01, refitOnAll: true },
    trainedOn: 'all',
    trainingSeconds: 1.5,
    epochsRun: 12,
    bestEpoch: 9,
    splits: { all: 1000, train: 800, validation: 100, test: 100 },
    models: [
      { model: 'global mean', rmse: 1.05, mae: 0.84, precisionAtK: null, recallAtK: null, ndcgAtK: null, coverage: null },
      { model: 'most-rated (popularity)', rmse: null, mae: null, precisionAtK: 0.06, recallAtK: 0.1, ndcgAtK: 0.11, coverage: 0.01 },
      { model: 'biased MF (SGD)', rmse: 0.86, mae: 0.66, precisionAtK: 0.03, recallAtK: 0.05, ndcgAtK: 0.04, coverage: 0.2 },
    ],
    history: Array.from({ length: 12 }, (_, i) => ({
      epoch: i + 1,
      trainRmse: 1 - i * 0.04,
      validationRmse: 0.95 - Math.min(i, 8) * 0.01 + Math.max(0, i - 8) * 0.005,
    })),
    byUserActivity: null,
    rankingUsers: null,
    plan: null,
    diversity: [0, 0.25, 0.5, 0.75].map((diversity, i) => ({
      diversity,
      ndcg: 0.3 - i * 0.02,
      intraListDiversity: 0.5 + i * 0.1,
      coverage: 0.1 + i * 0.03,
      novelty: 6 + i * 0.4,
    })),
  };
}

export function syntheticActivity(): ActivityError {
  return {
    buckets: [
      { label: '1-4', lower: 1, upper: 4, users: 10, rows: 12, rmse: 1.1, mae: 0.9 },
      { label: '20-49', lower: 20, upper: 49, users: 30, rows: 80, rmse: 0.92, mae: 0.71 },
      { label: '500+', lower: 500, upper: null, users: 2, rows: 90, rmse: 0.8, mae: 0.6 },
    ],
    testRows: 182,
  };
}

export function syntheticReportInput(overrides: Partial<ReportInput> = {}): ReportInput {
  const { columns, movies } = syntheticColumns();
  return {
    dataset: 'synthetic',
    columns,
    movies,
    popularityMinRatings: 20,
    model: syntheticModelSummary(),
    activity: syntheticActivity(),
    generatedAt: '2026-01-01T00:00:00Z',
    ...overrides,
  };
}
