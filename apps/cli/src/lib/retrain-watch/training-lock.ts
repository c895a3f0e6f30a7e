import type { AppConfig } from '@reelrank/config';
import { tryPostgresTrainingLock, type HeldTrainingLock } from '@reelrank/feedback';
import { tryFileLock } from './file-lock.js';

/**
 * The lock that lets one process train at a time: with DATABASE_URL (replicas on several machines
 * share the server) a PostgreSQL advisory lock; on SQLite a lock file beside the model registry.
 */

export interface HeldLock extends HeldTrainingLock {
  /** Records the process the training runs in (the lock file keeps it, so a dead watcher's stages still hold it). */
  recordChild?(pid: number | null): void;
}

export type LockAttempt = { held: HeldLock } | { heldBy: string };

export interface TrainingLock {
  /** Where the lock lives, for logs. */
  readonly where: string;
  tryAcquire(): Promise<LockAttempt>;
}

export function trainingLockOf(config: Pick<AppConfig, 'storage' | 'paths' | 'dataset'>, onLost?: (error: Error) => void): TrainingLock {
  const url = config.storage.databaseUrl;
  if (url) {
    const name = `reelrank:retrain:${config.dataset.dataset}`;
    return {
      where: 'PostgreSQL advisory lock',
      async tryAcquire() {
        const held = await tryPostgresTrainingLock(url, name, { connectTimeoutMs: config.storage.databaseConnectTimeoutMs, onLost });
        return held ? { held } : { heldBy: 'another session holds the PostgreSQL advisory lock' };
      },
    };
  }
  const path = config.paths.retrainLockPath;
  return {
    where: `lock file ${path}`,
    async tryAcquire() {
      const attempt = tryFileLock(path);
      if ('held' in attempt) return attempt;
      const holder = attempt.heldBy;
      return {
        heldBy: holder
          ? `pid ${holder.pid} on ${holder.host} holds ${path} since ${new Date(holder.lockedAt).toISOString()}`
          : `${path} is held (being written, or unreadable)`,
      };
    },
  };
}
