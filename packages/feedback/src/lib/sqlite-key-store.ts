import { checkNewKey, hashApiKey, newApiKey, nowSeconds, type ApiKey, type KeyRole, type KeyStore } from './api-keys.js';
import { keyVerifier, type KeyVerifierOptions } from './key-cache.js';
import { openMigratedRatingsFile } from './sqlite-migrations.js';

const COLUMNS = 'id, name, role, created_at AS createdAt, last_used_at AS lastUsedAt, revoked_at AS revokedAt';

/**
 * The API keys in the SQLite ratings file (table api_keys, schema-sqlite.ts), on a connection of its
 * own in the caller's thread: lookups are one indexed read, and writes (a new key, a revocation, a
 * last-used time at most once a minute per key) are rare enough not to need the writer thread.
 */
export function openSqliteKeyStore(path: string, options: KeyVerifierOptions & { busyTimeoutMs?: number } = {}): KeyStore {
  const busyTimeoutMs = options.busyTimeoutMs ?? 5_000;
  const db = openMigratedRatingsFile(path, busyTimeoutMs);
  const insert = db.prepare('INSERT INTO api_keys (name, role, key_hash, created_at) VALUES (?, ?, ?, ?) RETURNING ' + COLUMNS);
  const all = db.prepare(`SELECT ${COLUMNS} FROM api_keys ORDER BY id`);
  const byHash = db.prepare(`SELECT ${COLUMNS} FROM api_keys WHERE key_hash = ?`);
  const revoke = db.prepare('UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?');
  const touch = db.prepare('UPDATE api_keys SET last_used_at = ? WHERE id = ?');

  return {
    async create(name: string, role: KeyRole) {
      checkNewKey(name, role);
      const key = newApiKey();
      const apiKey = insert.get(name, role, hashApiKey(key), nowSeconds()) as ApiKey;
      return { key, apiKey };
    },
    async list() {
      return all.all() as ApiKey[];
    },
    async revoke(id: number) {
      return revoke.run(nowSeconds(), id).changes > 0;
    },
    verify: keyVerifier(
      (hash) => byHash.get(hash) as ApiKey | undefined,
      (id, at) => {
        // A last-used time is not worth waiting for: it gives up at once while a writer holds the lock (and is tried again later).
        db.pragma('busy_timeout = 0');
        try {
          touch.run(at, id);
        } finally {
          db.pragma(`busy_timeout = ${busyTimeoutMs}`);
        }
      },
      options,
    ),
    async close() {
      db.close();
    },
  };
}
