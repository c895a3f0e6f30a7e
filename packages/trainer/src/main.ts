// The train stage: `npx tsx packages/trainer/src/main.ts` (Nx target `trainer:pipeline`):
// data/<dataset>.db -> models/<dataset>/.
import { runStage } from '@reelrank/stage';
import { initTensorFlow } from '@reelrank/model';
import { runTraining } from './lib/run-training.js';

void runStage('train', async (config) => {
  await initTensorFlow(config.operations.tfBackend); // REELRANK_TF_BACKEND; later calls reuse this backend
  const { manifest: m } = await runTraining(config);
  return {
    modelDir: config.paths.modelDir,
    version: m.version,
    users: m.users,
    movies: m.movies,
    metrics: { testRmse: m.metrics.testRmse, testMae: m.metrics.testMae },
    training: m.training,
  };
});
