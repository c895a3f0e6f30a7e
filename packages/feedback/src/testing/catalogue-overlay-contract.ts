import type { CatalogueOverlayStore } from '../lib/catalogue-overlay.js';

/** One empty place to keep the overlay (a temp file, a fresh database): stores opened on it share it, as replicas do. */
export interface OverlayBacking {
  open(): CatalogueOverlayStore;
  dispose(): Promise<void>;
}

/**
 * The CatalogueOverlayStore semantics (catalogue-overlay.ts) as one jest suite, run against every
 * implementation: SQLite in `npm test`, PostgreSQL in `npm run test:postgres`. Two stores on one
 * backing stand for two replicas (or two cluster workers).
 */
export function catalogueOverlayContract(name: string, fresh: () => Promise<OverlayBacking>): void {
  describe(`CatalogueOverlayStore contract: ${name}`, () => {
    let backing: OverlayBacking;
    const opened: CatalogueOverlayStore[] = [];
    const store = () => {
      const s = backing.open();
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

    it('adds movies above the data set ids, one after another, and reads them back from another store', async () => {
      const a = store();
      const first = await a.add({ title: 'Brand New (2026)', year: 2026, genres: ['Drama'], tags: ['quiet'] }, 1001, 'key:1');
      const second = await a.add({ title: 'Second (2026)', year: 2026, genres: [] }, 1001, 'key:1');
      expect(first).toMatchObject({ movieId: 1001, created: true, hidden: false, source: 'key:1', revision: 1 });
      expect(first.fields).toEqual({ title: 'Brand New (2026)', year: 2026, genres: ['Drama'], tags: ['quiet'] });
      expect(second).toMatchObject({ movieId: 1002, revision: 2 });
      // A data set that grew meanwhile: the next id is above it.
      expect((await a.add({ title: 'Third', year: null, genres: [] }, 5000, 'key:1')).movieId).toBe(5000);
      const b = store();
      expect((await b.all()).map((m) => m.movieId)).toEqual([1001, 1002, 5000]);
      expect(await b.version()).toEqual({ count: 3, newestRevision: 3 });
    });

    it('changes a data-set movie as an overlay of the fields set, merging later changes, and hides it', async () => {
      const s = store();
      const titled = await s.change(7, { title: 'Renamed (1999)' }, 'admin-token');
      expect(titled).toMatchObject({ movieId: 7, created: false, hidden: false, fields: { title: 'Renamed (1999)' } });
      const hidden = await s.change(7, { hidden: true, genres: ['Horror'] }, 'key:2');
      expect(hidden).toMatchObject({ hidden: true, source: 'key:2', fields: { title: 'Renamed (1999)', genres: ['Horror'] } });
      expect(hidden.revision).toBeGreaterThan(titled.revision);
      const shown = await s.change(7, { hidden: false }, 'key:2');
      expect(shown).toMatchObject({ hidden: false, fields: { title: 'Renamed (1999)', genres: ['Horror'] } });
      expect((await s.all()).length).toBe(1);
    });

    it('lists what changed after a revision, in revision order, for a server that polls', async () => {
      const a = store();
      const b = store();
      expect(await b.since(0)).toEqual([]);
      const added = await a.add({ title: 'New', year: 2020, genres: ['Comedy'] }, 100, 'key:1');
      await a.change(3, { hidden: true }, 'key:1');
      const seen = await b.since(0);
      expect(seen.map((m) => [m.movieId, m.revision])).toEqual([
        [added.movieId, 1],
        [3, 2],
      ]);
      await a.change(added.movieId, { title: 'New, renamed' }, 'key:1');
      expect((await b.since(2)).map((m) => [m.movieId, m.revision, m.fields.title])).toEqual([[added.movieId, 3, 'New, renamed']]);
      expect(await b.since(3)).toEqual([]);
    });

    it('numbers concurrent writes from two stores without a gap or a repeat', async () => {
      const a = store();
      const b = store();
      const writes = await Promise.all(
        Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).add({ title: `Movie ${i}`, year: 2000 + i, genres: [] }, 500, 'key:1')),
      );
      expect(writes.map((w) => w.movieId).sort((x, y) => x - y)).toEqual(Array.from({ length: 10 }, (_, i) => 500 + i));
      expect(writes.map((w) => w.revision).sort((x, y) => x - y)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    });

    it('refuses input no implementation may store, naming the field, and stores nothing', async () => {
      const s = store();
      await expect(s.add({ title: ' ', year: 2000, genres: [] }, 10, 'k')).rejects.toMatchObject({ field: 'title' });
      await expect(s.add({ title: 'x', year: 1066, genres: [] }, 10, 'k')).rejects.toMatchObject({ field: 'year' });
      await expect(s.add({ title: 'x', year: 2000, genres: ['a|b'] }, 10, 'k')).rejects.toMatchObject({ field: 'genres' });
      await expect(s.change(1, { imdbId: 'tt01' }, 'k')).rejects.toMatchObject({ field: 'imdbId' });
      expect(await s.version()).toEqual({ count: 0, newestRevision: 0 });
    });
  });
}
