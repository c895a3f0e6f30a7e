import { basename } from 'node:path';
import { formatOfFile, parseId, detectEncoding, headerColumns, ParsedRows, streamRows, type ParsedFile } from '@reelrank/csv';

export interface Tag {
  userId: number;
  movieId: number;
  tag: string;
  timestamp: number;
}

type TagColumns = { userId: number; movieId: number; tag: number; timestamp: number; count: number };

/** One tags row or null when malformed; in .dat a tag holding "::" splits into extra fields, so rejoin them. */
export function parseTagFields(fields: readonly string[], columns: TagColumns | null = null): Tag | null {
  let parts: [string, string, string, string];
  if (columns) {
    if (fields.length !== columns.count) return null;
    parts = [fields[columns.userId], fields[columns.movieId], fields[columns.tag], fields[columns.timestamp]];
  } else {
    if (fields.length < 4) return null;
    parts = [fields[0], fields[1], fields.slice(2, -1).join('::'), fields[fields.length - 1]];
  }
  const userId = parseId(parts[0]);
  const movieId = parseId(parts[1]);
  const tag = parts[2].trim();
  const timestamp = /^-?\d+$/.test(parts[3].trim()) ? Number(parts[3]) : NaN;
  if (userId === null || movieId === null || tag === '' || !Number.isFinite(timestamp)) return null;
  return { userId, movieId, tag, timestamp };
}

/** Streams tags.csv (userId,movieId,tag,timestamp) or tags.dat (UserID::MovieID::Tag::Timestamp). */
export async function parseTagsFile(path: string): Promise<ParsedFile<Tag>> {
  const file = basename(path);
  const format = formatOfFile(file);
  const encoding = await detectEncoding(path);
  const parsedRows = new ParsedRows<Tag>(file);
  let columns: TagColumns | null = null;
  await streamRows(path, {
    delimiter: format === 'csv' ? ',' : '::',
    encoding,
    quoted: format === 'csv',
    onRow(fields, broken) {
      if (format === 'csv' && columns === null) {
        columns = headerColumns(fields, ['userId', 'movieId', 'tag', 'timestamp'], file);
        return;
      }
      parsedRows.add(broken ? null : parseTagFields(fields, columns), fields, ',');
    },
  });
  return parsedRows.done();
}
