// Rebuilds packages/trainer/src/lib/sgd-kernel.wasm from wasm/sgd-kernel.wat with wabt's wat2wasm
// (apt-get install -y wabt). The .wasm is committed so that no toolchain is needed to run or test;
// `--check` exits 1 when the committed binary differs from what the .wat compiles to.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const source = join(here, 'sgd-kernel.wat');
const target = join(here, '..', 'src', 'lib', 'sgd-kernel.wasm');
const out = join(mkdtempSync(join(tmpdir(), 'reelrank-wasm-')), 'sgd-kernel.wasm');
execFileSync('wat2wasm', ['--enable-threads', source, '-o', out], { stdio: 'inherit' });
const built = readFileSync(out);
if (process.argv.includes('--check')) {
  const same = Buffer.compare(built, readFileSync(target)) === 0;
  process.stdout.write(same ? 'sgd-kernel.wasm is up to date\n' : 'sgd-kernel.wasm is STALE: run node packages/trainer/wasm/build.mjs\n');
  process.exit(same ? 0 : 1);
}
writeFileSync(target, built);
process.stdout.write(`wrote ${target} (${built.length} bytes)\n`);
