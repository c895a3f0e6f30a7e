import { createHash, randomBytes } from 'node:crypto';

/** What a key may do (the API's table of who may do what): read, write any user's ratings, or everything. */
export const KEY_ROLES = ['reader', 'service', 'admin'] as const;
export type KeyRole = (typeof KEY_ROLES)[number];

/** One stored key, as listed: never the key itself. Times are Unix seconds. */
export interface ApiKey {
  id: number;
  name: string;
  role: KeyRole;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

/**
 * API keys kept in the store that holds the posted ratings (so every replica sharing that store sees
 * the same keys). `verify` answers from a short-lived cache (key-cache.ts): a key created or revoked
 * by any process holds everywhere within `KEY_CACHE_MS`.
 */
export interface KeyStore {
  /** Stores a new key's hash and returns the key: the only time it exists outside the caller. */
  create(name: string, role: KeyRole): Promise<{ key: string; apiKey: ApiKey }>;
  /** Every key, revoked ones included, by id. */
  list(): Promise<ApiKey[]>;
  /** Revokes a key: false when no key has this id (revoking a revoked key keeps its first time and returns true). */
  revoke(id: number): Promise<boolean>;
  /** The live key `key` is, or undefined (unknown or revoked). Marks it used at most once a minute. */
  verify(key: string): Promise<ApiKey | undefined>;
  close(): Promise<void>;
}

/** How long a verified (or refused) key is believed without asking the store again. */
export const KEY_CACHE_MS = 500;
/** A key's last_used_at is written at most this often (not once per request). */
export const KEY_TOUCH_MS = 60_000;

const KEY_PREFIX = 'rr_';

/** A new key: `rr_` + 32 random bytes in base64url (256 bits). */
export function newApiKey(): string {
  return KEY_PREFIX + randomBytes(32).toString('base64url');
}

/** The stored form of a key: hex SHA-256 (a key has 256 random bits, so a plain hash is enough). */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function isKeyRole(value: string): value is KeyRole {
  return (KEY_ROLES as readonly string[]).includes(value);
}

/** Throws on a role that is not a key's or a name that cannot be listed (the stores' CHECK is the second guard). */
export function checkNewKey(name: string, role: string): void {
  if (!isKeyRole(role)) throw new Error(`a key's role is one of ${KEY_ROLES.join(', ')}, not "${role}"`);
  if (!/^[\w.@:-]{1,64}$/.test(name)) throw new Error(`a key's name is 1 to 64 letters, digits or . _ - @ :, not "${name}"`);
}

/** Unix seconds now. */
export const nowSeconds = (): number => Math.floor(Date.now() / 1000);
