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

const PAGE = 65536;

/** Byte addresses of consecutive memory regions of the given byte sizes, each 16-byte aligned, and the bytes they span. */
export function kernelLayout(sizes: readonly number[]): { at: number[]; bytes: number } {
  const at: number[] = [];
  let end = 0;
  for (const size of sizes) {
    const start = Math.ceil(end / 16) * 16;
    at.push(start);
    end = start + size;
  }
  return { at, bytes: end };
}

/** `module` instantiated over a fresh memory of at least `bytes`; null above 2 GiB (the kernels address memory with i32). */
export function kernelInstance(module: WebAssembly.Module, bytes: number): { memory: WebAssembly.Memory; exports: WebAssembly.Exports } | null {
  if (bytes > 2 ** 31) return null;
  const memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / PAGE) || 1 });
  return { memory, exports: new WebAssembly.Instance(module, { env: { mem: memory } }).exports };
}
