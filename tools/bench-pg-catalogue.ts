/**
 * `npm run bench:pg-catalogue -- [--ratings=1000000] [--users=7000] [--movies=10000]`: memory and
 * time of the API's catalogue read from PostgreSQL (openPostgresCatalog: everything in memory) next
 * to the SQLite one (openSqliteCatalog: a read-only file), on a synthetic data set in a throwaway
 * cluster. Each catalogue is opened in a child process of its own (node --expose-gc) that prints its
 * RSS and heap + array buffers before and after the open (after a GC), and the open's seconds.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { loadConfig } from '@reelrank/config';
import { loadDatabase, loadPostgresDatabase } from '@reelrank/database';
import { runIngest } from '@reelrank/ingest';
import { tempWorkspace } from '@reelrank/ingest/testing';
import { openPostgresCatalog, openSqliteCatalog, type MovieCatalog } from '@reelrank/serving';
import { parseFlags } from './lib/bench-kit';
import { WORKSPACE_ROOT } from './lib/processes';
import { startThrowawayPostgres } from './pg/throwaway';

const flags = parseFlags();
const mb = (bytes: number) => (bytes / 1048576).toFixed(1);

function usage(): { rss: number; heapAndBuffers: number } {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss, heapAndBuffers: m.heapUsed + m.arrayBuffers };
}

/** Child: open one catalogue, keep it referenced, print one JSON line. */
async function measure(kind: string, target: string): Promise<void> {
  const before = usage();
  const started = performance.now();
  const catalog: MovieCatalog = kind === 'postgres' ? await openPostgresCatalog(target) : openSqliteCatalog(target);
  const seconds = (performance.now() - started) / 1000;
  const after = usage();
  const ratings = catalog.ratingTable().movieIds.length;
  console.log(
    JSON.stringify({ kind, seconds, ratings, rssMb: mb(after.rss - before.rss), heapAndBuffersMb: mb(after.heapAndBuffers - before.heapAndBuffers) }),
  );
  catalog.close();
}

async function main(): Promise<void> {
  if (flags.measure) return measure(flags.measure, flags.target);
  const root = tempWorkspace();
  const env = {
    REELRANK_ROOT: root,
    REELRANK_DATASET: 'synthetic',
    REELRANK_SYNTHETIC_RATINGS: flags.ratings ?? '1000000',
    REELRANK_SYNTHETIC_USERS: flags.users ?? '7000',
    REELRANK_SYNTHETIC_MOVIES: flags.movies ?? '10000',
  };
  const config = loadConfig({ env: { ...process.env, ...env, DATABASE_URL: '' } });
  const quiet = () => undefined;
  await runIngest(config, { log: quiet });
  const { processedDir, dbPath } = config.paths;
  await loadDatabase({ processedDir, dbPath, dataset: 'synthetic', log: quiet });
  const cluster = await startThrowawayPostgres({ database: 'reelrank_bench' });
  try {
    await loadPostgresDatabase({ processedDir, databaseUrl: cluster.url, dataset: 'synthetic', log: quiet });
    for (const [kind, target] of [
      ['sqlite', dbPath],
      ['postgres', cluster.url],
    ]) {
      const child = spawnSync(
        process.execPath,
        ['--expose-gc', '--import', 'tsx', join(WORKSPACE_ROOT, 'tools', 'bench-pg-catalogue.ts'), `--measure=${kind}`, `--target=${target}`],
        {
          cwd: WORKSPACE_ROOT,
          encoding: 'utf8',
        },
      );
      if (child.status !== 0) throw new Error(`${kind}: ${child.stderr}`);
      process.stdout.write(child.stdout);
    }
  } finally {
    await cluster.stop();
  }
}

void main().catch((error: Error) => {
  console.error(error.stack ?? error.message);
  process.exit(1);
});
