/**
 * The abusive clients of `npm run bench:abuse` (tools/bench-abuse.ts): each scenario sends its requests
 * at full speed (closed loops, `loops` at once) from one client until the deadline, counting every
 * answer by route and status. Each holds what such a client can get: a `service` API key (made with
 * `reelrank keys create` before the server starts), visitor cookies it mints with POST /visitor as a
 * browser does (cookie + Origin), or nothing (anonymous). The server env of a scenario is what it
 * needs on top of the defaults.
 */
import type { Agent } from 'node:http';
import type { RatingsStore } from '@reelrank/feedback';
import { seededRandom } from '@reelrank/random';
import { sendJson } from './bench-kit';
import { LIFTED_BUDGETS } from './processes';

export interface AbuseContext {
  url: string;
  /** Keep-alive sockets from the abusive client's own address. */
  agent: Agent;
  userIds: Int32Array;
  movieIds: Int32Array;
  random: () => number;
  deadline: number;
  /** Requests the abusive client keeps in flight (closed loops, each sending its next as soon as it has an answer). */
  loops: number;
  /** The admin token the server was started with. */
  adminToken: string;
  /** A `service` API key of the server's key store (`reelrank keys create --role service`). */
  serviceKey: string;
  /** Counts one answer: route and status. */
  tally(route: string, status: number): void;
  /** A free-text line for the report (what a scenario checked besides the counts). */
  note(text: string): void;
}

export interface AbuseScenario {
  name: string;
  /** What the abusive client does, in a few words (printed under the table). */
  what: string;
  /** Server env on top of the defaults (budgets lifted, trust proxy, ...). */
  env?: Record<string, string>;
  /** Ratings already in the store before the server starts (written through the store API; not timed). */
  seed?(store: RatingsStore, movieIds: Int32Array): Promise<void>;
  /** Before the measured window (not timed). */
  prepare?(ctx: AbuseContext): Promise<void>;
  run(ctx: AbuseContext): Promise<void>;
  /** After the measured window (not timed). */
  finish?(ctx: AbuseContext): Promise<void>;
}

/** `ctx.loops` closed loops of `step` until the deadline (each step one or more requests). */
async function flood(ctx: AbuseContext, step: (loop: number, i: number) => Promise<void>): Promise<void> {
  await Promise.all(
    Array.from({ length: ctx.loops }, async (_, loop) => {
      for (let i = 0; performance.now() < ctx.deadline; i++) await step(loop, i);
    }),
  );
}

/** POST of a JSON body (a string: prebuilt, so the client spends its time sending, not building); the answer, tallied under `route`. */
async function send(ctx: AbuseContext, route: string, path: string, body: unknown, headers?: Record<string, string>) {
  const answer = await sendJson(ctx.agent, ctx.url, 'POST', path, typeof body === 'string' ? body : JSON.stringify(body), headers);
  ctx.tally(route, answer.status);
  return answer;
}

const post = async (ctx: AbuseContext, route: string, path: string, body: unknown, headers?: Record<string, string>): Promise<number> =>
  (await send(ctx, route, path, body, headers)).status;

/** `count` distinct catalogue movies from a random start (a user's ratings, one pair each). */
function moviesFrom(movieIds: Int32Array, random: () => number, count: number): number[] {
  const start = Math.floor(random() * movieIds.length);
  return Array.from({ length: count }, (_, i) => movieIds[(start + i * 7) % movieIds.length]);
}

const serviceHeaders = (ctx: AbuseContext) => ({ authorization: `Bearer ${ctx.serviceKey}` });
const operatorHeaders = (ctx: AbuseContext) => ({ authorization: `Bearer ${ctx.adminToken}`, 'x-forwarded-for': '198.51.100.7' });

const half = (random: () => number) => 0.5 * (1 + Math.floor(random() * 10));

/** Splits `items` into runs of at most `size`. */
const chunks = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, i * size + size));

/**
 * The fold storm with a `service` key (it may write any user id): 1,000 users the model never saw post
 * 250 ratings each (batches of 4 users), then the client loops POST /ratings (one rating of each of
 * the 1,000) + POST /predict/batch of the same 1,000 users, in requests of `batchUsers` users (what the
 * server lets one request name): every cycle would refold all of them.
 */
