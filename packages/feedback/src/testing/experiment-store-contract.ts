import { ExperimentConflictError, type ExperimentStore, type NewExperiment } from '../lib/experiments.js';

/** One empty place to keep experiments (a temp file, a fresh database): stores opened on it share it, as replicas do. */
export interface ExperimentStoreBacking {
  open(): ExperimentStore;
  dispose(): Promise<void>;
}

const experiment = (over: Partial<NewExperiment> = {}): NewExperiment => ({
  name: 'mf-64-vs-mf-32',
  controlVersion: 'v-control',
  challengerVersion: 'v-challenger',
  share: 0.25,
  seed: 7,
  ...over,
});

/**
 * The ExperimentStore semantics (experiments.ts) as one jest suite, run against every implementation:
 * SQLite in `npm test`, PostgreSQL in `npm run test:postgres`. Two stores on one backing stand for two replicas.
 */
export function experimentStoreContract(name: string, fresh: () => Promise<ExperimentStoreBacking>): void {
  describe(`ExperimentStore contract: ${name}`, () => {
    let backing: ExperimentStoreBacking;
    const opened: ExperimentStore[] = [];
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

    it('starts an experiment that every store on the same backing sees running', async () => {
      const [a, b] = [store(), store()];
      expect(await b.running()).toBeUndefined();
      const started = await a.start(experiment());
      expect(started).toMatchObject({ ...experiment(), status: 'running', endedAt: null });
      expect(started.startedAt).toBeGreaterThan(Date.now() - 60_000);
      expect(await b.running()).toEqual(started);
      expect(await b.get(started.id)).toEqual(started);
    });

    it('runs at most one experiment: a second start is refused naming the running one, from any store', async () => {
      const [a, b] = [store(), store()];
      const first = await a.start(experiment());
      await expect(b.start(experiment({ name: 'other' }))).rejects.toThrow(ExperimentConflictError);
      await expect(b.start(experiment({ name: 'other' }))).rejects.toMatchObject({ running: { id: first.id } });
      expect(await a.list()).toHaveLength(1);
    });

    it('concludes the running experiment once (promoted or dropped), after which another may start; list is newest first', async () => {
      const [a, b] = [store(), store()];
      const first = await a.start(experiment());
      const ended = await b.conclude(first.id, 'dropped');
      expect(ended).toMatchObject({ id: first.id, status: 'dropped' });
      expect(ended!.endedAt).toBeGreaterThanOrEqual(first.startedAt);
      expect(await a.conclude(first.id, 'promoted')).toBeUndefined();
      expect(await a.running()).toBeUndefined();
      const second = await a.start(experiment({ name: 'second', share: 0.5 }));
      expect(await b.conclude(second.id, 'promoted')).toMatchObject({ status: 'promoted' });
      expect((await b.list()).map((e) => [e.id, e.status])).toEqual([
        [second.id, 'promoted'],
        [first.id, 'dropped'],
      ]);
      expect(await b.conclude(9999, 'dropped')).toBeUndefined();
      expect(await b.get(9999)).toBeUndefined();
    });

    it('refuses a share outside (0, 1), a seed that is not a 32-bit unsigned integer, and an unlistable name', async () => {
      const s = store();
      for (const share of [0, 1, -0.1, 1.5, Number.NaN]) await expect(s.start(experiment({ share }))).rejects.toThrow(/share/);
      for (const seed of [-1, 1.5, 2 ** 32]) await expect(s.start(experiment({ seed }))).rejects.toThrow(/seed/);
      for (const name of ['', 'x'.repeat(65), 'a\nb']) await expect(s.start(experiment({ name }))).rejects.toThrow(/name/);
      expect(await s.list()).toEqual([]);
    });
  });
}
