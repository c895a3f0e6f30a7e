import { createHmac, randomBytes } from 'node:crypto';
import type { ApiProcess } from '../../tools/lib/processes';

/**
 * The who-may-do-what table of docs/api.md against real API processes (apps/api/src/main.ts) sharing one
 * store (the SQLite ratings file here, PostgreSQL in tests/postgres): keys made with
 * `reelrank keys create`, the bootstrap admin token, a visitor of the page (its cookie from
 * POST /visitor) and nobody. User 1 is a data-set user the model knows.
 */

/** Where the servers run: what `setup` gives the suite. */
export interface ServedWorkspace {
  /** Starts one more API process on the same store (a replica); `extra` env on top. */
  start(name: string, extra?: Record<string, string>): Promise<ApiProcess>;
  /** `reelrank <argv>` on the same store, in this process; its stdout. */
  cli(...argv: string[]): Promise<string>;
  /** The visitor cookie's secret the servers use. */
  visitorSecret(): string;
}

type Who = 'anonymous' | 'visitor' | 'reader' | 'service' | 'admin key' | 'admin token';
const WHO: Who[] = ['anonymous', 'visitor', 'reader', 'service', 'admin key', 'admin token'];

const keyOf = (out: string) => /\n {2}(rr_[\w-]{43})\n/.exec(out)![1];
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

