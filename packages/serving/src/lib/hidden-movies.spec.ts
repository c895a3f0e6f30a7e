import type { ModelBundle, RankingModel } from '@reelrank/model';
import { MOVIES, plantedBundle, RATED } from '../testing/planted.js';
import { inMemoryCatalog } from './catalog.js';
import { Recommender, type RecommenderOptions } from './recommender.js';

/**
 * Hidden movies (the catalogue overlay's global mask) never come back from any answer path: a known
 * user's precomputed list and full ranking, the EASE ranker, the cold-start list, a new user's fold-in
 * and popular blend, a folded-in known user, similar movies, and default search. Movie 30 is user 1's
 * best pick and a sci-fi neighbour of 10; movie 50 leads the cold-start list among catalogued movies.
 */
const HIDDEN = [30, 50];
const hide = (movieId: number) => ({ movieId, fields: {}, hidden: true });

function withEase(): ModelBundle {
  const bundle = plantedBundle();
  const ranking: RankingModel = {
    factors: 1,
    userFactors: Float32Array.from([1, 1, 1, 1, 1]),
    movieFactors: Float32Array.from([0.1, 0.2, 0.3, 0.4, 3, 2, 1, 0]),
    moviePrior: new Float32Array(8),
    weights: { implicit: 1, rating: 0.01, popularity: 0, ease: 1 },
    confidence: { alpha: 2, ratingSlope: 0, ratingPivot: 3, floor: 0.1, regularization: 1 },
    ease: { movies: Int32Array.of(0, 1, 2, 3, 4), weights: new Float32Array(25), lambda: 1 },
  };
  ranking.ease!.weights[0 * 5 + 2] = 10; // who rated 10 wants 30
  bundle.manifest.ranking = {
    kind: 'implicit-als+rating+popularity+ease',
    factors: 1,
    weights: ranking.weights,
    confidence: ranking.confidence,
    ease: { movies: 5, lambda: 1 },
  };
  return { ...bundle, ranking };
}

const build = (bundle: ModelBundle, options: RecommenderOptions = {}) => new Recommender(bundle, inMemoryCatalog(MOVIES, RATED), options);
const ids = (list: { movie_id: number }[]) => list.map((m) => m.movie_id);

describe('hidden movies', () => {
  const variants: [string, () => Recommender][] = [
    ['precomputed lists', () => build(plantedBundle(), { catalogueChanges: HIDDEN.map(hide) })],
    ['full ranking', () => build(plantedBundle(), { precomputeBudget: 0, catalogueChanges: HIDDEN.map(hide) })],
    ['EASE ranker', () => build(withEase(), { catalogueChanges: HIDDEN.map(hide) })],
    [
      'hidden after load',
      () => {
        const r = build(plantedBundle());
        r.recommend(1, { n: 10 }); // warm: a list computed before the change must not leak it
        for (const h of HIDDEN) r.applyMovieChange(hide(h));
        return r;
      },
    ],
  ];

  describe.each(variants)('(%s)', (_name, make) => {
    const recommender = make();
    const never = (list: { movie_id: number }[]) => {
      for (const id of HIDDEN) expect(ids(list)).not.toContain(id);
    };

    it('when a known user asks, then no hidden movie is recommended, with or without filters', () => {
      const all = recommender.recommend(1, { n: 10 });
      never(all.recommendations);
      expect(all.recommendations.length).toBeGreaterThan(0);
      never(recommender.recommend(2, { n: 10, genres: ['Sci-Fi'] }).recommendations);
      never(recommender.recommend(1, { n: 2, excludeIds: [20] }).recommendations);
    });

    it('when an unknown user asks, then the cold-start list leaves them out', () => {
      const result = recommender.recommend(999, { n: 10 });
      expect(result.strategy).toBe('popular');
      never(result.recommendations);
    });

    it('when a new user is folded in (fold-in, popular blend, none), then they are left out', () => {
      const foldIn = build(plantedBundle(), { minFoldInRatings: 1, catalogueChanges: HIDDEN.map(hide) });
      const folded = foldIn.recommendForNewUser([{ movieId: 10, rating: 5 }], { n: 10 });
      expect(folded.strategy).toBe('fold-in');
      never(folded.recommendations);
      const blend = recommender.recommendForNewUser([{ movieId: 10, rating: 5 }], { n: 10 });
      expect(blend.strategy).toBe('popular-blend');
      never(blend.recommendations);
      never(recommender.recommendForNewUser([], { n: 10 }).recommendations);
      const known = foldIn.foldUser(1, [{ movieId: 20, rating: 5 }]);
      never(foldIn.recommendFolded(known, { n: 10 }).recommendations);
      never(foldIn.recommendFolded(known, { n: 10 }).recommendations); // the folded user's cached list too
    });

    it('when similar movies are asked for, then hidden ones are not among them, and a hidden movie has none to show', () => {
      never(recommender.similar(10, 10).similar);
      expect(() => recommender.similar(30, 5)).toThrow(/not in the catalogue/);
    });

    it('when searching by default, then they are not listed; service callers may ask for them', () => {
      never(recommender.search({ limit: 100, offset: 0 }).movies);
      never(recommender.search({ query: 'galaxy', limit: 10, offset: 0 }).movies);
      expect(ids(recommender.search({ query: 'galaxy', limit: 10, offset: 0, includeHidden: true }).movies)).toEqual([30]);
      expect(() => recommender.movie(30)).toThrow(/not in the catalogue/);
      expect(recommender.movie(30, true)).toMatchObject({ movie_id: 30, hidden: true });
    });
  });

  it('when a movie is shown again, then it comes back everywhere', () => {
    const recommender = build(plantedBundle(), { catalogueChanges: HIDDEN.map(hide) });
    expect(ids(recommender.recommend(1, { n: 3 }).recommendations)).toEqual([20, 40, 60]);
    recommender.applyMovieChange({ movieId: 30, fields: {}, hidden: false });
    expect(ids(recommender.recommend(1, { n: 3 }).recommendations)).toEqual([30, 20, 40]);
    expect(ids(recommender.similar(10, 3).similar)).toContain(30);
    expect(recommender.movie(30).hidden).toBe(false);
  });
});

