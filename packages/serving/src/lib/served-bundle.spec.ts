import { contentFactors, type ModelBundle, type MovieFactorsEntry } from '@reelrank/model';
import { MOVIES, plantedBundle, plantedContentMap, RATED } from '../testing/planted.js';
import { inMemoryCatalog } from './catalog.js';
import { Recommender } from './recommender.js';

const ids = (list: { movie_id: number }[]) => list.map((m) => m.movie_id);

function withMap(coldStart: MovieFactorsEntry[] = []): ModelBundle {
  return { ...plantedBundle(), contentMap: { map: plantedContentMap(), coldStart } };
}

const catalog = () => inMemoryCatalog(MOVIES, RATED, 'api-fixture');

describe('served content vectors', () => {
  it('when the artifact lists a cold-start movie, then it is served from its content: in recommendations and similar', () => {
    // Movie 90 is in the catalogue, not in the model (no ratings at training).
    const factors = contentFactors(plantedContentMap(), { genres: ['Sci-Fi'], year: 2020 });
    const plain = new Recommender(plantedBundle(), catalog());
    const served = new Recommender(withMap([{ movieId: 90, ratings: 0, factors }]), catalog());
    expect(ids(plain.recommend(1, { n: 10 }).recommendations)).not.toContain(90);
    expect(ids(served.recommend(1, { n: 2 }).recommendations)).toContain(90);
    expect(ids(served.similar(10, 10).similar)).toContain(90);
    expect(ids(plain.similar(10, 10).similar)).not.toContain(90);
  });

  it('when a new movie is given content, then its successor serves it to the users whose taste fits, before any retrain', () => {
    const before = new Recommender(withMap(), catalog());
    expect(ids(before.recommend(1, { n: 10 }).recommendations)).not.toContain(90);
    const after = before.withMovieContent(90, { genres: ['Sci-Fi'], year: 2020 });
    before.close(); // the successor owns the catalogue now
    const scifiFan = ids(after.recommend(1, { n: 2 }).recommendations);
    const comedyFan = ids(after.recommend(2, { n: 3 }).recommendations);
    expect(scifiFan).toContain(90);
    expect(comedyFan).not.toContain(90);
    expect(
      after
        .similar(90, 2)
        .similar.map((s) => s.movie_id)
        .every((id) => [10, 20, 30, 40].includes(id)),
    ).toBe(true);
    expect([...after.addedMovies.keys()]).toEqual([90]);
    // Content changed again (now a comedy): the comedy fan gets it, the sci-fi fan's top 2 no longer.
    const changed = after.withMovieContent(90, { genres: ['Comedy'], year: 2020 });
    expect(ids(changed.recommend(2, { n: 2 }).recommendations)).toContain(90);
    expect(ids(changed.recommend(1, { n: 2 }).recommendations)).not.toContain(90);
  });

  it('when the model has no content map, then a movie cannot be served from content', () => {
    const plain = new Recommender(plantedBundle(), catalog());
    expect(plain.servesContent).toBe(false);
    expect(() => plain.withMovieContent(90, { genres: ['Sci-Fi'], year: 2020 })).toThrow(/no content map/);
  });
});
