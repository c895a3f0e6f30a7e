// Rebuilds every WebAssembly kernel from its .wat source with the `wabt` npm package (wat2wasm
// compiled to WebAssembly, so no system toolchain is needed). The .wasm files are committed so that
// running never needs a compiler; `--check` exits 1 when a committed binary differs from what its
// .wat compiles to (tests/wasm-kernels.spec.ts runs that check).
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import initWabt from 'wabt';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Each kernel's source and the binary the code loads, relative to the workspace root. */
export const KERNELS = [
  { source: 'packages/trainer/wasm/sgd-kernel.wat', binary: 'packages/trainer/src/lib/sgd-kernel.wasm' },
  { source: 'packages/trainer/wasm/als-kernel.wat', binary: 'packages/trainer/src/lib/als-kernel.wasm' },
  { source: 'packages/trainer/wasm/svdpp-kernel.wat', binary: 'packages/trainer/src/lib/svdpp-kernel.wasm' },
  { source: 'packages/model/wasm/movie-scorer.wat', binary: 'packages/model/src/lib/movie-scorer.wasm' },
  { source: 'packages/model/wasm/movie-bounds.wat', binary: 'packages/model/src/lib/movie-bounds.wasm' },
  { source: 'packages/model/wasm/ease-sums.wat', binary: 'packages/model/src/lib/ease-sums.wasm' },
];

/** A kernel's .wat compiled with SIMD and threads (shared memory), as `wat2wasm --enable-threads` does. */
export async function compileKernel(source) {
  const path = join(root, source);
  const wabt = await initWabt();
  const module = wabt.parseWat(source, readFileSync(path, 'utf8'), { simd: true, threads: true });
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
  for (const { source, binary } of KERNELS) {
    const built = await compileKernel(source);
    const target = join(root, binary);
    if (check) {
      let same = false;
      try {
        same = Buffer.compare(built, readFileSync(target)) === 0;
      } catch {
        same = false;
      }
      if (!same) stale = true;
      process.stdout.write(same ? `${binary} is up to date\n` : `${binary} is STALE: run node tools/wasm/build.mjs\n`);
      continue;
    }
    writeFileSync(target, built);
    process.stdout.write(`wrote ${relative(process.cwd(), target)} (${built.length} bytes)\n`);
  }
  if (check) process.exit(stale ? 1 : 0);
}
