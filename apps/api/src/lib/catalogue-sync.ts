import type { CatalogueOverlayStore, OverlayMovie } from '@reelrank/feedback';

/**
 * Keeps this process's catalogue in step with the overlay store, which every cluster worker (one
 * SQLite file) and every replica (one PostgreSQL database) shares: `load` reads it whole before the
 * first model, then a poll every `intervalMs` asks for the rows written after the newest revision seen
 * (one indexed read, usually empty) and hands them on. So a movie added, changed or hidden by any
 * process is served by every other within `intervalMs` plus the read.
 */
export class CatalogueSync {
  private revision = 0;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;

  constructor(
    private readonly store: CatalogueOverlayStore,
    private readonly apply: (rows: readonly OverlayMovie[]) => void,
  ) {}

  /** The newest revision handed on. */
  get seenRevision(): number {
    return this.revision;
  }

  async load(): Promise<void> {
    const rows = await this.store.all();
    this.apply(rows);
    for (const row of rows) this.revision = Math.max(this.revision, row.revision);
  }

  /** One poll (a poll still running is awaited instead of starting another). */
  poll(): Promise<void> {
    this.polling ??= (async () => {
      try {
        const rows = await this.store.since(this.revision);
        if (rows.length === 0) return;
        this.apply(rows);
        this.revision = rows[rows.length - 1].revision;
      } finally {
        this.polling = undefined;
      }
    })();
    return this.polling;
  }

  /** Polls every `intervalMs`; a failed poll (the store away) is reported and the next one tries again. */
  start(intervalMs: number, onError: (error: unknown) => void): void {
    this.stop();
    this.timer = setInterval(() => this.poll().catch(onError), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
