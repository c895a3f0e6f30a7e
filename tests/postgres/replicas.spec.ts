import { startApi, type ApiProcess } from '../../tools/lib/processes';
import { freshDatabase } from './postgres-test-db';
import { AS_ADMIN, servedWorkspace, TEST_ADMIN_TOKEN } from './served-workspace';

/**
 * "Replicas agree": two real API processes (apps/api/src/main.ts) on one PostgreSQL
 * (DATABASE_URL), serving a model the real stages built from a small generated data set. A rating
 * posted to one changes the recommendations the other serves within one second (the other folds the
 * user in on its next request: it asks the shared store for the user's version on every request).
 */
describe('two API replicas on one PostgreSQL', () => {
  let db: { url: string; drop(): Promise<void> };
  let replicas: ApiProcess[] = [];

  beforeAll(async () => {
    db = await freshDatabase();
    const env = { ...(await servedWorkspace(db.url)), REELRANK_ADMIN_TOKEN: TEST_ADMIN_TOKEN };
    replicas = await Promise.all(['replica a', 'replica b'].map((name) => startApi({ name, env, readyTimeoutMs: 120_000 })));
  }, 180_000);

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.stop(5_000)));
    await db?.drop();
  });

  const recommend = async (url: string, userId: number, n = 5) => {
    const res = await fetch(`${url}/recommendations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user_id: userId, n_recommendations: n }),
    });
    expect(res.status).toBe(200);
    return (await res.json()) as { strategy: string; recommendations: { movie_id: number }[] };
  };

  it('when a rating is posted to one replica, then the other serves recommendations folded in from it within 1 s', async () => {
    const [a, b] = replicas;
    for (const replica of replicas) {
      const ready = (await (await fetch(`${replica.url}/ready`, { headers: AS_ADMIN })).json()) as {
        ratings_store: { kind: string; location: string; reachable: boolean };
      };
      expect(ready.ratings_store).toEqual({ kind: 'postgres', location: new URL(db.url).toString(), reachable: true });
    }
    const user = 900_001; // a user the model never saw: the cold-start (popular) list
    const before = await recommend(b.url, user, 10);
    expect(before.strategy).toBe('popular');
    // Six movies of that list (the model knows them; five or more ratings: a full fold-in).
    const rated = before.recommendations.slice(0, 6).map((m) => m.movie_id);
    expect(rated).toHaveLength(6);
    const posted = await fetch(`${a.url}/ratings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...AS_ADMIN },
      body: JSON.stringify({ ratings: rated.map((movie_id) => ({ user_id: user, movie_id, rating: 5 })) }),
    });
    expect(posted.status).toBe(201);
    const acknowledged = Date.now();
    let after = await recommend(b.url, user);
    while (after.strategy !== 'fold-in' && Date.now() - acknowledged < 1_000) after = await recommend(b.url, user);
    const seconds = (Date.now() - acknowledged) / 1000;
    expect(after.strategy).toBe('fold-in');
    expect(seconds).toBeLessThan(1);
    // Folded in from the posted ratings: the rated movies (at the top of the list before) are not recommended back.
    const shown = after.recommendations.map((m) => m.movie_id);
    for (const movie of rated) expect(shown).not.toContain(movie);

    // And the other way round: b forgets, a serves the trained answer again.
    expect((await fetch(`${b.url}/users/${user}/ratings`, { method: 'DELETE', headers: AS_ADMIN })).status).toBe(200);
    expect((await recommend(a.url, user)).strategy).toBe('popular');
  });
});
