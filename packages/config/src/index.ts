export * from './lib/schema.js';
export * from './lib/load-config.js';
export * from './lib/paths.js';
export * from './lib/workspace-root.js';
export * from './lib/dataset-name.js';
export { runStage, type StageIo } from './lib/run-stage.js';
