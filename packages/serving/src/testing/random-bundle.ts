import type { ModelBundle, RankingModel } from '@reelrank/model';
import { gaussian, seededRandom } from '@reelrank/random';
import type { CatalogMovie } from '../lib/catalog.js';

const GENRES = ['Action', 'Comedy', 'Drama', 'Horror', 'Romance', 'Sci-Fi'];

export interface RandomServingSet {
  bundle: ModelBundle;
  movies: CatalogMovie[];
  /** Each user's rated movie ids (the catalogue's ratings), skewed towards a popular head. */
  rated: Record<number, number[]>;
}

/**
 * A seeded random model in the shape a trained one has (rating factors, an implicit ranker with a
 * popularity prior and an EASE term over the most-rated movies) with a catalogue that lacks every
 * 50th movie: big enough for the int8-bounded ranking to pay, small enough for a unit test.
 */
export function randomServingSet(
  options: { users?: number; movies?: number; factors?: number; seed?: number; lengthPower?: number } = {},
): RandomServingSet {
  const { users = 300, movies = 3000, factors = 16, seed = 7, lengthPower = 0.5 } = options;
  const rand = seededRandom(seed);
  const gauss = gaussian(rand);
  const fill = (n: number, std: number) => Float32Array.from({ length: n }, () => gauss() * std);
  const movieIds = Int32Array.from({ length: movies }, (_, i) => 1 + 2 * i);
  const rated: Record<number, number[]> = {};
  const counts = new Int32Array(movies);
  for (let u = 1; u <= users; u++) {
    const picked = new Set<number>();
    const want = 10 + Math.floor(rand() * 40);
    while (picked.size < want) picked.add(Math.floor(movies * rand() ** 3));
    rated[u] = [...picked].sort((a, b) => a - b).map((i) => movieIds[i]);
    for (const i of picked) counts[i]++;
  }
  const byCount = Array.from({ length: movies }, (_, i) => i).sort((a, b) => counts[b] - counts[a] || a - b);
  // As in a trained model, often-rated movies have longer factor vectors (the higher lengthPower, the more the rest cluster near 0).
  const maxCount = Math.max(1, ...counts);
  const lengthen = (factors: Float32Array, k: number) => {
    for (let i = 0; i < movies; i++) for (let f = 0; f < k; f++) factors[i * k + f] *= 0.05 + 2 * (counts[i] / maxCount) ** lengthPower;
    return factors;
  };
  const easeSize = Math.min(200, movies);
  const easeMovies = Int32Array.from(byCount.slice(0, easeSize)).sort();
  const easeWeights = fill(easeSize * easeSize, 0.05);
  for (let a = 0; a < easeSize; a++) easeWeights[a * easeSize + a] = 0;
  const ranking: RankingModel = {
    factors,
    userFactors: fill(users * factors, 0.5),
    movieFactors: lengthen(fill(movies * factors, 0.3), factors),
    moviePrior: Float32Array.from(counts, (c) => Math.log1p(c)),
    weights: { implicit: 1, rating: 0.3, popularity: 0.2, ease: 0.5 },
    confidence: { alpha: 2, ratingSlope: 0, ratingPivot: 3, floor: 0.1, regularization: 1 },
    ease: { movies: easeMovies, weights: easeWeights, lambda: 100 },
  };
  const bundle: ModelBundle = {
    model: {
      factors,
      globalMean: 3.5,
      userIds: Int32Array.from({ length: users }, (_, u) => u + 1),
      movieIds,
      userBias: fill(users, 0.3),
      movieBias: fill(movies, 0.4),
      userFactors: fill(users * factors, 0.3),
      movieFactors: lengthen(fill(movies * factors, 0.3), factors),
    },
    popularity: {
      movieIds: Int32Array.from(byCount, (i) => movieIds[i]),
      scores: Float32Array.from(byCount, (i) => 3 + counts[i] / users),
      counts: Int32Array.from(byCount, (i) => counts[i]),
    },
    manifest: {
      format: 'reelrank-mf',
      formatVersion: 1,
      version: 'mf-random000001',
      dataset: 'random',
      createdAt: '2026-01-01T00:00:00.000Z',
      dataHash: 'random',
      backend: 'cpu',
      globalMean: 3.5,
      factors,
      users,
      movies,
      hyperParameters: { factors, regularization: 0.05, biasRegularization: 0.01 },
      training: {},
      metrics: {},
      weights: { file: 'weights-mf-random000001.bin', bytes: 0, sha256: '', sections: [] },
      ranking: {
        kind: 'implicit-als+rating+popularity+ease',
        factors,
        weights: ranking.weights,
        confidence: ranking.confidence,
        ease: { movies: easeSize, lambda: 100 },
      },
    },
    ranking,
  };
  const catalogue: CatalogMovie[] = [];
  for (let i = 0; i < movies; i++) {
    if (i % 50 === 49) continue;
    const genres = [GENRES[i % GENRES.length], GENRES[(i * 7 + 3) % GENRES.length]].filter((g, at, all) => all.indexOf(g) === at);
    catalogue.push({ movieId: movieIds[i], title: `Movie ${movieIds[i]}`, year: 1950 + (i % 70), genres });
  }
  return { bundle, movies: catalogue, rated };
}
