import { join } from 'node:path';
import Database from 'better-sqlite3';
import { GENERATED_DATASET, generatedMovieLensSource, tempWorkspace } from '@reelrank/ingest/testing';
import { seededRandom } from '@reelrank/random';
import { runStageProcess, startApi, type ApiProcess } from '../../tools/lib/processes';

/**
 * Durability of POST /ratings and DELETE /users/{id}/ratings: the API (apps/api/src/main.ts, its own
 * process) is SIGKILLed the moment a write is acknowledged (its 2xx status line received; no handler,
 * flush or close runs in the server), then restarted on the same files, and every acknowledged write
 * must be there. Rounds alternate between one write and 24 concurrent ones (so the kill lands while
 * other writes of the same group commit, or the next, are in flight: those may or may not be stored).
 * Within a round every write touches its own (user, movie) pairs and a forget its own user, so each
 * pair has one expected value; across rounds, writes replace earlier pairs and forget earlier users.
 */

const ROUNDS = 6;
const CONCURRENT = 24;
const USERS = [1, 2, 3, 5, 8, 13, 21, 34, 100_001, 100_002, 100_003]; // data-set users and users the model never saw

type Pair = `${number}:${number}`;
const pair = (userId: number, movieId: number): Pair => `${userId}:${movieId}`;
const ABSENT = Number.NaN;

interface Write {
  method: 'POST' | 'DELETE';
  path: string;
  body?: unknown;
  /** Each pair this write sets, and to what (ABSENT: a forget). */
  effects: Map<Pair, number>;
  acked: boolean;
}

/** The credential of the writes (an admin may write any user's ratings, data-set users included). */
const ADMIN_TOKEN = 'crash-admin-7Hq2Xv9Lm4Kp8Zr3Wt6Yb1';
const AS_ADMIN = { authorization: `Bearer ${ADMIN_TOKEN}` };

