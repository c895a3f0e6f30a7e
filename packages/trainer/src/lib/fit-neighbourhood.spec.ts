import { seededRandom } from '@reelrank/random';
import { fitBaseline } from './baselines.js';
import { fitNeighbourhood } from './fit-neighbourhood.js';
import { selectNeighbourhoodBlend } from './neighbourhood-blend.js';
import { emptyColumns, type RatingsColumns } from './ratings.js';

/**
 * 80 users, 8 movies in 4 pairs (0,1), (2,3), (4,5), (6,7): each user has a hidden taste per pair, and
 * both movies of a pair are rated taste + noise. A movie's best neighbour is its twin, and a user's
 * rating of the twin predicts the rating well where the biases alone cannot.
 */
function pairedRatings(seed: number, noise = 0.3): RatingsColumns {
  const random = seededRandom(seed);
  const rows: [number, number, number][] = [];
  for (let u = 0; u < 80; u++)
    for (let pair = 0; pair < 4; pair++) {
      const taste = 3 + (random() - 0.5) * 3;
      for (const movie of [2 * pair, 2 * pair + 1]) {
        const rating = Math.min(5, Math.max(0.5, Math.round((taste + (random() - 0.5) * 2 * noise) * 2) / 2));
        rows.push([u + 1, movie + 10, rating]);
      }
    }
  const columns = emptyColumns(rows.length);
  rows.forEach(([user, movie, rating], r) => {
    columns.userIds[r] = user;
    columns.movieIds[r] = movie;
    columns.ratings[r] = rating;
  });
  return columns;
}

/** A rating model with no interaction term: the ALS baseline, which is its own fallback. */
function baselineModel(train: RatingsColumns) {
  const model = fitBaseline(train);
  model.fallback = { globalMean: model.globalMean, userBias: model.userBias, movieBias: model.movieBias };
  return model;
}

function split(columns: RatingsColumns, keep: (r: number) => boolean): RatingsColumns {
  const rows = Array.from({ length: columns.ratings.length }, (_, r) => r).filter(keep);
  const out = emptyColumns(rows.length);
  rows.forEach((r, n) => {
    out.userIds[n] = columns.userIds[r];
    out.movieIds[n] = columns.movieIds[r];
    out.ratings[n] = columns.ratings[r];
  });
  return out;
}

const settings = { k: 5, candidates: 3, shrinkage: 10, minCommon: 2 };
const off = { rating: 1, neighbourhood: 0, confident: 0, intercept: 0 };

describe('neighbourhood predictor fit', () => {
  it('when two movies are rated alike, then each is the other one most similar neighbour, lists ascending and without the movie itself', () => {
    const train = pairedRatings(1);
    const model = baselineModel(train);
    const { model: nb } = fitNeighbourhood(train, model, settings, off);
    for (let i = 0; i < 8; i++) {
      const list = Array.from(nb.neighbours.subarray(nb.offsets[i], nb.offsets[i + 1]));
      const sims = Array.from(nb.similarities.subarray(nb.offsets[i], nb.offsets[i + 1]));
      expect(list.length).toBeLessThanOrEqual(settings.candidates);
      expect(list).not.toContain(i);
      expect([...list].sort((a, b) => a - b)).toEqual(list);
      const twin = i ^ 1;
      expect(list[sims.indexOf(Math.max(...sims))]).toBe(twin);
      for (const s of sims) expect(s).toBeGreaterThan(0);
    }
  });

  it('when the shrinkage grows, then the same pair gets a smaller similarity', () => {
    const train = pairedRatings(2);
    const model = baselineModel(train);
    const twinSim = (shrinkage: number) => {
      const { model: nb } = fitNeighbourhood(train, model, { ...settings, shrinkage }, off);
      return nb.similarities[nb.neighbours.subarray(nb.offsets[0], nb.offsets[1]).indexOf(1) + nb.offsets[0]];
    };
    expect(twinSim(100)).toBeLessThan(twinSim(0));
  });

  it('when the blend is fitted on validation ratings, then it leans on the neighbourhood term and beats the rating model alone there', () => {
    const all = pairedRatings(3);
    // Validation: the second movie of every pair for a third of the users; the fit part keeps the first.
    const heldOut = (r: number) => all.userIds[r] % 3 === 0 && all.movieIds[r] % 2 === 1;
    const fitPart = split(all, (r) => !heldOut(r));
    const validation = split(all, heldOut);
    const chosen = selectNeighbourhoodBlend(fitPart, validation, baselineModel(fitPart), settings);
    expect(chosen.validationRows).toBe(validation.ratings.length);
    expect(chosen.blend.neighbourhood + chosen.blend.confident).toBeGreaterThan(0.3);
    expect(chosen.validationRmse.blended).toBeLessThan(chosen.validationRmse.ratingModel * 0.8);
  });
});