function foldStorm(name: string, batchUsers: number, env?: Record<string, string>): AbuseScenario {
  return {
    name,
    what: `service key: 1,000 new users x 250 ratings, then loop POST /ratings (1,000 users x 1) + /predict/batch (the 1,000 users, ${batchUsers} per request)`,
    env,
    async run(ctx) {
      const headers = serviceHeaders(ctx);
      const users = Array.from({ length: 1000 }, (_, i) => 2_000_001 + i);
      const slices = Array.from({ length: ctx.loops }, (_, loop) => users.filter((_u, i) => i % ctx.loops === loop));
      const cycles = Array.from({ length: 16 }, () => {
        const movie = moviesFrom(ctx.movieIds, ctx.random, 1)[0];
        return {
          ratings: JSON.stringify({ ratings: users.map((user_id) => ({ user_id, movie_id: movie, rating: half(ctx.random) })) }),
          batches: chunks(users, batchUsers).map((part) => JSON.stringify({ pairs: part.map((user_id) => ({ user_id, movie_id: movie })) })),
        };
      });
      const batchRoute = `POST /predict/batch (${batchUsers} users)`;
      await flood(ctx, async (loop, i) => {
        const mine = slices[loop];
        if (i * 4 < mine.length) {
          const batch = mine
            .slice(i * 4, i * 4 + 4)
            .flatMap((user_id) => moviesFrom(ctx.movieIds, ctx.random, 250).map((movie_id) => ({ user_id, movie_id, rating: half(ctx.random) })));
          await post(ctx, 'POST /ratings (4 users x 250)', '/ratings', { ratings: batch }, headers);
          return;
        }
        const cycle = cycles[i % cycles.length];
        await post(ctx, 'POST /ratings (1,000 users x 1)', '/ratings', cycle.ratings, headers);
        for (const body of cycle.batches) {
          if (performance.now() >= ctx.deadline) return;
          await post(ctx, batchRoute, '/predict/batch', body, headers);
        }
      });
    },
  };
}

interface Visitor {
  cookie: string;
  userId: number;
  rated: number;
}

/**
 * Visitors as a script posing as browsers mints them: POST /visitor with an Origin (the server's own)
 * from one address, as often as the server gives new ones; every visitor it holds posts 250 ratings of
 * its own user, then loops a new rating + its recommendations + /predict/batch of itself (each a fold
 * of its changed ratings), with its cookie and Origin, as the page would.
 */
const visitorSwarm: AbuseScenario = {
  name: 'visitors',
  what: 'visitors minted with POST /visitor (cookie + Origin) from one address; each posts 250 ratings of its user, then loops 1 new rating + /recommendations + /predict/batch of itself',
  async run(ctx) {
    const origin = ctx.url;
    const visitors: Visitor[] = [];
    let mintedAt = 0;
    const mint = async () => {
      mintedAt = performance.now();
      const { status, text, headers } = await send(ctx, 'POST /visitor', '/visitor', undefined, { origin });
      if (status !== 201) return;
      const cookie = String(headers['set-cookie']?.[0] ?? '').split(';')[0];
      visitors.push({ cookie, userId: (JSON.parse(text) as { user_id: number }).user_id, rated: 0 });
    };
    await flood(ctx, async (loop, i) => {
      // A new visitor whenever the last try is 100 ms old (the server says how many it gives: 201 or 429).
      if (visitors.length === 0 || performance.now() - mintedAt > 100) await mint();
      if (visitors.length === 0) return;
      const visitor = visitors[(i * ctx.loops + loop) % visitors.length];
      const headers = { cookie: visitor.cookie, origin };
      if (visitor.rated === 0) {
        visitor.rated = 250;
        const ratings = moviesFrom(ctx.movieIds, ctx.random, 250).map((movie_id) => ({
          user_id: visitor.userId,
          movie_id,
          rating: half(ctx.random),
        }));
        await post(ctx, 'POST /ratings (own user x 250)', '/ratings', { ratings }, headers);
        return;
      }
      const movie = ctx.movieIds[(visitor.rated++ * 13) % ctx.movieIds.length];
      await post(ctx, 'POST /ratings (own user x 1)', '/ratings', { user_id: visitor.userId, movie_id: movie, rating: half(ctx.random) }, headers);
      await post(ctx, 'POST /recommendations (own user)', '/recommendations', { user_id: visitor.userId }, headers);
      await post(
        ctx,
        'POST /predict/batch (own user x 100 movies)',
        '/predict/batch',
        {
          pairs: moviesFrom(ctx.movieIds, ctx.random, 100).map((movie_id) => ({ user_id: visitor.userId, movie_id })),
        },
        headers,
      );
    });
    ctx.note(`${visitors.length} visitor identities minted`);
  },
};

/** Users 5,000,001.. with 250 posted ratings each in the store when the server starts (what others posted). */
const SEEDED_USERS = Array.from({ length: 1000 }, (_, i) => 5_000_001 + i);

/**
 * Reads without credentials that make the server fold: /recommendations/new-user with 1,000 ratings
 * (every 10th 1,001: over the limit) and /predict/batch of 100 users who posted 250 ratings each
 * (every 10th 101 users: over the limit), alternately.
 */
