import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Small processed-CSV folders in the ingest stage's output format. */
export const PROCESSED_FIXTURE = join(__dirname, 'processed');
/** Like PROCESSED_FIXTURE, but ratings.csv row 5 has a non-numeric rating. */
export const MALFORMED_FIXTURE = join(__dirname, 'malformed');

export function makeTempDir(): string {
  return mkdtempSync(join(tmpdir(), 'reelrank-db-'));
}

/** Collects log lines instead of printing them. */
export function quietLog(): { lines: string[]; log: (line: string) => void } {
  const lines: string[] = [];
  return { lines, log: (line) => lines.push(line) };
}
