import { request as httpRequest } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLiveVersion, registerModelVersion } from '@reelrank/model';
import { buildArtifacts, freePort, saveModel, startCluster } from '../__fixtures__/cluster-process.js';

/**
 * src/cluster.ts as a real process tree: a primary and two workers on the planted model and the
 * fixture database (built the way sqlite-server.spec.ts builds them for main.ts). Each test is one
 * long-lived cluster (starting one costs seconds), and the process helpers above serve them all.
 */

const sameSet = (a: Set<string>, b: Set<string>) => a.size === b.size && [...a].every((x) => b.has(x));

/** One request on its own connection (no keep-alive), so round-robin spreads them over the workers. */
function get(
  url: string,
  method = 'GET',
  headers: Record<string, string> = {},
  localAddress?: string,
  body?: string,
): Promise<{ status: number; worker: string | undefined; body: string; cookie?: string }> {
  return new Promise((done, fail) => {
    const sent = body === undefined ? headers : { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) };
    const req = httpRequest(url, { agent: false, method, headers: sent, localAddress }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      const cookie = res.headers['set-cookie']?.[0]?.split(';')[0];
      res.on('end', () => done({ status: res.statusCode ?? 0, worker: res.headers['x-worker-id'] as string | undefined, body, cookie }));
    });
    req.on('error', fail);
    req.end(body);
  });
}

/**
 * A POST /predict whose body is held back: resolves `started` once the worker has parsed the
 * headers (its `100 Continue`), sends the body when `release` is called.
 */
