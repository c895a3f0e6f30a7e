// Nx runtime input of the train stage: prints the version of the posted-ratings store (count and
// newest id; equal versions mean equal contents, see @reelrank/feedback StoreVersion), so the train
// stage (and the report after it) reruns when ratings arrived and stays cached when none did. An
// absent or empty store prints "none": training on it is training without it. The path is the
// config's (paths.ratingsDbPath: REELRANK_RATINGS_DB, else <dataDir>/<dataset>.ratings.db), resolved
// by @reelrank/config as the stage resolves it; the store is opened read-only with better-sqlite3 and
// asked with the store's own version query (group-writer.js, plain CommonJS: no TS loader for it).
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { require: tsxRequire } = require('tsx/cjs/api');
const { loadConfig } = tsxRequire('../packages/config/src/index.ts', import.meta.url);
const Database = require('better-sqlite3');
const { readVersion } = require('../packages/feedback/src/lib/group-writer.js');

let path;
try {
  path = loadConfig().paths.ratingsDbPath;
} catch (error) {
  // The stage fails with the same message; hash it so fixing the config changes the key.
  console.log(`ratings: invalid config ${createHash('sha256').update(String(error?.message)).digest('hex')}`);
  process.exit(0);
}
if (!existsSync(path)) {
  console.log('ratings: none');
  process.exit(0);
}
let db;
try {
  db = new Database(path, { readonly: true, fileMustExist: true });
  const { count, newestId } = readVersion(db);
  console.log(count === 0 ? 'ratings: none' : `ratings: ${count} ${newestId}`);
} catch (error) {
  // Unreadable (not a ratings store, locked beyond the timeout): the stage would fail on it too; never reuse a cache entry.
  console.log(`ratings: unreadable ${error?.code ?? ''} ${Date.now()}`);
} finally {
  db?.close();
}
