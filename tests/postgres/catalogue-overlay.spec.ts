import { openCatalogueOverlay, openPostgresCatalogueOverlay, readCatalogueOverlay } from '@reelrank/feedback';
import { catalogueOverlayContract } from '@reelrank/feedback/testing';
import request from 'supertest';
import { CatalogueSync, createApp, ModelHolder } from '@reelrank/api';
import { testServing } from '@reelrank/config/testing';
import { inMemoryCatalog, Recommender } from '@reelrank/serving';
import { MOVIES, plantedBundle, RATED } from '@reelrank/serving/testing';
import { freshDatabase } from './postgres-test-db';

const ADMIN = 'test-admin-7Hq2Xv9Lm4Kp8Zr3Wt6Yb1';

// Two stores on one database stand for two replicas: revisions follow commit order across both.
catalogueOverlayContract('PostgreSQL', async () => {
  const db = await freshDatabase();
  return { open: () => openPostgresCatalogueOverlay(db.url), dispose: () => db.drop() };
});

describe('the PostgreSQL catalogue overlay', () => {
  it('when DATABASE_URL is set, then the API and the train stage use the overlay on that server', async () => {
    const db = await freshDatabase();
    const selection = { storage: { databaseUrl: db.url }, paths: { ratingsDbPath: '/unused.db' } };
    const store = openCatalogueOverlay(selection);
    try {
      const added = await store.add({ title: 'Shared (2026)', year: 2026, genres: ['Drama'], tags: ['replica'] }, 200_000, 'key:1');
      await store.change(1, { hidden: true }, 'key:1');
      expect(await readCatalogueOverlay(selection)).toEqual([expect.objectContaining({ movieId: 1, hidden: true }), added]);
      expect(await store.version()).toEqual({ count: 2, newestRevision: 2 });
    } finally {
      await store.close();
      await db.drop();
    }
  });
});

describe('replicas on one PostgreSQL overlay', () => {
  it('when one replica hides a movie and adds one, then the other serves both within a second', async () => {
    const db = await freshDatabase();
    const replicas = [0, 1].map(() => {
      const store = openPostgresCatalogueOverlay(db.url);
      const holder: ModelHolder = new ModelHolder(
        () => new Recommender(plantedBundle(), inMemoryCatalog(MOVIES, RATED), { catalogueChanges: holder.catalogueChanges() }),
      );
      const sync = new CatalogueSync(store, (rows) => holder.applyCatalogueChanges(rows));
      const app = createApp({ models: holder, config: { serving: testServing(null) }, admin: { token: ADMIN }, catalogue: store });
      return { store, holder, sync, app };
    });
    try {
      for (const r of replicas) {
        await r.sync.load();
        r.holder.reload();
        r.sync.start({ intervalMs: 250, listeningMs: 250 }, () => undefined);
      }
      const [a, b] = replicas;
      const admin = { authorization: `Bearer ${ADMIN}` };
      await request(a.app).patch('/movies/30').set(admin).send({ hidden: true }).expect(200);
      const added = (await request(a.app).post('/movies').set(admin).send({ title: 'Replica (2026)', year: 2026, genres: [] }).expect(201)).body;
      const started = Date.now();
      while (Date.now() - started < 1000 && !(b.holder.current()!.isHidden(30) && b.holder.current()!.hasMovie(added.movie_id))) {
        await new Promise((done) => setTimeout(done, 20));
      }
      expect(Date.now() - started).toBeLessThan(1000);
      const recommended = (await request(b.app).post('/recommendations').send({ user_id: 1, n_recommendations: 5 }).expect(200)).body;
      expect(recommended.recommendations.map((m: { movie_id: number }) => m.movie_id)).not.toContain(30);
      expect((await request(b.app).get(`/movies/${added.movie_id}`).expect(200)).body.title).toBe('Replica (2026)');
    } finally {
      for (const r of replicas) {
        r.sync.stop();
        await r.store.close();
      }
      await db.drop();
    }
  });
});
