import { createHash } from 'node:crypto';
import pg from 'pg';

/**
 * The training lock of replicas that share one PostgreSQL server: a session-level advisory lock
 * (pg_try_advisory_lock) on a connection of its own, kept open for as long as the lock is held. The
 * server releases it when that session ends, so a holder that dies (killed, its machine gone) frees
 * it by itself once its connection drops. Two int keys: a constant and the data set's hash, a key
 * space apart from the single bigint keys the ratings store's writers take.
 */

const TRAINING_LOCK_CLASS = 0x72657472; // 'retr'

export interface HeldTrainingLock {
  /** Where the lock lives, for logs. */
  readonly describe: string;
  release(): Promise<void>;
}

/** The second key: the first four bytes of the name's sha256, as a signed int. */
export const trainingLockKey = (name: string): number => createHash('sha256').update(name).digest().readInt32BE(0);

/**
 * Takes the lock named `name` when no other session holds it, else resolves with null at once.
 * `onLost` hears a connection error while held (the server may have released the lock by then).
 */
export async function tryPostgresTrainingLock(
  url: string,
  name: string,
  options: { connectTimeoutMs?: number; onLost?: (error: Error) => void } = {},
): Promise<HeldTrainingLock | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000, keepAlive: true });
  client.on('error', (error) => options.onLost?.(error));
  await client.connect();
  const key = trainingLockKey(name);
  try {
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS locked', [TRAINING_LOCK_CLASS, key]);
    if (!rows[0].locked) {
      await client.end();
      return null;
    }
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
  let released = false;
  return {
    describe: `PostgreSQL advisory lock (${TRAINING_LOCK_CLASS}, ${key})`,
    async release() {
      if (released) return;
      released = true;
      try {
        await client.query('SELECT pg_advisory_unlock($1, $2)', [TRAINING_LOCK_CLASS, key]);
      } finally {
        await client.end().catch(() => undefined);
      }
    },
  };
}
