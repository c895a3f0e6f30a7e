import { featureCount, type ContentMap, type ModelBundle, type ModelManifest } from '@reelrank/model';
import { inMemoryCatalog, type CatalogMovie } from '../lib/catalog.js';
import { Recommender } from '../lib/recommender.js';

/**
 * A planted model: factor 0 is "sci-fi", factor 1 is "comedy". Movies 10-40 load on sci-fi,
 * 50-70 on comedy, 80 on both (80 is in the model but not in the catalogue; 90 is in the
 * catalogue but not in the model). User 1 loves sci-fi, user 2 comedy; user 999 is unknown.
 * The API's SQLite fixture (apps/api/src/__fixtures__/processed/*.csv) holds the same catalogue.
 */

export const SCI_FI = [10, 20, 30, 40];
export const COMEDY = [50, 60, 70];

export function plantedBundle(): ModelBundle {
  const model = {
    factors: 2,
    globalMean: 3.5,
    userIds: Int32Array.from([1, 2, 3, 4, 5]),
    movieIds: Int32Array.from([10, 20, 30, 40, 50, 60, 70, 80]),
    userBias: Float32Array.from([0.2, -0.1, 0, 0.3, -0.2]),
    movieBias: Float32Array.from([0.3, 0.1, 0.2, -0.1, 0.25, 0.05, -0.2, 0.4]),
    userFactors: Float32Array.from([1, 0, 0, 1, 0.5, 0.5, -0.5, 0.2, 0, 0]),
    movieFactors: Float32Array.from([1, 0, 0.9, 0, 1.1, 0, 0.8, 0, 0, 1, 0, 0.9, 0, 1.1, 0.5, 0.5]),
  };
  const popularity = {
    movieIds: Int32Array.from([80, 50, 10, 60, 30, 20, 70, 40]),
    scores: Float32Array.from([4.3, 4.2, 4.1, 4.0, 3.9, 3.8, 3.7, 3.6]),
    counts: Int32Array.from([25, 25, 25, 25, 25, 25, 25, 25]),
  };
  const manifest: ModelManifest = {
    format: 'reelrank-mf',
    formatVersion: 1,
    version: 'mf-test00000001',
    dataset: 'api-fixture',
    createdAt: '2026-01-01T00:00:00.000Z',
    dataHash: 'api-fixture-hash',
    backend: 'cpu',
    globalMean: 3.5,
    factors: 2,
    users: 5,
    movies: 8,
    hyperParameters: { factors: 2, regularization: 0.06, biasRegularization: 0.01 },
    training: { epochs: 3 },
    metrics: { rmse: 0.87, mae: 0.67 },
    weights: { file: 'weights-mf-test00000001.bin', bytes: 0, sha256: '', sections: [] },
  };
  return { model, popularity, manifest };
}

export const MOVIES: CatalogMovie[] = [
  { movieId: 10, title: 'Star Voyage (1977)', year: 1977, genres: ['Sci-Fi', 'Adventure'] },
  { movieId: 20, title: 'Robot Dawn (1984)', year: 1984, genres: ['Sci-Fi', 'Action'] },
  { movieId: 30, title: 'Galaxy, The (1999)', year: 1999, genres: ['Sci-Fi'] },
  { movieId: 40, title: 'Orbit (2014)', year: 2014, genres: ['Sci-Fi', 'Drama'] },
  { movieId: 50, title: 'Funny Farm (1988)', year: 1988, genres: ['Comedy'] },
  { movieId: 60, title: 'Laugh Track (1995)', year: 1995, genres: ['Comedy', 'Romance'] },
  { movieId: 70, title: 'Jokes, Inc. (2003)', year: 2003, genres: ['Comedy'] },
  { movieId: 90, title: 'Untitled Short', year: null, genres: [] },
];

export const RATED: Record<number, number[]> = { 1: [10, 50], 2: [50, 60], 3: [20] };

export function plantedRecommender(): Recommender {
  return new Recommender(plantedBundle(), inMemoryCatalog(MOVIES, RATED, 'api-fixture'));
}

/** A content map that says of the planted model what its factors mean: Sci-Fi -> factor 0, Comedy -> factor 1 (no ranker). */
export function plantedContentMap(): ContentMap {
  const spec = { genres: ['Comedy', 'Sci-Fi'], yearBins: { from: 1970, width: 10, count: 6 }, tags: [], genomeTags: [] };
  const t = 2 + 1;
  const weights = new Float32Array(featureCount(spec) * t);
  weights[0 * t + 2] = 0.2; // intercept -> bias
  weights[1 * t + 1] = 1.2; // Comedy -> factor 1
  weights[2 * t + 0] = 1.2; // Sci-Fi -> factor 0
  return {
    spec,
    ratingFactors: 2,
    rankingFactors: 0,
    weights,
    lambda: { ratingFactors: 1, movieBias: 1, rankingFactors: 1 },
    blend: { prior: 5, fullAt: 10 },
  };
}
