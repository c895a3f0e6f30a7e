import { DRIFT_FEATURES, profileRatings, type DriftFeature, type DriftProfile } from './drift-profile.js';
import { populationStabilityIndex, smoothedShares } from './drift-psi.js';

/**
 * The drift of the ratings posted in the last day and the last week from a model's training profile:
 * one PSI per feature and window. One read of the store (the week, newest first, at most
 * `maxRatings`); the day is the part of it posted in the last 24 h. A window with fewer than
 * `minRatings` ratings gets no figures (a handful of ratings says nothing about a distribution).
 */

export const DRIFT_WINDOWS = [
  { window: 'day', seconds: 86_400 },
  { window: 'week', seconds: 7 * 86_400 },
] as const;
export type DriftWindowName = (typeof DRIFT_WINDOWS)[number]['window'];

export interface DriftSettings {
  /** PSI at or above which a feature counts as drifted. */
  threshold: number;
  /** Fewest ratings in a window for it to get figures. */
  minRatings: number;
  /** Most ratings read (the newest). */
  maxRatings: number;
  /**
   * The features judged against the threshold (worst, drifted); all four are measured. A week of
   * posted ratings per user never looks like a training set's, and posted ratings come mostly from
   * new users, so those two move with any stream.
   */
  judged: readonly DriftFeature[];
}

export interface PostedRow {
  userId: number;
  movieId: number;
  rating: number;
  /** Unix seconds. */
  postedAt: number;
}

export interface DriftWindowReport {
  window: DriftWindowName;
  /** ISO time the window starts. */
  since: string;
  ratings: number;
  users: number;
  /** True when the read stopped at maxRatings (the window holds more; the figures are of the newest). */
  truncated: boolean;
  /** PSI per feature; null below minRatings or without a profile. */
  psi: Record<DriftFeature, number> | null;
  /** The window's shares per bin (the same smoothing as the PSI); null when psi is. */
  shares: Record<DriftFeature, number[]> | null;
}

export interface DriftFinding {
  feature: DriftFeature;
  window: DriftWindowName;
  psi: number;
}

export interface DriftReport {
  at: string;
  /** The model whose profile the windows are compared with (null: none loaded). */
  modelVersion: string | null;
  /** Why there are no figures, when there are none for any window. */
  note: string | null;
  threshold: number;
  minRatings: number;
  /** The training profile's bins and shares per feature (null without a profile). */
  profile: { ratings: number; users: number; features: Record<DriftFeature, { bins: string[]; shares: number[] }> } | null;
  windows: DriftWindowReport[];
  /** The features judged against the threshold. */
  judged: DriftFeature[];
  /** The largest PSI of a judged feature in any window, and whether it reaches the threshold. */
  worst: DriftFinding | null;
  drifted: boolean;
  /** Seconds the read and the figures took. */
  seconds: number;
}

const mapFeatures = <T>(fn: (feature: DriftFeature) => T) => Object.fromEntries(DRIFT_FEATURES.map((f) => [f, fn(f)])) as Record<DriftFeature, T>;

/** The rows posted at or after `since` as typed columns (one pass, no per-row objects). */
function columnsSince(rows: readonly PostedRow[], since: number) {
  let n = 0;
  for (const r of rows) if (r.postedAt >= since) n++;
  const columns = { userIds: new Int32Array(n), movieIds: new Int32Array(n), ratings: new Float32Array(n) };
  let i = 0;
  for (const r of rows) {
    if (r.postedAt < since) continue;
    columns.userIds[i] = r.userId;
    columns.movieIds[i] = r.movieId;
    columns.ratings[i++] = r.rating;
  }
  return columns;
}

/** The report for `rows` (posted ratings of the last week, newest first) against `profile`. */
export function driftOf(
  profile: DriftProfile | null,
  rows: readonly PostedRow[],
  settings: DriftSettings,
  nowMs: number,
  modelVersion: string | null = profile?.modelVersion ?? null,
): Omit<DriftReport, 'seconds'> {
  const nowSeconds = Math.floor(nowMs / 1000);
  const truncatedRead = rows.length >= settings.maxRatings;
  const windows: DriftWindowReport[] = DRIFT_WINDOWS.map(({ window, seconds }) => {
    const since = nowSeconds - seconds;
    const part = columnsSince(rows, since);
    const count = part.ratings.length;
    const base = { window, since: new Date(since * 1000).toISOString(), ratings: count, truncated: truncatedRead && count === rows.length };
    if (!profile || count < settings.minRatings) return { ...base, users: new Set(part.userIds).size, psi: null, shares: null };
    const sample = profileRatings(part, profile);
    return {
      ...base,
      users: sample.users,
      psi: mapFeatures((f) => populationStabilityIndex(profile.features[f].counts, sample.features[f].counts)),
      shares: mapFeatures((f) => smoothedShares(sample.features[f].counts)),
    };
  });
  let worst: DriftFinding | null = null;
  for (const w of windows)
    for (const feature of settings.judged) {
      const psi = w.psi?.[feature];
      if (psi !== undefined && (!worst || psi > worst.psi)) worst = { feature, window: w.window, psi };
    }
  const note = !modelVersion
    ? 'no model loaded'
    : !profile
      ? `model ${modelVersion} has no drift profile (trained before profiles were recorded): retrain to get one`
      : windows.every((w) => w.psi === null)
        ? `fewer than ${settings.minRatings} ratings posted in the last week`
        : null;
  return {
    at: new Date(nowMs).toISOString(),
    modelVersion,
    note,
    threshold: settings.threshold,
    minRatings: settings.minRatings,
    judged: [...settings.judged],
    profile: profile
      ? {
          ratings: profile.ratings,
          users: profile.users,
          features: mapFeatures((f) => ({ bins: profile.features[f].bins, shares: smoothedShares(profile.features[f].counts) })),
        }
      : null,
    windows,
    worst,
    drifted: worst !== null && worst.psi >= settings.threshold,
  };
}

/** Reads the last week's posted ratings through `readPosted` (RatingsStore.postedSince) and reports their drift. */
export async function measureDrift(
  profile: DriftProfile | null,
  readPosted: (sinceSeconds: number, limit: number) => Promise<PostedRow[]>,
  settings: DriftSettings,
  nowMs = Date.now(),
  modelVersion: string | null = profile?.modelVersion ?? null,
): Promise<DriftReport> {
  const started = performance.now();
  const weekStart = Math.floor(nowMs / 1000) - DRIFT_WINDOWS[1].seconds;
  const rows = profile ? await readPosted(weekStart, settings.maxRatings) : [];
  const report = driftOf(profile, rows, settings, nowMs, modelVersion);
  return { ...report, seconds: (performance.now() - started) / 1000 };
}

/** "drift psi 1.234 on feature rating (day)". */
export function describeDrift(finding: DriftFinding): string {
  return `drift psi ${finding.psi.toFixed(3)} on feature ${finding.feature} (${finding.window})`;
}
