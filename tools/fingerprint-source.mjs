// Nx runtime input of the ingest stage: prints a fingerprint of the local MovieLens source so that
// editing the files in it, not only its path, invalidates the cache. The source is the config's
// (`source` in config/dataset.json or MOVIELENS_SOURCE, resolved by @reelrank/config exactly as the
// stage resolves it), and a folder is the one ingest reads: the folder itself, or its single
// sub-folder when that is where the files are (resolveSourceFolder). Small files are hashed by
// content; large ones (>64 MiB) by size and mtime. A zip is one file.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const { require: tsxRequire } = require('tsx/cjs/api');
const { loadConfig } = tsxRequire('../packages/config/src/index.ts', import.meta.url);
const { resolveSourceFolder } = tsxRequire('../packages/ingest/src/lib/source-folder.ts', import.meta.url);

let config;
try {
  config = loadConfig();
} catch (error) {
  // The stage fails with the same message; hash it so fixing the config changes the key.
  console.log(`source: invalid config ${createHash('sha256').update(String(error?.message)).digest('hex')}`);
  process.exit(0);
}
const source = config.dataset.source;
if (!source) {
  console.log(`source: ${config.dataset.dataset === 'synthetic' ? 'generated' : 'download'}`);
  process.exit(0);
}
if (!existsSync(source)) {
  console.log(`source: ${source} (missing)`);
  process.exit(0);
}
let folder = null;
if (statSync(source).isDirectory()) {
  try {
    folder = resolveSourceFolder(source);
  } catch {
    folder = source; // ingest will refuse it; still fingerprint what is there
  }
}
const files = folder
  ? readdirSync(folder)
      .sort()
      .map((name) => join(folder, name))
  : [source];
const hash = createHash('sha256');
for (const file of files) {
  const stat = statSync(file);
  if (!stat.isFile()) continue;
  hash.update(`${file}\0${stat.size}\0`);
  if (stat.size <= 64 * 1024 * 1024) hash.update(readFileSync(file));
  else hash.update(String(stat.mtimeMs));
}
console.log(`source: ${folder ?? source} ${hash.digest('hex')}`);
