import { SignalsQuotaError, type SignalsStore, type StoredSignal } from '../lib/taste-signals.js';

/** A fresh, empty backing of a SignalsStore: `open` may be called more than once (a restart, another process). */
export interface SignalsBacking {
  open: (options: { now?: () => number }) => SignalsStore;
  dispose: () => Promise<void>;
}

const collect = async (source: AsyncIterable<StoredSignal>) => {
  const out: StoredSignal[] = [];
  for await (const s of source) out.push(s);
  return out;
};

/** The SignalsStore semantics every implementation keeps (taste-signals.ts), run by the SQLite spec and tests/postgres. */
export function signalsStoreContract(name: string, fresh: () => Promise<SignalsBacking>): void {
  describe(`SignalsStore contract: ${name}`, () => {
    let backing: SignalsBacking;
    const opened: SignalsStore[] = [];
    const open = () => {
      const store = backing.open({ now: () => 1_800_000_000 });
      opened.push(store);
      return store;
    };

    beforeEach(async () => {
      backing = await fresh();
    });
    afterEach(async () => {
      for (const s of opened.splice(0)) await s.close();
      await backing.dispose();
    });

    it('stores a signal with its source and time, lists it, and a second store on the same backing sees it', async () => {
      const a = open();
      const stored = await a.put({ userId: 7, movieId: 260, kind: 'seen' }, { subject: 'visitor:abc', address: '127.0.0.1' });
      expect(stored).toMatchObject({ userId: 7, movieId: 260, kind: 'seen', createdAt: 1_800_000_000, source: 'visitor:abc' });
      expect(stored.id).toBeGreaterThan(0);
      const b = open();
      expect((await b.forUser(7)).map((s) => [s.movieId, s.kind])).toEqual([[260, 'seen']]);
      expect(await b.forUser(8)).toEqual([]);
    });

    it('keeps one signal per (user, movie, kind): a repeat replaces it under a larger id; other kinds of the movie stay', async () => {
      const s = open();
      const first = await s.put({ userId: 1, movieId: 5, kind: 'watchlist' });
      await s.put({ userId: 1, movieId: 5, kind: 'not_interested' });
      const again = await s.put({ userId: 1, movieId: 5, kind: 'watchlist' });
      expect(again.id).toBeGreaterThan(first.id);
      expect((await s.forUser(1)).map((x) => x.kind).sort()).toEqual(['not_interested', 'watchlist']);
      expect(await s.version()).toEqual({ count: 2, newestId: again.id });
    });

    it("moves the user's version on every change, a forget of an older signal included, and 0 once none is left", async () => {
      const s = open();
      expect(await s.userVersion(3)).toBe(0);
      await s.put({ userId: 3, movieId: 1, kind: 'seen' });
      const v1 = await s.userVersion(3);
      await s.put({ userId: 3, movieId: 2, kind: 'seen' });
      const v2 = await s.userVersion(3);
      expect(v2).toBeGreaterThan(v1);
      expect(await s.forget(3, 1, 'seen')).toBe(true); // not the newest one
      const v3 = await s.userVersion(3);
      expect(v3).toBeGreaterThan(v2);
      expect(await s.forget(3, 1, 'seen')).toBe(false);
      expect(await s.userVersion(3)).toBe(v3);
      expect(await s.forget(3, 2, 'watchlist')).toBe(false); // another kind of the movie
      expect(await s.forget(3, 2, 'seen')).toBe(true);
      expect(await s.userVersion(3)).toBe(0);
      if (s.userVersionNow) expect(s.userVersionNow(3)).toBe(0);
    });

    it('refuses a signal beyond maxPerUser whole (a repeat of a held one still passes), for that user only', async () => {
      const s = open();
      await s.put({ userId: 9, movieId: 1, kind: 'seen' }, undefined, { maxPerUser: 2 });
      await s.put({ userId: 9, movieId: 2, kind: 'seen' }, undefined, { maxPerUser: 2 });
      await expect(s.put({ userId: 9, movieId: 3, kind: 'seen' }, undefined, { maxPerUser: 2 })).rejects.toBeInstanceOf(SignalsQuotaError);
      await s.put({ userId: 9, movieId: 2, kind: 'seen' }, undefined, { maxPerUser: 2 });
      await s.put({ userId: 10, movieId: 3, kind: 'seen' }, undefined, { maxPerUser: 2 });
      expect((await s.forUser(9)).map((x) => x.movieId).sort()).toEqual([1, 2]);
    });

    it('refuses invalid input before writing anything', async () => {
      const s = open();
      await expect(s.put({ userId: 0, movieId: 1, kind: 'seen' })).rejects.toThrow(/userId/);
      await expect(s.put({ userId: 1, movieId: 1, kind: 'liked' as never })).rejects.toThrow(/kind must be one of/);
      expect(await s.version()).toEqual({ count: 0, newestId: 0 });
    });

    it('all() reads every signal by (user, movie, kind), and the writes survive a reopen', async () => {
      const s = open();
      await s.put({ userId: 2, movieId: 9, kind: 'watchlist' });
      await s.put({ userId: 1, movieId: 9, kind: 'seen' });
      await s.put({ userId: 1, movieId: 4, kind: 'not_interested' });
      await s.close();
      const reopened = open();
      expect((await collect(reopened.all())).map((x) => `${x.userId}:${x.movieId}:${x.kind}`)).toEqual([
        '1:4:not_interested',
        '1:9:seen',
        '2:9:watchlist',
      ]);
    });
  });
}
