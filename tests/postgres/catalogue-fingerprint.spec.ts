import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROCESSED_FIXTURE } from '../../packages/database/src/__fixtures__/fixtures';
import { loadPostgresDatabase } from '@reelrank/database';
import { fingerprintRunner, runtimeInput, withPassword, WORKSPACE_ROOT } from './fingerprint-runner';
import { freshDatabase } from './postgres-test-db';

/**
 * The database stage's Nx hash covers the PostgreSQL target. The runtime input of the database target
 * (tools/fingerprint-catalogue.mjs), run as the stage plugin (tools/nx/stage-targets.js) names it, around a real load. Nx hashes it
 * before the stage runs, so it names the state the stage leaves: "holds <dataset> <dataHash>" only when
 * the server already holds exactly the processed data the stage would load (the cache may hit), and
 * "must load" with a nonce otherwise (an empty server, or one holding other data: never a cache hit).
 * The password never shows and never changes the output.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { STAGES } = require(join(WORKSPACE_ROOT, 'tools/nx/stage-targets.js')) as { STAGES: Record<string, { inputs: unknown[] }> };
const command = runtimeInput(STAGES['packages/database'].inputs as Parameters<typeof runtimeInput>[0]);

describe('the catalogue fingerprint with DATABASE_URL set', () => {
  const { fingerprint: of, run, workspace, dispose } = fingerprintRunner(command, { REELRANK_DATASET: 'fixture' });
  const processedDir = join(workspace, 'data', 'processed', 'fixture');
  let db: { url: string; drop(): Promise<void> };
  beforeAll(async () => {
    db = await freshDatabase();
    cpSync(PROCESSED_FIXTURE, processedDir, { recursive: true });
  });
  afterAll(async () => {
    await db?.drop();
    dispose();
  });

  const mustLoad = (location: string) => {
    const outputs = [run(withPassword(db.url, 'first-secret')), run(withPassword(db.url, 'first-secret'))];
    for (const output of outputs) {
      expect(output.status).toBe(0);
      expect(output.stdout).toMatch(
        new RegExp(`^catalogue: postgres ${location.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} must load \\d+ [0-9a-f]{16}$`),
      );
      expect(output.stdout).not.toMatch(/secret/);
    }
    expect(outputs[0].stdout).not.toBe(outputs[1].stdout); // never the same key twice: no cache entry can match
  };

  it('when the server is empty, then "must load" with a nonce; once loaded with this data, "holds" its dataset and dataHash, the same whatever the password', async () => {
    const location = new URL(withPassword(db.url, '***')).toString();
    mustLoad(location);
    const result = await loadPostgresDatabase({ processedDir, databaseUrl: db.url, dataset: 'fixture', log: () => undefined });
    const loaded = of(db.url);
    expect(loaded).toBe(`catalogue: postgres ${location} holds fixture ${result.dataHash}`);
    expect(of(db.url)).toBe(loaded); // nothing changed: same key, Nx may reuse the stage's entry
  });

  it('when the processed data differs from what the server holds, then "must load": the pre-load state is never a key', () => {
    const location = new URL(withPassword(db.url, '***')).toString();
    const reportPath = join(processedDir, 'report.json');
    const report = readFileSync(reportPath, 'utf8');
    writeFileSync(reportPath, JSON.stringify({ ...JSON.parse(report), dataHash: 'f'.repeat(64) }));
    try {
      mustLoad(location);
    } finally {
      writeFileSync(reportPath, report);
    }
  });
});
