/** @reelrank/artifacts: atomic writes (temp + fsync + rename), checksums and progress lines for every stage. */
export { produceAtomically, removeStaleTemps, replaceDirAtomically, tempPathFor, writeFileAtomic } from './lib/atomic-write.js';
export { hashFile, sha256 } from './lib/checksum.js';
export { createProgress, formatCount, type ProgressReporter } from './lib/progress.js';
