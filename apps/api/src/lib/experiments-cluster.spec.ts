import { mkdirSync, mkdtempSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDatabase } from '@reelrank/database';
import { readLiveVersion, registerModelVersion } from '@reelrank/model';
import { freePort, saveModel, startCluster } from '../__fixtures__/cluster-process.js';
import { PROCESSED_DIR } from '../__fixtures__/fixtures.js';
import { armSplitter } from './experiment-arm.js';

/**
 * An A/B experiment on src/cluster.ts as a real process tree (a primary and two workers, the fixture
 * database, two model versions in the registry): started through one worker, both workers serve
 * both arms and agree on every user's arm; after a restart of the whole cluster it still runs.
 */

const TOKEN = 'cluster-ab-secret-5Jw8Pq2Tz6Lk9Xr4';
const USERS = Array.from({ length: 40 }, (_, i) => i + 1);

/** One request on its own connection, so round-robin spreads them over the workers. */
function call(url: string, method = 'GET', body?: object): Promise<{ status: number; worker: string; body: Record<string, unknown> }> {
  return new Promise((done, fail) => {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` };
    if (text !== undefined) Object.assign(headers, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
    const req = httpRequest(url, { agent: false, method, headers }, (res) => {
      let answer = '';
      res.on('data', (d) => (answer += d));
      res.on('end', () =>
        done({ status: res.statusCode ?? 0, worker: String(res.headers['x-worker-id']), body: answer.startsWith('{') ? JSON.parse(answer) : {} }),
      );
    });
    req.on('error', fail);
    req.end(text);
  });
}

/** Every user asked `times` times, each on a new connection: user -> versions seen, and the workers that answered. */
async function armsServed(base: string, times = 4) {
  const versions = new Map<number, Set<string>>();
  const workers = new Set<string>();
  for (let round = 0; round < times; round++) {
    const answers = await Promise.all(USERS.map((user_id) => call(`${base}/recommendations`, 'POST', { user_id, n_recommendations: 2 })));
    answers.forEach((a, i) => {
      expect(a.status).toBe(200);
      workers.add(a.worker);
      const seen = versions.get(USERS[i]) ?? new Set<string>();
      seen.add(String(a.body.model_version));
      versions.set(USERS[i], seen);
    });
  }
  return { versions, workers };
}

describe('an A/B experiment on a 2-worker cluster', () => {
  it('when an admin starts it on one worker, then both workers serve both arms and agree on every user; a restarted cluster keeps it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reelrank-ab-cluster-'));
    const dataDir = join(dir, 'data');
    const modelsDir = join(dir, 'models');
    mkdirSync(dataDir);
    await loadDatabase({
      processedDir: PROCESSED_DIR,
      dbPath: join(dataDir, 'ml-latest-small.db'),
      dataset: 'ml-latest-small',
      log: () => undefined,
    });
    // The challenger: an earlier training in the registry; the live model: the one models/<dataset>/ holds (published at start).
    saveModel(modelsDir, 0.3);
    const registryDir = join(modelsDir, '_versions', 'ml-latest-small');
    registerModelVersion(registryDir, join(modelsDir, 'ml-latest-small'), { keep: 5, makeLive: true });
    const challenger = readLiveVersion(registryDir)!;
    saveModel(modelsDir, 0);
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const env = {
      REELRANK_DATA_DIR: dataDir,
      REELRANK_MODELS_DIR: modelsDir,
      PORT: String(port),
      REELRANK_ADMIN_TOKEN: TOKEN,
      REELRANK_EXPERIMENT_POLL_MS: '200',
    };
    let proc = startCluster(env, 60_000);
    try {
      await proc.waitFor(/cluster \(ml-latest-small, 2 workers, model \S+\) listening/);
      const live = ((await call(`${base}/ready`)).body.model as { version: string }).version;
      expect(live).not.toBe(challenger);
      const started = await call(`${base}/admin/experiments`, 'POST', { challenger_version: challenger, share: 0.5, seed: 99 });
      expect(started.status).toBe(201);
      // Every worker loads the challenger within the poll.
      for (let tries = 0; ; tries++) {
        const listed = await Promise.all([1, 2, 3, 4].map(() => call(`${base}/admin/experiments`)));
        if (
          listed.every((l) => (l.body.serving as { challenger_loaded: boolean }).challenger_loaded) &&
          new Set(listed.map((l) => l.worker)).size === 2
        )
          break;
        if (tries > 100) throw new Error('the workers did not load the challenger');
        await new Promise((done) => setTimeout(done, 100));
      }
      const arm = armSplitter(99, 0.5);
      const expected = (user: number) => (arm(user) === 'challenger' ? challenger : live);
      const { versions, workers } = await armsServed(base);
      expect(workers).toEqual(new Set(['1', '2']));
      for (const user of USERS) expect({ user, versions: [...versions.get(user)!] }).toEqual({ user, versions: [expected(user)] });
      expect(new Set(USERS.map(expected))).toEqual(new Set([live, challenger]));
      // The cluster's /metrics counts both arms (summed over the workers).
      const metrics = await new Promise<string>((done, fail) => {
        httpRequest(`${base}/metrics`, { agent: false, headers: { authorization: `Bearer ${TOKEN}` } }, (res) => {
          let text = '';
          res.on('data', (d) => (text += d));
          res.on('end', () => done(text));
        })
          .on('error', fail)
          .end();
      });
      const count = (a: string, v: string) =>
        Number(new RegExp(`reelrank_ab_answers_total\\{experiment="1",arm="${a}",version="${v}"\\} (\\d+)`).exec(metrics)?.[1]);
      expect(count('challenger', challenger) + count('control', live)).toBe(USERS.length * 4);

      proc.child.kill('SIGTERM');
      expect(await proc.exited).toBe(0);
      proc = startCluster(env, 60_000);
      await proc.waitFor(/cluster \(ml-latest-small, 2 workers, model \S+\) listening/);
      await new Promise((done) => setTimeout(done, 1000));
      const again = await armsServed(base, 2);
      for (const user of USERS) expect({ user, versions: [...again.versions.get(user)!] }).toEqual({ user, versions: [expected(user)] });
    } finally {
      proc.child.kill('SIGTERM');
      await proc.exited;
    }
  }, 180_000);
});
