// Rebuilds packages/trainer/src/lib/{sgd,als}-kernel.wasm from wasm/*.wat with wabt's wat2wasm
// (apt-get install -y wabt). The .wasm files are committed so that no toolchain is needed to run or
// test; `--check` exits 1 when a committed binary differs from what its .wat compiles to.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const check = process.argv.includes('--check');
let stale = false;
for (const name of ['sgd-kernel', 'als-kernel']) {
  const source = join(here, `${name}.wat`);
  const target = join(here, '..', 'src', 'lib', `${name}.wasm`);
  const out = join(mkdtempSync(join(tmpdir(), 'reelrank-wasm-')), `${name}.wasm`);
  execFileSync('wat2wasm', ['--enable-threads', source, '-o', out], { stdio: 'inherit' });
  const built = readFileSync(out);
  if (check) {
    let same = false;
    try {
      same = Buffer.compare(built, readFileSync(target)) === 0;
    } catch {
      same = false;
    }
    if (!same) stale = true;
    process.stdout.write(same ? `${name}.wasm is up to date\n` : `${name}.wasm is STALE: run node packages/trainer/wasm/build.mjs\n`);
    continue;
  }
  writeFileSync(target, built);
  process.stdout.write(`wrote ${target} (${built.length} bytes)\n`);
}
if (check) process.exit(stale ? 1 : 0);
