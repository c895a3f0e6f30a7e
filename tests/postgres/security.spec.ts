import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '@reelrank/config';
import { cliOutput } from '../../tools/lib/cli-output';
import { startApi } from '../../tools/lib/processes';
import { whoMayDoWhat } from '../security/who-may-do-what';
import { freshDatabase } from './postgres-test-db';
import { servedWorkspace } from './served-workspace';

// The who-may-do-what table (tests/security) with the ratings and the keys on PostgreSQL: the replicas
// share the server (a key revoked through it is refused by the other replica within a second).
whoMayDoWhat('PostgreSQL', async (adminToken) => {
  const db = await freshDatabase();
  const env = { ...(await servedWorkspace(db.url)), REELRANK_ADMIN_TOKEN: adminToken };
  const dataDir = loadConfig({ env }).paths.dataDir;
  return {
    start: (name, extra = {}) => startApi({ name, env: { ...env, ...extra }, readyTimeoutMs: 120_000 }),
    cli: (...argv) => cliOutput(env, ...argv),
    visitorSecret: () => readFileSync(join(dataDir, 'visitor-cookie.secret'), 'utf8').trim(),
  };
});
