// Types of als-cg-kernel.js (plain CommonJS so worker threads can require it without a TS loader).
type Floats = Float32Array | Float64Array;

export interface CgScratch {
  x: Float64Array;
  r: Float64Array;
  p: Float64Array;
  ap: Float64Array;
}

/** Warm-started CG solves of rows [rowFrom, rowTo) of one implicit-ALS half-sweep, in place in X. */
export function cgSolveRows(
  G: Float64Array,
  V: Float32Array,
  k: number,
  offsets: Int32Array,
  others: Int32Array,
  conf: Floats,
  reg: number,
  X: Float32Array,
  rowFrom: number,
  rowTo: number,
  steps: number,
  scratch: CgScratch,
): void;

export function cgScratch(k: number): CgScratch;

/** Lower triangle of the Gram matrix of rows [rowFrom, rowTo) of V into out[outOffset..+k²). */
export function gramPart(V: Float32Array, k: number, rowFrom: number, rowTo: number, out: Float64Array, outOffset: number): void;