function slowPredict(base: string, body: string) {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let started!: () => void;
  const startedPromise = new Promise<void>((r) => (started = r));
  const response = new Promise<{ status: number; body: string }>((done, fail) => {
    const req = httpRequest(`${base}/predict`, {
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), expect: '100-continue' },
    });
    req.on('continue', () => {
      const half = Math.floor(body.length / 2);
      req.write(body.slice(0, half));
      started();
      void released.then(() => req.end(body.slice(half)));
    });
    req.on('response', (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => done({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', fail);
    req.flushHeaders();
  });
  return { started: startedPromise, release, response };
}

describe('cluster.ts (node:cluster, 2 workers)', () => {
  let artifacts: { dataDir: string; modelsDir: string };
  beforeAll(async () => {
    artifacts = await buildArtifacts();
  });

  it('when no model has been trained, then the workers fail at start-up and the primary exits 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reelrank-cluster-empty-'));
    const proc = startCluster({ REELRANK_DATA_DIR: dir, REELRANK_MODELS_DIR: dir, PORT: String(await freePort()) });
    expect(await proc.exited).toBe(1);
    expect(proc.output()).toMatch(/no trained model for ml-latest-small/);
    expect(proc.output()).toMatch(/exited during start-up/);
  }, 60_000);

  it('when running, then two worker processes answer, SIGHUP reloads both in turn, an admin reload reaches both, admin auth failures and per-identity budgets are counted across workers, a killed worker is replaced, and SIGTERM lets 50 slow in-flight requests finish before exit 0', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const proc = startCluster({
      REELRANK_DATA_DIR: artifacts.dataDir,
      REELRANK_MODELS_DIR: artifacts.modelsDir,
      PORT: String(port),
      REELRANK_ADMIN_TOKEN: 'cluster-secret-5Jw8Pq2Tz6Lk9Xr4',
      REELRANK_VISITOR_MINT_BURST: '3',
      REELRANK_VISITOR_MINT_REFILL_SECONDS: '600',
      REELRANK_LIMIT_RATINGS_BURST: '3',
      REELRANK_LIMIT_RATINGS_PER_SECOND: '0.01',
    });
    try {
      await proc.waitFor(/cluster \(ml-latest-small, 2 workers, model \S+\) listening on http:\/\/127\.0\.0\.1:\d+/);
      const pids = new Map<string, number>();
      for (const m of proc.output().matchAll(/worker (\d+) \(pid (\d+)\) ready/g)) pids.set(m[1], Number(m[2]));
      expect(pids.size).toBe(2);
      expect(new Set(pids.values()).size).toBe(2);
      expect([...pids.values()]).not.toContain(proc.child.pid);

      // Both workers answer (each request on a new connection; the primary deals them round-robin).
      const answers = await Promise.all(Array.from({ length: 20 }, () => get(`${base}/health`)));
      expect(answers.every((a) => a.status === 200)).toBe(true);
      expect(new Set(answers.map((a) => a.worker))).toEqual(new Set(pids.keys()));

      // SIGHUP: a rolling reload, one worker after the other.
      proc.child.kill('SIGHUP');
      await proc.waitFor(/rolling reload done in [\d.]+ s \(worker:result 1:ok 2:ok\)/);

      // POST /admin/reload reaches one worker; a new model there makes the primary reload the other.
      saveModel(artifacts.modelsDir, 0.1);
      const reload = await get(`${base}/admin/reload`, 'POST', { authorization: 'Bearer cluster-secret-5Jw8Pq2Tz6Lk9Xr4' });
      expect(reload.status).toBe(200);
      const { status, version } = JSON.parse(reload.body) as { status: string; version: string };
      expect(status).toBe('reloaded');
      const other = reload.worker === '1' ? '2' : '1';
      await proc.waitFor(new RegExp(`rolling reload done in [\\d.]+ s \\(worker:result ${other}:ok\\)`));
      const versions = await Promise.all(
        Array.from({ length: 10 }, () => get(`${base}/ready`, 'GET', { authorization: 'Bearer cluster-secret-5Jw8Pq2Tz6Lk9Xr4' })),
      );
      expect(new Set(versions.map((v) => (JSON.parse(v.body) as { model: { version: string } }).model.version))).toEqual(new Set([version]));
      expect(new Set(versions.map((v) => v.worker))).toEqual(new Set(['1', '2']));

      // Failed admin authentications count cluster-wide: guesses from 127.0.0.2, dealt to both
      // workers, use up one budget of 5 (not 5 per worker); the operator at 127.0.0.1 is still served.
      const guesses: Array<{ status: number; worker: string | undefined }> = [];
      for (let i = 0; i < 12; i++) guesses.push(await get(`${base}/admin/reload`, 'POST', { authorization: `Bearer guess-${i}` }, '127.0.0.2'));
      expect(new Set(guesses.map((g) => g.worker))).toEqual(new Set(['1', '2']));
      expect(guesses.map((g) => g.status)).toEqual([...Array(5).fill(401), ...Array(7).fill(429)]);
      const operator = await get(`${base}/admin/reload`, 'POST', { authorization: 'Bearer cluster-secret-5Jw8Pq2Tz6Lk9Xr4' }, '127.0.0.1');
      expect([operator.status, (JSON.parse(operator.body) as { status: string }).status]).toEqual([200, 'unchanged']);

      // New visitors count cluster-wide too: one budget of 3 for 127.0.0.3 whichever worker answers.
      const mints: Array<{ status: number; worker: string | undefined; body: string; cookie?: string }> = [];
      for (let i = 0; i < 8; i++) mints.push(await get(`${base}/visitor`, 'POST', {}, '127.0.0.3'));
      expect(new Set(mints.map((m) => m.worker))).toEqual(new Set(['1', '2']));
      expect(mints.map((m) => m.status)).toEqual([...Array(3).fill(201), ...Array(5).fill(429)]);

      // So does what an identity spends of its budgets: ratings from one admin, dealt to both workers,
      // use up one budget of 3 (not 3 per worker).
      const writes: Array<{ status: number; worker: string | undefined }> = [];
      for (let i = 0; i < 6; i++) {
        const rating = JSON.stringify({ user_id: 1, movie_id: [20, 30, 40, 60, 70, 90][i], rating: 4 });
        writes.push(await get(`${base}/ratings`, 'POST', { authorization: 'Bearer cluster-secret-5Jw8Pq2Tz6Lk9Xr4' }, '127.0.0.4', rating));
        await new Promise((r) => setTimeout(r, 50)); // the primary passes each spending on
      }
      expect(new Set(writes.map((w) => w.worker))).toEqual(new Set(['1', '2']));
      expect(writes.map((w) => w.status)).toEqual([201, 201, 201, 429, 429, 429]);
      // Another identity at that same address (a visitor minted above, writing for its own user) has a budget of its own, on either worker.
      const visitor = { cookie: mints[0].cookie!, user: (JSON.parse(mints[0].body) as { user_id: number }).user_id };
      const visitorWrites: Array<{ status: number; worker: string | undefined }> = [];
      for (const movie_id of [20, 30, 40]) {
        const rating = JSON.stringify({ user_id: visitor.user, movie_id, rating: 4 });
        visitorWrites.push(await get(`${base}/ratings`, 'POST', { cookie: visitor.cookie, origin: base }, '127.0.0.4', rating));
      }
      expect(new Set(visitorWrites.map((w) => w.worker))).toEqual(new Set(['1', '2']));
      expect(visitorWrites.map((w) => w.status)).toEqual([201, 201, 201]);

      // A worker killed outright is replaced (worker 3) and the cluster keeps answering.
      process.kill(pids.get('1')!, 'SIGKILL');
      const [, newId, newPid] = await proc.waitFor(/worker (3) \(pid (\d+)\) ready/);
      expect(Number(newPid)).not.toBe(pids.get('1'));
      const after = await Promise.all(Array.from({ length: 10 }, () => get(`${base}/health`)));
      expect(after.every((a) => a.status === 200)).toBe(true);
      expect(new Set(after.map((a) => a.worker))).toEqual(new Set(['2', newId]));

      // 50 requests whose bodies are still arriving when SIGTERM comes: all complete with 200.
      const slow = Array.from({ length: 50 }, (_, i) => slowPredict(base, JSON.stringify({ user_id: 1 + (i % 2), movie_id: 70 })));
      await Promise.all(slow.map((s) => s.started));
      proc.child.kill('SIGTERM');
      await proc.waitFor(/stopping 2 worker\(s\)/);
      await new Promise((r) => setTimeout(r, 300));
      for (const s of slow) s.release();
      const results = await Promise.all(slow.map((s) => s.response));
      expect(results.map((r) => r.status)).toEqual(Array(50).fill(200));
      expect(JSON.parse(results[0].body)).toEqual({
        user_id: 1,
        movie_id: 70,
        predicted_rating: expect.any(Number),
        model_version: expect.any(String),
      });
      expect(await proc.exited).toBe(0);
      expect(proc.output()).toMatch(/all workers stopped; exiting 0/);
      // And nothing listens any more.
      await expect(get(`${base}/health`)).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      if (proc.child.exitCode === null) proc.child.kill('SIGKILL');
    }
  }, 90_000);
});

