import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROCESSED_FIXTURE } from '../../packages/database/src/__fixtures__/fixtures';
import { loadPostgresDatabase } from '@reelrank/database';
import { fingerprintRunner, runtimeInput, withPassword, WORKSPACE_ROOT } from './fingerprint-runner';
import { freshDatabase } from './postgres-test-db';

/**
 * Issue 15 item 1: the database stage's Nx hash covers the PostgreSQL target. The runtime input of
 * the database target (tools/fingerprint-catalogue.mjs), run as its package.json names it, around a real
 * load: an empty server says "none" (the stage must run), a loaded one names its dataset and dataHash
 * (the cache may hit), the password never shows and never changes the output.
 */
const command = runtimeInput(JSON.parse(readFileSync(join(WORKSPACE_ROOT, 'packages/database/package.json'), 'utf8')).nx.targets.pipeline.inputs);

describe('the catalogue fingerprint with DATABASE_URL set', () => {
  const { fingerprint: of, dispose } = fingerprintRunner(command);
  let db: { url: string; drop(): Promise<void> };
  beforeAll(async () => {
    db = await freshDatabase();
  });
  afterAll(async () => {
    await db?.drop();
    dispose();
  });

  it('when the server is empty, then "none"; once loaded, the dataset and dataHash; the same whatever the password', async () => {
    const fingerprint = () => of(db.url);
    const location = new URL(withPassword(db.url, '***')).toString();
    expect(fingerprint()).toBe(`catalogue: postgres ${location} none`);
    const result = await loadPostgresDatabase({ processedDir: PROCESSED_FIXTURE, databaseUrl: db.url, dataset: 'fixture', log: () => undefined });
    const loaded = fingerprint();
    expect(loaded).toBe(`catalogue: postgres ${location} fixture ${result.dataHash}`);
    expect(fingerprint()).toBe(loaded); // nothing changed: same key, Nx may reuse the stage's entry
  });
});
