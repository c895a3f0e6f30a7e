import cluster from 'node:cluster';

/**
 * What a cluster worker (src/main.ts run by src/cluster.ts) tells the primary over the IPC channel.
 * Outside cluster mode tellPrimary does nothing.
 */
export type WorkerMessage =
  /** The model is loaded and the worker accepts requests. */
  | { type: 'reelrank:ready'; url: string; version: string; rssBytes: number }
  /** Answer to a SIGHUP from the primary (one step of a rolling reload). */
  | { type: 'reelrank:reloaded'; ok: boolean; version: string | null; error?: string }
  /** POST /admin/reload swapped in a new model on this worker: the primary reloads the others. */
  | { type: 'reelrank:admin-reloaded'; version: string };

export function tellPrimary(message: WorkerMessage): void {
  if (cluster.isWorker && process.send && process.connected) process.send(message);
}

export function isWorkerMessage(value: unknown): value is WorkerMessage {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string' && (value as { type: string }).type.startsWith('reelrank:');
}
