// EASE fit benchmark:
//   npx tsx packages/trainer/src/bench-ease.ts [--ratings N (default 20000263)] [--max-movies 1000,1500,2000]
//     [--lambda 250] [--cache DIR] [--synthetic-dir DIR]
// On the deterministic MovieLens-shaped synthetic set (lib/bench-data.ts; ml-20m's shape by default,
// generated once and cached), groups the ratings by user as the train stage does and fits EASE over
// the K most-rated movies for each K: seconds of the Gram XᵀX and of the inverse, B's size, peak RSS.
// Prints one table, wall and CPU seconds (this process's user + system time: on the shared machine
// the wall time also holds other jobs' load, the CPU time does not).
import { parseArgs } from 'node:util';
import { loadConfig } from '@reelrank/config';
import { initTensorFlow } from '@reelrank/model';
import { benchShape, loadBenchRatings } from './lib/bench-data.js';
import { easeGram, solveEase } from './lib/ease.js';
import { buildIndexing, groupByUser, indexRatings } from './lib/indexing.js';

const out = (line = '') => process.stdout.write(`${line}\n`);
const err = (line: string) => process.stderr.write(`${line}\n`);

async function main() {
  const { values } = parseArgs({
    options: {
      ratings: { type: 'string', default: '20000263' },
      'max-movies': { type: 'string' },
      lambda: { type: 'string' },
      cache: { type: 'string' },
      'synthetic-dir': { type: 'string' },
    },
    strict: true,
  });
  const config = loadConfig();
  const ease = config.training.ranker.ease;
  // The inverse as the train stage runs it: blocked on TF.js matMul (solveEase with tf).
  const { tf, backend } = await initTensorFlow(config.operations.tfBackend);
  const ratings = Number(values.ratings);
  const sizes = (values['max-movies'] ?? String(ease.maxMovies)).split(',').map(Number);
  const lambda = Number(values.lambda ?? ease.lambda);
  if (!(ratings > 0) || sizes.some((k) => !(Number.isInteger(k) && k > 0)) || !(lambda > 0))
    throw new Error('--ratings, --max-movies (comma-separated) and --lambda must be positive');
  const loaded = await loadBenchRatings({ ratings, cacheDir: values.cache, reuseDir: values['synthetic-dir'], log: err });
  const shape = benchShape(ratings);
  const t0 = performance.now();
  const indexing = buildIndexing(loaded.columns);
  const items = groupByUser(indexRatings(loaded.columns, indexing), indexing.users.ids.length);
  const groupSeconds = (performance.now() - t0) / 1000;
  const nMovies = indexing.movies.ids.length;
  out(
    `EASE fit on ${loaded.columns.ratings.length} synthetic ratings (${shape.users} users, ${nMovies} movies; seed 42), λ ${lambda}, inverse on TF.js ${backend}`,
  );
  out(`grouping by user: ${groupSeconds.toFixed(2)} s`);
  out('');
  out('| K movies | ratings covered | Gram s (CPU s) | inverse + B s (CPU s) | B MB | peak RSS MB |');
  out('| --- | --- | --- | --- | --- | --- |');
  const cpu = (since: NodeJS.CpuUsage) => {
    const used = process.cpuUsage(since);
    return (used.user + used.system) / 1e6;
  };
  for (const k of sizes) {
    const c0 = process.cpuUsage();
    const gram = easeGram(items, nMovies, k);
    const gramCpu = cpu(c0);
    const t1 = performance.now();
    const c1 = process.cpuUsage();
    const model = solveEase(gram, lambda, tf);
    const inverseSeconds = (performance.now() - t1) / 1000;
    const inverseCpu = cpu(c1);
    let covered = 0;
    for (let a = 0; a < gram.movies.length; a++) covered += gram.gram[a * gram.movies.length + a];
    const share = covered / loaded.columns.ratings.length;
    const rss = process.resourceUsage().maxRSS / 1024;
    out(
      `| ${gram.movies.length} | ${(100 * share).toFixed(1)}% | ${gram.seconds.toFixed(2)} (${gramCpu.toFixed(2)}) | ${inverseSeconds.toFixed(2)} (${inverseCpu.toFixed(2)}) | ${(model.weights.byteLength / 1e6).toFixed(1)} | ${rss.toFixed(0)} |`,
    );
  }
}

main().catch((error) => {
  err(`bench-ease: ${(error as Error).message}`);
  process.exit(1);
});
