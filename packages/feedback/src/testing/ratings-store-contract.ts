import { InvalidRatingError, RatingsQuotaError, type RatingSource, type RatingsStore, type StoredRating } from '../lib/ratings-store.js';

/** What a rating written without a source, at the contract's clock, carries. */
const UNTAGGED = { source: 'unknown', sourceAddress: 'unknown', postedAt: 1_700_000_000 };

/** What the contract may pass when it opens a store (every implementation accepts these). */
export interface ContractStoreOptions {
  now: () => number;
  pageSize?: number;
}

/** One empty place to keep ratings (a temp file, a fresh database): stores opened on it share it. */
export interface StoreBacking {
  open(options: ContractStoreOptions): RatingsStore;
  dispose(): Promise<void>;
}

/**
 * The RatingsStore semantics (ratings-store.ts) as one jest suite, run against every implementation:
 * `fresh` gives each test an empty backing. SQLite runs it in `npm test`, PostgreSQL in
 * `npm run test:postgres`.
 */
export function ratingsStoreContract(name: string, fresh: () => Promise<StoreBacking>): void {
  describe(`RatingsStore contract: ${name}`, () => {
    let backing: StoreBacking;
    const opened: RatingsStore[] = [];
    const store = (options: Partial<ContractStoreOptions> = {}) => {
      const s = backing.open({ now: () => 1_700_000_000, ...options });
      opened.push(s);
      return s;
    };

    beforeEach(async () => {
      backing = await fresh();
    });
    afterEach(async () => {
      for (const s of opened.splice(0)) await s.close();
      await backing.dispose();
    });

    it('stores a batch, fills in missing timestamps and lists a user by movie id', async () => {
      const s = store();
      const stored = await s.put([
        { userId: 7, movieId: 50, rating: 4.5 },
        { userId: 7, movieId: 2, rating: 1, timestamp: 1_000 },
        { userId: 8, movieId: 2, rating: 3 },
      ]);
      expect(stored.map((r) => [r.userId, r.movieId, r.rating, r.timestamp])).toEqual([
        [7, 50, 4.5, 1_700_000_000],
        [7, 2, 1, 1_000],
        [8, 2, 3, 1_700_000_000],
      ]);
      expect(stored.map((r) => r.id)).toEqual([1, 2, 3]);
      expect(await s.forUser(7)).toEqual([
        { id: 2, userId: 7, movieId: 2, rating: 1, timestamp: 1_000, ...UNTAGGED },
        { id: 1, userId: 7, movieId: 50, rating: 4.5, timestamp: 1_700_000_000, ...UNTAGGED },
      ]);
      expect(await s.forUser(9)).toEqual([]);
      expect(await s.put([])).toEqual([]);
    });

    it('keeps ids and timestamps beyond 32 bits exactly', async () => {
      const s = store();
      const [r] = await s.put([{ userId: 2 ** 40, movieId: 2 ** 35 + 1, rating: 0.5, timestamp: 2 ** 33, ...UNTAGGED }]);
      expect(await s.forUser(2 ** 40)).toEqual([{ id: r.id, userId: 2 ** 40, movieId: 2 ** 35 + 1, rating: 0.5, timestamp: 2 ** 33, ...UNTAGGED }]);
    });

    it('replaces the rating of the same (user, movie) with a new, larger id', async () => {
      const s = store();
      const [first] = await s.put([{ userId: 1, movieId: 10, rating: 2 }]);
      const [second] = await s.put([{ userId: 1, movieId: 10, rating: 5 }]);
      expect(second.id).toBeGreaterThan(first.id);
      expect(await s.forUser(1)).toEqual([{ id: second.id, userId: 1, movieId: 10, rating: 5, timestamp: 1_700_000_000, ...UNTAGGED }]);
      expect(await s.userVersion(1)).toBe(second.id);
      expect(await s.version()).toEqual({ count: 1, newestId: second.id });
    });

    it('rejects a batch with any invalid rating and stores none of it', async () => {
      const s = store();
      for (const bad of [{ rating: 4.25 }, { rating: 0 }, { rating: 5.5 }, { movieId: -1 }, { timestamp: 1.5 }]) {
        await expect(
          s.put([
            { userId: 1, movieId: 1, rating: 4 },
            { userId: 1, movieId: 2, rating: 3, ...bad },
          ]),
        ).rejects.toThrow(InvalidRatingError);
      }
      await expect(
        s.put([
          { userId: 1, movieId: 3, rating: 4 },
          { userId: 1, movieId: 3, rating: 2 },
        ]),
      ).rejects.toThrow(/twice in one batch/);
      expect(await s.version()).toEqual({ count: 0, newestId: 0 });
    });

    it('counts the stored ratings of the users asked for; users with none are absent', async () => {
      const s = store();
      await s.put([
        { userId: 1, movieId: 1, rating: 4 },
        { userId: 1, movieId: 2, rating: 3 },
        { userId: 3, movieId: 1, rating: 5 },
        { userId: 4, movieId: 1, rating: 5 },
      ]);
      await s.put([{ userId: 1, movieId: 2, rating: 1 }]); // a replacement: still two
      expect(await s.countsForUsers([1, 2, 3])).toEqual(
        new Map([
          [1, 2],
          [3, 1],
        ]),
      );
      expect(await s.countsForUsers([])).toEqual(new Map());
    });

    it('forgets a user; ids are never reused and the version never repeats', async () => {
      const s = store();
      const versions = [await s.version()];
      await s.put([
        { userId: 1, movieId: 1, rating: 4 },
        { userId: 2, movieId: 1, rating: 3 },
      ]);
      versions.push(await s.version());
      expect(await s.forgetUser(2)).toBe(1);
      versions.push(await s.version());
      expect(await s.userVersion(2)).toBe(0);
      const [again] = await s.put([{ userId: 2, movieId: 1, rating: 3 }]);
      expect(again.id).toBe(3);
      versions.push(await s.version());
      expect(await s.forgetUser(99)).toBe(0);
      expect(versions).toEqual([
        { count: 0, newestId: 0 },
        { count: 2, newestId: 2 },
        { count: 1, newestId: 1 },
        { count: 2, newestId: 3 },
      ]);
    });

    it('counts the ratings newer than an id (what a training that read up to it has not seen); a replaced or forgotten one no longer counts', async () => {
      const s = store();
      expect(await s.countNewerThan(0)).toBe(0);
      await s.put([
        { userId: 1, movieId: 1, rating: 4 },
        { userId: 2, movieId: 1, rating: 3 },
        { userId: 3, movieId: 1, rating: 2 },
      ]);
      expect([await s.countNewerThan(0), await s.countNewerThan(1), await s.countNewerThan(3)]).toEqual([3, 2, 0]);
      await s.put([{ userId: 1, movieId: 1, rating: 5 }]); // replaces id 1 with id 4
      expect([await s.countNewerThan(0), await s.countNewerThan(3)]).toEqual([3, 1]);
      await s.forgetUser(3);
      expect([await s.countNewerThan(0), await s.countNewerThan(2)]).toEqual([2, 1]);
    });

    it('reads the ratings posted since a time, newest first, at most the limit; a replaced one counts once, at its new time', async () => {
      let clock = 1_700_000_000;
      const s = store({ now: () => clock, pageSize: 1 }); // a store that reads in pages reads them all
      await s.put([{ userId: 1, movieId: 1, rating: 4 }]);
      clock += 100;
      await s.put([
        { userId: 2, movieId: 1, rating: 0.5 },
        { userId: 2, movieId: 2, rating: 3 },
      ]);
      clock += 100;
      await s.put([{ userId: 1, movieId: 1, rating: 5 }]); // replaces the first, now posted at +200
      const pick = (rows: { userId: number; movieId: number; rating: number; postedAt: number }[]) =>
        rows.map((r) => [r.userId, r.movieId, r.rating, r.postedAt]);
      expect(pick(await s.postedSince(1_700_000_100, 10))).toEqual([
        [1, 1, 5, 1_700_000_200],
        [2, 2, 3, 1_700_000_100],
        [2, 1, 0.5, 1_700_000_100],
      ]);
      expect(pick(await s.postedSince(1_700_000_000, 2))).toEqual([
        [1, 1, 5, 1_700_000_200],
        [2, 2, 3, 1_700_000_100],
      ]);
      expect(await s.postedSince(1_700_000_201, 10)).toEqual([]);
      await expect(s.postedSince(-1, 10)).rejects.toThrow(/sinceSeconds/);
      await expect(s.postedSince(0, 0)).rejects.toThrow(/limit/);
    });

    it('forgets one rating of a user; the user version moves even when it was not their newest', async () => {
      const s = store();
      await s.put([
        { userId: 5, movieId: 1, rating: 4 },
        { userId: 5, movieId: 2, rating: 3.5, timestamp: 1_000 },
        { userId: 5, movieId: 3, rating: 2 },
        { userId: 6, movieId: 1, rating: 5 },
      ]);
      const before = await s.userVersion(5);
      expect(await s.forget(5, 1)).toBe(true); // not the newest of user 5
      const after = await s.userVersion(5);
      expect(after).toBeGreaterThan(before);
      expect((await s.forUser(5)).map((r) => [r.movieId, r.rating, r.timestamp])).toEqual([
        [2, 3.5, 1_000],
        [3, 2, 1_700_000_000],
      ]);
      expect(await s.forget(5, 1)).toBe(false);
      expect(await s.userVersion(5)).toBe(after);
      expect(await s.forget(5, 3)).toBe(true);
      expect(await s.forget(5, 2)).toBe(true);
      expect(await s.userVersion(5)).toBe(0);
      expect((await s.forUser(6)).map((r) => r.movieId)).toEqual([1]);
      expect(await s.version()).toEqual({ count: 1, newestId: 4 });
    });

    it('bounds the ratings a user may hold in the write itself: of two concurrent batches that together pass it, the later is refused whole', async () => {
      const s = store();
      const rate = (userId: number, movieIds: number[], rating = 4) => movieIds.map((movieId) => ({ userId, movieId, rating }));
      await s.put(rate(7, [1, 2, 3]));
      const [first, second] = await Promise.allSettled([
        s.put([...rate(7, [4, 5]), ...rate(8, [4])], undefined, { maxPerUser: 5 }),
        s.put([...rate(9, [1]), ...rate(7, [6, 7])], undefined, { maxPerUser: 5 }),
      ]);
      expect(first.status).toBe('fulfilled');
      expect(second.status).toBe('rejected');
      const refusal = (second as PromiseRejectedResult).reason as RatingsQuotaError;
      expect(refusal).toBeInstanceOf(RatingsQuotaError);
      expect({ ...refusal }).toMatchObject({ userId: 7, wouldHold: 7, maxPerUser: 5 });
      expect((await s.forUser(7)).map((r) => r.movieId)).toEqual([1, 2, 3, 4, 5]);
      expect(await s.countsForUsers([8, 9])).toEqual(new Map([[8, 1]])); // the refused batch stored nothing
      // Re-rating a movie held already adds nothing; a store of another process is bound by the same count.
      await s.put(rate(7, [1, 5], 1), undefined, { maxPerUser: 5 });
      const other = store();
      const racing = await Promise.allSettled([
        s.put(rate(7, [8]), undefined, { maxPerUser: 6 }),
        other.put(rate(7, [9]), undefined, { maxPerUser: 6 }),
      ]);
      expect(racing.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      expect(await other.countsForUsers([7])).toEqual(new Map([[7, 6]]));
      await expect(s.put(rate(7, [10]), undefined, { maxPerUser: 0 })).rejects.toThrow(RangeError);
    });

    it('concurrent writers each get their own rows, with distinct ids', async () => {
      const s = store();
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => s.put([{ userId: i + 1, movieId: 1, rating: 0.5 + (i % 10) / 2 }])));
      expect(results.map((r) => r[0].userId)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      expect(new Set(results.map((r) => r[0].id)).size).toBe(50);
      expect(await s.version()).toEqual({ count: 50, newestId: Math.max(...results.map((r) => r[0].id)) });
    });

    it('writes submitted at once apply in order: the later rating of a pair wins, a forget removes what came before it', async () => {
      const s = store();
      const [a, b, forgot, c] = await Promise.all([
        s.put([{ userId: 1, movieId: 2, rating: 3 }]),
        s.put([{ userId: 1, movieId: 2, rating: 4 }]),
        s.forgetUser(3).then(() => s.put([{ userId: 3, movieId: 1, rating: 1 }])),
        s.put([{ userId: 2, movieId: 2, rating: 5 }]),
      ]);
      expect(b[0].id).toBeGreaterThan(a[0].id);
      expect(await s.forUser(1)).toEqual([{ id: b[0].id, userId: 1, movieId: 2, rating: 4, timestamp: 1_700_000_000, ...UNTAGGED }]);
      expect(forgot[0].rating).toBe(1);
      expect(c[0].userId).toBe(2);
      const [x] = await Promise.all([s.put([{ userId: 4, movieId: 1, rating: 2 }]), s.forgetUser(4)]);
      expect(x[0].userId).toBe(4);
      expect(await s.forUser(4)).toEqual([]);
      expect((await s.version()).count).toBe(3);
    });

    it('a second store on the same backing (another process) sees every commit; a reopened store keeps them', async () => {
      const a = store();
      const b = store();
      await a.put([{ userId: 5, movieId: 6, rating: 4 }]);
      expect((await b.forUser(5)).map((r) => r.rating)).toEqual([4]);
      await b.put([{ userId: 5, movieId: 6, rating: 1 }]);
      expect((await a.forUser(5)).map((r) => r.rating)).toEqual([1]);
      // Writers on both stores at once: one sequence, no lost write.
      await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).put([{ userId: 100 + i, movieId: 1, rating: 3 }])));
      await a.close();
      const reopened = store();
      expect(await reopened.userVersion(5)).toBe(2);
      expect((await reopened.version()).count).toBe(21);
    });

    it('all() streams every rating by (user, movie) in pages from one snapshot while writes go on', async () => {
      const s = store({ pageSize: 3 });
      const batch = [];
      for (let u = 4; u >= 1; u--) for (let m = 3; m >= 1; m--) batch.push({ userId: u, movieId: m * 10, rating: 3 });
      await s.put(batch);
      const seen: StoredRating[] = [];
      for await (const r of s.all()) {
        seen.push(r);
        if (seen.length === 4) await s.put([{ userId: 4, movieId: 5, rating: 2 }]); // after the snapshot: not seen
      }
      expect(seen.map((r) => [r.userId, r.movieId])).toEqual([1, 2, 3, 4].flatMap((u) => [10, 20, 30].map((m) => [u, m])));
      expect((await s.version()).count).toBe(13);
    });

    it('all() stopped early releases its snapshot; the store keeps working', async () => {
      const s = store({ pageSize: 2 });
      await s.put(Array.from({ length: 5 }, (_, i) => ({ userId: 1, movieId: i + 1, rating: 4 })));
      for (let round = 0; round < 3; round++) {
        for await (const r of s.all()) {
          expect(r.movieId).toBe(1);
          break;
        }
      }
      await s.put([{ userId: 2, movieId: 1, rating: 1 }]);
      const all = [];
      for await (const r of s.all()) all.push(r.userId);
      expect(all).toEqual([1, 1, 1, 1, 1, 2]);
    });

    it('keeps who wrote each rating and when; forUser and all() return it; a later write of a pair carries its own writer', async () => {
      let clock = 1_700_000_000;
      const s = store({ now: () => clock });
      const visitor: RatingSource = { subject: 'visitor:v1', address: '203.0.113.9' };
      const key: RatingSource = { subject: 'key:k1', address: '2001:db8:1:2::/64' };
      await s.put([{ userId: 3, movieId: 1, rating: 4, timestamp: 10 }], visitor);
      clock += 60;
      await s.put(
        [
          { userId: 3, movieId: 1, rating: 2 },
          { userId: 4, movieId: 1, rating: 5 },
        ],
        key,
      );
      await s.put([{ userId: 3, movieId: 2, rating: 1 }]);
      const tags = (rows: StoredRating[]) => rows.map((r) => [r.userId, r.movieId, r.source, r.sourceAddress, r.postedAt]);
      expect(tags(await s.forUser(3))).toEqual([
        [3, 1, 'key:k1', '2001:db8:1:2::/64', 1_700_000_060],
        [3, 2, 'unknown', 'unknown', 1_700_000_060],
      ]);
      const all: StoredRating[] = [];
      for await (const r of s.all()) all.push(r);
      expect(tags(all)).toEqual([...tags(await s.forUser(3)), [4, 1, 'key:k1', '2001:db8:1:2::/64', 1_700_000_060]]);
    });

    it('refuses a source that is empty, too long or not printable, and stores nothing of the batch', async () => {
      const s = store();
      for (const bad of [
        { subject: '', address: '1.2.3.4' },
        { subject: 'visitor:a', address: '' },
        { subject: 'visitor:a b', address: '1.2.3.4' },
        { subject: 'x'.repeat(201), address: '1.2.3.4' },
      ])
        await expect(s.put([{ userId: 1, movieId: 1, rating: 4 }], bad)).rejects.toThrow(InvalidRatingError);
      expect(await s.version()).toEqual({ count: 0, newestId: 0 });
    });

    it('purges what one source wrote: the count, other writers kept, versions moved for the users who keep ratings', async () => {
      const s = store();
      const mallory: RatingSource = { subject: 'visitor:mallory', address: '198.51.100.7' };
      await s.put([{ userId: 1, movieId: 1, rating: 3 }], { subject: 'key:backend', address: '10.0.0.1' });
      await s.put([{ userId: 1, movieId: 2, rating: 4 }], { subject: 'key:backend', address: '10.0.0.1' });
      await s.put(
        [
          { userId: 1, movieId: 3, rating: 5 },
          { userId: 2, movieId: 3, rating: 5 },
          { userId: 3, movieId: 3, rating: 5 },
        ],
        mallory,
      );
      // User 1's newest kept rating (id 2) was written again under a new id after mallory's id 3 went: their version moves.
      const before = { one: await s.userVersion(1), store: await s.version() };
      expect(before.store).toEqual({ count: 5, newestId: 5 });
      expect(await s.purge({ source: 'visitor:mallory' })).toBe(3);
      expect((await s.forUser(1)).map((r) => [r.movieId, r.source])).toEqual([
        [1, 'key:backend'],
        [2, 'key:backend'],
      ]);
      expect(await s.forUser(2)).toEqual([]);
      expect(await s.userVersion(3)).toBe(0);
      expect(await s.userVersion(1)).toBeGreaterThan(before.one);
      const after = await s.version();
      expect(after.count).toBe(2);
      expect(after).not.toEqual(before.store);
      expect(await s.purge({ source: 'visitor:mallory' })).toBe(0);
      expect(await s.version()).toEqual(after);
    });

    it('purges everything from one client address, whichever visitors wrote it', async () => {
      const s = store();
      await s.put([{ userId: 1, movieId: 1, rating: 5 }], { subject: 'visitor:a', address: '198.51.100.7' });
      await s.put([{ userId: 2, movieId: 1, rating: 5 }], { subject: 'visitor:b', address: '198.51.100.7' });
      await s.put([{ userId: 3, movieId: 1, rating: 4 }], { subject: 'visitor:c', address: '203.0.113.1' });
      expect(await s.purge({ address: '198.51.100.7' })).toBe(2);
      expect((await s.version()).count).toBe(1);
      expect((await s.forUser(3)).map((r) => r.source)).toEqual(['visitor:c']);
      await expect(s.purge({ source: 'x', address: 'y' } as never)).rejects.toThrow(/exactly one/);
    });

    it("purges everything posted at or after a time by the store's clock, whatever timestamp the rating carries", async () => {
      let clock = 1_700_000_000;
      const s = store({ now: () => clock });
      await s.put([{ userId: 1, movieId: 1, rating: 3 }]);
      clock = 1_700_003_600;
      // Back-dated by its writer: the store's clock, not the rating's timestamp, decides.
      await s.put([
        { userId: 1, movieId: 2, rating: 5, timestamp: 1_000 },
        { userId: 2, movieId: 2, rating: 5, timestamp: 1_000 },
      ]);
      expect(await s.purge({ postedSince: 1_700_003_600 })).toBe(2);
      expect((await s.forUser(1)).map((r) => r.movieId)).toEqual([1]);
      expect((await s.version()).count).toBe(1);
      expect(await s.purge({ postedSince: 1_800_000_000 })).toBe(0);
      await expect(s.purge({ postedSince: -1 })).rejects.toThrow(/postedSince/);
      await expect(s.purge({ source: '' })).rejects.toThrow(/source/);
    });

    it('a closed store refuses writes', async () => {
      const s = store();
      await s.close();
      await expect(s.put([{ userId: 1, movieId: 1, rating: 3 }])).rejects.toThrow();
    });
  });
}
