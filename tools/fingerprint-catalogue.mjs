// Nx runtime input of the database stage (its target only, not the stages after it, which read what it
// loaded: the processed data, already hashed): where the catalogue goes.
// Without DATABASE_URL it prints "catalogue: sqlite" (a constant: the stage's SQLite output is an Nx
// output, restored from the cache). With DATABASE_URL (config storage.databaseUrl) the catalogue lives
// on a server, and an Nx cache entry restores files, never rows on a server. Nx hashes this output
// before the task runs, so it must describe the state the stage leaves behind, not the one it finds:
// it prints "holds <dataset> <dataHash>" only when the server already holds exactly the processed data
// this stage would load (data/processed/<dataset>/report.json's dataHash), and otherwise (an empty,
// recreated or other server, or no processed data yet) "must load" with the time and a random nonce,
// a key no cache entry can have, so the stage runs and loads. A server that holds this data keeps one
// key, so the cache hits from the second run on. The URL shows with its password masked
// (redactDatabaseUrl: a new password is not a new server, and the output may show in logs;
// DATABASE_URL itself is never an env input). A server it cannot reach fails the command (exit 1, the
// reason on stderr) and prints a nonce too: Nx hashes a runtime input's output whatever its exit code.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { require: tsxRequire } = require('tsx/cjs/api');
const { loadConfig, redactDatabaseUrl } = tsxRequire('../packages/config/src/index.ts', import.meta.url);
const { CATALOGUE_SCHEMA, CATALOGUE_VERSION_SQL } = tsxRequire('../packages/database/src/schema/catalogue-name.ts', import.meta.url);

let databaseUrl;
let dataset;
let processedDir;
try {
  const config = loadConfig();
  databaseUrl = config.storage.databaseUrl;
  dataset = config.dataset.dataset;
  processedDir = config.paths.processedDir;
} catch (error) {
  // The stage fails with the same message; hash it so fixing the config changes the key.
  console.log(`catalogue: invalid config ${createHash('sha256').update(String(error?.message)).digest('hex')}`);
  process.exit(0);
}
if (!databaseUrl) {
  console.log('catalogue: sqlite');
  process.exit(0);
}
/** A value no cache entry can hold: the stage must run. */
const nonce = () => `${Date.now()} ${randomBytes(8).toString('hex')}`;

/** The dataHash the stage would load (the processed data's), or null when there is none yet. */
function processedDataHash() {
  try {
    const report = JSON.parse(readFileSync(join(processedDir, 'report.json'), 'utf8'));
    return typeof report.dataHash === 'string' && report.dataHash ? report.dataHash : null;
  } catch {
    return null;
  }
}

const { Client } = require('pg');
const where = redactDatabaseUrl(databaseUrl);
const client = new Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5_000 });
try {
  await client.connect();
  const { rows } = await client.query('SELECT to_regclass($1) IS NOT NULL AS present', [`"${CATALOGUE_SCHEMA}".dataset_meta`]);
  const meta = new Map(rows[0].present ? (await client.query(CATALOGUE_VERSION_SQL)).rows.map((r) => [r.key, r.value]) : []);
  const wanted = processedDataHash();
  const holds = wanted !== null && meta.get('dataset') === dataset && meta.get('dataHash') === wanted;
  console.log(`catalogue: postgres ${where} ${holds ? `holds ${dataset} ${wanted}` : `must load ${nonce()}`}`);
} catch (error) {
  console.log(`catalogue: postgres ${where} unreachable ${nonce()}`);
  console.error(`fingerprint-catalogue: cannot read the catalogue at ${where}: ${error?.message || error?.code || error}`);
  process.exitCode = 1;
} finally {
  await client.end().catch(() => undefined);
}
