import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '@reelrank/config';
import { loadDatabase } from './lib/load-database.js';

/** Stage entry (nx run database:pipeline): processed CSVs -> data/<dataset>.db. */
async function main(): Promise<void> {
  const config = loadConfig();
  const { processedDir, dbPath } = config.paths;
  if (!existsSync(join(processedDir, 'report.json'))) {
    throw new Error(`No processed data in ${processedDir} (report.json missing): run the ingest stage first (nx run ingest:pipeline)`);
  }
  const result = await loadDatabase({ processedDir, dbPath, dataset: config.dataset.dataset });
  process.stdout.write(`${JSON.stringify({ dbPath: result.dbPath, dataset: result.dataset, dataHash: result.dataHash, counts: result.counts, seconds: Number(result.seconds.toFixed(2)) })}\n`);
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`database stage failed: ${message.split('\n').join(' ')}\n`);
  process.exitCode = 1;
});