describe('movies added or changed at run time', () => {
  it('when a movie is added, then it is catalogued at once (rated, searched, shown) and never ranked without factors', () => {
    const recommender = build(plantedBundle());
    const added = { title: 'Brand New Galaxy (2026)', year: 2026, genres: ['Sci-Fi', 'Western'] };
    const before = recommender.catalogueRevision;
    expect(recommender.applyMovieChange({ movieId: 91, fields: added, hidden: false })).toEqual({ movieId: 91, ...added });
    expect(recommender.catalogueRevision).toBe(before + 1);
    expect(recommender.hasMovie(91)).toBe(true);
    expect(recommender.movie(91)).toMatchObject({ movie_id: 91, in_model: false, ratings_count: 0, hidden: false });
    expect(ids(recommender.search({ query: 'galaxy', limit: 10, offset: 0 }).movies)).toEqual([30, 91]);
    expect(ids(recommender.recommend(1, { n: 10 }).recommendations)).not.toContain(91);
    expect(recommender.maxDataSetMovieId).toBe(90);
  });

  it('when a model movie is renamed and given new genres, then lists, filters and search show the change', () => {
    const recommender = build(plantedBundle());
    recommender.applyMovieChange({ movieId: 20, fields: { title: 'Robot Sunset (1984)', genres: ['Comedy'] }, hidden: false });
    const comedy = recommender.recommend(1, { n: 10, genres: ['Comedy'] }).recommendations;
    expect(comedy.find((m) => m.movie_id === 20)).toMatchObject({ title: 'Robot Sunset (1984)', genres: ['Comedy'] });
    expect(ids(recommender.recommend(1, { n: 10, genres: ['Action'] }).recommendations)).not.toContain(20);
    expect(ids(recommender.search({ query: 'robot sunset', limit: 5, offset: 0 }).movies)).toEqual([20]);
    expect(recommender.catalogueMovie(20)).toEqual({ movieId: 20, title: 'Robot Sunset (1984)', year: 1984, genres: ['Comedy'] });
  });

  it('when a change names a movie neither the data set nor the overlay has, then it is ignored', () => {
    const recommender = build(plantedBundle());
    expect(recommender.applyMovieChange({ movieId: 12345, fields: { hidden: true } as never, hidden: true })).toBeUndefined();
    expect(recommender.hasMovie(12345)).toBe(false);
  });
});

describe('hidden movies as reasons', () => {
  it('when a movie the user rated is hidden, then no "because" names it, on a precomputed list or a full ranking, before or after the list was first read', () => {
    const named = (r: Recommender, n: number, genres?: string[]) => r.recommend(1, { n, genres }).recommendations.flatMap((m) => m.because.movie_ids);
    const recommender = build(plantedBundle());
    expect(named(recommender, 3)).toContain(10); // user 1 rated 10: it is a reason before it is hidden
    recommender.applyMovieChange(hide(10));
    expect(named(recommender, 3)).not.toContain(10);
    expect(named(recommender, 3, ['Sci-Fi', 'Comedy'])).not.toContain(10);
    const hiddenAtLoad = build(plantedBundle(), { catalogueChanges: [hide(10)] });
    expect(named(hiddenAtLoad, 3)).not.toContain(10);
  });
});
