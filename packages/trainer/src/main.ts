import { loadConfig } from '@reelrank/config';
import { runTraining } from './lib/run-training.js';
import { scorerFromEnv } from './lib/evaluate.js';

/** Stage entry (nx run trainer:pipeline): data/<dataset>.db -> models/<dataset>/. */
async function main(): Promise<void> {
  const config = loadConfig();
  const result = await runTraining(config, { scorer: scorerFromEnv() });
  const m = result.manifest;
  process.stdout.write(
    `${JSON.stringify({ modelDir: config.paths.modelDir, version: m.version, users: m.users, movies: m.movies, metrics: { testRmse: m.metrics.testRmse, testMae: m.metrics.testMae }, training: m.training, seconds: Number(result.seconds.toFixed(2)) })}\n`,
  );
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`trainer stage failed: ${message.split('\n').join(' ')}\n`);
  if (process.env.REELRANK_VERBOSE === '1' && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  process.exitCode = 1;
});
