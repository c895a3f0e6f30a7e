import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { createProgress, formatCount, produceAtomically, type ProgressReporter } from '@reelrank/artifacts';
import { migrateDatabase, openDatabase } from './create-db.js';
import { RATING_BLOBS_META_KEY } from './rating-blobs.js';
import { streamCsv } from './csv-stream.js';
import { TABLE_LOADERS } from './table-loaders.js';

export interface LoadDatabaseOptions {
  /** data/processed/<dataset>/ with the ingest stage's CSVs and report.json. */
  processedDir: string;
  /** Final database file; written atomically (temp file + rename). */
  dbPath: string;
  dataset: string;
  /** Progress and summary lines; stderr by default. */
  log?: (line: string) => void;
  /** Rows per transaction during the bulk load (1M by default). */
  batchSize?: number;
}

export interface TableCounts {
  movies: number;
  movieGenres: number;
  ratings: number;
  /** Distinct users with at least one rating. */
  users: number;
  links: number;
  tags: number;
  /** The tag genome's tags and scores (0 when the data set has no genome). */
  genomeTags: number;
  genomeScores: number;
}

export interface LoadDatabaseResult {
  dbPath: string;
  dataset: string;
  dataHash: string;
  counts: TableCounts;
  seconds: number;
}

/** The processed folder is not (completely) there: the ingest stage has to run first. */
export class MissingProcessedDataError extends Error {
  constructor(message: string) {
    super(`${message}; run the ingest stage first (nx run ingest:pipeline)`);
    this.name = 'MissingProcessedDataError';
  }
}

/** report.json is written last by ingest, so its presence means the processed files are complete. */
export function readProcessedReport(processedDir: string): { dataHash: string } {
  const file = join(processedDir, 'report.json');
  if (!existsSync(file)) throw new MissingProcessedDataError(`No processed data: ${file} does not exist`);
  const report = JSON.parse(readFileSync(file, 'utf8')) as { dataHash?: unknown };
  if (typeof report.dataHash !== 'string' || report.dataHash === '') {
    throw new MissingProcessedDataError(`${file} has no "dataHash"`);
  }
  return { dataHash: report.dataHash };
}

/**
 * Builds data/<dataset>.db from the processed CSVs: a fresh file at a temp path, migrations,
 * a streamed bulk load, indexes, ANALYZE, then a rename. A failure at any point leaves no
 * file at dbPath, or the previous database untouched.
 */
export async function loadDatabase(options: LoadDatabaseOptions): Promise<LoadDatabaseResult> {
  const started = performance.now();
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const batchSize = options.batchSize ?? 1_000_000;
  const { dataHash } = readProcessedReport(options.processedDir);
  for (const loader of TABLE_LOADERS) {
    if (loader.required && !existsSync(join(options.processedDir, loader.file))) {
      throw new MissingProcessedDataError(`${join(options.processedDir, loader.file)} does not exist`);
    }
  }
  // produceAtomically first removes temp files (and their -journal) a killed earlier load left behind.
  const counts = await produceAtomically(options.dbPath, async (tempPath) => {
    const conn = openDatabase(tempPath);
    try {
      const { sqlite } = conn;
      // A fresh private file that is renamed only on success: durability during the load is
      // worthless, speed is not. (journal MEMORY, not OFF, so a failed statement still rolls back.)
      sqlite.pragma('page_size = 8192');
      sqlite.pragma('journal_mode = MEMORY');
      sqlite.pragma('synchronous = OFF');
      // temp_store stays FILE: with MEMORY (and/or a huge cache) CREATE INDEX over 20M rows took
      // 30 s instead of 5 s (measured), the sorter's spill files are better off in the page cache.
      sqlite.pragma('cache_size = -65536'); // 64 MiB, allocated only as used
      sqlite.pragma('locking_mode = EXCLUSIVE');
      sqlite.pragma('threads = 2'); // helper threads for the CREATE INDEX sorts
      migrateDatabase(conn.db);

      // Secondary indexes are cheaper to build once, after the rows are in: drop the ones the
      // migrations created and re-run their exact CREATE INDEX (the schema stays drizzle's).
      const indexes = sqlite.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL").all() as {
        name: string;
        sql: string;
      }[];
      for (const { name } of indexes) sqlite.exec(`DROP INDEX "${name}"`);

      const loaderMeta: Record<string, string> = {};
      for (const loader of TABLE_LOADERS) {
        const file = join(options.processedDir, loader.file);
        if (!existsSync(file)) continue;
        Object.assign(loaderMeta, await loadFile(sqlite, file, loader, batchSize, log));
      }

      const indexStarted = performance.now();
      for (const { sql } of indexes) sqlite.exec(sql);
      log(`[database] built ${indexes.length} indexes in ${((performance.now() - indexStarted) / 1000).toFixed(2)} s`);

      const counts = countRows(sqlite, loaderMeta);
      writeMeta(sqlite, { dataset: options.dataset, dataHash, loadedAt: new Date().toISOString(), counts, extra: loaderMeta });
      // Sampled statistics: a full ANALYZE would read all 20M ratings again for no better plans.
      sqlite.pragma('analysis_limit = 1000');
      sqlite.exec('ANALYZE');
      sqlite.pragma('optimize');
      // DELETE, not WAL: WAL would leave -wal/-shm files beside the temp path, and the file is
      // only read from here on.
      sqlite.pragma('journal_mode = DELETE');
      return counts;
    } finally {
      conn.close();
    }
  });

  const seconds = (performance.now() - started) / 1000;
  log(
    `[database] ${options.dataset}: ${formatCount(counts.ratings)} ratings (${formatCount(counts.users)} users), ` +
      `${formatCount(counts.movies)} movies, ${formatCount(counts.links)} links, ${formatCount(counts.tags)} tags ` +
      `-> ${options.dbPath} in ${seconds.toFixed(2)} s`,
  );
  return { dbPath: options.dbPath, dataset: options.dataset, dataHash, counts, seconds };
}

