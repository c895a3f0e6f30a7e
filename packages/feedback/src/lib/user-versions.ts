import { watchWalChanges } from './wal-changes.js';

/** Users whose versions are kept at once (about 3 MB); beyond, the cache starts afresh. */
const MAX_CACHED_VERSIONS = 100_000;

/**
 * Each user's version (the newest id of their rows in one table of the SQLite ratings file), kept in
 * memory while no connection, of this process or another, has committed to the file since: a request
 * then pays a 48-byte read of the file's WAL header instead of a query. ':memory:' asks every time.
 */
export interface UserVersions {
  now(userId: number): number;
  close(): void;
}

export function userVersions(path: string, newestOfUser: (userId: number) => number): UserVersions {
  if (path === ':memory:') return { now: newestOfUser, close: () => undefined };
  const changes = watchWalChanges(path);
  const versions = new Map<number, number>();
  return {
    now(userId) {
      if (changes.changed() || versions.size >= MAX_CACHED_VERSIONS) versions.clear();
      let version = versions.get(userId);
      if (version === undefined) versions.set(userId, (version = newestOfUser(userId)));
      return version;
    },
    close: () => changes.close(),
  };
}
