/** @reelrank/stage: the one way a stage's `main.ts` runs (config load, summary line, error line, exit code). */
export { runStage, type StageIo } from './lib/run-stage.js';
