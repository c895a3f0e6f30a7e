import { loadConfig } from '@reelrank/config';
import { runReport } from './lib/run-report.js';

/**
 * Stage entry (nx run report:report): data/<dataset>.db + models/<dataset>/ -> reports/<dataset>/index.html.
 * REELRANK_REPORT_ALLOW_NO_MODEL=1 renders the data sections alone when no model exists yet.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const result = await runReport(config, { allowMissingModel: process.env.REELRANK_REPORT_ALLOW_NO_MODEL === '1' });
  process.stdout.write(`${JSON.stringify({ report: result.path, charts: result.charts.length, bytes: result.bytes, withModel: result.withModel, seconds: Number(result.seconds.toFixed(2)) })}\n`);
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`report stage failed: ${message.split('\n').join(' ')}\n`);
  if (process.env.REELRANK_VERBOSE === '1' && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  process.exitCode = 1;
});
