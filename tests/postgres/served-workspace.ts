import { loadConfig } from '@reelrank/config';
import { loadPostgresDatabase } from '@reelrank/database';
import { runIngest } from '@reelrank/ingest';
import { generatedMovieLensSource } from '@reelrank/ingest/testing';
import { runTraining } from '@reelrank/trainer';
import { quickTrainingEnv } from '../workspace-env';

/** The admin token of the served workspaces: the tests' credential for users' ratings (an admin may write any user's). */
export const TEST_ADMIN_TOKEN = 'pg-tests-admin-7Hq2Xv9Lm4Kp8Zr3Wt6Yb1';
export const AS_ADMIN = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

/**
 * A workspace the real API can serve, its ratings on PostgreSQL: a small generated data set run through
 * the real ingest, database (into PostgreSQL) and train stages, with DATABASE_URL set. Returns the environment to start
 * API processes with (tools/lib/processes startApi).
 */
export async function servedWorkspace(databaseUrl: string): Promise<Record<string, string | undefined>> {
  const source = await generatedMovieLensSource({ users: 40, movies: 120, ratings: 2_400, seed: 13 });
  const env = {
    ...quickTrainingEnv(source),
    DATABASE_URL: databaseUrl,
    REELRANK_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
  };
  const config = loadConfig({ env });
  const quiet = () => undefined;
  await runIngest(config, { log: quiet });
  // With DATABASE_URL the database stage loads the catalogue into PostgreSQL (and the API and training read it there).
  await loadPostgresDatabase({ processedDir: config.paths.processedDir, databaseUrl, dataset: config.dataset.dataset, log: quiet });
  await runTraining(config, { log: quiet, implicit: false });
  return env;
}
