import {
  blendMovieFactors,
  contentFactors,
  movieFactorsAt,
  withMovieFactors,
  type ModelBundle,
  type MovieContent,
  type MovieFactorsEntry,
} from '@reelrank/model';

/**
 * The served vectors of `movieId` from `content`: the content map's, blended toward the movie's own
 * vectors by the ratings the training saw (none for a movie new to the catalogue; a movie the
 * training saw enough ratings of keeps its own).
 */
export function contentMovieEntry(bundle: ModelBundle, movieId: number, content: MovieContent): MovieFactorsEntry {
  const artifact = bundle.contentMap;
  if (!artifact) throw new Error('the served model has no content map (trained without one): retrain to serve movies from their content');
  const { map } = artifact;
  const index = bundle.model.movieIds.indexOf(movieId);
  const few = artifact.coldStart.find((e) => e.movieId === movieId);
  const ratings = index < 0 ? 0 : few ? few.ratings : map.blend.fullAt;
  const learned = index >= 0 && ratings > 0 ? movieFactorsAt(bundle, index) : null;
  return { movieId, ratings, factors: blendMovieFactors(contentFactors(map, content), learned, ratings, map.blend) };
}

/**
 * The model as served: the artifact's cold-start movies (few or no ratings at training) set to their
 * content-derived vectors, then the movies given content since (`added`). Without a content map, the
 * artifact's model as it is.
 */
export function servedBundle(bundle: ModelBundle, added?: ReadonlyMap<number, MovieContent>): ModelBundle {
  if (!bundle.contentMap) return bundle;
  const entries = [...bundle.contentMap.coldStart];
  for (const [movieId, content] of added ?? []) entries.push(contentMovieEntry(bundle, movieId, content));
  return entries.length ? withMovieFactors(bundle, entries) : bundle;
}
