import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

/** The backend preference (initTensorFlow's argument) that picks the backend named `backend` again (a worker thread's TF.js). */
export const TF_BACKEND_PREFERENCE: Readonly<Record<string, string>> = { tensorflow: 'node', wasm: 'wasm', cpu: 'cpu' };

/**
 * A worker thread running `script` (a CommonJS file beside this one that registers tsx and calls initTensorFlow
 * with `workerData.preference`) on the TF.js backend `backend` of the calling thread; its workerData is `data`
 * plus `backend` and `preference`. Throws on a backend no worker can pick again. `close` terminates it, once.
 */
export function startTfWorker(script: string, backend: string, data: Record<string, unknown>): { worker: Worker; close: () => Promise<void> } {
  const preference = TF_BACKEND_PREFERENCE[backend];
  if (!preference) throw new Error(`${script}: unknown TF.js backend ${backend}`);
  const worker = new Worker(join(__dirname, script), { workerData: { ...data, backend, preference } });
  let exited: Promise<void> | null = null;
  return { worker, close: () => (exited ??= worker.terminate().then(() => undefined)) };
}

/**
 * The first message of `worker` that `pick` accepts (undefined: not yet), or its error, or an error naming `what`
 * when it exits without one.
 */
export function workerResult<T>(worker: Worker, what: string, pick: (message: unknown) => T | undefined): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    worker.on('message', (message: unknown) => {
      const result = pick(message);
      if (result !== undefined) resolve(result);
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`${what}: the worker exited (${code}) without a result`)));
  });
}
