// Rebuilds packages/trainer/src/lib/{sgd,als,svdpp}-kernel.wasm from wasm/*.wat with the `wabt` npm
// package (wat2wasm compiled to WebAssembly, so no system toolchain is needed). The .wasm files are
// committed so that running never needs a compiler; `--check` exits 1 when a committed binary
// differs from what its .wat compiles to (the trainer's tests run that check).
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import initWabt from 'wabt';

const here = dirname(fileURLToPath(import.meta.url));
export const KERNELS = ['sgd-kernel', 'als-kernel', 'svdpp-kernel'];

/** A kernel's .wat compiled with SIMD and threads (shared memory), as `wat2wasm --enable-threads` does. */
export async function compileKernel(name) {
  const source = join(here, `${name}.wat`);
  const wabt = await initWabt();
  const module = wabt.parseWat(source, readFileSync(source, 'utf8'), { simd: true, threads: true });
  try {
    module.resolveNames();
    const built = Buffer.from(module.toBinary({ log: false, write_debug_names: false }).buffer);
    // wabt's validator rejects shared memories in this build; the engine that runs the kernel decides.
    if (!WebAssembly.validate(built)) throw new Error(`${source} compiles to a module the engine rejects`);
    return built;
  } finally {
    module.destroy();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const check = process.argv.includes('--check');
  let stale = false;
  for (const name of KERNELS) {
    const built = await compileKernel(name);
    const target = join(here, '..', 'src', 'lib', `${name}.wasm`);
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
}
