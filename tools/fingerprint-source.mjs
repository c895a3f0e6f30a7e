// Nx runtime input of the ingest stage: prints a fingerprint of the local MovieLens source
// (MOVIELENS_SOURCE) so that editing the files in that folder, not only its path, invalidates
// the cache. Small files are hashed by content; large ones (>64 MiB) by size and mtime.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const source = process.env.MOVIELENS_SOURCE;
if (!source) {
  console.log('source: download');
  process.exit(0);
}
const path = resolve(process.env.INIT_CWD ?? process.cwd(), source);
if (!existsSync(path)) {
  console.log(`source: ${path} (missing)`);
  process.exit(0);
}
const files = statSync(path).isDirectory()
  ? readdirSync(path).sort().map((name) => join(path, name))
  : [path];
const hash = createHash('sha256');
for (const file of files) {
  const stat = statSync(file);
  if (!stat.isFile()) continue;
  hash.update(`${file}\0${stat.size}\0`);
  if (stat.size <= 64 * 1024 * 1024) hash.update(readFileSync(file));
  else hash.update(String(stat.mtimeMs));
}
console.log(`source: ${path} ${hash.digest('hex')}`);
