export { runCli, type CliIo } from './lib/cli.js';
export { RetrainWatcher, type WatchEvent, type WatcherDeps } from './lib/retrain-watch/retrain-watcher.js';
export { trainingLockOf, type TrainingLock } from './lib/retrain-watch/training-lock.js';
