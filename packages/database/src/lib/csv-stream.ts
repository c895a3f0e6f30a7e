import { basename } from 'node:path';
import { streamRows } from '@reelrank/csv';

/** A CSV problem that names the file and the data row (1-based, header excluded). */
export class CsvFormatError extends Error {
  constructor(file: string, row: number | null, message: string) {
    super(`${basename(file)}${row === null ? '' : ` row ${row}`}: ${message}`);
    this.name = 'CsvFormatError';
  }
}

/**
 * Called with each parsed chunk of data rows. `col[i]` is the position of `columns[i]` in a row,
 * `firstRow` the 1-based number of rows[0]. It runs synchronously, so the file is read no faster
 * than rows are consumed; throwing stops the parse and rejects streamCsv.
 */
export type CsvRowsHandler = (rows: string[][], col: readonly number[], firstRow: number) => void;

/** Rows handed to the handler at once (a chunk of the file can hold many more). */
const ROWS_PER_CALL = 8192;

/**
 * Streams a header-first CSV in chunks (never the whole file in memory) through @reelrank/csv's
 * streaming reader, the one CSV reader: this adds the column lookup by header name and the row
 * checks the loaders rely on (quoting, field count), and hands rows over in batches. Resolves with
 * the number of data rows.
 */
export async function streamCsv(file: string, columns: readonly string[], onRows: CsvRowsHandler): Promise<number> {
  let col: number[] | null = null;
  let width = 0;
  let rowsSeen = 0;
  let pending: string[][] = [];
  const flush = () => {
    if (pending.length === 0 || col === null) return;
    onRows(pending, col, rowsSeen - pending.length + 1);
    pending = [];
  };
  await streamRows(file, {
    delimiter: ',',
    onRow: (fields, broken) => {
      if (col === null) {
        col = headerPositions(file, fields, columns);
        width = col.reduce((max, c) => Math.max(max, c), 0) + 1;
        return;
      }
      rowsSeen += 1;
      if (broken) throw new CsvFormatError(file, rowsSeen, 'malformed quoting (an unclosed or stray quote)');
      if (fields.length < width) throw new CsvFormatError(file, rowsSeen, `expected ${width} fields, found ${fields.length}`);
      pending.push(fields);
      if (pending.length === ROWS_PER_CALL) flush();
    },
    onProgress: flush,
  });
  flush();
  if (col === null) throw new CsvFormatError(file, null, 'empty file (no header row)');
  return rowsSeen;
}

function headerPositions(file: string, header: string[], columns: readonly string[]): number[] {
  const names = header.map((name) => name.trim().replace(/^\uFEFF/, ''));
  const missing = columns.filter((c) => !names.includes(c));
  if (missing.length > 0) {
    throw new CsvFormatError(file, null, `header "${names.join(',')}" lacks column(s) ${missing.join(', ')}`);
  }
  return columns.map((c) => names.indexOf(c));
}
