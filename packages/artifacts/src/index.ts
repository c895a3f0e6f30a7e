export * from './lib/atomic-write.js';
export * from './lib/checksum.js';
export * from './lib/progress.js';
