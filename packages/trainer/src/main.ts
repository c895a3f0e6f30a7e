import { loadConfig } from '@reelrank/config';
import { runTraining } from './lib/run-training.js';
import { initTensorFlow } from '@reelrank/model';

/** Stage entry (nx run trainer:pipeline): data/<dataset>.db -> models/<dataset>/. */
let verbose = false;

async function main(): Promise<void> {
  const config = loadConfig();
  verbose = config.runtime.verbose;
  await initTensorFlow(config.runtime.tfBackend); // REELRANK_TF_BACKEND; later calls reuse this backend
  const result = await runTraining(config);
  const m = result.manifest;
  process.stdout.write(
    `${JSON.stringify({ modelDir: config.paths.modelDir, version: m.version, users: m.users, movies: m.movies, metrics: { testRmse: m.metrics.testRmse, testMae: m.metrics.testMae }, training: m.training, seconds: Number(result.seconds.toFixed(2)) })}\n`,
  );
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`trainer stage failed: ${message.split('\n').join(' ')}\n`);
  if (verbose && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  process.exitCode = 1;
});
