// Nx runtime input of the database stage (its target only, not the stages after it, which read what it
// loaded: the processed data, already hashed): where the catalogue goes.
// Without DATABASE_URL it prints "catalogue: sqlite" (a constant: the stage's SQLite output is an Nx
// output, restored from the cache). With DATABASE_URL (config runtime.databaseUrl) the catalogue lives
// on a server Nx cannot restore, so it prints the URL with its password masked (redactDatabaseUrl: a
// new password is not a new server, and the output may show in logs; DATABASE_URL itself is never an
// env input) and the dataset and dataHash the server's catalogue holds ("none" when it holds none):
// an empty or other server makes the stage run, one already loaded with this data lets the cache hit.
// A server it cannot reach fails the command (exit 1, the reason on stderr) and prints the time too,
// since Nx hashes a runtime input's output whatever its exit code: it never matches a cache entry.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { require: tsxRequire } = require('tsx/cjs/api');
const { loadConfig, redactDatabaseUrl } = tsxRequire('../packages/config/src/index.ts', import.meta.url);
const { CATALOGUE_SCHEMA, CATALOGUE_VERSION_SQL } = tsxRequire('../packages/database/src/schema/catalogue-name.ts', import.meta.url);

let databaseUrl;
try {
  databaseUrl = loadConfig().runtime.databaseUrl;
} catch (error) {
  // The stage fails with the same message; hash it so fixing the config changes the key.
  console.log(`catalogue: invalid config ${createHash('sha256').update(String(error?.message)).digest('hex')}`);
  process.exit(0);
}
if (!databaseUrl) {
  console.log('catalogue: sqlite');
  process.exit(0);
}
const { Client } = require('pg');
const where = redactDatabaseUrl(databaseUrl);
const client = new Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5_000 });
try {
  await client.connect();
  const { rows } = await client.query('SELECT to_regclass($1) IS NOT NULL AS present', [`"${CATALOGUE_SCHEMA}".dataset_meta`]);
  const meta = new Map(rows[0].present ? (await client.query(CATALOGUE_VERSION_SQL)).rows.map((r) => [r.key, r.value]) : []);
  const loaded = meta.has('dataHash') ? `${meta.get('dataset')} ${meta.get('dataHash')}` : 'none';
  console.log(`catalogue: postgres ${where} ${loaded}`);
} catch (error) {
  console.log(`catalogue: postgres ${where} unreachable ${Date.now()}`);
  console.error(`fingerprint-catalogue: cannot read the catalogue at ${where}: ${error?.message || error?.code || error}`);
  process.exitCode = 1;
} finally {
  await client.end().catch(() => undefined);
}
