import { EXCLUDING_KINDS, type SignalsStore } from '@reelrank/feedback';

/**
 * The movies each user's taste signals keep out of their recommendations, read per request: the
 * store's version of the user (its newest signal id; 0: none) decides whether the list cached for the
 * user still holds, so a signal written by any process counts from the next request on. The SQLite
 * store answers the version without waiting (from memory while its file saw no commit), the PostgreSQL
 * store from memory kept current by the writes' notifications. While the store fails, the last list
 * read is used (none for a user never read).
 */
export interface UserTaste {
  /** Changes with every change of the user's signals (an answer cache keys on it). */
  version: number;
  /** Movie ids never to recommend to the user. */
  excluded: number[];
}

export class UserSignals {
  private readonly cache = new Map<number, UserTaste>();

  constructor(
    readonly store: SignalsStore,
    private readonly maxUsers = 10_000,
  ) {}

  /** The user's taste without waiting when the store can tell at once (undefined: no signals), else a promise of it. */
  of(userId: number): UserTaste | undefined | Promise<UserTaste | undefined> {
    const versionNow = this.store.userVersionNow;
    if (versionNow) {
      let version: number;
      try {
        version = versionNow.call(this.store, userId);
      } catch {
        return this.cache.get(userId);
      }
      if (version === 0) return undefined;
      const hit = this.cache.get(userId);
      if (hit?.version === version) return hit;
    }
    return this.read(userId);
  }

  private async read(userId: number): Promise<UserTaste | undefined> {
    try {
      const version = await this.store.userVersion(userId);
      if (version === 0) return undefined;
      const hit = this.cache.get(userId);
      if (hit?.version === version) return hit;
      const signals = await this.store.forUser(userId);
      // Keyed by what was read: a write between the two reads gives a newer version and a new read.
      const taste = {
        version: signals.reduce((newest, s) => Math.max(newest, s.id), 0),
        excluded: [...new Set(signals.filter((s) => EXCLUDING_KINDS.includes(s.kind)).map((s) => s.movieId))],
      };
      this.cache.delete(userId);
      this.cache.set(userId, taste);
      if (this.cache.size > this.maxUsers) this.cache.delete(this.cache.keys().next().value as number);
      return taste.excluded.length ? taste : undefined;
    } catch {
      return this.cache.get(userId);
    }
  }
}
