// CLI of the ingest stage: `npx tsx packages/ingest/src/main.ts` (Nx target `pipeline`).
import { loadConfig } from '@reelrank/config';
import { runIngest } from './lib/run-ingest.js';

let verbose = false;

async function main(): Promise<void> {
  const config = loadConfig();
  verbose = config.runtime.verbose;
  await runIngest(config);
}

main().catch((error: unknown) => {
  // One clear line for people; the stack only when asked for, since it rarely helps them.
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`ingest failed: ${message}\n`);
  if (verbose && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
