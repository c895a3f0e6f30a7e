/**
 * `npm run bench:diversity` (tsx tools/bench-diversity.ts): what the `diversity` setting of
 * /recommendations adds to the answer's time, in process (no HTTP: the Recommender the API calls).
 *
 * Loads the served model of the configured data set (models/<dataset>, data/<dataset>.db; build them
 * with `npm run pipeline`) and asks every known user for 10 recommendations, in a seeded shuffled order,
 * at diversity 0 (the plain path, the precomputed top lists when the model has them), at 0 without the
 * top lists (every answer scores the whole catalogue, as a diverse answer must), and at 0.25, 0.5 and
 * 0.75 (MMR over the top 200 candidates), --rounds times each (default 3; the table shows each
 * setting's median round by p99), after one warm-up round. Prints per setting: p50, p99 and mean of one
 * answer in µs, and the p50 added over the plain path and over full scoring (what the re-ranking itself costs).
 *
 * Options: --rounds=3 --n=10
 */
import { loadConfig } from '@reelrank/config';
import { loadModelArtifacts } from '@reelrank/model';
import { seededRandom, shuffleInPlace } from '@reelrank/random';
import { openSqliteCatalog, Recommender } from '@reelrank/serving';
import { markdownTable, parseFlags, quantile } from './lib/bench-kit';

const args = parseFlags();
const ROUNDS = Number(args.rounds ?? 3);
const N = Number(args.n ?? 10);
const SETTINGS = [0, -1, 0.25, 0.5, 0.75];

const config = loadConfig();
const bundle = loadModelArtifacts(config.paths.modelDir);
const catalog = openSqliteCatalog(config.paths.dbPath);
const recommender = new Recommender(bundle, catalog);
// The same model without the precomputed top lists: every answer scores the whole catalogue, as a diverse one does.
const fullScoring = new Recommender(bundle, catalog, { precomputeBudget: 0 });
const users = Array.from(bundle.model.userIds);
shuffleInPlace(users, seededRandom(7));

/** One round: every user once at `diversity` (-1: diversity 0 without the top lists); the answer times in µs. */
function round(diversity: number): number[] {
  const times: number[] = [];
  const target = diversity < 0 ? fullScoring : recommender;
  for (const user of users) {
    const t0 = process.hrtime.bigint();
    target.recommend(user, { n: N, diversity: Math.max(0, diversity) });
    times.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  return times.sort((a, b) => a - b);
}

for (const diversity of SETTINGS) round(diversity); // warm-up
const results = SETTINGS.map((diversity) => {
  const rounds = Array.from({ length: ROUNDS }, () => round(diversity));
  const byP99 = [...rounds].sort((a, b) => quantile(a, 0.99) - quantile(b, 0.99));
  const median = byP99[Math.floor(ROUNDS / 2)];
  return { diversity, p50: quantile(median, 0.5), p99: quantile(median, 0.99), mean: median.reduce((s, t) => s + t, 0) / median.length };
});
const plain = results[0];
const scored = results[1];
console.log(
  `${config.dataset.dataset}: ${users.length} users x ${bundle.model.movieIds.length} movies, n=${N}, ${ROUNDS} rounds (median round shown)\n`,
);
console.log(
  markdownTable(
    ['diversity', 'p50 µs', 'p99 µs', 'mean µs', 'p50 added vs 0 µs', 'p50 added vs full scoring µs'],
    results.map((r) => [
      r.diversity < 0 ? '0, full scoring' : String(r.diversity),
      r.p50.toFixed(0),
      r.p99.toFixed(0),
      r.mean.toFixed(0),
      (r.p50 - plain.p50).toFixed(0),
      r.diversity > 0 ? (r.p50 - scored.p50).toFixed(0) : '',
    ]),
  ),
);
recommender.close();
fullScoring.close();