const anonymousFolds: AbuseScenario = {
  name: 'anonymous folds',
  what: 'anonymous: POST /recommendations/new-user with 1,000 ratings (every 10th 1,001) and /predict/batch of 100 users with 250 posted ratings each (every 10th 101 users), alternately',
  async seed(store, movieIds) {
    const random = seededRandom(7);
    for (const part of chunks(SEEDED_USERS, 20)) {
      const rows = part.flatMap((userId) => moviesFrom(movieIds, random, 250).map((movieId) => ({ userId, movieId, rating: half(random) })));
      await store.put(rows, { subject: 'key:seed', address: '127.0.0.1' });
    }
  },
  async run(ctx) {
    const newUser = Array.from({ length: 20 }, (_, i) =>
      JSON.stringify({
        ratings: moviesFrom(ctx.movieIds, ctx.random, i % 10 === 9 ? 1001 : 1000).map((movie_id) => ({ movie_id, rating: half(ctx.random) })),
      }),
    );
    const batches = Array.from({ length: 20 }, (_, i) => {
      const users = Array.from({ length: i % 10 === 9 ? 101 : 100 }, (_u, j) => SEEDED_USERS[(i * 100 + j) % SEEDED_USERS.length]);
      return JSON.stringify({ pairs: users.map((user_id) => ({ user_id, movie_id: ctx.movieIds[user_id % ctx.movieIds.length] })) });
    });
    await flood(ctx, async (loop, i) => {
      const k = (i >> 1) % 20;
      if ((i + loop) % 2 === 0) {
        await post(ctx, `POST /recommendations/new-user (${k % 10 === 9 ? '1,001' : '1,000'} ratings)`, '/recommendations/new-user', newUser[k]);
      } else {
        await post(ctx, `POST /predict/batch (${k % 10 === 9 ? 101 : 100} posting users)`, '/predict/batch', batches[k]);
      }
    });
  },
};

export const ABUSE_SCENARIOS: AbuseScenario[] = [
  {
    name: 'no abuse (reference)',
    what: 'nothing: the good client alone, what this machine gives right now',
    run: (ctx) => new Promise((done) => setTimeout(done, Math.max(0, ctx.deadline - performance.now()))),
  },
  foldStorm('fold storm', 100),
  foldStorm('fold storm (budgets lifted)', 1000, LIFTED_BUDGETS),
  visitorSwarm,
  anonymousFolds,
  {
    name: 'ratings flood',
    what: 'service key: POST /ratings of 1,000 new users x 1 rating, and 1,000 ratings of one user, alternately',
    async run(ctx) {
      const headers = serviceHeaders(ctx);
      let next = 3_000_001;
      const movie = moviesFrom(ctx.movieIds, ctx.random, 1)[0];
      const oneUser = Array.from({ length: 8 }, () =>
        JSON.stringify({ ratings: moviesFrom(ctx.movieIds, ctx.random, 1000).map((movie_id) => ({ user_id: 4_000_000, movie_id, rating: 5 })) }),
      );
      await flood(ctx, async (_loop, i) => {
        if (i % 2 === 0) {
          // Ids never used before, so every user of every batch is new (built as text: cheap for the client).
          const items = Array.from({ length: 1000 }, () => `{"user_id":${next++},"movie_id":${movie},"rating":5}`);
          await post(ctx, 'POST /ratings (1,000 new users)', '/ratings', `{"ratings":[${items.join(',')}]}`, headers);
        } else {
          await post(ctx, 'POST /ratings (one user x 1,000)', '/ratings', oneUser[i % oneUser.length], headers);
        }
      });
    },
  },
  {
    name: 'admin guessing',
    what: 'POST /admin/reload with wrong tokens from rotating X-Forwarded-For addresses (trust proxy on)',
    env: { REELRANK_TRUST_PROXY: 'loopback' },
    // The operator reloads once before and once after (a reload rebuilds the model: outside the measured window).
    async prepare(ctx) {
      ctx.note(
        `the operator's reload before the attack: ${await post(ctx, 'operator POST /admin/reload', '/admin/reload', {}, operatorHeaders(ctx))}`,
      );
      await new Promise((settled) => setTimeout(settled, 3_000)); // the server drops the model it replaced
    },
    async finish(ctx) {
      ctx.note(
        `the operator's reload after the attack: ${await post(ctx, 'operator POST /admin/reload', '/admin/reload', {}, operatorHeaders(ctx))}`,
      );
    },
    async run(ctx) {
      let address = 0;
      await flood(ctx, async () => {
        address++;
        const from = `10.${(address >> 16) & 255}.${(address >> 8) & 255}.${address & 255}`;
        await post(
          ctx,
          'POST /admin/reload (wrong token)',
          '/admin/reload',
          {},
          { authorization: `Bearer guess-${address}`, 'x-forwarded-for': from },
        );
      });
      ctx.note(`${address.toLocaleString('en-US')} addresses rotated`);
    },
  },
];
