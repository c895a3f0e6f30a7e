import type { CatalogueFeed, CatalogueOverlayStore, OverlayMovie } from '@reelrank/feedback';

/** How often to poll: always every `intervalMs` without a change feed; with one, only every `listeningMs` while it is connected. */
export interface CatalogueSyncTiming {
  intervalMs: number;
  listeningMs: number;
}

/**
 * Keeps this process's catalogue in step with the overlay store, which every cluster worker (one
 * SQLite file) and every replica (one PostgreSQL database) shares: `load` reads it whole before the
 * first model, then each read asks for the rows written after the newest revision seen (one indexed
 * read, usually empty) and hands them on. Reads happen when told (`poll`: a PostgreSQL notification,
 * a cluster sibling's write) and on a timer, the fallback: every `intervalMs` (SQLite, or a dropped
 * PostgreSQL listener while it reconnects), every `listeningMs` while a listener is connected.
 */
export class CatalogueSync {
  private revision = 0;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  /** A poll was asked for while one ran: it may have read before the write committed, so run once more. */
  private again = false;
  private lastPoll = 0;
  private feed: CatalogueFeed | undefined;
  private listeningNow = false;

  constructor(
    private readonly store: CatalogueOverlayStore,
    private readonly apply: (rows: readonly OverlayMovie[]) => void,
  ) {}

  /** The newest revision handed on. */
  get seenRevision(): number {
    return this.revision;
  }

  /** Whether the store's change feed is connected (false without one). */
  get listening(): boolean {
    return this.listeningNow;
  }

  async load(): Promise<void> {
    const rows = await this.store.all();
    this.apply(rows);
    for (const row of rows) this.revision = Math.max(this.revision, row.revision);
  }

  /** Reads what changed since the newest revision seen; asked for while a read runs, it reads once more after it. */
  poll(): Promise<void> {
    if (this.polling) {
      this.again = true;
      return this.polling;
    }
    this.polling = (async () => {
      try {
        do {
          this.again = false;
          this.lastPoll = Date.now();
          const rows = await this.store.since(this.revision);
          if (rows.length === 0) continue;
          this.apply(rows);
          this.revision = rows[rows.length - 1].revision;
        } while (this.again);
      } finally {
        this.polling = undefined;
      }
    })();
    return this.polling;
  }

  /**
   * Polls on the timer and, where the store has one, follows its change feed; a failed read (the store
   * away) or a dropped listener is reported, and the next read tries again.
   */
  start(timing: CatalogueSyncTiming, onError: (error: unknown) => void, onListening?: (listening: boolean) => void): void {
    this.stop();
    this.timer = setInterval(() => {
      if (this.listeningNow && Date.now() - this.lastPoll < timing.listeningMs) return;
      this.poll().catch(onError);
    }, timing.intervalMs);
    this.timer.unref();
    this.feed = this.store.watch?.({
      onChange: () => void this.poll().catch(onError),
      onState: (listening, error) => {
        this.listeningNow = listening;
        if (error !== undefined) onError(error);
        onListening?.(listening);
      },
    });
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    void this.feed?.close();
    this.feed = undefined;
    this.listeningNow = false;
  }
}
