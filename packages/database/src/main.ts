// The database stage: `npx tsx packages/database/src/main.ts` (Nx target `database:pipeline`):
// processed CSVs -> data/<dataset>.db.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runStage } from '@reelrank/stage';
import { loadDatabase } from './lib/load-database.js';

void runStage('database', async (config) => {
  const { processedDir, dbPath } = config.paths;
  if (!existsSync(join(processedDir, 'report.json'))) {
    throw new Error(`No processed data in ${processedDir} (report.json missing): run the ingest stage first (nx run ingest:pipeline)`);
  }
  const result = await loadDatabase({ processedDir, dbPath, dataset: config.dataset.dataset });
  return { dbPath: result.dbPath, dataHash: result.dataHash, counts: result.counts };
});
