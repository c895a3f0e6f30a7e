import pg from 'pg';

/**
 * Per-user versions of the PostgreSQL store kept in the process, so `/recommendations` answers from
 * memory instead of asking the server on every request (its p99 must not depend on the store).
 *
 * Every write transaction NOTIFYs this channel with the users it changed (delivered at its commit,
 * to every process); each process LISTENs on a connection of its own and drops those users' cached
 * versions. A version is cached only while the listener is connected, and only if no invalidation of
 * that user arrived while it was being read (so a read racing a write can never pin the older version).
 * When the listener's connection is lost, everything cached is dropped and every request asks the
 * server again, as before, until a new listener is up (retried every `retryMs`); notifications missed
 * in between are covered by dropping everything once more when it is.
 */
export const CHANGED_USERS_CHANNEL = 'reelrank_posted_ratings';

/** NOTIFY payloads are limited to 8,000 bytes: beyond this, '*' (every user) instead of the list. */
const MAX_PAYLOAD = 7_000;

/** The NOTIFY payload naming the users a write changed: comma-separated ids, or '*' when too many. */
export function changedUsersPayload(userIds: Iterable<number>): string {
  const joined = [...new Set(userIds)].join(',');
  return joined.length <= MAX_PAYLOAD ? joined : '*';
}

export interface UserVersionCacheStats {
  /** Whether the listener is connected (versions are cached only then). */
  listening: boolean;
  /** Answers from memory, and reads that went to the server. */
  hits: number;
  reads: number;
}

export interface UserVersions {
  /** The user's version: cached, else `read()` (cached when safe). */
  get(userId: number, read: () => Promise<number>): Promise<number>;
  /** Drops cached versions: of these users (a payload or ids), or of everyone ('*'). */
  invalidate(users: string | Iterable<number>): void;
  stats(): UserVersionCacheStats;
  close(): Promise<void>;
}

export interface UserVersionsOptions {
  /** Wait before reconnecting a lost listener, in ms (default 1,000). */
  retryMs?: number;
  /** Users kept (default 100,000; the oldest entries go first). */
  maxUsers?: number;
  /** How long to wait for the listener's connection, in ms (default 5,000). */
  connectTimeoutMs?: number;
  /** The channel the writes NOTIFY (default CHANGED_USERS_CHANNEL, the posted ratings'). */
  channel?: string;
}

export function watchUserVersions(url: string, options: UserVersionsOptions = {}): UserVersions {
  const retryMs = options.retryMs ?? 1_000;
  const maxUsers = options.maxUsers ?? 100_000;
  const versions = new Map<number, number>();
  // Invalidation stamps: a read started at stamp s may be cached only if nothing it covers was invalidated after s.
  let stamp = 0;
  let everyoneAt = 0;
  const userAt = new Map<number, number>();
  let listening = false;
  let started = false;
  let closed = false;
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  let hits = 0;
  let reads = 0;

  const invalidate = (users: string | Iterable<number>) => {
    stamp += 1;
    const ids = typeof users === 'string' ? (users === '*' ? '*' : users.split(',').filter(Boolean).map(Number)) : users;
    if (ids === '*' || userAt.size > 2 * maxUsers) {
      versions.clear();
      userAt.clear();
      everyoneAt = stamp;
      return;
    }
    for (const id of ids) {
      versions.delete(id);
      userAt.set(id, stamp);
    }
  };

  const lost = (lostClient: pg.Client) => {
    if (client !== lostClient) return; // an older client's late event
    client = undefined;
    listening = false;
    invalidate('*');
    lostClient.end().catch(() => undefined);
    if (!closed) {
      retry = setTimeout(() => void listen(), retryMs);
      retry.unref();
    }
  };

  const listen = async () => {
    if (closed) return;
    const next = new pg.Client({ connectionString: url, connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000, keepAlive: true });
    client = next;
    next.on('notification', (message) => invalidate(message.payload ?? '*'));
    next.on('error', () => lost(next));
    next.on('end', () => lost(next));
    try {
      await next.connect();
      await next.query(`LISTEN ${options.channel ?? CHANGED_USERS_CHANNEL}`);
      if (client !== next || closed) return;
      invalidate('*'); // whatever was written before the LISTEN took effect
      listening = true;
    } catch {
      lost(next);
    }
  };

  return {
    async get(userId, read) {
      if (!started) {
        started = true;
        void listen();
      }
      const cached = listening ? versions.get(userId) : undefined;
      if (cached !== undefined) {
        hits += 1;
        return cached;
      }
      reads += 1;
      const since = stamp;
      const wasListening = listening;
      const version = await read();
      if (wasListening && listening && everyoneAt <= since && (userAt.get(userId) ?? 0) <= since) {
        if (versions.size >= maxUsers) versions.delete(versions.keys().next().value as number);
        versions.set(userId, version);
      }
      return version;
    },
    invalidate,
    stats: () => ({ listening, hits, reads }),
    async close() {
      closed = true;
      listening = false;
      if (retry) clearTimeout(retry);
      const last = client;
      client = undefined;
      await last?.end().catch(() => undefined);
    },
  };
}
