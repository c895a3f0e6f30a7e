import { migratedPool } from './postgres-pool.js';
import pg from 'pg';
import { nowSeconds } from './api-keys.js';
import { CATALOGUE_CHANNEL, listenForCatalogueChanges } from './postgres-catalogue-listener.js';
import {
  addedMovie,
  type CatalogueOverlayStore,
  changedMovie,
  checkFields,
  checkNewMovie,
  type MoviePatch,
  type NewMovie,
  OVERLAY_COLUMNS,
  OVERLAY_VERSION_SQL,
  type OverlayDraft,
  type OverlayMovie,
  overlayRow,
  type OverlayVersion,
} from './catalogue-overlay.js';

type Row = Parameters<typeof overlayRow>[0];

export interface PostgresCatalogueOverlayOptions {
  /** How long to wait for a connection, in ms (default 5,000). */
  connectTimeoutMs?: number;
  /** How long one query may take, in ms (default 10,000; 0: no limit). */
  queryTimeoutMs?: number;
}

/** The key of the advisory lock the overlay's writers take (any constant shared by all processes). */
const OVERLAY_WRITE_LOCK = 0x7265656d + 1;

/**
 * The catalogue's overlay in PostgreSQL (table catalogue_movies, migrated with the posted ratings),
 * shared by every replica. A write is one transaction under a transaction-level advisory lock, so
 * revisions (max + 1) follow commit order and a reader polling `since(r)` never skips one. A small
 * pool of its own, connected and migrated on first use.
 */
export function openPostgresCatalogueOverlay(url: string, options: PostgresCatalogueOverlayOptions = {}): CatalogueOverlayStore {
  const { pool, ready, query } = migratedPool(url, { max: 2, connectTimeoutMs: options.connectTimeoutMs, queryTimeoutMs: options.queryTimeoutMs });

  const write = async (
    movieId: number | ((client: pg.PoolClient) => Promise<number>),
    merge: (before: OverlayMovie | undefined) => OverlayDraft,
  ): Promise<OverlayMovie> => {
    await ready();
    const client = await pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [OVERLAY_WRITE_LOCK]);
      const id = typeof movieId === 'number' ? movieId : await movieId(client);
      const before = (await client.query<Row>(`SELECT ${OVERLAY_COLUMNS} FROM catalogue_movies WHERE movie_id = $1`, [id])).rows[0];
      const next = merge(before && overlayRow(before));
      const { rows } = await client.query<{ revision: number }>('SELECT coalesce(max(revision), 0) + 1 AS revision FROM catalogue_movies');
      const row: OverlayMovie = { ...next, movieId: id, revision: Number(rows[0].revision), updatedAt: nowSeconds() };
      await client.query(
        'INSERT INTO catalogue_movies (movie_id, revision, created, fields, hidden, source, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ' +
          'ON CONFLICT (movie_id) DO UPDATE SET revision = excluded.revision, fields = excluded.fields, hidden = excluded.hidden, source = excluded.source, updated_at = excluded.updated_at',
        [row.movieId, row.revision, row.created ? 1 : 0, JSON.stringify(row.fields), row.hidden ? 1 : 0, row.source, row.updatedAt],
      );
      // Delivered to every listener when (and only if) the transaction commits.
      await client.query('SELECT pg_notify($1, $2)', [CATALOGUE_CHANNEL, String(row.revision)]);
      await client.query('COMMIT');
      return row;
    } catch (error) {
      // Closed, not reused: the server then rolls back and drops the lock with the session.
      broken = true;
      throw error;
    } finally {
      client.release(broken);
    }
  };
  let closed: Promise<void> | undefined;

  return {
    async add(movie: NewMovie, firstFreeId: number, source: string) {
      const fields = checkNewMovie(movie);
      const nextId = async (client: pg.PoolClient) => {
        const { rows } = await client.query<{ id: number }>('SELECT coalesce(max(movie_id) + 1, 0) AS id FROM catalogue_movies WHERE created = 1');
        return Math.max(firstFreeId, Number(rows[0].id));
      };
      return write(nextId, () => addedMovie(fields, source));
    },
    async change(movieId: number, patch: MoviePatch, source: string) {
      const fields = checkFields(patch);
      return write(movieId, (before) => changedMovie(before, fields, patch.hidden, source));
    },
    async all() {
      return (await query<Row>(`SELECT ${OVERLAY_COLUMNS} FROM catalogue_movies ORDER BY movie_id`)).map(overlayRow);
    },
    async since(revision: number) {
      return (await query<Row>(`SELECT ${OVERLAY_COLUMNS} FROM catalogue_movies WHERE revision > $1 ORDER BY revision`, [revision])).map(overlayRow);
    },
    async version() {
      const [row] = await query<{ count: number; newestRevision: number }>(OVERLAY_VERSION_SQL);
      return { count: Number(row.count), newestRevision: Number(row.newestRevision) } satisfies OverlayVersion;
    },
    watch(events) {
      return listenForCatalogueChanges(url, events, { connectTimeoutMs: options.connectTimeoutMs });
    },
    close() {
      closed ??= pool.end();
      return closed;
    },
  };
}
