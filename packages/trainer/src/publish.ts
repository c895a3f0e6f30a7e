// The pipeline's last step: `npx tsx packages/trainer/src/publish.ts` (Nx target `trainer:publish`,
// never cached, after `trainer:pipeline`). A cache hit of the train stage restores models/<dataset>/
// and runs nothing, so this step makes the registry agree with it: the model the stage's inputs
// describe is registered (again, if it was pruned) and goes live when it is not the one last published.
import { runStage } from '@reelrank/stage';
import { syncModelRegistry } from '@reelrank/model';

void runStage('publish', async (config) => {
  const live = syncModelRegistry(config.paths, config.storage.keepModelVersions);
  return { modelDir: config.paths.modelDir, live: live.version, source: live.source };
});
