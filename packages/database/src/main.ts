// The database stage: `npx tsx packages/database/src/main.ts` (Nx target `database:pipeline`):
// processed CSVs -> data/<dataset>.db, or, with DATABASE_URL set, -> the PostgreSQL catalogue
// (schema reelrank_catalogue; data/<dataset>.db is then not written).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runStage } from '@reelrank/stage';
import { loadDatabase } from './lib/load-database.js';
import { loadPostgresDatabase } from './lib/load-postgres.js';

void runStage('database', async (config) => {
  const { processedDir, dbPath } = config.paths;
  if (!existsSync(join(processedDir, 'report.json'))) {
    throw new Error(`No processed data in ${processedDir} (report.json missing): run the ingest stage first (nx run ingest:pipeline)`);
  }
  const dataset = config.dataset.dataset;
  const databaseUrl = config.storage.databaseUrl;
  if (databaseUrl) {
    const result = await loadPostgresDatabase({ processedDir, databaseUrl, dataset });
    return { target: result.target, dataHash: result.dataHash, counts: result.counts, skipped: result.skipped };
  }
  const result = await loadDatabase({ processedDir, dbPath, dataset });
  return { dbPath: result.dbPath, dataHash: result.dataHash, counts: result.counts };
});
