import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '@reelrank/cli';
import { loadConfig } from '@reelrank/config';
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
    async cli(...argv) {
      let out = '';
      let err = '';
      const code = await runCli(argv, { stdout: { write: (t: string) => (out += t) }, stderr: { write: (t: string) => (err += t) }, env });
      if (code !== 0) throw new Error(`reelrank ${argv.join(' ')} exited ${code}: ${err}`);
      return out;
    },
    visitorSecret: () => readFileSync(join(dataDir, 'visitor-cookie.secret'), 'utf8').trim(),
  };
});
