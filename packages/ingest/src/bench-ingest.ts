// Times the ingest of a ratings folder phase by phase (acquire, parse, clean, write) and reports
// rows/s and peak RSS:
//   npx tsx packages/ingest/src/bench-ingest.ts --source DIR [--data DIR (default <os tmpdir>/ingest-bench)]
// (generate a source folder first: npx tsx packages/ingest/src/generate-synthetic.ts --out DIR)
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { acquireSource } from './lib/acquire-source.js';
import { cleanMovies, cleanRatings, movieIdTable } from './lib/clean.js';
import { parseMoviesFile } from './lib/parse-movies.js';
import { formatOfFile, parseRatingsFile } from '@reelrank/csv';
import { writeProcessed } from './lib/write-processed.js';

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { source: { type: 'string' }, data: { type: 'string' } } });
  if (!values.source) throw new Error('--source DIR is required');
  const data = resolve(values.data ?? join(tmpdir(), 'ingest-bench'));
  const rawDir = join(data, 'raw', 'bench');
  const processedDir = join(data, 'processed', 'bench');
  const phases: [string, number][] = [];
  let t = performance.now();
  const lap = (name: string) => {
    const now = performance.now();
    phases.push([name, (now - t) / 1000]);
    process.stderr.write(
      `[bench] ${name} ${((now - t) / 1000).toFixed(2)} s, rss ${mb(process.memoryUsage().rss)}, heap ${mb(process.memoryUsage().heapUsed)}\n`,
    );
    t = now;
  };
  const source = await acquireSource({ dataset: 'synthetic', source: resolve(values.source), rawDir });
  lap('acquire (copy + sha256 of the originals)');
  const movies = cleanMovies(await parseMoviesFile(join(rawDir, 'movies.csv')));
  const known = movieIdTable(movies.movies);
  lap('movies');
  const parsed = await parseRatingsFile(join(rawDir, 'ratings.csv'));
  lap('parse ratings');
  const ratings = cleanRatings(parsed, known);
  lap('clean/dedupe/sort ratings');
  const report = await writeProcessed(processedDir, {
    dataset: 'bench',
    source,
    format: formatOfFile('ratings.csv'),
    ratings: ratings.ratings,
    movies: movies.movies,
    links: null,
    tags: null,
    cleaning: { ratings: ratings.counts, movies: movies.counts },
    sampleSize: 50_000,
  });
  lap('write processed (ratings, movies, sample, hashes)');
  const total = phases.reduce((sum, [, s]) => sum + s, 0);
  const rows = parsed.read;
  const summary = {
    rows,
    kept: report.counts.ratings,
    dropped: report.dropped,
    seconds: Object.fromEntries(phases.map(([name, s]) => [name, Number(s.toFixed(2))])),
    total: Number(total.toFixed(2)),
    rowsPerSecond: Math.round(rows / total),
    parseRowsPerSecond: Math.round(rows / phases[2][1]),
    maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    dataHash: report.dataHash,
  };
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  if (!existsSync(join(processedDir, 'report.json'))) throw new Error('no report.json written');
}

main().catch((error: unknown) => {
  process.stderr.write(`bench-ingest failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