describe('ratings durability: SIGKILL right after each acknowledged write, then restart', () => {
  let env: Record<string, string>;
  let dbFile: string;
  let api: ApiProcess | undefined;

  beforeAll(async () => {
    const source = await generatedMovieLensSource({ users: 60, movies: 300, ratings: 6_000, factors: 4 });
    const root = tempWorkspace();
    dbFile = join(root, 'data', `${GENERATED_DATASET}.ratings.db`);
    env = {
      REELRANK_ROOT: root,
      REELRANK_DATA_DIR: join(root, 'data'),
      REELRANK_MODELS_DIR: join(root, 'models'),
      MOVIELENS_SOURCE: source,
      REELRANK_DATASET: GENERATED_DATASET,
      REELRANK_ADMIN_TOKEN: ADMIN_TOKEN,
      REELRANK_TRAIN_FACTORS: '8',
      REELRANK_TRAIN_MAX_EPOCHS: '4',
    };
    for (const stage of ['ingest', 'database', 'trainer']) {
      await runStageProcess(stage, `packages/${stage}/src/main.ts`, { ...process.env, ...env, NODE_ENV: 'production' }, join(root, `${stage}.log`));
    }
  }, 240_000);

  afterAll(async () => {
    await api?.stop(2_000);
  });

  /** The new ratings the API lists for every test user, as pair -> rating. */
  async function listed(url: string): Promise<Map<Pair, number>> {
    const out = new Map<Pair, number>();
    for (const userId of USERS) {
      const res = await fetch(`${url}/users/${userId}/ratings`, { headers: AS_ADMIN });
      const body = (await res.json()) as { ratings: { movie_id: number; rating: number; source: string }[] };
      for (const r of body.ratings) if (r.source === 'new') out.set(pair(userId, r.movie_id), r.rating);
    }
    return out;
  }

  it('every acknowledged rating and forget is there after the restart', async () => {
    const random = seededRandom(7);
    const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)];
    api = await startApi({ name: 'ratings-crash api', env });
    const movieIds = ((await (await fetch(`${api.url}/movies?limit=100`)).json()) as { movies: { movie_id: number }[] }).movies.map(
      (m) => m.movie_id,
    );
    let settled = new Map<Pair, number>(); // what the store holds at the start of a round
    let acknowledged = 0;
    const rounds: string[] = [];

    for (let round = 0; round < ROUNDS; round++) {
      api ??= await startApi({ name: `ratings-crash api (round ${round})`, env });
      const server = api;
      const used = new Set<Pair>();
      const forgotten = new Set<number>();
      const writes: Write[] = Array.from({ length: round % 2 === 0 ? 1 : CONCURRENT }, (_, w) => {
        const forgettable = USERS.filter((u) => !forgotten.has(u) && ![...used].some((p) => p.startsWith(`${u}:`)));
        if (round >= 2 && w % 8 === 7 && forgettable.length) {
          const userId = pick(forgettable);
          forgotten.add(userId);
          const effects = new Map([...settled.keys()].filter((p) => p.startsWith(`${userId}:`)).map((p) => [p, ABSENT]));
          return { method: 'DELETE', path: `/users/${userId}/ratings`, effects, acked: false };
        }
        const ratings: { user_id: number; movie_id: number; rating: number }[] = [];
        while (ratings.length < (w % 2 === 0 ? 1 : 5)) {
          // Half of the picks re-rate a pair stored earlier (a replacement), half a new one.
          const earlier = [...settled.keys()].filter((p) => !used.has(p) && !forgotten.has(Number(p.split(':')[0])));
          const [u, m] =
            random() < 0.5 && earlier.length ? pick(earlier).split(':').map(Number) : [pick(USERS.filter((x) => !forgotten.has(x))), pick(movieIds)];
          if (used.has(pair(u, m))) continue;
          used.add(pair(u, m));
          ratings.push({ user_id: u, movie_id: m, rating: 0.5 * (1 + Math.floor(random() * 10)) });
        }
        return {
          method: 'POST',
          path: '/ratings',
          body: ratings.length === 1 ? ratings[0] : { ratings },
          effects: new Map(ratings.map((r) => [pair(r.user_id, r.movie_id), r.rating])),
          acked: false,
        };
      });

      let killed = false;
      await Promise.all(
        writes.map(async (write) => {
          let status: number;
          try {
            const res = await fetch(`${server.url}${write.path}`, {
              method: write.method,
              headers: write.body ? { 'content-type': 'application/json', ...AS_ADMIN } : AS_ADMIN,
              body: write.body ? JSON.stringify(write.body) : undefined,
            });
            status = res.status;
          } catch {
            return; // cut off by the kill: not acknowledged
          }
          if (status >= 200 && status < 300) {
            if (!killed) server.child.kill('SIGKILL'); // the moment the status line is in
            killed = true;
            write.acked = true;
            acknowledged++;
          } else throw new Error(`${write.method} ${write.path} answered ${status}`);
        }),
      );
      expect(killed).toBe(true);
      if (server.child.exitCode === null && server.child.signalCode === null) await new Promise((done) => server.child.once('exit', done));
      expect(server.child.signalCode).toBe('SIGKILL');

      // Restarted on the same files: an acknowledged write's value is there; an unacknowledged one's is there or the old one is.
      api = await startApi({ name: `ratings-crash api (after round ${round})`, env });
      const now = await listed(api.url);
      const problems: string[] = [];
      const touched = new Set(writes.flatMap((w) => [...w.effects.keys()]));
      for (const write of writes) {
        for (const [p, value] of write.effects) {
          const stored = now.get(p) ?? ABSENT;
          const allowed = write.acked ? [value] : [value, settled.get(p) ?? ABSENT];
          if (!allowed.some((a) => Object.is(a, stored)))
            problems.push(`${p}: stored ${stored}, expected ${allowed.join(' or ')} (acknowledged: ${write.acked})`);
        }
      }
      for (const [p, value] of settled)
        if (!touched.has(p) && now.get(p) !== value) problems.push(`${p}: untouched, stored ${now.get(p)}, was ${value}`);
      for (const p of now.keys()) if (!touched.has(p) && !settled.has(p)) problems.push(`${p}: stored but never written`);
      expect(problems).toEqual([]);
      const storedUnacked = writes.filter((w) => !w.acked && [...w.effects].some(([p, v]) => Object.is(now.get(p) ?? ABSENT, v)));
      rounds.push(
        `${writes.length} sent, ${writes.filter((w) => w.acked).length} acknowledged, ${storedUnacked.length} unacknowledged but stored, ${now.size} stored`,
      );
      settled = now;
    }

    // The file itself: a sound SQLite database holding exactly what the API listed.
    await api?.stop(5_000);
    api = undefined;
    const db = new Database(dbFile, { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const rows = db.prepare('SELECT user_id AS u, movie_id AS m, rating FROM ratings').all() as { u: number; m: number; rating: number }[];
    db.close();
    expect(new Map(rows.map((r) => [pair(r.u, r.m), r.rating]))).toEqual(settled);
    // Every round acknowledged at least one write, each of them checked above (`rounds` says how the kills landed).
    expect([acknowledged >= ROUNDS, settled.size > 0, rounds]).toEqual([true, true, rounds]);
  }, 300_000);
});
