import { loadConfig } from '@reelrank/config';
import { openPostgresExperimentStore } from '@reelrank/feedback';
import { experimentStoreContract } from '@reelrank/feedback/testing';
import { readLiveVersion, setLiveVersion } from '@reelrank/model';
import { runTraining } from '@reelrank/trainer';
import { startApi, type ApiProcess } from '../../tools/lib/processes';
import { freshDatabase } from './postgres-test-db';
import { AS_ADMIN, servedWorkspace } from './served-workspace';

// Two stores on one database stand for two replicas: one running experiment between them.
experimentStoreContract('PostgreSQL', async () => {
  const db = await freshDatabase();
  return { open: () => openPostgresExperimentStore(db.url), dispose: () => db.drop() };
});

/**
 * A/B experiments on two real API replicas (apps/api/src/main.ts) sharing one PostgreSQL and one
 * model registry: an experiment started on one is served by both (they read it from the store), every
 * user gets the same arm from either, and a promotion on one makes the other serve the challenger too.
 */
describe('an A/B experiment on two replicas of one PostgreSQL', () => {
  let db: { url: string; drop(): Promise<void> };
  let replicas: ApiProcess[] = [];
  let live: string;
  let challenger: string;

  beforeAll(async () => {
    db = await freshDatabase();
    const env = await servedWorkspace(db.url);
    const config = loadConfig({ env });
    challenger = readLiveVersion(config.paths.registryDir)!;
    // A second training (more factors): a new live version; the first waits in the registry as the challenger.
    await runTraining(loadConfig({ env: { ...env, REELRANK_TRAIN_FACTORS: '6' } }), { log: () => undefined, implicit: false });
    live = readLiveVersion(config.paths.registryDir)!;
    expect(live).not.toBe(challenger);
    setLiveVersion(config.paths.registryDir, live);
    const served = { ...env, REELRANK_TRAIN_FACTORS: '6', REELRANK_EXPERIMENT_POLL_MS: '200' };
    replicas = await Promise.all(['replica a', 'replica b'].map((name) => startApi({ name, env: served, readyTimeoutMs: 120_000 })));
  }, 240_000);

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.stop(5_000)));
    await db?.drop();
  });

  const post = async (url: string, path: string, body: object) => {
    const res = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...AS_ADMIN },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const versionsOf = async (url: string, users: number[]) =>
    Promise.all(users.map(async (user_id) => String((await post(url, '/recommendations', { user_id, n_recommendations: 3 })).body.model_version)));
  const USERS = Array.from({ length: 40 }, (_, i) => i + 1);

  it('when an experiment starts on one replica, then both serve both arms and agree on every user within a second; a promotion reaches both', async () => {
    const [a, b] = replicas;
    const started = await post(a.url, '/admin/experiments', { challenger_version: challenger, share: 0.5, seed: 17 });
    expect(started.status).toBe(201);
    const startedAt = Date.now();
    // B may pick the experiment up in the middle of one read of the 40 users (they are asked at once):
    // it has taken it up when a read shows the challenger and the next read answers the same.
    let seen = await versionsOf(b.url, USERS);
    let next = await versionsOf(b.url, USERS);
    while ((!next.includes(challenger) || next.join() !== seen.join()) && Date.now() - startedAt < 1_500) {
      seen = next;
      next = await versionsOf(b.url, USERS);
    }
    seen = next;
    expect(new Set(seen)).toEqual(new Set([live, challenger]));
    expect(await versionsOf(a.url, USERS)).toEqual(seen);
    expect(await versionsOf(b.url, USERS)).toEqual(seen);

    const promoted = await post(b.url, '/admin/experiments/1/conclude', { outcome: 'promote' });
    expect(promoted.status).toBe(200);
    expect(promoted.body.live_version).toBe(challenger);
    const concludedAt = Date.now();
    let onA = await versionsOf(a.url, USERS);
    while (onA.some((v) => v !== challenger) && Date.now() - concludedAt < 10_000) onA = await versionsOf(a.url, USERS);
    expect(new Set(onA)).toEqual(new Set([challenger]));
    expect(new Set(await versionsOf(b.url, USERS))).toEqual(new Set([challenger]));
  }, 60_000);
});
