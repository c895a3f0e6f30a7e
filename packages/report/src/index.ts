/** @reelrank/report: the exploration report stage (reports/<dataset>/index.html). */
export { runReport } from './lib/run-report.js';
export { accessibleSvg, renderSpecToSvg } from './lib/render-svg.js';
export {
  accuracySpec,
  durationSpec,
  latencySpec,
  throughputSpec,
  trainMemorySpec,
  trainTimeSpec,
  type AccuracyRow,
  type DurationRow,
  type LoadRow,
  type ScaleRow,
} from './lib/bench-chart-specs.js';
