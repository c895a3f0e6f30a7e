// Rebuilds packages/trainer/src/lib/sgd-kernel.wasm from wasm/sgd-kernel.wat with the `wabt` npm
// package (wat2wasm compiled to WebAssembly, so no system toolchain is needed). The .wasm is
// committed so that running never needs a compiler; `--check` exits 1 when the committed binary
// differs from what the .wat compiles to (the trainer's tests run that check).
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import initWabt from 'wabt';

const here = dirname(fileURLToPath(import.meta.url));
export const WAT_SOURCE = join(here, 'sgd-kernel.wat');
export const WASM_TARGET = join(here, '..', 'src', 'lib', 'sgd-kernel.wasm');

/** The .wat compiled with SIMD and threads (shared memory), as wat2wasm --enable-threads does. */
export async function compileKernel(source = WAT_SOURCE) {
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
  const built = await compileKernel();
  if (process.argv.includes('--check')) {
    const same = Buffer.compare(built, readFileSync(WASM_TARGET)) === 0;
    process.stdout.write(same ? 'sgd-kernel.wasm is up to date\n' : 'sgd-kernel.wasm is STALE: run node packages/trainer/wasm/build.mjs\n');
    process.exit(same ? 0 : 1);
  }
  writeFileSync(WASM_TARGET, built);
  process.stdout.write(`wrote ${WASM_TARGET} (${built.length} bytes)\n`);
}
