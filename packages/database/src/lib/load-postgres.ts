import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { formatCount } from '@reelrank/artifacts';
import { redactDatabaseUrl } from '@reelrank/config';
import { CATALOGUE_SCHEMA } from '../schema/postgres.js';
import { datasetMetaEntries, MissingProcessedDataError, readProcessedReport, type TableCounts } from './load-database.js';
import { copyRatingBlobs, copyRatingsFile } from './pg-copy-ratings.js';
import { copyGenomeScores, copyGenomeTags, copyLinks, copyMovies, copyTags, type CopyContext } from './pg-copy-tables.js';
import { migratePostgresCatalogue } from './postgres-catalogue.js';
import { addKeysAndIndexes, analyzeStaging, createStagingTables, dropReplaced, readLiveMeta, swapInStaging } from './pg-staging.js';

export interface LoadPostgresOptions {
  processedDir: string;
  /** postgres://...; never logged or thrown with its password. */
  databaseUrl: string;
  dataset: string;
  log?: (line: string) => void;
  /** Load even when the catalogue already holds this dataset and dataHash. */
  force?: boolean;
}

export interface LoadPostgresResult {
  /** The URL with its password masked. */
  target: string;
  dataset: string;
  dataHash: string;
  counts: TableCounts;
  seconds: number;
  /** True when the catalogue already held this dataset and dataHash, so nothing was loaded. */
  skipped: boolean;
}

/** The server could not be reached or refused us: the message names the masked URL and why. */
export class PostgresUnreachableError extends Error {
  constructor(target: string, cause: unknown) {
    super(`cannot connect to PostgreSQL at ${target}: ${(cause as Error)?.message || String(cause)}`);
    this.name = 'PostgresUnreachableError';
  }
}

const REQUIRED = ['movies.csv', 'ratings.csv'];

/** Any constant every loader agrees on: one load at a time per database. */
const LOAD_LOCK = 0x72726c64;

/** Opens a client, turning every connection failure into one line naming the masked URL. */
export async function connectPostgres(databaseUrl: string, applicationName: string): Promise<pg.Client> {
  const target = redactDatabaseUrl(databaseUrl);
  let client: pg.Client;
  try {
    client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 10_000, application_name: applicationName });
  } catch (error) {
    throw new PostgresUnreachableError(target, error);
  }
  // An idle client whose server goes away emits 'error'; without a listener that would crash the process.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw new PostgresUnreachableError(target, error);
  }
  return client;
}

/**
 * Loads the processed CSVs into the PostgreSQL catalogue (schema `reelrank_catalogue`): migrations,
 * then in ONE transaction a staging schema with the catalogue's tables (no keys or indexes yet),
 * binary COPY of every file, primary keys and indexes built once the rows are in, dataset_meta,
 * ANALYZE, and the swap (two schema renames); the old catalogue is dropped after the commit. A
 * failure anywhere rolls the transaction back: the previous catalogue stays as it was and no staging
 * schema remains. When the catalogue already holds this dataset and dataHash, nothing is loaded.
 */
export async function loadPostgresDatabase(options: LoadPostgresOptions): Promise<LoadPostgresResult> {
  const started = performance.now();
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const target = redactDatabaseUrl(options.databaseUrl);
  const { dataHash } = readProcessedReport(options.processedDir);
  for (const file of REQUIRED) {
    if (!existsSync(join(options.processedDir, file))) throw new MissingProcessedDataError(`${join(options.processedDir, file)} does not exist`);
  }
  const client = await connectPostgres(options.databaseUrl, 'reelrank database stage');
  const seconds = () => (performance.now() - started) / 1000;
  try {
    await migratePostgresCatalogue(client);
    const skip = async (): Promise<LoadPostgresResult | null> => {
      const live = await readLiveMeta(client);
      if (options.force || live.dataset !== options.dataset || live.dataHash !== dataHash) return null;
      log(`[database] ${options.dataset}: ${target} already holds this data (dataHash ${dataHash.slice(0, 12)}), nothing to load`);
      return { target, dataset: options.dataset, dataHash, counts: live.counts, seconds: seconds(), skipped: true };
    };
    const early = await skip();
    if (early) return early;

    await client.query('BEGIN');
    try {
      // One load at a time; whoever waited here checks again (the other load may have been this very data).
      await client.query('SELECT pg_advisory_xact_lock($1)', [LOAD_LOCK]);
      const late = await skip();
      if (late) {
        await client.query('ROLLBACK');
        return late;
      }
      const counts = await loadIntoStaging(client, options, dataHash, log);
      await swapInStaging(client);
      await client.query('COMMIT');
      // The load is committed; a failed drop only leaves the replaced schema for the next load to drop.
      await dropReplaced(client).catch((error: Error) => log(`[database] could not drop the replaced catalogue yet: ${error.message}`));
      log(
        `[database] ${options.dataset}: ${formatCount(counts.ratings)} ratings (${formatCount(counts.users)} users), ` +
          `${formatCount(counts.movies)} movies, ${formatCount(counts.links)} links, ${formatCount(counts.tags)} tags ` +
          `-> ${target} (schema ${CATALOGUE_SCHEMA}) in ${seconds().toFixed(2)} s`,
      );
      return { target, dataset: options.dataset, dataHash, counts, seconds: seconds(), skipped: false };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function loadIntoStaging(client: pg.Client, options: LoadPostgresOptions, dataHash: string, log: (line: string) => void): Promise<TableCounts> {
  const ctx: CopyContext = { client, schema: await createStagingTables(client), log };
  const path = (file: string) => join(options.processedDir, file);
  const { movies, movieGenres } = await copyMovies(ctx, path('movies.csv'));
  const links = existsSync(path('links.csv')) ? await copyLinks(ctx, path('links.csv')) : 0;
  const columns = await copyRatingsFile(ctx, path('ratings.csv'));
  const ratings = columns.n;
  const extra = await copyRatingBlobs(ctx, columns);
  const tags = existsSync(path('tags.csv')) ? await copyTags(ctx, path('tags.csv')) : 0;
  const genomeTags = existsSync(path('genome-tags.csv')) ? await copyGenomeTags(ctx, path('genome-tags.csv')) : 0;
  const genomeScores = existsSync(path('genome-scores.csv')) ? await copyGenomeScores(ctx, path('genome-scores.csv')) : 0;
  await addKeysAndIndexes(client, log);
  const users = extra['count.users'] !== undefined ? Number(extra['count.users']) : await countDistinctUsers(client, ctx.schema);
  const counts: TableCounts = { movies, movieGenres, ratings, users, links, tags, genomeTags, genomeScores };
  const entries = datasetMetaEntries({ dataset: options.dataset, dataHash, loadedAt: new Date().toISOString(), counts, extra });
  await client.query(`INSERT INTO "${ctx.schema}".dataset_meta (key, value) SELECT * FROM unnest($1::text[], $2::text[])`, [
    entries.map((e) => e[0]),
    entries.map((e) => e[1]),
  ]);
  const analyzeStarted = performance.now();
  await analyzeStaging(client);
  log(`[database] ANALYZE in ${((performance.now() - analyzeStarted) / 1000).toFixed(2)} s`);
  return counts;
}

async function countDistinctUsers(client: pg.Client, schema: string): Promise<number> {
  const { rows } = await client.query<{ n: string }>(`SELECT count(DISTINCT user_id) AS n FROM "${schema}".ratings`);
  return Number(rows[0].n);
}
