import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import Papa from 'papaparse';

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

/**
 * Streams a header-first CSV through papaparse in chunks (never the whole file in memory).
 * Resolves with the number of data rows.
 */
export function streamCsv(file: string, columns: readonly string[], onRows: CsvRowsHandler): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    // encoding: strings decoded by Node's StringDecoder, so a UTF-8 character split across two
    // read chunks is not mangled (papaparse would call Buffer#toString per chunk).
    const input = createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 });
    let col: number[] | null = null;
    let rowsSeen = 0;
    let failure: unknown = null;
    let settled = false;
    const finish = (error: unknown) => {
      if (settled) return;
      settled = true;
      input.destroy();
      if (error) reject(error);
      else resolve(rowsSeen);
    };

    input.on('error', (error) => finish(error));
    Papa.parse<string[]>(input, {
      header: false,
      skipEmptyLines: true,
      chunk(results, parser) {
        try {
          const quoteError = results.errors.find((e) => e.type === 'Quotes' || e.type === 'Delimiter');
          if (quoteError) throw new CsvFormatError(file, rowsSeen + (quoteError.row ?? 0), quoteError.message);
          let rows = results.data;
          if (col === null) {
            if (rows.length === 0) return; // no complete line yet
            col = headerPositions(file, rows[0] ?? [], columns);
            rows = rows.slice(1);
          }
          const width = col.reduce((max, c) => Math.max(max, c), 0) + 1;
          for (let i = 0; i < rows.length; i += 1) {
            if (rows[i].length < width) {
              throw new CsvFormatError(file, rowsSeen + i + 1, `expected ${width} fields, found ${rows[i].length}`);
            }
          }
          onRows(rows, col, rowsSeen + 1);
          rowsSeen += rows.length;
        } catch (error) {
          failure = error;
          parser.abort(); // calls complete() below
        }
      },
      complete() {
        if (failure === null && col === null) failure = new CsvFormatError(file, null, 'empty file (no header row)');
        finish(failure);
      },
      error(error: Error) {
        finish(error);
      },
    });
  });
}

function headerPositions(file: string, header: string[], columns: readonly string[]): number[] {
  const names = header.map((name) => name.trim().replace(/^\uFEFF/, ''));
  const missing = columns.filter((c) => !names.includes(c));
  if (missing.length > 0) {
    throw new CsvFormatError(file, null, `header "${names.join(',')}" lacks column(s) ${missing.join(', ')}`);
  }
  return columns.map((c) => names.indexOf(c));
}
