import pg from 'pg';

/** The channel every overlay write notifies (pg_notify in the write's transaction, so it is delivered at commit). */
export const CATALOGUE_CHANNEL = 'reelrank_catalogue';

/** What a process hears from the overlay's change feed. */
export interface CatalogueFeedEvents {
  /** Another write committed (or the listener reconnected and may have missed some): read what changed. */
  onChange(): void;
  /** The listener is connected (true) or dropped (false, with the error), when that changes. */
  onState(listening: boolean, error?: unknown): void;
}

export interface CatalogueFeed {
  close(): Promise<void>;
}

export interface CatalogueListenerOptions {
  /** First wait before a reconnect, in ms; doubled after each failed attempt up to maxBackoffMs. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  connectTimeoutMs?: number;
}

/**
 * LISTEN on the overlay's channel over a connection of its own (a pooled one would be handed to other
 * queries). A dropped connection is reported and reconnected with exponential back-off; after every
 * (re)connect onChange is called once, since notifications sent while it was away are gone.
 */
export function listenForCatalogueChanges(url: string, events: CatalogueFeedEvents, options: CatalogueListenerOptions = {}): CatalogueFeed {
  const minBackoff = options.minBackoffMs ?? 100;
  const maxBackoff = options.maxBackoffMs ?? 5_000;
  let backoff = minBackoff;
  let client: pg.Client | undefined;
  let timer: NodeJS.Timeout | undefined;
  let listening = false;
  let closed = false;

  const dropped = (from: pg.Client, error: unknown) => {
    if (client !== from) return; // an earlier connection's late event
    client = undefined;
    from.removeAllListeners('notification');
    from.end().catch(() => undefined);
    if (closed) return;
    if (listening) {
      listening = false;
      events.onState(false, error);
    }
    timer = setTimeout(connect, backoff);
    timer.unref();
    backoff = Math.min(maxBackoff, backoff * 2);
  };

  const connect = async () => {
    timer = undefined;
    if (closed) return;
    const next = new pg.Client({ connectionString: url, keepAlive: true, connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000 });
    client = next;
    next.on('error', (error) => dropped(next, error));
    next.on('end', () => dropped(next, new Error('the catalogue listener connection ended')));
    next.on('notification', (message) => {
      if (message.channel === CATALOGUE_CHANNEL) events.onChange();
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${CATALOGUE_CHANNEL}`);
    } catch (error) {
      dropped(next, error);
      return;
    }
    if (closed || client !== next) return;
    backoff = minBackoff;
    listening = true;
    events.onState(true);
    events.onChange();
  };

  void connect();
  return {
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      const last = client;
      client = undefined;
      await last?.end().catch(() => undefined);
    },
  };
}
