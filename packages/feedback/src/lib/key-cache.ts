import { hashApiKey, KEY_CACHE_MS, KEY_TOUCH_MS, type ApiKey } from './api-keys.js';

interface Entry {
  key: ApiKey | undefined;
  until: number;
}

export interface KeyVerifierOptions {
  /** How long an answer of the store is believed (default KEY_CACHE_MS). */
  cacheMs?: number;
  /** How often one key's last_used_at may be written (default KEY_TOUCH_MS). */
  touchMs?: number;
  /** Most hashes remembered at once (default 10,000): the oldest go first. */
  maxEntries?: number;
  now?: () => number;
}

/**
 * `verify` for a KeyStore: looks a key's hash up in the store at most once per `cacheMs` (so a
 * revocation on another replica holds here within that), and writes last_used_at at most once per
 * `touchMs` per key, without waiting for it (a failed touch is retried on a later request).
 */
export function keyVerifier(
  lookup: (hash: string) => ApiKey | undefined | Promise<ApiKey | undefined>,
  touch: (id: number, at: number) => unknown,
  options: KeyVerifierOptions = {},
): (key: string) => Promise<ApiKey | undefined> {
  const cacheMs = options.cacheMs ?? KEY_CACHE_MS;
  const touchMs = options.touchMs ?? KEY_TOUCH_MS;
  const maxEntries = options.maxEntries ?? 10_000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, Entry>();
  const touched = new Map<number, number>();

  const markUsed = (key: ApiKey, t: number) => {
    if (t - (touched.get(key.id) ?? -Infinity) < touchMs) return;
    touched.set(key.id, t);
    Promise.resolve()
      .then(() => touch(key.id, Math.floor(t / 1000)))
      .catch(() => touched.delete(key.id));
  };

  return async (given) => {
    const hash = hashApiKey(given);
    const t = now();
    let entry = cache.get(hash);
    if (!entry || entry.until <= t) {
      const key = await lookup(hash);
      const found = key && key.revokedAt === null ? key : undefined;
      cache.delete(hash);
      if (cache.size >= maxEntries) cache.delete(cache.keys().next().value!);
      entry = { key: found, until: t + cacheMs };
      cache.set(hash, entry);
    }
    if (entry.key) markUsed(entry.key, t);
    return entry.key;
  };
}
