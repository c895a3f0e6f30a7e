import type { StoredRating } from '@reelrank/feedback';
import { identityCapLines } from './identity-cap-log.js';
import { capByIdentity, identityOf, MAX_REPORTED } from './identity-caps.js';

let nextId = 1;
const rating = (userId: number, movieId: number, source: string, sourceAddress: string): StoredRating => ({
  id: nextId++,
  userId,
  movieId,
  rating: 5,
  timestamp: 1,
  source,
  sourceAddress,
  postedAt: 1,
});
const byUserMovie = (rows: StoredRating[]) => [...rows].sort((a, b) => a.userId - b.userId || a.movieId - b.movieId);
const dataSet = (userId: number) => userId < 100;

describe('identityOf', () => {
  it('counts a key and the admin token as themselves, visitors and anonymous callers by their address', () => {
    expect(identityOf({ source: 'key:k1', sourceAddress: '10.0.0.1' })).toBe('key:k1');
    expect(identityOf({ source: 'admin-token', sourceAddress: '10.0.0.1' })).toBe('admin-token');
    expect(identityOf({ source: 'visitor:v1', sourceAddress: '203.0.113.5' })).toBe('addr:203.0.113.5');
    expect(identityOf({ source: 'visitor:v2', sourceAddress: '203.0.113.5' })).toBe('addr:203.0.113.5');
    expect(identityOf({ source: 'addr:203.0.113.5', sourceAddress: '203.0.113.5' })).toBe('addr:203.0.113.5');
    expect(identityOf({ source: 'unknown', sourceAddress: 'unknown' })).toBe('unknown');
  });
});

describe('capByIdentity', () => {
  beforeEach(() => {
    nextId = 1;
  });

  it('when one address mints many visitors, then only the newest new users of that address count, and other writers are untouched', () => {
    const flood = Array.from({ length: 30 }, (_, i) => rating(1000 + i, 7, `visitor:bot${i}`, '198.51.100.9'));
    const honest = [rating(500, 7, 'visitor:alice', '203.0.113.5'), rating(501, 8, 'visitor:bob', '203.0.113.6')];
    const backend = Array.from({ length: 4 }, (_, i) => rating(600 + i, 9, 'key:backend', '10.0.0.1'));
    const all = byUserMovie([...flood, ...honest, ...backend]);
    const { kept, report } = capByIdentity(all, dataSet, { newUsersPerIdentity: 5, ratingsPerIdentity: 1000 });
    const keptFlood = kept.filter((r) => r.sourceAddress === '198.51.100.9').map((r) => r.userId);
    expect(keptFlood).toEqual([1025, 1026, 1027, 1028, 1029]); // the newest five, in the input's order
    expect(kept.filter((r) => r.sourceAddress !== '198.51.100.9')).toHaveLength(6);
    expect(report).toEqual({
      droppedByNewUserCap: 25,
      droppedByRatingCap: 0,
      cappedIdentities: [{ identity: 'addr:198.51.100.9', ratings: 30, dropped: 25, newUsers: 30, droppedNewUsers: 25 }],
      cappedIdentityCount: 1,
    });
  });

  it('when an identity writes more ratings than the cap, then its newest count, data-set users included; a new user keeps all its ratings under the user cap', () => {
    const rows = [
      ...Array.from({ length: 6 }, (_, m) => rating(1, m + 1, 'key:k', '10.0.0.1')), // a data-set user
      ...Array.from({ length: 3 }, (_, m) => rating(2000, m + 1, 'key:k', '10.0.0.1')), // one new user
    ];
    const { kept, report } = capByIdentity(byUserMovie(rows), dataSet, { newUsersPerIdentity: 1, ratingsPerIdentity: 5 });
    expect(kept.map((r) => r.id)).toEqual([5, 6, 7, 8, 9]);
    expect(report).toMatchObject({ droppedByNewUserCap: 0, droppedByRatingCap: 4, cappedIdentityCount: 1 });
    expect(report.cappedIdentities[0]).toEqual({ identity: 'key:k', ratings: 9, dropped: 4, newUsers: 1, droppedNewUsers: 0 });
  });

  it('keeps a user the identity wrote to most recently even when its other ratings are old; the same snapshot gives the same choice', () => {
    const rows = [rating(2001, 1, 'addr:a', 'a'), rating(2002, 1, 'addr:a', 'a'), rating(2003, 1, 'addr:a', 'a'), rating(2001, 2, 'addr:a', 'a')];
    const caps = { newUsersPerIdentity: 2, ratingsPerIdentity: 100 };
    const first = capByIdentity(byUserMovie(rows), dataSet, caps);
    expect(first.kept.map((r) => [r.userId, r.movieId])).toEqual([
      [2001, 1],
      [2001, 2],
      [2003, 1],
    ]);
    expect(capByIdentity(byUserMovie(rows), dataSet, caps)).toEqual(first);
  });

  it('lists at most MAX_REPORTED identities, most dropped first, and the log says how many more', () => {
    const rows = Array.from({ length: MAX_REPORTED + 3 }, (_, a) => [
      rating(3000 + 2 * a, 1, 'addr:x', `a${a}`),
      rating(3001 + 2 * a, 1, 'addr:x', `a${a}`),
    ]).flat();
    const { report } = capByIdentity(byUserMovie(rows), dataSet, { newUsersPerIdentity: 1, ratingsPerIdentity: 100 });
    expect(report.cappedIdentityCount).toBe(MAX_REPORTED + 3);
    expect(report.cappedIdentities).toHaveLength(MAX_REPORTED);
    const lines = identityCapLines({ newUsersPerIdentity: 1, ratingsPerIdentity: 100, ...report });
    expect(lines[0]).toBe(
      `[train] posted ratings capped per identity: ${MAX_REPORTED + 3} identities over a cap; dropped ${MAX_REPORTED + 3} rating(s) of new users beyond postedNewUsersPerIdentity=1 and 0 beyond postedRatingsPerIdentity=100 (the newest kept)`,
    );
    expect(lines[1]).toBe('[train]   addr:a0: 1 of 2 rating(s) dropped, 1 of 2 new user(s)');
    expect(lines.at(-1)).toBe(`[train]   and 3 more identities (metrics.json lists the first ${MAX_REPORTED})`);
    expect(identityCapLines(null)).toEqual([]);
  });
});
