import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { findPostgresBinDir } from '../pg/throwaway';
import { paths, type IngestBenchArgs } from './ingest-bench-phases';
import type { Measured } from './sqlite-reference';
import { cpuSecondsOf, HAS_TIME_V, peakRssKiB } from './time-v';

/**
 * bench:ingest's PostgreSQL reference: `psql \copy` of the same processed ratings.csv into a table
 * defined like the catalogue's ratings with its keys and indexes (`LIKE ... INCLUDING ALL`), on the
 * same server the loader then writes to, after a CHECKPOINT so neither inherits the other's dirty pages.
 */
export async function psqlCopy(args: IngestBenchArgs, databaseUrl: string): Promise<Measured> {
  const { connectPostgres, migratePostgresCatalogue, CATALOGUE_SCHEMA } = await import('@reelrank/database');
  const bin = findPostgresBinDir();
  const psql = bin ? join(bin, 'psql') : 'psql';
  const client = await connectPostgres(databaseUrl, 'reelrank bench:ingest');
  try {
    await migratePostgresCatalogue(client);
    await client.query('DROP SCHEMA IF EXISTS reelrank_bench CASCADE');
    await client.query('CREATE SCHEMA reelrank_bench');
    await client.query(`CREATE TABLE reelrank_bench.ratings (LIKE ${CATALOGUE_SCHEMA}.ratings INCLUDING ALL)`);
    await client.query('CHECKPOINT');
    const csv = join(paths(args).processed, 'ratings.csv');
    const copy = `\\copy reelrank_bench.ratings (user_id, movie_id, rating, timestamp) FROM '${csv}' WITH (FORMAT csv, HEADER true)`;
    const cmd = [psql, databaseUrl, '-v', 'ON_ERROR_STOP=1', '-q', '-c', copy];
    const t0 = performance.now();
    const run = spawnSync(HAS_TIME_V ? '/usr/bin/time' : cmd[0], HAS_TIME_V ? ['-v', ...cmd] : cmd.slice(1), { encoding: 'utf8' });
    const seconds = (performance.now() - t0) / 1000;
    if (run.status !== 0) throw new Error(`psql \\copy failed: ${run.stderr || run.error?.message}`);
    const rows = Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM reelrank_bench.ratings')).rows[0].n);
    await client.query('DROP SCHEMA reelrank_bench CASCADE');
    await client.query('CHECKPOINT');
    return {
      name: 'psql \\copy (keyed table)',
      seconds,
      rows,
      maxRssMb: (peakRssKiB(run.stderr) ?? 0) / 1024,
      cpuSeconds: cpuSecondsOf(run.stderr),
    };
  } finally {
    await client.end().catch(() => undefined);
  }
}
