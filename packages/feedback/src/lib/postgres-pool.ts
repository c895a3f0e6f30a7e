import pg from 'pg';
import { migratePostgres } from './postgres-schema.js';

export interface MigratedPoolOptions {
  /** Connections of the pool. */
  max: number;
  connectTimeoutMs?: number;
  /** 0: no timeout (default 10 s). */
  queryTimeoutMs?: number;
  /** Sessions commit synchronously whatever the server's default (the stores whose writes must survive a crash). */
  durable?: boolean;
}

/**
 * A pool of a store's own on the feedback tables, migrated once on first use (a failed migration is
 * tried again by the next query). bigint columns come back as numbers: ids, user and movie ids, counts
 * and timestamps all fit a double.
 */
export function migratedPool(url: string, options: MigratedPoolOptions) {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    ...(options.queryTimeoutMs !== 0 && { query_timeout: options.queryTimeoutMs ?? 10_000 }),
    ...(options.durable && { options: '-c synchronous_commit=on' }),
    types: { getTypeParser: (oid: number, format?: string) => (oid === 20 ? Number : pg.types.getTypeParser(oid, format as 'text')) },
  });
  // An idle connection dropped by the server must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  let migrated: Promise<void> | undefined;
  const ready = (): Promise<void> =>
    (migrated ??= migratePostgres(pool).catch((error: unknown) => {
      migrated = undefined;
      throw error;
    }));
  const query = async <R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> => {
    await ready();
    return (await pool.query<R>(text, values)).rows;
  };
  return { pool, ready, query };
}
