import Database from 'better-sqlite3';
import { nowSeconds } from './api-keys.js';
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
import { openMigratedRatingsFile } from './sqlite-migrations.js';

type Row = Parameters<typeof overlayRow>[0];

/**
 * The catalogue's overlay in the SQLite ratings file (table catalogue_movies), on a connection of its
 * own in the caller's thread like the key store: writes are rare (one movie at a time), each one
 * BEGIN IMMEDIATE transaction (SQLite's write lock, so revisions follow commit order across the
 * cluster's workers), durable at commit (WAL, synchronous FULL); `since` is one indexed read.
 */
export function openSqliteCatalogueOverlay(path: string, options: { busyTimeoutMs?: number } = {}): CatalogueOverlayStore {
  const db = openMigratedRatingsFile(path, options.busyTimeoutMs ?? 5_000);
  const nextRevision = db.prepare('SELECT coalesce(max(revision), 0) + 1 FROM catalogue_movies').pluck();
  const nextId = db.prepare('SELECT max(?, coalesce(max(movie_id) + 1, 0)) FROM catalogue_movies WHERE created = 1').pluck();
  const byId = db.prepare(`SELECT ${OVERLAY_COLUMNS} FROM catalogue_movies WHERE movie_id = ?`);
  const upsert = db.prepare(
    'INSERT INTO catalogue_movies (movie_id, revision, created, fields, hidden, source, updated_at) VALUES (@movieId, @revision, @created, @fields, @hidden, @source, @updatedAt) ' +
      'ON CONFLICT (movie_id) DO UPDATE SET revision = excluded.revision, fields = excluded.fields, hidden = excluded.hidden, source = excluded.source, updated_at = excluded.updated_at',
  );
  const all = db.prepare(`SELECT ${OVERLAY_COLUMNS} FROM catalogue_movies ORDER BY movie_id`);
  const since = db.prepare(`SELECT ${OVERLAY_COLUMNS} FROM catalogue_movies WHERE revision > ? ORDER BY revision`);
  const version = db.prepare(OVERLAY_VERSION_SQL);

  const write = (movieId: (() => number) | number, merge: (before: OverlayMovie | undefined) => OverlayDraft) =>
    db
      .transaction((): OverlayMovie => {
        const id = typeof movieId === 'number' ? movieId : movieId();
        const before = byId.get(id) as Row | undefined;
        const next = merge(before && overlayRow(before));
        const row = { ...next, movieId: id, revision: nextRevision.get() as number, updatedAt: nowSeconds() };
        upsert.run({ ...row, created: row.created ? 1 : 0, hidden: row.hidden ? 1 : 0, fields: JSON.stringify(row.fields) });
        return row;
      })
      .immediate();

  return {
    async add(movie: NewMovie, firstFreeId: number, source: string) {
      const fields = checkNewMovie(movie);
      return write(
        () => nextId.get(firstFreeId) as number,
        () => addedMovie(fields, source),
      );
    },
    async change(movieId: number, patch: MoviePatch, source: string) {
      const fields = checkFields(patch);
      return write(movieId, (before) => changedMovie(before, fields, patch.hidden, source));
    },
    async all() {
      return (all.all() as Row[]).map(overlayRow);
    },
    async since(revision: number) {
      return (since.all(revision) as Row[]).map(overlayRow);
    },
    async version() {
      return version.get() as OverlayVersion;
    },
    async close() {
      db.close();
    },
  };
}

/**
 * The overlay as the train stage reads it: a read-only connection to the ratings file (no writer, no
 * migration); a file without the table (written by older code) has none.
 */
export function readSqliteCatalogueOverlay(path: string): OverlayMovie[] {
  const reader = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const present = reader.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'catalogue_movies'").get();
    return present ? (reader.prepare(`SELECT ${OVERLAY_COLUMNS} FROM catalogue_movies ORDER BY movie_id`).all() as Row[]).map(overlayRow) : [];
  } finally {
    reader.close();
  }
}
