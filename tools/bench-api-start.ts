/**
 * API start on a trained model: seconds from spawn to GET /ready, and the server's memory once ready
 * (VmRSS) and at its peak so far (VmHWM). One process (apps/api/src/main.ts), no load.
 *
 *   npx tsx tools/bench-api-start.ts --models DIR --data DIR [--dataset synthetic]
 *
 * DIR are the REELRANK_MODELS_DIR and REELRANK_DATA_DIR of a pipeline run (e.g. bench:pipeline's
 * <dir>/pipeline-v2-32m/models and .../data). Prints one table row.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startApi } from './lib/processes';

function statusKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const match = new RegExp(`${field}:\\s+(\\d+)\\s+kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no ${field} for process ${pid}`);
  return Number(match[1]);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { models: { type: 'string' }, data: { type: 'string' }, dataset: { type: 'string', default: 'synthetic' } },
    strict: true,
  });
  if (!values.models || !values.data) throw new Error('--models DIR and --data DIR are required');
  const api = await startApi({
    name: `api ${values.dataset}`,
    env: { REELRANK_DATASET: values.dataset, REELRANK_MODELS_DIR: resolve(values.models), REELRANK_DATA_DIR: resolve(values.data) },
    readyTimeoutMs: 900_000,
  });
  try {
    const pid = api.child.pid!;
    const gib = (kib: number) => `${(kib / 1024 ** 2).toFixed(2)} GiB`;
    process.stdout.write(`| data set | start to /ready | RSS once ready | peak RSS (VmHWM) |\n| --- | --: | --: | --: |\n`);
    process.stdout.write(
      `| ${values.dataset} (${values.models}) | ${api.startSeconds.toFixed(1)} s | ${gib(statusKiB(pid, 'VmRSS'))} | ${gib(statusKiB(pid, 'VmHWM'))} |\n`,
    );
  } finally {
    await api.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench-api-start failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
