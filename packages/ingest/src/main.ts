// The ingest stage: `npx tsx packages/ingest/src/main.ts` (Nx target `ingest:pipeline`).
import { runStage } from '@reelrank/stage';
import { runIngest } from './lib/run-ingest.js';

void runStage('ingest', async (config) => {
  const report = await runIngest(config);
  return { processedDir: config.paths.processedDir, format: report.format, dataHash: report.dataHash, counts: report.counts };
});
