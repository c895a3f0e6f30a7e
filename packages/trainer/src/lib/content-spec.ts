import type { ContentFeatureSpec, MovieContent } from '@reelrank/model';

/** How the feature columns are chosen (the `training.contentMap` settings that shape them). */
export interface ContentSpecSettings {
  tagVocabulary: number;
  tagMinMovies: number;
  yearBinWidth: number;
}

/**
 * The feature columns, from the map's training movies only (a column no training movie has would get
 * no weight anyway): their genres, year bins covering their years, the `tagVocabulary` tags on the
 * most of them (at least `tagMinMovies`; ties by name) and the genome tags they have scores for.
 */
export function buildContentSpec(movies: Iterable<MovieContent>, settings: ContentSpecSettings): ContentFeatureSpec {
  const genres = new Map<string, string>();
  const tagMovies = new Map<string, number>();
  const genome = new Set<number>();
  let minYear = Infinity;
  let maxYear = -Infinity;
  for (const movie of movies) {
    for (const g of movie.genres) if (!genres.has(g.toLowerCase())) genres.set(g.toLowerCase(), g);
    if (movie.year !== null && Number.isFinite(movie.year)) {
      minYear = Math.min(minYear, movie.year);
      maxYear = Math.max(maxYear, movie.year);
    }
    if (movie.tags) {
      const seen = new Set<string>();
      for (const [tag, n] of movie.tags) if (n > 0) seen.add(tag.toLowerCase());
      for (const tag of seen) tagMovies.set(tag, (tagMovies.get(tag) ?? 0) + 1);
    }
    if (movie.genome) for (const id of movie.genome.keys()) genome.add(id);
  }
  const width = settings.yearBinWidth;
  const from = Number.isFinite(minYear) ? Math.floor(minYear / width) * width : 0;
  const count = Number.isFinite(maxYear) ? Math.floor((maxYear - from) / width) + 1 : 1;
  const tags = [...tagMovies]
    .filter(([, n]) => n >= settings.tagMinMovies)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, settings.tagVocabulary)
    .map(([tag]) => tag);
  return {
    genres: [...genres.values()].sort(),
    yearBins: { from, width, count },
    tags,
    genomeTags: [...genome].sort((a, b) => a - b),
  };
}
