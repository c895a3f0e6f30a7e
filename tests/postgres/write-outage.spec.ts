import { Client } from 'pg';
import { LIFTED_BUDGETS, startApi, type ApiProcess } from '../../tools/lib/processes';
import { startThrowawayPostgres, type ThrowawayPostgres } from '../../tools/pg/throwaway';
import { AS_ADMIN, servedWorkspace } from './served-workspace';

/**
 * "No acknowledged rating is ever lost": a real API process on a cluster of its own,
 * several writers POSTing ratings (singles and batches) without pause, and PostgreSQL stopped under
 * them twice - `pg_ctl stop -m fast`, then `-m immediate` (a crash: the restart replays the WAL) - and
 * started again on the same port and folder each time. Every answer is 201 or 503
 * ratings_store_unavailable within a bounded time, writes are taken again without restarting the API,
 * and at the end every acknowledged rating is in GET /users/{id}/ratings and in posted_ratings with the
 * value of the pair's last acknowledged write.
 *
 * Every attempt carries a sequence number as its timestamp, so a stored row names the write it came
 * from. A 503 may hide a commit (the server went away after COMMIT, before its answer): such a row may
 * stand for its pair only if it is newer than the pair's last acknowledged write.
 */
const WRITERS = 6;
const USERS_PER_WRITER = 8;
const BASE_TIME = 1_600_000_000;
const CONNECT_TIMEOUT_MS = 2_000;
const QUERY_TIMEOUT_MS = 5_000;
/** No answer may take longer: the pool's connect and query timeouts plus slack for a busy machine. */
const ANSWER_BOUND_MS = CONNECT_TIMEOUT_MS + QUERY_TIMEOUT_MS + 5_000;

interface Attempt {
  seq: number;
  rows: { user_id: number; movie_id: number; rating: number; timestamp: number }[];
  status: number | 'timeout' | 'error';
  code?: string;
  ms: number;
}

