import request from 'supertest';
import { plantedApp } from '../__fixtures__/fixtures.js';

const app = plantedApp();

describe('GET /movies/{movie_id}/similar', () => {
  it('when a sci-fi movie is given, then the other catalogued sci-fi movies come first with cosine 1', async () => {
    const res = await request(app).get('/movies/10/similar?n=4').expect(200);
    expect(res.body.movie_id).toBe(10);
    // 80 (cosine 0.707) is in the model but not the catalogue; comedies have cosine 0.
    expect(res.body.similar.map((m: { movie_id: number }) => m.movie_id)).toEqual([20, 30, 40, 50]);
    expect(res.body.similar[0]).toEqual({ movie_id: 20, title: 'Robot Dawn (1984)', genres: ['Sci-Fi', 'Action'], year: 1984, similarity: 1 });
    expect(res.body.similar[3].similarity).toBe(0);
  });

  it('when n is omitted, then up to 10 come back and never the movie itself', async () => {
    const res = await request(app).get('/movies/50/similar').expect(200);
    expect(res.body.similar.map((m: { movie_id: number }) => m.movie_id)).toEqual([60, 70, 10, 20, 30, 40]);
  });

  it('when the movie is catalogued but has no factors, then the list is empty', async () => {
    expect((await request(app).get('/movies/90/similar').expect(200)).body).toEqual({ movie_id: 90, similar: [] });
  });

  it('when the movie is unknown or the id or n invalid, then 404 or 400 naming the parameter', async () => {
    expect((await request(app).get('/movies/12345/similar').expect(404)).body.error.code).toBe('movie_not_found');
    expect((await request(app).get('/movies/abc/similar').expect(400)).body.error.details[0].field).toBe('movie_id');
    expect((await request(app).get('/movies/1.5/similar').expect(400)).body.error.details[0].field).toBe('movie_id');
    expect((await request(app).get('/movies/10/similar?n=0').expect(400)).body.error.details[0].field).toBe('n');
    expect((await request(app).get('/movies/10/similar?k=3').expect(400)).body.error.details[0].field).toBe('k');
  });
});

describe('GET /movies/search', () => {
  it('when a title fragment is searched, then matching movies come back with the total', async () => {
    const res = await request(app).get('/movies/search?q=galaxy').expect(200);
    expect(res.body).toEqual({ total: 1, movies: [{ movie_id: 30, title: 'Galaxy, The (1999)', genres: ['Sci-Fi'], year: 1999 }] });
  });

  it('when a genre and paging are given, then one page of that genre comes back', async () => {
    const res = await request(app).get('/movies/search?genre=Comedy&limit=2&offset=1').expect(200);
    expect(res.body.total).toBe(3);
    expect(res.body.movies.map((m: { movie_id: number }) => m.movie_id)).toEqual([70, 60]);
  });

  it('when limit is out of range, then 400 names it', async () => {
    expect((await request(app).get('/movies/search?limit=1000').expect(400)).body.error.details[0].field).toBe('limit');
  });
});
