import type { RatingsStore } from '@reelrank/feedback';
import { measureDrift, type DriftProfile, type DriftReport, type DriftSettings } from '@reelrank/model';

/**
 * The drift of the posted ratings from the live model's training data (packages/model
 * drift-report.ts), measured on a timer and kept: requests and scrapes read the last report, never
 * the store. A measurement reads the last week of posted ratings once (RatingsStore.postedSince, at
 * most `maxRatings`, newest first) and bins them against the live model's profile; it runs every
 * `refreshSeconds`, and again at the next look when the live model changed. Measurements never
 * overlap; a failed one keeps the previous report and is logged.
 */

export interface DriftMonitorOptions {
  store: Pick<RatingsStore, 'postedSince'>;
  /** The live model's version (undefined while none is loaded). */
  liveVersion: () => string | undefined;
  /** The training profile of a model version (null: that model has none). */
  profileOf: (version: string) => DriftProfile | null;
  settings: DriftSettings & { refreshSeconds: number };
  now?: () => number;
  onError?: (error: Error) => void;
}

export class DriftMonitor {
  private last: DriftReport | null = null;
  private running: Promise<DriftReport> | null = null;
  private timer: NodeJS.Timeout | undefined;
  private profile: { version: string; profile: DriftProfile | null } | undefined;

  constructor(private readonly options: DriftMonitorOptions) {}

  /** Measures now, then every refreshSeconds (the timer does not hold the process open). */
  start(): void {
    if (this.timer) return;
    void this.refresh().catch(() => undefined);
    this.timer = setInterval(() => void this.refresh().catch(() => undefined), this.options.settings.refreshSeconds * 1000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The last report; starts a measurement in the background when the live model is not the one it describes. */
  report(): DriftReport | null {
    const version = this.options.liveVersion() ?? null;
    if (this.last && this.last.modelVersion !== version && !this.running) void this.refresh().catch(() => undefined);
    return this.last;
  }

  /** One measurement (joins the one running); resolves with its report. */
  refresh(): Promise<DriftReport> {
    this.running ??= this.measure().finally(() => (this.running = null));
    return this.running;
  }

  private profileOf(version: string | undefined): DriftProfile | null {
    if (!version) return null;
    if (this.profile?.version !== version) this.profile = { version, profile: this.options.profileOf(version) };
    return this.profile.profile;
  }

  private async measure(): Promise<DriftReport> {
    const version = this.options.liveVersion();
    try {
      const { store, settings } = this.options;
      const report = await measureDrift(
        this.profileOf(version),
        (since, limit) => store.postedSince(since, limit),
        settings,
        (this.options.now ?? Date.now)(),
        version ?? null,
      );
      this.last = report;
      return report;
    } catch (error) {
      this.options.onError?.(error as Error);
      throw error;
    }
  }
}