/** Streams one CSV into its table(s), committing every `batchSize` rows. */
async function loadFile(
  sqlite: Database.Database,
  file: string,
  loader: (typeof TABLE_LOADERS)[number],
  batchSize: number,
  log: (line: string) => void,
): Promise<Record<string, string>> {
  let malformed = 0;
  if (loader.bulkLoad) {
    const parseProgress = createProgress({ label: `database ${loader.file} parse`, unit: 'rows', write: log });
    let progress: ProgressReporter | null = null;
    // Started once the parse is done, so its rate is the insert rate.
    const insertProgress = () => (progress ??= createProgress({ label: `database ${loader.file} insert`, unit: 'rows', write: log }));
    sqlite.exec('BEGIN');
    try {
      const result = await loader.bulkLoad(sqlite, file, {
        batchSize,
        commit: () => sqlite.exec('COMMIT; BEGIN'),
        parseProgress,
        insertProgress,
        log,
      });
      if (!result.declined) {
        sqlite.exec('COMMIT');
        insertProgress().done(`${formatCount(result.rows)} rows loaded`);
        return result.meta;
      }
      sqlite.exec('ROLLBACK'); // nothing was inserted
      malformed = result.malformed;
    } catch (error) {
      if (sqlite.inTransaction) sqlite.exec('ROLLBACK');
      throw error;
    }
  }

  const insertChunk = loader.prepare(sqlite);
  const progress = createProgress({ label: `database ${loader.file}`, unit: 'rows', write: log });
  let sinceCommit = 0;
  sqlite.exec('BEGIN');
  try {
    const rows = await streamCsv(file, loader.columns, (chunk, col, firstRow) => {
      insertChunk(chunk, col, firstRow);
      sinceCommit += chunk.length;
      if (sinceCommit >= batchSize) {
        sqlite.exec('COMMIT; BEGIN');
        sinceCommit = 0;
      }
      progress.update(firstRow - 1 + chunk.length);
    });
    const meta = insertChunk.finish?.() ?? {};
    sqlite.exec('COMMIT');
    progress.done(`${formatCount(rows)} rows loaded`);
    return meta;
  } catch (error) {
    if (sqlite.inTransaction) sqlite.exec('ROLLBACK');
    if (malformed > 0 && error instanceof Error) {
      // The processed files are ingest's own output: malformed rows mean a corrupt file.
      error.message +=
        ` (${formatCount(malformed)} malformed row${malformed === 1 ? '' : 's'} in all; ` +
        'the processed file looks corrupt: re-run the ingest stage)';
    }
    throw error;
  }
}

/** Row counts; the ratings loader already counted ratings and users (scanning 20M rows twice is seconds). */
function countRows(sqlite: Database.Database, loaderMeta: Record<string, string>): TableCounts {
  const count = (sql: string) => (sqlite.prepare(sql).pluck().get() as number) ?? 0;
  const blobRatings = loaderMeta[RATING_BLOBS_META_KEY];
  const blobUsers = loaderMeta['count.users'];
  return {
    movies: count('SELECT COUNT(*) FROM movies'),
    movieGenres: count('SELECT COUNT(*) FROM movie_genres'),
    ratings: blobRatings !== undefined ? Number(blobRatings) : count('SELECT COUNT(*) FROM ratings'),
    users: blobUsers !== undefined ? Number(blobUsers) : count('SELECT COUNT(DISTINCT user_id) FROM ratings'),
    links: count('SELECT COUNT(*) FROM links'),
    tags: count('SELECT COUNT(*) FROM tags'),
    genomeTags: count('SELECT COUNT(*) FROM genome_tags'),
    genomeScores: count('SELECT COUNT(*) FROM genome_scores'),
  };
}

export interface DatasetMetaInput {
  dataset: string;
  dataHash: string;
  loadedAt: string;
  counts: TableCounts;
  /** The loaders' entries (the rating blobs' key, count.users). */
  extra: Record<string, string>;
}

/** The dataset_meta rows of a load, the same keys in both dialects (a key appears once). */
export function datasetMetaEntries(meta: DatasetMetaInput): [string, string][] {
  const entries = new Map<string, string>([
    ['dataset', meta.dataset],
    ['dataHash', meta.dataHash],
    ['loadedAt', meta.loadedAt],
    ...Object.entries(meta.extra),
    ...Object.entries(meta.counts).map(([table, n]): [string, string] => [`count.${table}`, String(n)]),
  ]);
  return [...entries];
}

function writeMeta(sqlite: Database.Database, meta: DatasetMetaInput): void {
  const insert = sqlite.prepare('INSERT OR REPLACE INTO dataset_meta (key, value) VALUES (?, ?)');
  const entries = datasetMetaEntries(meta);
  sqlite.transaction(() => entries.forEach(([key, value]) => insert.run(key, value)))();
}