/** The whole table as one jest suite; `setup` makes the workspace (its servers get `adminToken` as REELRANK_ADMIN_TOKEN). */
export function whoMayDoWhat(store: string, setup: (adminToken: string) => Promise<ServedWorkspace>): void {
  const ADMIN_TOKEN = randomBytes(32).toString('base64url');
  let workspace: ServedWorkspace;
  let a: ApiProcess;
  let b: ApiProcess;
  const headers = {} as Record<Who, Record<string, string>>;
  let visitorUser: number;
  let visitorCookie: string;
  /** Two catalogued movies the model knows, and a search text that finds the first. */
  let movie: number;
  let otherMovie: number;
  let search: string;

  async function call(server: ApiProcess, method: string, path: string, extra: Record<string, string> = {}, body?: unknown) {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...extra },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, any>) : {}, headers: res.headers };
  }

  beforeAll(async () => {
    workspace = await setup(ADMIN_TOKEN);
    [a, b] = await Promise.all([workspace.start(`${store} api A`), workspace.start(`${store} api B`)]);
    const listed = (await call(a, 'GET', '/movies?limit=2')).body.movies as { movie_id: number; title: string }[];
    [movie, otherMovie] = listed.map((m) => m.movie_id);
    search = encodeURIComponent(listed[0].title.slice(0, 4));
    headers.anonymous = {};
    headers.reader = bearer(keyOf(await workspace.cli('keys', 'create', '--role', 'reader', '--name', 'reports')));
    headers.service = bearer(keyOf(await workspace.cli('keys', 'create', '--role', 'service', '--name', 'web-backend')));
    headers['admin key'] = bearer(keyOf(await workspace.cli('keys', 'create', '--role', 'admin', '--name', 'ops')));
    headers['admin token'] = bearer(ADMIN_TOKEN);
    const minted = await call(a, 'POST', '/visitor');
    expect(minted.status).toBe(201);
    visitorUser = minted.body.user_id as number;
    visitorCookie = minted.headers.get('set-cookie')!.split(';')[0];
    headers.visitor = { cookie: visitorCookie, origin: a.url };
  }, 120_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  /** [operation, who -> expected status] rows: the table of docs/api.md "Security". */
  const table = (): [string, string, string, unknown, Record<Who, number>][] => {
    const all = (status: number) => Object.fromEntries(WHO.map((w) => [w, status])) as Record<Who, number>;
    const own = visitorUser;
    return [
      ['read', 'POST', '/recommendations', { user_id: 1 }, all(200)],
      ['read', 'POST', '/predict', { user_id: 1, movie_id: movie }, all(200)],
      ['read', 'POST', '/predict/batch', { pairs: [{ user_id: 1, movie_id: movie }] }, all(200)],
      ['read', 'POST', '/recommendations/new-user', { ratings: [{ movie_id: movie, rating: 5 }] }, all(200)],
      ['read', 'GET', `/movies?search=${search}`, undefined, all(200)],
      ['read', 'GET', `/movies/${movie}`, undefined, all(200)],
      ['read', 'GET', `/movies/${movie}/similar`, undefined, all(200)],
      ['public', 'GET', '/health', undefined, all(200)],
      ['public', 'GET', '/openapi.json', undefined, all(200)],
      [
        'own ratings',
        'POST',
        '/ratings',
        { user_id: own, movie_id: movie, rating: 4 },
        { anonymous: 401, visitor: 201, reader: 403, service: 201, 'admin key': 201, 'admin token': 201 },
      ],
      [
        'own ratings',
        'GET',
        `/users/${own}/ratings`,
        undefined,
        { anonymous: 401, visitor: 200, reader: 403, service: 200, 'admin key': 200, 'admin token': 200 },
      ],
      [
        'own ratings',
        'DELETE',
        `/users/${own}/ratings/${movie}`,
        undefined,
        { anonymous: 401, visitor: 200, reader: 403, service: 200, 'admin key': 200, 'admin token': 200 },
      ],
      [
        'own ratings',
        'DELETE',
        `/users/${own}/ratings`,
        undefined,
        { anonymous: 401, visitor: 200, reader: 403, service: 200, 'admin key': 200, 'admin token': 200 },
      ],
      [
        'another user',
        'POST',
        '/ratings',
        { user_id: own + 1, movie_id: movie, rating: 4 },
        { anonymous: 401, visitor: 403, reader: 403, service: 201, 'admin key': 201, 'admin token': 201 },
      ],
      [
        'a data-set user',
        'POST',
        '/ratings',
        { user_id: 1, movie_id: movie, rating: 4 },
        { anonymous: 401, visitor: 403, reader: 403, service: 201, 'admin key': 201, 'admin token': 201 },
      ],
      [
        'a data-set user',
        'GET',
        '/users/1/ratings',
        undefined,
        { anonymous: 401, visitor: 403, reader: 403, service: 200, 'admin key': 200, 'admin token': 200 },
      ],
      [
        'a data-set user',
        'DELETE',
        '/users/1/ratings',
        undefined,
        { anonymous: 401, visitor: 403, reader: 403, service: 200, 'admin key': 200, 'admin token': 200 },
      ],
      [
        'own signals',
        'POST',
        '/signals',
        { user_id: own, movie_id: movie, kind: 'watchlist' },
        { anonymous: 401, visitor: 201, reader: 403, service: 201, 'admin key': 201, 'admin token': 201 },
      ],
      [
        'own signals',
        'GET',
        `/users/${own}/signals`,
        undefined,
        { anonymous: 401, visitor: 200, reader: 403, service: 200, 'admin key': 200, 'admin token': 200 },
      ],
      [
        'own signals',
        'DELETE',
        `/users/${own}/signals/watchlist/${movie}`,
        undefined,
        { anonymous: 401, visitor: 200, reader: 403, service: 200, 'admin key': 200, 'admin token': 200 },
      ],
      [
        'a data-set user',
        'POST',
        '/signals',
        { user_id: 1, movie_id: movie, kind: 'seen' },
        { anonymous: 401, visitor: 403, reader: 403, service: 201, 'admin key': 201, 'admin token': 201 },
      ],
      [
        'admin',
        'POST',
        '/admin/reload',
        undefined,
        { anonymous: 401, visitor: 403, reader: 403, service: 403, 'admin key': 200, 'admin token': 200 },
      ],
      [
        'admin',
        'GET',
        '/admin/experiments',
        undefined,
        { anonymous: 401, visitor: 403, reader: 403, service: 403, 'admin key': 200, 'admin token': 200 },
      ],
    ];
  };

  describe(`who may do what, against real API processes on ${store}`, () => {
    it('answers every row of the table for every kind of caller', async () => {
      const seen: string[] = [];
      const wanted: string[] = [];
      for (const [what, method, path, body, expected] of table()) {
        for (const who of WHO) {
          const res = await call(a, method, path, headers[who], body);
          seen.push(`${what}: ${method} ${path} as ${who} -> ${res.status}`);
          wanted.push(`${what}: ${method} ${path} as ${who} -> ${expected[who]}`);
          if (res.status >= 400) expect(res.body.error).toMatchObject({ status: res.status, code: expect.any(String), message: expect.any(String) });
        }
      }
      expect(seen).toEqual(wanted);
    });

    it("tells anonymous callers a user's picks without naming the user's rated movies; the user's visitor and keys see them", async () => {
      const text = async (extra: Record<string, string>) => JSON.stringify((await call(a, 'POST', '/recommendations', extra, { user_id: 1 })).body);
      expect(await text(headers.anonymous)).not.toMatch(/Because you rated/);
      expect(await text(headers.visitor)).not.toMatch(/Because you rated/); // not the visitor's user
      expect(await text(headers.reader)).toMatch(/Because you rated/);
      expect(await text(headers.service)).toMatch(/Because you rated/);
    });

    it('refuses forged, tampered and expired visitor cookies with 401 (never anonymous) and clears them', async () => {
      const [, v, id, user, issued, mac] = /^rr_visitor=(v1)\.([\w-]{22})\.(\d+)\.(\d+)\.([\w-]{43})$/.exec(visitorCookie)!;
      const sign = (secret: string, userId: number, at: number) => {
        const text = `${v}.${id}.${userId}.${at}`;
        return `rr_visitor=${text}.${createHmac('sha256', secret).update(text).digest('base64url')}`;
      };
      const now = Math.floor(Date.now() / 1000);
      const cookies = {
        forged: sign(randomBytes(32).toString('base64url'), Number(user), now),
        tampered: `rr_visitor=${v}.${id}.${Number(user) + 1}.${issued}.${mac}`,
        expired: sign(workspace.visitorSecret(), Number(user), now - 366 * 86_400),
      };
      // The server's own secret signs a valid one: the same form passes.
      expect((await call(a, 'GET', `/users/${user}/ratings`, { cookie: sign(workspace.visitorSecret(), Number(user), now) })).status).toBe(200);
      for (const [kind, cookie] of Object.entries(cookies)) {
        for (const [method, path, body] of [
          ['GET', `/users/${user}/ratings`, undefined],
          ['POST', '/recommendations', { user_id: 1 }],
          ['POST', '/ratings', { user_id: Number(user), movie_id: movie, rating: 4 }],
        ] as const) {
          const res = await call(b, method, path, { cookie, origin: b.url }, body);
          expect({ kind, path, status: res.status, code: res.body.error?.code }).toEqual({ kind, path, status: 401, code: 'invalid_visitor' });
          expect(res.headers.get('set-cookie')).toMatch(/^rr_visitor=; Path=\/; Max-Age=0/);
        }
      }
    });

    it('refuses cookie-authenticated writes from another origin or without one, on either replica', async () => {
      for (const server of [a, b]) {
        for (const origin of ['https://evil.example', 'null', undefined]) {
          const extra: Record<string, string> = { cookie: visitorCookie, ...(origin ? { origin } : {}) };
          const post = await call(server, 'POST', '/ratings', extra, { user_id: visitorUser, movie_id: otherMovie, rating: 4 });
          expect({ origin, status: post.status, code: post.body.error?.code }).toEqual({ origin, status: 403, code: 'origin_refused' });
          expect((await call(server, 'DELETE', `/users/${visitorUser}/ratings`, extra)).status).toBe(403);
        }
        expect(
          (
            await call(
              server,
              'POST',
              '/ratings',
              { cookie: visitorCookie, origin: server.url },
              { user_id: visitorUser, movie_id: otherMovie, rating: 4 },
            )
          ).status,
        ).toBe(201);
      }
    });

    it('refuses a key revoked by another process within a second, and accepts a new key on the other replica at once', async () => {
      const out = await workspace.cli('keys', 'create', '--role', 'service', '--name', 'short-lived');
      const key = bearer(keyOf(out));
      const id = /API key (\d+) /.exec(out)![1];
      expect((await call(b, 'GET', `/users/${visitorUser}/ratings`, key)).status).toBe(200); // cached as valid on B now
      expect((await call(a, 'GET', `/users/${visitorUser}/ratings`, key)).status).toBe(200);
      await workspace.cli('keys', 'revoke', id);
      const revokedAt = performance.now();
      let status = 200;
      while (status === 200 && performance.now() - revokedAt < 3_000) {
        status = (await call(b, 'GET', `/users/${visitorUser}/ratings`, key)).status;
        if (status === 200) await new Promise((done) => setTimeout(done, 50));
      }
      const seconds = (performance.now() - revokedAt) / 1000;
      expect(status).toBe(401);
      expect(seconds).toBeLessThan(1);
      const listed = await workspace.cli('keys', 'list');
      expect(listed).toMatch(new RegExp(`\\n\\s*${id} {2}short-lived {2}service {2}\\S+ {2}\\S+ {2}\\S+`)); // created, last used, revoked
    });
  });

  describe('with anonymous reads turned off', () => {
    let c: ApiProcess;
    beforeAll(async () => {
      c = await workspace.start(`${store} api (anonymousReads off)`, { REELRANK_ANONYMOUS_READS: 'false' });
    }, 60_000);
    afterAll(() => c?.stop());

    it('needs a key to read, gives no new visitors, and keeps the health check open', async () => {
      expect((await call(c, 'POST', '/recommendations', {}, { user_id: 1 })).status).toBe(401);
      expect((await call(c, 'GET', `/movies/${movie}`)).status).toBe(401);
      expect((await call(c, 'POST', '/recommendations', headers.reader, { user_id: 1 })).status).toBe(200);
      expect((await call(c, 'POST', '/visitor')).body.error.code).toBe('visitors_disabled');
      expect((await call(c, 'GET', '/health')).status).toBe(200);
    });
  });
}
