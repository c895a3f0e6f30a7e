/** @reelrank/report: the exploration report stage (reports/<dataset>/index.html). */
export { runReport } from './lib/run-report.js';
