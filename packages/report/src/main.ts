// The report stage: `npx tsx packages/report/src/main.ts` (Nx target `report:report`):
// data/<dataset>.db + models/<dataset>/ -> reports/<dataset>/index.html.
// REELRANK_REPORT_ALLOW_NO_MODEL=1 renders the data sections alone when no model exists yet.
import { runStage } from '@reelrank/stage';
import { runReport } from './lib/run-report.js';

void runStage('report', async (config) => {
  const result = await runReport(config, { allowMissingModel: config.operations.reportAllowNoModel });
  return { report: result.path, charts: result.charts.length, bytes: result.bytes, withModel: result.withModel };
});
