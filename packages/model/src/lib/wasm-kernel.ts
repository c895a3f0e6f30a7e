import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const compiled = new Map<string, WebAssembly.Module | null>();

/**
 * A committed kernel binary beside this file (built from packages/model/wasm/*.wat by
 * tools/wasm/build.mjs), compiled once per process; null when this runtime cannot compile it
 * (no WebAssembly SIMD), so the caller falls back to JavaScript.
 */
export function loadKernel(file: string): WebAssembly.Module | null {
  let module = compiled.get(file);
  if (module === undefined) {
    try {
      const bytes = readFileSync(join(__dirname, file));
      module = WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
    } catch {
      module = null;
    }
    compiled.set(file, module);
  }
  return module;
}
