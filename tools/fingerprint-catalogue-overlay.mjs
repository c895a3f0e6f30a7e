// Nx runtime input of the train stage, next to tools/fingerprint-ratings.mjs: prints the version of the
// catalogue's overlay (movies added, changed or hidden through the API; table catalogue_movies, kept
// next to the posted ratings): its count and newest revision (equal versions mean equal contents, see
// @reelrank/feedback OverlayVersion), so the train stage (and the report) reruns when the catalogue
// changed and stays cached when it did not. No store, or no table yet, is "none". The store is the
// config's (the SQLite ratings file, or PostgreSQL with DATABASE_URL: the URL printed with its
// password masked), read with the stores' own query (OVERLAY_VERSION_SQL). An unreadable store prints
// the time too, so it never matches a cache entry; an unreachable server also fails the command.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { require: tsxRequire } = require('tsx/cjs/api');
const { loadConfig, redactDatabaseUrl } = tsxRequire('../packages/config/src/index.ts', import.meta.url);
const { OVERLAY_VERSION_SQL } = tsxRequire('../packages/feedback/src/lib/catalogue-overlay.ts', import.meta.url);

const line = (where, version) => `catalogue: ${where}${Number(version.count) === 0 ? 'none' : `${version.count} ${version.newestRevision}`}`;

let config;
try {
  config = loadConfig();
} catch (error) {
  console.log(`catalogue: invalid config ${createHash('sha256').update(String(error?.message)).digest('hex')}`);
  process.exit(0);
}
const url = config.storage.databaseUrl;
if (url) {
  const { Client } = require('pg');
  const where = `postgres ${redactDatabaseUrl(url)} `;
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    const present = (await client.query("SELECT to_regclass('catalogue_movies') IS NOT NULL AS present")).rows[0].present;
    console.log(line(where, present ? (await client.query(OVERLAY_VERSION_SQL)).rows[0] : { count: 0 }));
  } catch (error) {
    console.log(`catalogue: ${where}unreachable ${Date.now()}`);
    console.error(
      `fingerprint-catalogue-overlay: cannot read the catalogue overlay at ${redactDatabaseUrl(url)}: ${error?.message || error?.code || error}`,
    );
    process.exitCode = 1;
  } finally {
    await client.end().catch(() => undefined);
  }
} else if (!existsSync(config.paths.ratingsDbPath)) {
  console.log('catalogue: none');
} else {
  const Database = require('better-sqlite3');
  let db;
  try {
    db = new Database(config.paths.ratingsDbPath, { readonly: true, fileMustExist: true });
    const present = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'catalogue_movies'").get();
    console.log(line('', present ? db.prepare(OVERLAY_VERSION_SQL).get() : { count: 0 }));
  } catch (error) {
    console.log(`catalogue: unreadable ${error?.code ?? ''} ${Date.now()}`);
  } finally {
    db?.close();
  }
}
