import { DAY_MS, OnlineEvaluator } from './online-eval.js';

const HOUR = 60 * 60 * 1000;
const T0 = Date.UTC(2026, 0, 1);

describe('online evaluation (hit rate of recommended movies vs other movies)', () => {
  it('when ratings arrive for recommended and other movies, then the hit rates are the hand-computed shares', () => {
    const online = new OnlineEvaluator();
    online.recordRecommended(1, [10, 11, 12], T0);
    online.recordRecommended(2, [10, 20], T0 + HOUR);
    // Recommended within 24 h: (1,10) 5 -> hit, (1,11) 3 -> miss, (2,20) 4 -> hit (4 counts as liked).
    expect(online.observeRating(1, 10, 5, T0 + 2 * HOUR)).toBe('recommended');
    expect(online.observeRating(1, 11, 3, T0 + 2 * HOUR)).toBe('recommended');
    expect(online.observeRating(2, 20, 4, T0 + 3 * HOUR)).toBe('recommended');
    // Other: movie 20 was recommended to user 2, not to user 1; movie 99 to nobody; user 3 got nothing.
    expect(online.observeRating(1, 20, 4.5, T0 + 2 * HOUR)).toBe('other');
    expect(online.observeRating(1, 99, 2, T0 + 2 * HOUR)).toBe('other');
    expect(online.observeRating(3, 10, 1, T0 + 2 * HOUR)).toBe('other');
    expect(online.observeRating(3, 11, 3.5, T0 + 2 * HOUR)).toBe('other');
    const s = online.snapshot();
    expect(s.recommended).toEqual({ ratings: 3, liked: 2, hitRate: 2 / 3 });
    expect(s.other).toEqual({ ratings: 4, liked: 1, hitRate: 1 / 4 });
    expect(s.trackedUsers).toBe(2);
    expect(s.trackedPairs).toBe(5);
  });

  it('when a rating comes more than 24 h after the recommendation, or before it (beyond the grace), then it counts as other', () => {
    const online = new OnlineEvaluator();
    online.recordRecommended(1, [10], T0);
    expect(online.observeRating(1, 10, 5, T0 + DAY_MS)).toBe('other'); // exactly 24 h later: outside (at - window < t)
    expect(online.observeRating(1, 10, 5, T0 + DAY_MS - 1)).toBe('recommended');
    expect(online.observeRating(1, 10, 5, T0 - 4_000)).toBe('recommended'); // logged 4 s after the rating's time: within the grace
    expect(online.observeRating(1, 10, 5, T0 - 6_000)).toBe('other');
    expect(online.snapshot().recommended).toEqual({ ratings: 2, liked: 2, hitRate: 1 });
  });

  it('when a movie is recommended again, then its time is refreshed', () => {
    const online = new OnlineEvaluator();
    online.recordRecommended(1, [10], T0);
    online.recordRecommended(1, [10], T0 + 20 * HOUR);
    expect(online.observeRating(1, 10, 4, T0 + 30 * HOUR)).toBe('recommended');
  });

  it('when more pairs are recorded than the cap, then the least recently recommended users are forgotten first', () => {
    const online = new OnlineEvaluator({ maxEntries: 5 });
    online.recordRecommended(1, [1, 2], T0);
    online.recordRecommended(2, [1, 2], T0 + 1);
    online.recordRecommended(1, [3], T0 + 2); // user 1 is now the most recent (3 pairs)
    expect(online.snapshot()).toMatchObject({ trackedUsers: 2, trackedPairs: 5 });
    online.recordRecommended(3, [1], T0 + 3); // 6 pairs > 5: user 2 (least recent) goes
    expect(online.snapshot()).toMatchObject({ trackedUsers: 2, trackedPairs: 4 });
    expect(online.observeRating(2, 1, 5, T0 + 4)).toBe('other');
    expect(online.observeRating(1, 1, 5, T0 + 4)).toBe('recommended');
  });

  it('when a day passes without recommendations for a user, then the next recording drops that user', () => {
    const online = new OnlineEvaluator();
    online.recordRecommended(1, [1, 2, 3], T0);
    online.recordRecommended(2, [4], T0 + DAY_MS + 1);
    expect(online.snapshot()).toMatchObject({ trackedUsers: 1, trackedPairs: 1 });
  });

  it('when an observer is registered, then it sees every rating with its source and whether it was liked', () => {
    const online = new OnlineEvaluator();
    const seen: string[] = [];
    online.onRating((source, liked) => seen.push(`${source}:${liked}`));
    online.recordRecommended(1, [10], T0);
    online.observeRating(1, 10, 3.5, T0 + 1);
    online.observeRating(1, 11, 4, T0 + 1);
    expect(seen).toEqual(['recommended:false', 'other:true']);
  });

  it('when a user was shown more than maxPerUser pairs, then the oldest of theirs are forgotten first (the ring keeps its order as it grows)', () => {
    const online = new OnlineEvaluator({ maxPerUser: 32 });
    const movies = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);
    online.recordRecommended(1, movies(1, 10), T0); // capacity 16
    online.recordRecommended(1, movies(11, 10), T0 + 1); // grows to 32, oldest first
    online.recordRecommended(1, movies(21, 20), T0 + 2); // 40 shown: movies 1..8 overwritten
    expect(online.snapshot()).toMatchObject({ trackedUsers: 1, trackedPairs: 32 });
    expect(online.observeRating(1, 8, 5, T0 + 3)).toBe('other');
    for (const kept of [9, 10, 11, 20, 40]) expect(online.observeRating(1, kept, 5, T0 + 3)).toBe('recommended');
  });
});
