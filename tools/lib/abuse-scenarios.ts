/**
 * The abusive clients of `npm run bench:abuse` (tools/bench-abuse.ts): each scenario sends its requests
 * at full speed (closed loops, `loops` at once) from one client until the deadline, counting every
 * answer by route and status. The server env of a scenario is what it needs on top of the defaults.
 */
import type { Agent } from 'node:http';
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
  /** Counts one answer: route and status. */
  tally(route: string, status: number): void;
  /** A free-text line for the report (what a scenario checked besides the counts). */
  note(text: string): void;
}

export interface AbuseScenario {
  name: string;
  /** What the abusive client does, in a few words (the table's second column). */
  what: string;
  /** Server env on top of the defaults (budgets lifted, trust proxy, ...). */
  env?: Record<string, string>;
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

/** POST of a JSON body (a string: prebuilt, so the client spends its time sending, not building). */
async function post(ctx: AbuseContext, route: string, path: string, body: unknown, headers?: Record<string, string>): Promise<number> {
  const { status } = await sendJson(ctx.agent, ctx.url, 'POST', path, typeof body === 'string' ? body : JSON.stringify(body), headers);
  ctx.tally(route, status);
  return status;
}

/** `count` distinct catalogue movies from a random start (a user's ratings, one pair each). */
function moviesFrom(ctx: AbuseContext, count: number): number[] {
  const start = Math.floor(ctx.random() * ctx.movieIds.length);
  return Array.from({ length: count }, (_, i) => ctx.movieIds[(start + i * 7) % ctx.movieIds.length]);
}

const operatorHeaders = (ctx: AbuseContext) => ({ authorization: `Bearer ${ctx.adminToken}`, 'x-forwarded-for': '198.51.100.7' });

const half = (random: () => number) => 0.5 * (1 + Math.floor(random() * 10));

/**
 * The fold storm: 1,000 users the model never saw post 250 ratings each (batches of 4 users), then the
 * client loops POST /ratings (one rating of each of the 1,000) + POST /predict/batch (the same 1,000
 * users): every cycle would refold all of them.
 */
function foldStorm(name: string, env?: Record<string, string>): AbuseScenario {
  return {
    name,
    what: '1,000 new users x 250 ratings, then loop POST /ratings (1,000 users) + /predict/batch (1,000 users)',
    env,
    async run(ctx) {
      const users = Array.from({ length: 1000 }, (_, i) => 2_000_001 + i);
      const slices = Array.from({ length: ctx.loops }, (_, loop) => users.filter((_u, i) => i % ctx.loops === loop));
      const cycles = Array.from({ length: 16 }, () => {
        const movie = moviesFrom(ctx, 1)[0];
        return {
          ratings: JSON.stringify({ ratings: users.map((user_id) => ({ user_id, movie_id: movie, rating: half(ctx.random) })) }),
          pairs: JSON.stringify({ pairs: users.map((user_id) => ({ user_id, movie_id: movie })) }),
        };
      });
      await flood(ctx, async (loop, i) => {
        const mine = slices[loop];
        if (i * 4 < mine.length) {
          const batch = mine
            .slice(i * 4, i * 4 + 4)
            .flatMap((user_id) => moviesFrom(ctx, 250).map((movie_id) => ({ user_id, movie_id, rating: half(ctx.random) })));
          await post(ctx, 'POST /ratings (4 users x 250)', '/ratings', { ratings: batch });
          return;
        }
        const cycle = cycles[i % cycles.length];
        await post(ctx, 'POST /ratings (1,000 users x 1)', '/ratings', cycle.ratings);
        await post(ctx, 'POST /predict/batch (1,000 users)', '/predict/batch', cycle.pairs);
      });
    },
  };
}

export const ABUSE_SCENARIOS: AbuseScenario[] = [
  {
    name: 'no abuse (reference)',
    what: 'nothing: the good client alone, what this machine gives right now',
    run: (ctx) => new Promise((done) => setTimeout(done, Math.max(0, ctx.deadline - performance.now()))),
  },
  foldStorm('fold storm'),
  foldStorm('fold storm, budgets lifted', LIFTED_BUDGETS),
  {
    name: 'new-user folds',
    what: 'POST /recommendations/new-user with 1,000 ratings (every 10th: 1,001)',
    async run(ctx) {
      const bodies = Array.from({ length: 20 }, (_, i) =>
        JSON.stringify({ ratings: moviesFrom(ctx, i % 10 === 9 ? 1001 : 1000).map((movie_id) => ({ movie_id, rating: half(ctx.random) })) }),
      );
      await flood(ctx, async (_loop, i) => {
        const size = i % 10 === 9 ? 1001 : 1000;
        await post(ctx, `POST /recommendations/new-user (${size} ratings)`, '/recommendations/new-user', bodies[i % bodies.length]);
      });
    },
  },
  {
    name: 'ratings flood',
    what: 'POST /ratings: 1,000 new users x 1 rating, and 1,000 ratings of one user, alternately',
    async run(ctx) {
      let next = 3_000_001;
      const movie = moviesFrom(ctx, 1)[0];
      const oneUser = Array.from({ length: 8 }, () =>
        JSON.stringify({ ratings: moviesFrom(ctx, 1000).map((movie_id) => ({ user_id: 4_000_000, movie_id, rating: 5 })) }),
      );
      await flood(ctx, async (_loop, i) => {
        if (i % 2 === 0) {
          // Ids never used before, so every user of every batch is new (built as text: cheap for the client).
          const items = Array.from({ length: 1000 }, () => `{"user_id":${next++},"movie_id":${movie},"rating":5}`);
          await post(ctx, 'POST /ratings (1,000 new users)', '/ratings', `{"ratings":[${items.join(',')}]}`);
        } else {
          await post(ctx, 'POST /ratings (one user x 1,000)', '/ratings', oneUser[i % oneUser.length]);
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
