import { basename } from 'node:path';
import { parseId, headerColumns, ParsedRows, streamRows, type ParsedFile } from '@reelrank/csv';

export interface Link {
  movieId: number;
  /** Text, because IMDb ids have meaningful leading zeros ("0114709"). */
  imdbId: string;
  /** Empty in links.csv for some movies. */
  tmdbId: number | null;
}

/** One links.csv row (movieId, imdbId, tmdbId) or null when malformed. */
export function parseLinkFields(fields: readonly string[], columns = { movieId: 0, imdbId: 1, tmdbId: 2, count: 3 }): Link | null {
  if (fields.length !== columns.count) return null;
  const movieId = parseId(fields[columns.movieId]);
  const imdbId = fields[columns.imdbId].trim();
  const tmdbText = fields[columns.tmdbId].trim();
  const tmdbId = tmdbText === '' ? null : parseId(tmdbText);
  if (movieId === null || !/^\d+$/.test(imdbId) || (tmdbText !== '' && tmdbId === null)) return null;
  return { movieId, imdbId, tmdbId };
}

/** Streams links.csv (movieId,imdbId,tmdbId). */
export async function parseLinksFile(path: string): Promise<ParsedFile<Link>> {
  const file = basename(path);
  const parsedRows = new ParsedRows<Link>(file);
  let columns: { movieId: number; imdbId: number; tmdbId: number; count: number } | null = null;
  await streamRows(path, {
    delimiter: ',',
    onRow(fields, broken) {
      if (columns === null) {
        columns = headerColumns(fields, ['movieId', 'imdbId', 'tmdbId'], file);
        return;
      }
      parsedRows.add(broken ? null : parseLinkFields(fields, columns), fields, ',');
    },
  });
  return parsedRows.done();
}
