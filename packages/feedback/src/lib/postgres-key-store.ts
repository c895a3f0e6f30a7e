import { migratedPool } from './postgres-pool.js';
import { redactDatabaseUrl } from '@reelrank/config';
import { checkNewKey, hashApiKey, newApiKey, nowSeconds, type ApiKey, type KeyRole, type KeyStore } from './api-keys.js';
import { keyVerifier, type KeyVerifierOptions } from './key-cache.js';

const COLUMNS = 'id, name, role, created_at AS "createdAt", last_used_at AS "lastUsedAt", revoked_at AS "revokedAt"';

export interface PostgresKeyStoreOptions extends KeyVerifierOptions {
  /** How long to wait for a connection, in ms (default 5,000). */
  connectTimeoutMs?: number;
  /** How long one query may take, in ms (default 10,000; 0: no limit). */
  queryTimeoutMs?: number;
}

/**
 * The API keys in PostgreSQL (table api_keys, schema-postgres.ts, migrated with the posted ratings):
 * every replica on the same server sees the same keys. A small pool of its own (lookups are cached
 * for KEY_CACHE_MS, so they are rare), connected and migrated on first use.
 */
export function openPostgresKeyStore(url: string, options: PostgresKeyStoreOptions = {}): KeyStore & { readonly location: string } {
  const { pool, query } = migratedPool(url, { max: 2, connectTimeoutMs: options.connectTimeoutMs, queryTimeoutMs: options.queryTimeoutMs });
  let closed: Promise<void> | undefined;

  return {
    location: redactDatabaseUrl(url),
    async create(name: string, role: KeyRole) {
      checkNewKey(name, role);
      const key = newApiKey();
      const [apiKey] = await query<ApiKey>(`INSERT INTO api_keys (name, role, key_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING ${COLUMNS}`, [
        name,
        role,
        hashApiKey(key),
        nowSeconds(),
      ]);
      return { key, apiKey };
    },
    list: () => query<ApiKey>(`SELECT ${COLUMNS} FROM api_keys ORDER BY id`),
    async revoke(id: number) {
      return (await query('UPDATE api_keys SET revoked_at = coalesce(revoked_at, $1) WHERE id = $2 RETURNING id', [nowSeconds(), id])).length > 0;
    },
    verify: keyVerifier(
      async (hash) => (await query<ApiKey>(`SELECT ${COLUMNS} FROM api_keys WHERE key_hash = $1`, [hash]))[0],
      (id, at) => query('UPDATE api_keys SET last_used_at = $1 WHERE id = $2', [at, id]),
      options,
    ),
    close() {
      closed ??= pool.end();
      return closed;
    },
  };
}
