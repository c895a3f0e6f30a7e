import { openSqliteRatingsStore } from '@reelrank/feedback';
import { buildDriftProfile, buildGenreIndex, idRanges } from '@reelrank/model';
import { DriftMonitor } from './drift-monitor.js';

/** The monitor on a real (in-memory) ratings store: what it measures against, when, and what a failed measurement leaves. */

const binning = { genreIndex: buildGenreIndex([{ movieId: 1, genres: ['Drama'] }]), dataSetUsers: idRanges([1]) };
const profileOf = (version: string) =>
  buildDriftProfile(
    { userIds: Array(100).fill(1), movieIds: Array(100).fill(1), ratings: Array.from({ length: 100 }, (_, i) => 1 + (i % 9) / 2) },
    binning,
    version,
  );
const settings = { threshold: 0.25, minRatings: 10, maxRatings: 1000, refreshSeconds: 3600, judged: ['rating' as const] };

describe('DriftMonitor', () => {
  it('when the live model changes, then the next read of the report starts a measurement against the new model, reading its profile once', async () => {
    const store = openSqliteRatingsStore(':memory:');
    await store.put(Array.from({ length: 20 }, (_, i) => ({ userId: 2, movieId: 100 + i, rating: 0.5 })));
    let live = 'mf-000000000001';
    const asked: string[] = [];
    const monitor = new DriftMonitor({ store, liveVersion: () => live, profileOf: (v) => (asked.push(v), profileOf(v)), settings });
    expect(monitor.report()).toBeNull();
    const first = await monitor.refresh();
    expect(first).toMatchObject({ modelVersion: 'mf-000000000001', drifted: true, worst: { feature: 'rating' } });
    await monitor.refresh();
    expect(asked).toEqual(['mf-000000000001']);
    live = 'mf-000000000002';
    expect(monitor.report()!.modelVersion).toBe('mf-000000000001'); // the last one, while the new one is measured
    const second = await monitor.refresh();
    expect(second.modelVersion).toBe('mf-000000000002');
    expect(asked).toEqual(['mf-000000000001', 'mf-000000000002']);
    await store.close();
  });

  it('when a measurement fails, then the last report stays and the failure is told', async () => {
    const store = openSqliteRatingsStore(':memory:');
    const errors: string[] = [];
    const monitor = new DriftMonitor({ store, liveVersion: () => 'mf-000000000001', profileOf, settings, onError: (e) => errors.push(e.message) });
    const kept = await monitor.refresh();
    await store.close();
    await expect(monitor.refresh()).rejects.toThrow();
    expect(errors).toHaveLength(1);
    expect(monitor.report()).toBe(kept);
  });
});
