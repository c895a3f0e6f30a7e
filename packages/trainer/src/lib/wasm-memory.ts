import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What the worker pools (parallel SGD, SVD++, implicit ALS) share about their WebAssembly side: the
 * compiled kernels and the plan of the one shared memory that holds their matrices.
 */

const PAGE = 65536;
const compiled = new Map<string, WebAssembly.Module | null>();

/** A kernel of this folder (e.g. 'sgd-kernel.wasm'), compiled once; null when this runtime cannot compile it (no SIMD / shared memory). */
export function loadKernelModule(file: string): WebAssembly.Module | null {
  if (!compiled.has(file)) {
    try {
      compiled.set(file, new WebAssembly.Module(readFileSync(join(__dirname, file))));
    } catch {
      compiled.set(file, null);
    }
  }
  return compiled.get(file)!;
}

/** Floats per stored row of k factors: a multiple of 8 (the kernels' two f32x4 accumulators), zero padded. */
export function paddedStride(k: number): number {
  return Math.ceil(k / 8) * 8;
}

/** Regions of one shared memory, each starting on a 64-byte boundary (the first at 64). */
export class SharedMemoryPlan {
  private offset = 64;

  /** The byte offset of a new region of `bytes` bytes. */
  take(bytes: number): number {
    const at = this.offset;
    this.offset = Math.ceil((this.offset + bytes) / 64) * 64;
    return at;
  }

  /** The shared memory holding every region taken; `what` names the user in the over-4-GiB error. */
  allocate(what: string): WebAssembly.Memory {
    const pages = Math.ceil(this.offset / PAGE);
    if (pages > 65536) throw new Error(`${what} needs ${this.offset} bytes of WebAssembly memory (over 4 GiB)`);
    return new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  }
}

/** Copies `rows` rows of `k` floats between row strides (padded <-> unpadded); padding stays as it is. */
export function copyRows(from: Float32Array, to: Float32Array, rows: number, k: number, fromStride: number, toStride: number): void {
  if (fromStride === toStride) {
    to.set(from.subarray(0, rows * k));
    return;
  }
  for (let r = 0; r < rows; r++) to.set(from.subarray(r * fromStride, r * fromStride + k), r * toStride);
}