describe('cluster.ts: model versions and metrics across workers', () => {
  /** The value of one Prometheus sample line (0 when absent). */
  const sample = (text: string, prefix: string) =>
    Number(
      text
        .split('\n')
        .find((line) => line.startsWith(prefix))
        ?.split(' ')
        .pop() ?? 0,
    );

  it('when a version is activated on one worker, then every worker serves it; /metrics on any worker sums both; shown recommendations reach the primary; a SIGHUP during an activation leaves every worker on the activated version', async () => {
    const built = await buildArtifacts();
    const modelDir = join(built.modelsDir, 'ml-latest-small');
    const registryDir = join(built.modelsDir, '_versions', 'ml-latest-small');
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const proc = startCluster({
      REELRANK_DATA_DIR: built.dataDir,
      REELRANK_MODELS_DIR: built.modelsDir,
      PORT: String(port),
      REELRANK_ADMIN_TOKEN: 'cluster-secret-5Jw8Pq2Tz6Lk9Xr4',
    });
    try {
      const [, first] = await proc.waitFor(/cluster \(ml-latest-small, 2 workers, model (\S+)\) listening/);
      // The workers registered the model they found (no registry before); a second training is registered, not live.
      saveModel(built.modelsDir, 0.2);
      const second = registerModelVersion(registryDir, modelDir, { keep: 5, makeLive: false }).version;
      expect(readLiveVersion(registryDir)).toBe(first);

      const activated = await get(`${base}/admin/models/${second}/activate`, 'POST', { authorization: 'Bearer cluster-secret-5Jw8Pq2Tz6Lk9Xr4' });
      expect(activated.status).toBe(200);
      const other = activated.worker === '1' ? '2' : '1';
      await proc.waitFor(new RegExp(`rolling reload done in [\\d.]+ s \\(worker:result ${other}:ok\\)`));
      const ready = await Promise.all(
        Array.from({ length: 10 }, () => get(`${base}/ready`, 'GET', { authorization: 'Bearer cluster-secret-5Jw8Pq2Tz6Lk9Xr4' })),
      );
      expect(new Set(ready.map((r) => r.worker))).toEqual(new Set(['1', '2']));
      expect(new Set(ready.map((r) => (JSON.parse(r.body) as { model: { version: string } }).model.version))).toEqual(new Set([second]));
      expect(readLiveVersion(registryDir)).toBe(second);

      const predicts = await Promise.all(
        Array.from(
          { length: 30 },
          () =>
            new Promise<string | undefined>((done, fail) => {
              const req = httpRequest(`${base}/predict`, { method: 'POST', agent: false, headers: { 'content-type': 'application/json' } }, (res) => {
                res.resume();
                res.on('end', () => done(res.headers['x-worker-id'] as string | undefined));
              });
              req.on('error', fail);
              req.end(JSON.stringify({ user_id: 1, movie_id: 70 }));
            }),
        ),
      );
      expect(new Set(predicts)).toEqual(new Set(['1', '2']));
      const shown = await new Promise<number>((done, fail) => {
        const req = httpRequest(
          `${base}/recommendations`,
          { method: 'POST', agent: false, headers: { 'content-type': 'application/json' } },
          (res) => {
            let body = '';
            res.on('data', (d) => (body += d));
            res.on('end', () => done((JSON.parse(body) as { recommendations: unknown[] }).recommendations.length));
          },
        );
        req.on('error', fail);
        req.end(JSON.stringify({ user_id: 1, n_recommendations: 3 }));
      });
      expect(shown).toBeGreaterThan(0);
      await new Promise((r) => setTimeout(r, 1200)); // the workers forward what they showed every 0.5 s

      // On the API's port the metrics need the admin token; the primary's metrics listener serves them to anyone who can reach it.
      expect((await get(`${base}/metrics`)).status).toBe(401);
      const [, scrapeUrl] = await proc.waitFor(/metrics \(Prometheus\) at (http:\/\/127\.0\.0\.1:\d+)\/metrics/);
      const scrapes = [
        get(`${base}/metrics`, 'GET', { authorization: 'Bearer cluster-secret-5Jw8Pq2Tz6Lk9Xr4' }),
        get(`${base}/metrics`, 'GET', { authorization: 'Bearer cluster-secret-5Jw8Pq2Tz6Lk9Xr4' }),
        get(`${scrapeUrl}/metrics`),
      ];
      for (const scrape of scrapes) {
        const metrics = await scrape;
        expect(metrics.status).toBe(200);
        // Both workers' counts, summed, whichever worker answered.
        expect(sample(metrics.body, 'reelrank_http_requests_total{route="/predict",method="POST",status="200"}')).toBe(30);
        expect(sample(metrics.body, `reelrank_model_live{version="${second}"}`)).toBe(2);
        expect(sample(metrics.body, 'reelrank_online_tracked_pairs')).toBe(shown);
      }
      const summary = JSON.parse((await get(`${scrapeUrl}/metrics/summary`)).body) as { live_versions: unknown };
      expect(summary.live_versions).toEqual([{ version: second, processes: 2 }]);

      // SIGHUP to the primary while a worker activates a third version: every worker ends on it.
      saveModel(built.modelsDir, 0.3);
      const third = registerModelVersion(registryDir, modelDir, { keep: 5, makeLive: false }).version;
      const reloadsBefore = proc.output().match(/rolling reload done/g)!.length;
      const activating = get(`${base}/admin/models/${third}/activate`, 'POST', { authorization: 'Bearer cluster-secret-5Jw8Pq2Tz6Lk9Xr4' });
      proc.child.kill('SIGHUP');
      expect((await activating).status).toBe(200);
      const versionsNow = async () => {
        const answers = await Promise.all(
          Array.from({ length: 10 }, () => get(`${base}/ready`, 'GET', { authorization: 'Bearer cluster-secret-5Jw8Pq2Tz6Lk9Xr4' })),
        );
        return new Set(answers.map((r) => `${r.worker}:${(JSON.parse(r.body) as { model: { version: string } }).model.version}`));
      };
      const expected = new Set([`1:${third}`, `2:${third}`]);
      const deadline = Date.now() + 30_000;
      let seen = await versionsNow();
      while ((proc.output().match(/rolling reload done/g)!.length <= reloadsBefore || !sameSet(seen, expected)) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
        seen = await versionsNow();
      }
      expect(seen).toEqual(expected);
      expect(readLiveVersion(registryDir)).toBe(third);
    } finally {
      if (proc.child.exitCode === null) proc.child.kill('SIGKILL');
    }
  }, 90_000);
});
