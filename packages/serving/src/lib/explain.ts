import type { Because, MovieRecommendation } from './answers.js';
import type { ServingIndex } from './serving-index.js';
import { MAX_ANCHORS } from './similar-movies.js';

const formatRating = (r: number) => (Number.isInteger(r) ? r.toFixed(1) : String(r));

/**
 * "Because you rated …": the (up to two) anchors most similar to movie i by item-factor cosine,
 * among the user's highest-rated movies anchors[from..to) (sorted by rating, best first). The
 * top-rated tier (rating >= the best rating - 1) is searched first, so a 5-star movie beats a
 * similar 2-star one. Hidden movies are never anchors. Undefined when there is no anchor.
 */
export function becauseOf(ix: ServingIndex, i: number, items: Int32Array, ratings: Float32Array, from: number, to: number): Because | undefined {
  if (to <= from) return undefined;
  const tierFloor = Math.min(ratings[from] - 1, 4);
  let best = -1;
  let bestSim = 0;
  let second = -1;
  let secondSim = 0;
  const hidden = ix.catalogue.hidden;
  const cosines = ix.similarity.cosinesWith(i, items, from, Math.min(to, from + MAX_ANCHORS));
  for (let p = from; p < to; p++) {
    if (ratings[p] < tierFloor && best >= 0) break;
    if (hidden[items[p]]) continue; // a hidden movie is never shown, not even as a reason
    const sim = p - from < MAX_ANCHORS ? cosines[p - from] : ix.similarity.cosine(i, items[p]);
    if (sim > bestSim) {
      second = best;
      secondSim = bestSim;
      best = p;
      bestSim = sim;
    } else if (sim > secondSim) {
      second = p;
      secondSim = sim;
    }
  }
  if (best < 0) return undefined;
  const movieIds = ix.model.movieIds;
  const name = (p: number) => `${ix.catalogue.movieAt[items[p]]?.title ?? `movie ${movieIds[items[p]]}`} (${formatRating(ratings[p])})`;
  const picked = second >= 0 && secondSim > 0.2 ? [best, second] : [best];
  return { text: `Because you rated ${picked.map(name).join(' and ')}`, movie_ids: picked.map((p) => movieIds[items[p]]) };
}

/** The reason given when the user's own ratings may not be named (also when no rated movie is similar). */
export const TASTE_PROFILE: Because = { text: 'Matches the taste profile of your ratings', movie_ids: [] };

/**
 * The recommendations with every reason that names the user's rated movies (and their values)
 * replaced by the generic one: what a caller who may not read that user's ratings is shown. The
 * picks, their order and the popularity reasons (which name no rated movie) stay.
 */
export function withoutRatedMovies(recommendations: readonly MovieRecommendation[]): MovieRecommendation[] {
  return recommendations.map((r) => (r.because.movie_ids.length ? { ...r, because: TASTE_PROFILE } : r));
}

/** A reason worked out earlier, unless it names a movie hidden since (then `compute` works it out again). */
export function keptReason(ix: ServingIndex, kept: Because | undefined, compute: () => Because | undefined): Because | undefined {
  return kept && !kept.movie_ids.some((id) => ix.catalogue.hiddenIds.has(id)) ? kept : compute();
}
