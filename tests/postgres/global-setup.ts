import { setup as scratchSetup } from '../scratch-tmpdir';
import { startThrowawayPostgres, type ThrowawayPostgres } from '../../tools/pg/throwaway';

/**
 * Starts the throwaway cluster and hands its URL to the test files through DATABASE_URL (read back
 * through @reelrank/config, as the API does). Any DATABASE_URL of the caller is replaced: the tests
 * create and drop databases. Failing to start fails the run, naming why - never a silent pass.
 */
export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  let cluster: ThrowawayPostgres;
  try {
    cluster = await startThrowawayPostgres({ database: 'reelrank_test' });
  } catch (error) {
    throw new Error(`test:postgres needs a PostgreSQL server and could not start one: ${(error as Error).message}`);
  }
  (globalThis as { __reelrankPostgres?: ThrowawayPostgres }).__reelrankPostgres = cluster;
  process.env.DATABASE_URL = cluster.url;
  // Every temporary folder of the run (specs, API processes, extra clusters) under one root that
  // global-teardown removes (tests/scratch-tmpdir.js, as for npm test).
  await scratchSetup();
  process.stderr.write(`\ntest:postgres: throwaway cluster (${cluster.binDir}) at ${cluster.url}, started in ${Date.now() - started} ms\n`);
}
