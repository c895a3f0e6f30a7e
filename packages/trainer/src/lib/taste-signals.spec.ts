import type { StoredSignal } from '@reelrank/feedback';
import { buildIndexing, indexRatings } from './indexing';
import { emptyColumns, type RatingsColumns } from './ratings';
import { collectTasteSignals, dataHashWithSignals, withTasteSignals, type TasteSignalColumns } from './taste-signals';
import { trainImplicitAls, type ImplicitHyperParameters } from './train-implicit';

const HYPER: ImplicitHyperParameters = {
  factors: 4,
  sweeps: 12,
  initStd: 0.1,
  seed: 5,
  cgSteps: 0,
  alpha: 20,
  ratingSlope: 0,
  ratingPivot: 3,
  floor: 0.1,
  regularization: 0.1,
};

function columns(rows: [number, number, number][]): RatingsColumns {
  const out = emptyColumns(rows.length);
  rows.forEach(([u, m, r], n) => {
    out.userIds[n] = u;
    out.movieIds[n] = m;
    out.ratings[n] = r;
    out.timestamps[n] = n;
  });
  return out;
}

async function* stored(list: [number, number, StoredSignal['kind']][]): AsyncGenerator<StoredSignal> {
  let id = 0;
  for (const [userId, movieId, kind] of list) yield { id: ++id, userId, movieId, kind, createdAt: 0, source: 'test', sourceAddress: 'test' };
}

/**
 * Two taste groups: users 1-6 watch movies 10-13, users 7-12 movies 20-23; user 1 also rated 20.
 * The ranker's score of user 1 for movie m: x_u · y_m of the implicit factors.
 */
const RATINGS: [number, number, number][] = [];
for (let u = 1; u <= 6; u++) for (const m of [10, 11, 12, 13]) if (!(u === 1 && m === 13)) RATINGS.push([u, m, 4]);
for (let u = 7; u <= 12; u++) for (const m of [20, 21, 22, 23]) RATINGS.push([u, m, 4]);
RATINGS.push([1, 20, 4]);
RATINGS.sort((a, b) => a[0] - b[0] || a[1] - b[1]);

function scoreOf(signals: TasteSignalColumns | undefined, userId: number, movieId: number): number {
  const all = columns(RATINGS);
  const indexing = buildIndexing(all);
  const train = indexRatings(all, indexing);
  const data = signals ? withTasteSignals(train, indexing, signals, HYPER) : train;
  const f = trainImplicitAls(data, indexing.users.ids.length, indexing.movies.ids.length, HYPER);
  const u = indexing.users.indexOf(userId);
  const i = indexing.movies.indexOf(movieId);
  let dot = 0;
  for (let d = 0; d < f.factors; d++) dot += f.userFactors[u * f.factors + d] * f.movieFactors[i * f.factors + d];
  return dot;
}

describe('taste signals in the ranker fit', () => {
  it('keeps known movies, drops seen/watchlist of rated pairs, keeps not-interested of any pair, and counts what it did', async () => {
    const signals = await collectTasteSignals(
      stored([
        [1, 13, 'seen'],
        [1, 20, 'not_interested'],
        [1, 10, 'watchlist'], // rated: the rating says more
        [2, 999, 'seen'], // not in the catalogue
        [3, 21, 'watchlist'],
      ]),
      (id) => id !== 999,
      columns(RATINGS),
    );
    expect(Array.from(signals.columns.movieIds)).toEqual([13, 20, 21]);
    expect(signals.columns.kinds).toEqual(['seen', 'not_interested', 'watchlist']);
    expect(signals.summary).toEqual({ count: 5, newestId: 5, used: { seen: 1, not_interested: 1, watchlist: 1 }, ratedPairs: 1, unknownMovies: 1 });
    expect(dataHashWithSignals('base', signals)).not.toBe('base');
    const none = await collectTasteSignals(stored([]), () => true, columns(RATINGS));
    expect(dataHashWithSignals('base', none)).toBe('base');
  });

  it('masks the not-interested pair and appends seen/watchlist rows without changing the input', () => {
    const all = columns(RATINGS);
    const indexing = buildIndexing(all);
    const train = indexRatings(all, indexing);
    const before = Array.from(train.movies);
    const signals: TasteSignalColumns = {
      userIds: Int32Array.of(1, 1, 99),
      movieIds: Int32Array.of(20, 13, 10),
      kinds: ['not_interested', 'seen', 'seen'],
    };
    const out = withTasteSignals(train, indexing, signals, HYPER);
    expect(Array.from(train.movies)).toEqual(before);
    expect(out.users.length).toBe(train.users.length + 1); // user 99 is unknown to the indexing: skipped
    const masked = RATINGS.findIndex(([u, m]) => u === 1 && m === 20);
    expect(out.movies[masked]).toBe(-1);
    expect([out.users.at(-1), out.movies.at(-1), out.ratings.at(-1)]).toEqual([
      indexing.users.indexOf(1),
      indexing.movies.indexOf(13),
      HYPER.ratingPivot,
    ]);
  });

  it('when user 1 marks movie 13 seen, then the fitted ranker scores it higher for them; not interested in its rated 20 scores 20 lower', () => {
    const plain13 = scoreOf(undefined, 1, 13);
    const seen13 = scoreOf({ userIds: Int32Array.of(1), movieIds: Int32Array.of(13), kinds: ['seen'] }, 1, 13);
    expect(seen13).toBeGreaterThan(plain13 + 0.1);
    const plain20 = scoreOf(undefined, 1, 20);
    const rejected20 = scoreOf({ userIds: Int32Array.of(1), movieIds: Int32Array.of(20), kinds: ['not_interested'] }, 1, 20);
    expect(rejected20).toBeLessThan(plain20 - 0.1);
  });
});