describe('POST /ratings while PostgreSQL stops and restarts under write load', () => {
  let cluster: ThrowawayPostgres;
  let api: ApiProcess;
  beforeAll(async () => {
    cluster = await startThrowawayPostgres();
    const env = await servedWorkspace(cluster.url);
    api = await startApi({
      name: 'api on a cluster that goes away',
      // One client writing as fast as the store takes it: the per-identity budgets lifted.
      env: {
        ...env,
        ...LIFTED_BUDGETS,
        REELRANK_DATABASE_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
        REELRANK_DATABASE_QUERY_TIMEOUT_MS: String(QUERY_TIMEOUT_MS),
      },
      readyTimeoutMs: 120_000,
    });
  }, 180_000);
  afterAll(async () => {
    await api?.stop(5_000);
    await cluster?.stop();
  });
  const post = (path: string, body: unknown) =>
    fetch(`${api.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...AS_ADMIN },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(ANSWER_BOUND_MS * 2),
    });

  it('answers 201 or 503 in bounded time, takes writes again after each restart, and loses no acknowledged rating', async () => {
    // Movies the model knows (POST /ratings refuses others with 404): a cold user's popular list.
    const popular = (await (await post('/recommendations', { user_id: 990_000, n_recommendations: 24 })).json()) as {
      recommendations: { movie_id: number }[];
    };
    const movies = popular.recommendations.map((m) => m.movie_id);
    expect(movies.length).toBeGreaterThanOrEqual(12);

    const attempts: Attempt[] = [];
    let seq = 0;
    let running = true;
    const writer = async (w: number) => {
      let n = 0;
      while (running) {
        const own = ++seq;
        n++;
        const user = 800_000 + w * 100 + (n % USERS_PER_WRITER);
        // Singles and batches (2-4 movies of one user, or the same movie for two of the writer's users).
        const size = own % 3 === 0 ? 1 : 2 + (own % 3);
        const rows = Array.from({ length: size }, (_, i) => ({
          user_id: own % 5 === 0 && i === 1 ? 800_000 + w * 100 + ((n + 1) % USERS_PER_WRITER) : user,
          movie_id: movies[(own * 7 + i * (own % 5 === 0 && i === 1 ? 0 : 1)) % movies.length],
          rating: ((own + i) % 10) / 2 + 0.5,
          timestamp: BASE_TIME + own,
        }));
        const body = size === 1 ? rows[0] : { ratings: rows };
        const started = performance.now();
        const attempt: Attempt = { seq: own, rows, status: 'error', ms: 0 };
        try {
          const res = await post('/ratings', body);
          attempt.status = res.status;
          const answer = (await res.json()) as { error?: { code: string } };
          attempt.code = answer.error?.code;
        } catch (error) {
          attempt.status = (error as Error).name === 'TimeoutError' ? 'timeout' : 'error';
        }
        attempt.ms = performance.now() - started;
        attempts.push(attempt);
        // A refused write is retried by a client after a pause; so do these writers (and do not spin).
        if (attempt.status !== 201) await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    const acknowledgedSince = (from: number) => attempts.slice(from).filter((a) => a.status === 201).length;
    const waitFor = async (what: string, done: () => boolean, ms: number) => {
      const deadline = Date.now() + ms;
      while (!done()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };

    const writers = Array.from({ length: WRITERS }, (_, w) => writer(w));
    const phases: { mode: 'fast' | 'immediate'; before: number; during: number; after: number }[] = [];
    for (const mode of ['fast', 'immediate'] as const) {
      const mark = attempts.length;
      await waitFor('writes before the stop', () => acknowledgedSince(mark) >= 40, 30_000);
      const stoppedAt = attempts.length;
      cluster.stopServer(mode);
      await waitFor(
        'refused writes while the server is down',
        () => attempts.slice(stoppedAt).filter((a) => a.status === 503).length >= WRITERS,
        30_000,
      );
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const restartedAt = attempts.length;
      cluster.startServer();
      // The same API process (no restart) takes writes again.
      await waitFor(`writes after the restart (${mode})`, () => acknowledgedSince(restartedAt) >= 40, 30_000);
      phases.push({ mode, before: stoppedAt - mark, during: restartedAt - stoppedAt, after: attempts.length - restartedAt });
    }
    running = false;
    await Promise.all(writers);
    expect(api.child.exitCode).toBeNull();

    const acknowledged = attempts.filter((a) => a.status === 201);
    const refused = attempts.filter((a) => a.status === 503);
    const slowest = Math.max(...attempts.map((a) => a.ms));
    process.stderr.write(
      `write-outage: ${attempts.length} POST /ratings (${attempts.reduce((s, a) => s + a.rows.length, 0)} ratings), ` +
        `${acknowledged.length} acknowledged (201), ${refused.length} refused (503), slowest answer ${Math.round(slowest)} ms; ` +
        `phases ${phases.map((p) => `${p.mode}: ${p.before} before, ${p.during} while stopping/down, ${p.after} after restart`).join('; ')}\n`,
    );
    // Only 201 or 503 ratings_store_unavailable, never a 500 or a hang.
    expect(attempts.filter((a) => a.status !== 201 && a.status !== 503).map((a) => a.status)).toEqual([]);
    expect(new Set(refused.map((a) => a.code))).toEqual(new Set(['ratings_store_unavailable']));
    expect(slowest).toBeLessThan(ANSWER_BOUND_MS);
    expect(refused.length).toBeGreaterThanOrEqual(2 * WRITERS);

    // What each pair must hold: the value of its last acknowledged write (or of a later refused one that committed anyway).
    const bySeq = new Map(attempts.map((a) => [a.seq, a]));
    const lastAck = new Map<string, number>();
    for (const a of acknowledged)
      for (const r of a.rows) lastAck.set(`${r.user_id}:${r.movie_id}`, Math.max(lastAck.get(`${r.user_id}:${r.movie_id}`) ?? 0, a.seq));
    const client = new Client({ connectionString: cluster.url });
    await client.connect();
    const table = (
      await client.query<{ user_id: string; movie_id: string; rating: number; timestamp: string }>(
        'SELECT user_id, movie_id, rating, timestamp FROM posted_ratings',
      )
    ).rows;
    await client.end();
    const stored = new Map(table.map((r) => [`${r.user_id}:${r.movie_id}`, { rating: r.rating, seq: Number(r.timestamp) - BASE_TIME }]));
    const lost: string[] = [];
    let committedDespite503 = 0;
    for (const [pair, seqOfAck] of lastAck) {
      const row = stored.get(pair);
      if (!row) lost.push(`${pair}: acknowledged by write ${seqOfAck}, absent`);
      else if (row.seq < seqOfAck) lost.push(`${pair}: acknowledged by write ${seqOfAck}, holds the older write ${row.seq}`);
      else if (row.seq > seqOfAck && bySeq.get(row.seq)?.status !== 503)
        lost.push(`${pair}: holds write ${row.seq}, which was neither acknowledged nor refused`);
    }
    for (const [pair, row] of stored) {
      const source = bySeq.get(row.seq);
      const [user, movie] = pair.split(':').map(Number);
      const written = source?.rows.find((r) => r.user_id === user && r.movie_id === movie);
      if (!written || written.rating !== row.rating) lost.push(`${pair}: holds ${row.rating} from write ${row.seq}, which did not write that`);
      if (source?.status === 503 && row.seq !== lastAck.get(pair)) committedDespite503++;
    }
    expect(lost).toEqual([]);
    process.stderr.write(
      `write-outage: ${lastAck.size} pairs acknowledged, all stored with their last acknowledged value; ${committedDespite503} pairs hold a write answered 503 that committed\n`,
    );

    // The API reads them back the same way (GET /users/{id}/ratings), for every user written to.
    const users = [...new Set([...lastAck.keys()].map((pair) => Number(pair.split(':')[0])))];
    for (const user of users) {
      const res = await fetch(`${api.url}/users/${user}/ratings`, { headers: AS_ADMIN });
      expect(res.status).toBe(200);
      const listed = ((await res.json()) as { ratings: { movie_id: number; rating: number; timestamp: number; source: string }[] }).ratings;
      const expected = [...stored.entries()]
        .filter(([pair]) => Number(pair.split(':')[0]) === user)
        .map(([pair, row]) => ({ movie_id: Number(pair.split(':')[1]), rating: row.rating, timestamp: BASE_TIME + row.seq, source: 'new' }))
        .sort((a, b) => a.movie_id - b.movie_id);
      expect(listed).toEqual(expected);
    }
  }, 240_000);

  it('when the server stops answering without closing its connections, then a write gets 503 within the pool timeouts and goes through once it answers', async () => {
    const popular = (await (await post('/recommendations', { user_id: 990_001, n_recommendations: 1 })).json()) as {
      recommendations: { movie_id: number }[];
    };
    const rating = { user_id: 990_001, movie_id: popular.recommendations[0].movie_id, rating: 4 };
    cluster.pauseServer(true); // no answer, no reset: only the pool's own timeouts end the wait
    try {
      for (let i = 0; i < 2; i++) {
        const started = performance.now();
        const res = await post('/ratings', rating);
        const ms = performance.now() - started;
        expect(res.status).toBe(503);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe('ratings_store_unavailable');
        expect(ms).toBeLessThan(ANSWER_BOUND_MS);
        process.stderr.write(`write-outage: frozen server, POST /ratings answered 503 after ${Math.round(ms)} ms\n`);
      }
    } finally {
      cluster.pauseServer(false);
    }
    const deadline = Date.now() + 30_000;
    let status = 0;
    while (status !== 201 && Date.now() < deadline) {
      status = (await post('/ratings', rating)).status;
      if (status !== 201) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(status).toBe(201);
  }, 120_000);
});
