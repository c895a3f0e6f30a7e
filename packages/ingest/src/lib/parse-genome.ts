import { basename } from 'node:path';
import { parseId, headerColumns, ParsedRows, streamRows, type ParsedFile } from '@reelrank/csv';

/**
 * The tag genome of ml-20m/25m/32m: genome-tags.csv (tagId,tag) names 1,128 tags, genome-scores.csv
 * (movieId,tagId,relevance) gives every tag's relevance (0..1) to each movie it covers, a dense
 * content description the cold-start map can learn from.
 */
export interface GenomeTag {
  tagId: number;
  tag: string;
}

export interface GenomeScore {
  movieId: number;
  tagId: number;
  relevance: number;
}

export function parseGenomeTagFields(fields: readonly string[], columns: { tagId: number; tag: number; count: number }): GenomeTag | null {
  if (fields.length !== columns.count) return null;
  const tagId = parseId(fields[columns.tagId]);
  const tag = fields[columns.tag].trim();
  return tagId === null || tag === '' ? null : { tagId, tag };
}

export function parseGenomeScoreFields(
  fields: readonly string[],
  columns: { movieId: number; tagId: number; relevance: number; count: number },
): GenomeScore | null {
  if (fields.length !== columns.count) return null;
  const movieId = parseId(fields[columns.movieId]);
  const tagId = parseId(fields[columns.tagId]);
  const text = fields[columns.relevance].trim();
  const relevance = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(text) ? Number(text) : NaN;
  return movieId === null || tagId === null || !Number.isFinite(relevance) ? null : { movieId, tagId, relevance };
}

/** Streams genome-tags.csv. */
export function parseGenomeTagsFile(path: string): Promise<ParsedFile<GenomeTag>> {
  return parseCsv(path, ['tagId', 'tag'] as const, parseGenomeTagFields);
}

/** Streams genome-scores.csv. */
export function parseGenomeScoresFile(path: string): Promise<ParsedFile<GenomeScore>> {
  return parseCsv(path, ['movieId', 'tagId', 'relevance'] as const, parseGenomeScoreFields);
}

async function parseCsv<K extends string, T>(
  path: string,
  required: readonly K[],
  parse: (fields: readonly string[], columns: Record<K, number> & { count: number }) => T | null,
): Promise<ParsedFile<T>> {
  const file = basename(path);
  const parsedRows = new ParsedRows<T>(file);
  let columns: (Record<K, number> & { count: number }) | null = null;
  await streamRows(path, {
    delimiter: ',',
    quoted: true,
    onRow(fields, broken) {
      if (columns === null) {
        columns = headerColumns(fields, required, file);
        return;
      }
      parsedRows.add(broken ? null : parse(fields, columns), fields, ',');
    },
  });
  return parsedRows.done();
}
