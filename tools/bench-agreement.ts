/**
 * `npm run bench:agreement -- --model=<modelsDir>:<dataDir> [--dataset=synthetic] [--users=10000] [--n=10] [--seed=2026]`:
 * the served top n (read through the int8 bounds with an exact re-rank) against the exact 32-bit
 * ranking for seeded sampled users of a trained model, as a table (identical lists, recall@n, the
 * share answered without scoring every movie, microseconds per user of each). Without --model: the
 * workspace's own models/ and data/ for the configured data set.
 */
import { join } from 'node:path';
import { loadConfig } from '@reelrank/config';
import { parseFlags, positiveIntFlag } from './lib/bench-kit';
import { WORKSPACE_ROOT as root } from './lib/processes';
import { measureAgreement, printAgreementTable } from './lib/ranking-agreement-run';

const args = parseFlags();

async function main(): Promise<void> {
  const [modelsDir, dataDir] = args.model ? args.model.split(':') : [join(root, 'models'), join(root, 'data')];
  const dataset = args.dataset ?? loadConfig({ env: process.env }).dataset.dataset;
  const users = positiveIntFlag('users', args.users, 10_000);
  const n = positiveIntFlag('n', args.n, 10);
  const seed = positiveIntFlag('seed', args.seed, 2026);
  const row = await measureAgreement({ label: dataset, dataset, dataDir, modelsDir }, users, n, seed);
  console.log('');
  printAgreementTable([row]);
  console.log(`\n- ${dataset}: model and catalogue loaded in ${row.loadSeconds.toFixed(1)} s; ${users} users sampled with seed ${seed}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
