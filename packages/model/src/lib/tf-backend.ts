import { dirname, join } from 'node:path';

export type Tf = typeof import('@tensorflow/tfjs');

export interface TensorFlowRuntime {
  tf: Tf;
  /** 'tensorflow' (tfjs-node, native), 'wasm' or 'cpu'. */
  backend: string;
}

let cached: Promise<TensorFlowRuntime> | undefined;

/**
 * Picks the fastest TensorFlow.js backend that loads here: the native binding
 * (@tensorflow/tfjs-node, an optional dependency that cannot install without internet),
 * else WebAssembly with SIMD (wasm files resolved from the installed package, no network),
 * else the pure-JS cpu backend. `preferred` ('node' | 'wasm' | 'cpu'; the config's
 * `operations.tfBackend`, env REELRANK_TF_BACKEND) forces one. The first call decides for the process.
 */
export function initTensorFlow(preferred?: string | null): Promise<TensorFlowRuntime> {
  cached ??= pickBackend(preferred ?? undefined);
  return cached;
}

async function pickBackend(preferred: string | undefined): Promise<TensorFlowRuntime> {
  if (!preferred || preferred === 'node') {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const tf = require('@tensorflow/tfjs-node') as Tf;
      return { tf, backend: tf.getBackend() };
    } catch (error) {
      if (preferred === 'node') throw new Error(`REELRANK_TF_BACKEND=node but @tensorflow/tfjs-node does not load: ${(error as Error).message}`);
    }
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const tf = require('@tensorflow/tfjs') as Tf;
  if (!preferred || preferred === 'wasm') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
    const distDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
    wasm.setWasmPaths(`${join(distDir)}/`);
    try {
      if (await tf.setBackend('wasm')) {
        await tf.ready();
        return { tf, backend: 'wasm' };
      }
    } catch (error) {
      if (preferred === 'wasm') throw error;
    }
  }
  await tf.setBackend('cpu');
  await tf.ready();
  return { tf, backend: 'cpu' };
}
