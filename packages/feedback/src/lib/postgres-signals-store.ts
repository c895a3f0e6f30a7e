import { migratedPool } from './postgres-pool.js';
import pg from 'pg';
import { watchUserVersions } from './postgres-user-versions.js';
import type { RatingSource } from './ratings-store.js';
import { signalToWrite, SignalsQuotaError, type SignalKind, type SignalsStore, type StoredSignal } from './taste-signals.js';

/**
 * The taste signals on PostgreSQL (table posted_signals, migrated with the posted ratings). Each write
 * is one transaction committed with `synchronous_commit = on` (durable before it resolves) under a
 * transaction-level advisory lock of its user, so one user's writes are serialised (the per-user bound
 * holds, and their ids grow in commit order: the user's newest id is their version). Each write
 * NOTIFYs SIGNALS_CHANNEL with its user, and every process keeps the versions it read until told
 * (postgres-user-versions.ts), so a recommendation does not wait for the server.
 */
export const SIGNALS_CHANNEL = 'reelrank_posted_signals';
/** The first key of the users' advisory locks (the second is the user id). */
const USER_LOCK = 0x74617374; // 'tast'
const COLUMNS = 'id, user_id AS "userId", movie_id AS "movieId", kind, created_at AS "createdAt", source, source_address AS "sourceAddress"';

export function openPostgresSignalsStore(
  url: string,
  options: { connectTimeoutMs?: number; queryTimeoutMs?: number; now?: () => number } = {},
): SignalsStore {
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  const { pool, ready, query } = migratedPool(url, {
    max: 4,
    connectTimeoutMs: options.connectTimeoutMs,
    queryTimeoutMs: options.queryTimeoutMs,
    durable: true,
  });
  const versions = watchUserVersions(url, { connectTimeoutMs: options.connectTimeoutMs, channel: SIGNALS_CHANNEL });

  /** One transaction under the user's lock, NOTIFYing the user at commit; rolled back on any failure. */
  const write = async <T>(userId: number, body: (client: pg.PoolClient) => Promise<T>): Promise<T> => {
    await ready();
    const client = await pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1, $2)', [USER_LOCK, userId]);
      const value = await body(client);
      await client.query(`SELECT pg_notify('${SIGNALS_CHANNEL}', $1)`, [String(userId)]);
      await client.query('COMMIT');
      versions.invalidate([userId]);
      return value;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => (broken = true));
      throw error;
    } finally {
      client.release(broken);
    }
  };
  let closed: Promise<void> | undefined;

  return {
    async put(signal, source?: RatingSource, putOptions = {}) {
      const row = signalToWrite(signal, now(), source, putOptions.maxPerUser);
      return write(row.userId, async (client) => {
        const { rows } = await client.query<StoredSignal>(
          `INSERT INTO posted_signals (id, user_id, movie_id, kind, created_at, source, source_address)
           VALUES (nextval('posted_signals_id_seq'), $1, $2, $3, $4, $5, $6)
           ON CONFLICT (user_id, movie_id, kind) DO UPDATE SET id = EXCLUDED.id, created_at = EXCLUDED.created_at,
             source = EXCLUDED.source, source_address = EXCLUDED.source_address
           RETURNING ${COLUMNS}`,
          [row.userId, row.movieId, row.kind, row.createdAt, row.source, row.sourceAddress],
        );
        if (putOptions.maxPerUser !== undefined) {
          const held = (await client.query<{ n: number }>('SELECT count(*)::int AS n FROM posted_signals WHERE user_id = $1', [row.userId])).rows[0]
            .n;
          if (held > putOptions.maxPerUser) throw new SignalsQuotaError(row.userId, putOptions.maxPerUser);
        }
        return rows[0];
      });
    },
    async forget(userId: number, movieId: number, kind: SignalKind) {
      return write(userId, async (client) => {
        const gone = (await client.query('DELETE FROM posted_signals WHERE user_id = $1 AND movie_id = $2 AND kind = $3', [userId, movieId, kind]))
          .rowCount;
        // The newest remaining signal under a new id: the user's version moves whichever one went.
        if (gone)
          await client.query(
            `UPDATE posted_signals SET id = nextval('posted_signals_id_seq')
             WHERE id = (SELECT max(id) FROM posted_signals WHERE user_id = $1)`,
            [userId],
          );
        return (gone ?? 0) > 0;
      });
    },
    forUser: (userId) => query<StoredSignal>(`SELECT ${COLUMNS} FROM posted_signals WHERE user_id = $1 ORDER BY id`, [userId]),
    userVersion: (userId) =>
      versions.get(
        userId,
        async () => (await query<{ v: number }>('SELECT coalesce(max(id), 0) AS v FROM posted_signals WHERE user_id = $1', [userId]))[0].v,
      ),
    async version() {
      return (await query<{ count: number; newestId: number }>(SIGNALS_VERSION_SQL))[0];
    },
    async *all() {
      yield* await query<StoredSignal>(`SELECT ${COLUMNS} FROM posted_signals ORDER BY user_id, movie_id, kind`);
    },
    close() {
      closed ??= Promise.all([pool.end(), versions.close()]).then(() => undefined);
      return closed;
    },
  };
}

/** The signals' version (count and newest id), for the store and the train stage's Nx input (tools/fingerprint-ratings.mjs). */
export const SIGNALS_VERSION_SQL = 'SELECT count(*)::int AS count, coalesce(max(id), 0) AS "newestId" FROM posted_signals';
