export * from './lib/mf-model.js';
export * from './lib/scoring.js';
export * from './lib/top-n.js';
export * from './lib/popularity.js';
export * from './lib/model-artifacts.js';
export * from './lib/tf-backend.js';
export * from './lib/tensor-scoring.js';
export * from './lib/fold-in.js';
