import { movieContentOf } from './catalogue-content.js';

describe('movieContentOf', () => {
  it('when tags are counted per movie, then each movie gets its genres, year and tag counts; a movie without tags gets none', () => {
    const content = movieContentOf(
      [
        { movieId: 1, year: 1995, genres: ['Comedy'] },
        { movieId: 2, year: null, genres: [] },
      ],
      [
        { movieId: 1, tag: 'funny', count: 2 },
        { movieId: 1, tag: 'pixar', count: 1 },
        { movieId: 1, tag: 'funny', count: 1 },
        { movieId: 3, tag: 'orphan', count: 1 },
      ],
    );
    expect([...content.keys()]).toEqual([1, 2]);
    expect(content.get(1)).toEqual({
      genres: ['Comedy'],
      year: 1995,
      tags: new Map([
        ['funny', 3],
        ['pixar', 1],
      ]),
    });
    expect(content.get(2)).toEqual({ genres: [], year: null });
  });
});
