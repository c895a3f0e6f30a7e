import { judgedDriftFeatures, type AppConfig } from '@reelrank/config';
import type { RatingsStore } from '@reelrank/feedback';
import { liveModel, measureDrift, readDriftProfile, type DriftFinding, type DriftReport, type RegistryPaths } from '@reelrank/model';

/**
 * The watcher's view of drift: the posted ratings of the last day and week against the live model's
 * training profile (drift-profile.json in its registry folder), measured as the API does
 * (packages/model measureDrift), at most once per operations.drift.refreshSeconds and again when the live
 * model changes. Resolves with the worst judged feature when it reaches the threshold, else null.
 */
export function driftSource(
  store: Pick<RatingsStore, 'postedSince'>,
  config: { operations: Pick<AppConfig['operations'], 'drift'>; paths: RegistryPaths },
  now: () => number = Date.now,
): () => Promise<DriftFinding | null> {
  const { threshold, minRatings, maxRatings, refreshSeconds, features } = config.operations.drift;
  const settings = { threshold, minRatings, maxRatings, judged: judgedDriftFeatures(features) };
  let last: { version: string | null; at: number; report: DriftReport } | undefined;
  return async () => {
    const live = liveModel(config.paths);
    const at = now();
    if (!last || last.version !== live.version || at - last.at >= refreshSeconds * 1000) {
      const profile = live.version ? readDriftProfile(live.dir, live.version) : null;
      const report = await measureDrift(profile, (since, limit) => store.postedSince(since, limit), settings, at, live.version);
      last = { version: live.version, at, report };
    }
    return last.report.drifted ? last.report.worst : null;
  };
}
