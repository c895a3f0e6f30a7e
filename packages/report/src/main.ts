import { loadConfig } from '@reelrank/config';
import { runReport } from './lib/run-report.js';

/**
 * Stage entry (nx run report:report): data/<dataset>.db + models/<dataset>/ -> reports/<dataset>/index.html.
 * REELRANK_REPORT_ALLOW_NO_MODEL=1 renders the data sections alone when no model exists yet.
 */
let verbose = false;

async function main(): Promise<void> {
  const config = loadConfig();
  verbose = config.runtime.verbose;
  const result = await runReport(config, { allowMissingModel: config.runtime.reportAllowNoModel });
  process.stdout.write(`${JSON.stringify({ report: result.path, charts: result.charts.length, bytes: result.bytes, withModel: result.withModel, seconds: Number(result.seconds.toFixed(2)) })}\n`);
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`report stage failed: ${message.split('\n').join(' ')}\n`);
  if (verbose && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  process.exitCode = 1;
});
