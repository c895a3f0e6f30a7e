// Types of svdpp-kernels.js (plain CommonJS so worker threads can require it without a TS loader).

export interface SvdppKernels {
  visits(start: number, end: number, mu: number, lr: number, reg: number, regB: number, lrY: number, regY: number): number;
  zsum(from: number, to: number): void;
  sse(start: number, end: number, mu: number, lo: number, hi: number): number;
}

export function jsKernels(buffer: ArrayBufferLike, layout: Record<string, number>): SvdppKernels;

export function wasmKernels(
  module: WebAssembly.Module,
  memory: WebAssembly.Memory,
  layout: Record<string, number>,
  scratch: { z: number; g: number },
): SvdppKernels;

export function runChunk(
  kernels: SvdppKernels,
  slots: { TASK_VISIT: number; TASK_SSE: number; TASK_Z: number },
  task: number,
  chunk: number,
  range: Int32Array,
  par: Float64Array,
  sseOut: Float64Array,
): void;
