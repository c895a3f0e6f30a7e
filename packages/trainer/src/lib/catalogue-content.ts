import { getAllMovies, getMovieTagCounts, openDatabase, readPostgresCatalogue } from '@reelrank/database';
import type { MovieContent } from '@reelrank/model';

/** Each movie's content by id: genres and year from the catalogue, and how often each tag was applied to it. */
export function movieContentOf(
  movies: Iterable<{ movieId: number; year: number | null; genres: readonly string[] }>,
  tagCounts: Iterable<{ movieId: number; tag: string; count: number }>,
): Map<number, MovieContent> {
  const tags = new Map<number, Map<string, number>>();
  for (const { movieId, tag, count } of tagCounts) {
    let own = tags.get(movieId);
    if (!own) tags.set(movieId, (own = new Map()));
    own.set(tag, (own.get(tag) ?? 0) + count);
  }
  const content = new Map<number, MovieContent>();
  for (const m of movies) content.set(m.movieId, { genres: m.genres, year: m.year, ...(tags.has(m.movieId) ? { tags: tags.get(m.movieId) } : {}) });
  return content;
}

/** The catalogue's content from the configured store: PostgreSQL with `runtime.databaseUrl`, else the SQLite file. */
export async function readCatalogueContent(config: {
  runtime?: { databaseUrl?: string | null };
  paths: { dbPath: string };
}): Promise<Map<number, MovieContent>> {
  const url = config.runtime?.databaseUrl;
  if (url) return readPostgresCatalogue(url, async (reader) => movieContentOf(await reader.movies(), await reader.movieTagCounts()));
  const conn = openDatabase(config.paths.dbPath, { readonly: true });
  try {
    return movieContentOf(getAllMovies(conn), getMovieTagCounts(conn));
  } finally {
    conn.close();
  }
}
