// Nx runtime input of the train stage: prints the version of the posted-ratings store (count and
// newest id, and the same of the taste signals next to them when there are any; equal versions mean equal contents, see @reelrank/feedback StoreVersion), so the train
// stage (and the report after it) reruns when ratings arrived and stays cached when none did. An
// absent or empty store prints "none": training on it is training without it. The path is the
// config's (paths.ratingsDbPath: REELRANK_RATINGS_DB, else <dataDir>/<dataset>.ratings.db), resolved
// by @reelrank/config as the stage resolves it; the store is opened read-only with better-sqlite3 and
// asked with the store's own version query (group-writer.js, plain CommonJS: no TS loader for it).
//
// With DATABASE_URL set (config storage.databaseUrl) the store is PostgreSQL: it prints the URL with
// its password masked (redactDatabaseUrl: a new password is not a new store, and the output may show
// in logs) and the store's version, read with `pg` and the store's own query (POSTGRES_VERSION_SQL);
// no table yet is "none". A server it cannot reach fails the command (exit 1, the reason on stderr).
// Nx hashes a runtime input's stdout and stderr whatever its exit code, so the output then carries the
// time too: it never matches a cache entry (a stale or constant value would let Nx reuse a training).
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { require: tsxRequire } = require('tsx/cjs/api');
const { loadConfig } = tsxRequire('../packages/config/src/index.ts', import.meta.url);
const Database = require('better-sqlite3');
const { readVersion } = require('../packages/feedback/src/lib/group-writer.js');

let path;
let databaseUrl;
try {
  const config = loadConfig();
  path = config.paths.ratingsDbPath;
  databaseUrl = config.storage.databaseUrl;
} catch (error) {
  // The stage fails with the same message; hash it so fixing the config changes the key.
  console.log(`ratings: invalid config ${createHash('sha256').update(String(error?.message)).digest('hex')}`);
  process.exit(0);
}
if (databaseUrl) {
  await printPostgresVersion(databaseUrl);
  process.exit(process.exitCode ?? 0);
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
  // The taste signals (seen, watchlist, not interested) train the ranker too: a new or deleted one reruns the stage.
  const signals = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'taste_signals'").get()
    ? db.prepare('SELECT count(*) AS count, coalesce(max(id), 0) AS newestId FROM taste_signals').get()
    : { count: 0 };
  if (signals.count > 0) console.log(`signals: ${signals.count} ${signals.newestId}`);
} catch (error) {
  // Unreadable (not a ratings store, locked beyond the timeout): the stage would fail on it too; never reuse a cache entry.
  console.log(`ratings: unreadable ${error?.code ?? ''} ${Date.now()}`);
} finally {
  db?.close();
}

async function printPostgresVersion(url) {
  const { redactDatabaseUrl } = tsxRequire('../packages/config/src/index.ts', import.meta.url);
  const { POSTGRES_VERSION_SQL } = tsxRequire('../packages/feedback/src/lib/postgres-schema.ts', import.meta.url);
  const { SIGNALS_VERSION_SQL } = tsxRequire('../packages/feedback/src/lib/postgres-signals-store.ts', import.meta.url);
  const { Client } = require('pg');
  const where = redactDatabaseUrl(url);
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    const { rows } = await client.query("SELECT to_regclass('posted_ratings') IS NOT NULL AS present");
    const version = rows[0].present ? (await client.query(POSTGRES_VERSION_SQL)).rows[0] : { count: 0 };
    // count(*) and max(id) come back as bigint strings: printed as they are.
    console.log(Number(version.count) === 0 ? `ratings: postgres ${where} none` : `ratings: postgres ${where} ${version.count} ${version.newestId}`);
    const { rows: signalRows } = await client.query("SELECT to_regclass('posted_signals') IS NOT NULL AS present");
    const signals = signalRows[0].present ? (await client.query(SIGNALS_VERSION_SQL)).rows[0] : { count: 0 };
    if (Number(signals.count) > 0) console.log(`signals: postgres ${signals.count} ${signals.newestId}`);
  } catch (error) {
    console.log(`ratings: postgres ${where} unreachable ${Date.now()}`);
    console.error(`fingerprint-ratings: cannot read the ratings store at ${where}: ${error?.message || error?.code || error}`);
    process.exitCode = 1;
  } finally {
    await client.end().catch(() => undefined);
  }
}
