import { getAllMovies, getGenomeScores, getMovieTagCounts, openDatabase, readPostgresCatalogue, type GenomeColumns } from '@reelrank/database';
import type { MovieContent } from '@reelrank/model';

/** Each movie's content by id: genres and year from the catalogue, how often each tag was applied to it, and its genome relevances. */
export function movieContentOf(
  movies: Iterable<{ movieId: number; year: number | null; genres: readonly string[] }>,
  tagCounts: Iterable<{ movieId: number; tag: string; count: number }>,
  genome: ReadonlyMap<number, ReadonlyMap<number, number>> = new Map(),
): Map<number, MovieContent> {
  const tags = new Map<number, Map<string, number>>();
  for (const { movieId, tag, count } of tagCounts) {
    let own = tags.get(movieId);
    if (!own) tags.set(movieId, (own = new Map()));
    own.set(tag, (own.get(tag) ?? 0) + count);
  }
  const content = new Map<number, MovieContent>();
  for (const m of movies) {
    content.set(m.movieId, {
      genres: m.genres,
      year: m.year,
      ...(tags.has(m.movieId) ? { tags: tags.get(m.movieId) } : {}),
      ...(genome.has(m.movieId) ? { genome: genome.get(m.movieId) } : {}),
    });
  }
  return content;
}

/**
 * The compact genome the content map learns from: the `vocabulary` genome tags whose relevance
 * varies most across the movies with scores (ties by tag id), and each movie's relevances for them.
 * ml-20m's 1,128 tags are strongly correlated (many near-synonyms), so the most varied few carry most
 * of what sets movies apart, while the map's design stays ~100 columns wide instead of ~1,200.
 */
export function genomeByMovie(scores: GenomeColumns, vocabulary: number): Map<number, Map<number, number>> {
  const stats = new Map<number, { n: number; sum: number; squares: number }>();
  for (let i = 0; i < scores.tagIds.length; i++) {
    const tag = scores.tagIds[i];
    let s = stats.get(tag);
    if (!s) stats.set(tag, (s = { n: 0, sum: 0, squares: 0 }));
    const r = scores.relevance[i];
    s.n++;
    s.sum += r;
    s.squares += r * r;
  }
  const variance = ({ n, sum, squares }: { n: number; sum: number; squares: number }) => squares / n - (sum / n) ** 2;
  const chosen = new Set(
    [...stats]
      .sort((a, b) => variance(b[1]) - variance(a[1]) || a[0] - b[0])
      .slice(0, vocabulary)
      .map(([tag]) => tag),
  );
  const byMovie = new Map<number, Map<number, number>>();
  for (let i = 0; i < scores.tagIds.length; i++) {
    if (!chosen.has(scores.tagIds[i])) continue;
    const movieId = scores.movieIds[i];
    let own = byMovie.get(movieId);
    if (!own) byMovie.set(movieId, (own = new Map()));
    own.set(scores.tagIds[i], scores.relevance[i]);
  }
  return byMovie;
}

/** The catalogue's content from the configured store: PostgreSQL with `storage.databaseUrl`, else the SQLite file. */
export async function readCatalogueContent(
  config: {
    storage?: { databaseUrl?: string | null };
    paths: { dbPath: string };
  },
  settings: { genomeVocabulary: number },
): Promise<Map<number, MovieContent>> {
  const url = config.storage?.databaseUrl;
  const genome = (scores: GenomeColumns) => genomeByMovie(scores, settings.genomeVocabulary);
  if (url) {
    return readPostgresCatalogue(url, async (reader) =>
      movieContentOf(await reader.movies(), await reader.movieTagCounts(), genome(await reader.genomeScores())),
    );
  }
  const conn = openDatabase(config.paths.dbPath, { readonly: true });
  try {
    return movieContentOf(getAllMovies(conn), getMovieTagCounts(conn), genome(getGenomeScores(conn)));
  } finally {
    conn.close();
  }
}
