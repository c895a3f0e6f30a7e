import type { MovieFactors } from './content-map.js';
import type { MfModel } from './mf-model.js';
import type { NeighbourhoodModel } from './neighbourhood-model.js';
import type { RankingModel } from './ranking-model.js';

/** A movie's served vectors to set: a movie the model has is overwritten, another one is inserted at its id's place. */
export interface MovieFactorsEntry {
  movieId: number;
  factors: MovieFactors;
  /** Ratings it has (the ranker's popularity prior log(1 + n) of an inserted movie). */
  ratings: number;
}

/**
 * A copy of the served model with `entries` set: every movie-side array rebuilt (movie ids stay
 * ascending, so an inserted movie shifts the later indices, the EASE term's included), the user side
 * shared with the original, which is left as it was. A fallback bias of an inserted movie is its bias.
 */
export function withMovieFactors<B extends { model: MfModel; ranking?: RankingModel; neighbourhood?: NeighbourhoodModel }>(
  bundle: B,
  entries: readonly MovieFactorsEntry[],
): B {
  const { model, ranking, neighbourhood } = bundle;
  const kR = model.factors;
  const kI = ranking?.factors ?? 0;
  const byId = new Map<number, MovieFactorsEntry>();
  for (const entry of entries) {
    if (!Number.isSafeInteger(entry.movieId) || entry.movieId < 0) throw new RangeError(`movie id ${entry.movieId} is not a valid id`);
    if (entry.factors.ratingFactors.length !== kR)
      throw new RangeError(`movie ${entry.movieId}: ${entry.factors.ratingFactors.length} rating factors, the model has ${kR}`);
    if (ranking && entry.factors.rankingFactors.length !== kI)
      throw new RangeError(`movie ${entry.movieId}: ${entry.factors.rankingFactors.length} ranking factors, the ranker has ${kI}`);
    byId.set(entry.movieId, entry);
  }
  const ids = [...new Set([...model.movieIds, ...byId.keys()])].sort((a, b) => a - b);
  const n = ids.length;
  const oldIndex = new Map<number, number>();
  model.movieIds.forEach((id, i) => oldIndex.set(id, i));
  const movieIds = Int32Array.from(ids);
  const movieBias = new Float32Array(n);
  const movieFactors = new Float32Array(n * kR);
  const fallbackBias = model.fallback ? new Float32Array(n) : null;
  const rankingFactors = ranking ? new Float32Array(n * kI) : null;
  const prior = ranking ? new Float32Array(n) : null;
  const remap = new Int32Array(model.movieIds.length);
  for (let i = 0; i < n; i++) {
    const id = ids[i];
    const old = oldIndex.get(id);
    const entry = byId.get(id);
    if (old !== undefined) {
      remap[old] = i;
      movieBias[i] = model.movieBias[old];
      movieFactors.set(model.movieFactors.subarray(old * kR, old * kR + kR), i * kR);
      if (fallbackBias) fallbackBias[i] = model.fallback!.movieBias[old];
      if (ranking) {
        rankingFactors!.set(ranking.movieFactors.subarray(old * kI, old * kI + kI), i * kI);
        prior![i] = ranking.moviePrior[old];
      }
    }
    if (entry) {
      movieBias[i] = entry.factors.movieBias;
      movieFactors.set(entry.factors.ratingFactors, i * kR);
      if (fallbackBias && old === undefined) fallbackBias[i] = entry.factors.movieBias;
      if (ranking) {
        rankingFactors!.set(entry.factors.rankingFactors, i * kI);
        if (old === undefined) prior![i] = Math.log1p(Math.max(0, entry.ratings));
      }
    }
  }
  const nextModel: MfModel = {
    ...model,
    movieIds,
    movieBias,
    movieFactors,
    ...(model.fallback ? { fallback: { ...model.fallback, movieBias: fallbackBias! } } : {}),
  };
  const nextRanking: RankingModel | undefined = ranking && {
    ...ranking,
    movieFactors: rankingFactors!,
    moviePrior: prior!,
    ...(ranking.ease ? { ease: { ...ranking.ease, movies: Int32Array.from(ranking.ease.movies, (i) => remap[i]) } } : {}),
  };
  return {
    ...bundle,
    model: nextModel,
    ...(nextRanking ? { ranking: nextRanking } : {}),
    ...(neighbourhood ? { neighbourhood: remapNeighbourhood(neighbourhood, remap, n) } : {}),
  };
}

/** The neighbour lists in the new movie indices (`remap` keeps the id order, so each list stays ascending); added movies have none. */
function remapNeighbourhood(nb: NeighbourhoodModel, remap: Int32Array, n: number): NeighbourhoodModel {
  const offsets = new Int32Array(n + 1);
  for (let old = 0; old < remap.length; old++) offsets[remap[old] + 1] = nb.offsets[old + 1] - nb.offsets[old];
  for (let i = 0; i < n; i++) offsets[i + 1] += offsets[i];
  const neighbours = new Int32Array(nb.neighbours.length);
  const similarities = new Float32Array(nb.similarities.length);
  for (let old = 0; old < remap.length; old++) {
    const to = offsets[remap[old]];
    for (let r = nb.offsets[old]; r < nb.offsets[old + 1]; r++) {
      neighbours[to + r - nb.offsets[old]] = remap[nb.neighbours[r]];
      similarities[to + r - nb.offsets[old]] = nb.similarities[r];
    }
  }
  return { ...nb, offsets, neighbours, similarities };
}

/** The served vectors of model movie `index` (copies). */
export function movieFactorsAt(bundle: { model: MfModel; ranking?: RankingModel }, index: number): MovieFactors {
  const { model, ranking } = bundle;
  const kR = model.factors;
  const kI = ranking?.factors ?? 0;
  return {
    ratingFactors: model.movieFactors.slice(index * kR, index * kR + kR),
    movieBias: model.movieBias[index],
    rankingFactors: ranking ? ranking.movieFactors.slice(index * kI, index * kI + kI) : new Float32Array(0),
  };
}
