import { existsSync } from 'node:fs';
import { redactDatabaseUrl } from '@reelrank/config';
import { readPostgresDatasetMeta } from '@reelrank/database';
import { openSqliteCatalog, type MovieCatalog } from './catalog.js';
import { openPostgresCatalog, type PostgresMovieCatalog } from './postgres-catalog.js';

/** The settings that pick the catalogue (a loaded AppConfig has them). */
export interface CatalogSelection {
  storage: { databaseUrl: string | null };
  paths: { dbPath: string };
  dataset: { dataset: string };
}

/**
 * Where the server's catalogue comes from: the one switch, shared by the API (main.ts, every cluster
 * worker) and the CLI. DATABASE_URL set -> PostgreSQL, read once into memory; unset -> the SQLite file
 * data/<dataset>.db, exactly as before.
 */
export interface CatalogSource {
  readonly kind: 'sqlite' | 'postgres';
  /** The SQLite file, or the PostgreSQL URL with its password masked (for logs and /ready). */
  readonly location: string;
  /** A catalogue for one Recommender: SQLite opens the file as it is now; PostgreSQL hands out the copy read last. */
  open(): MovieCatalog;
  /**
   * Before a reload: PostgreSQL reads the catalogue again when its dataHash changed (the database
   * stage loaded it anew), checking the data set again; a failure leaves the copy in use. SQLite: nothing
   * to do (open() reads the file anew).
   */
  refresh(): Promise<'unchanged' | 'reread'>;
}

/** The catalogue cannot serve the configured data set (absent, empty, or another data set). */
export class CatalogSourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CatalogSourceError';
  }
}

/** Which catalogue the config selects, without opening it (for /ready and logs). */
export function describeCatalogSource(config: CatalogSelection): Pick<CatalogSource, 'kind' | 'location'> {
  const url = config.storage.databaseUrl;
  return url ? { kind: 'postgres', location: redactDatabaseUrl(url) } : { kind: 'sqlite', location: config.paths.dbPath };
}

export async function openCatalogSource(config: CatalogSelection): Promise<CatalogSource> {
  const url = config.storage.databaseUrl;
  if (!url) {
    const path = config.paths.dbPath;
    return { kind: 'sqlite', location: path, open: () => openSqliteCatalog(path), refresh: async () => 'unchanged' };
  }
  const expected = config.dataset.dataset;
  const { location } = describeCatalogSource(config);
  const read = async () => checked(await openPostgresCatalog(url), expected, location);
  let current = await read();
  let refreshing: Promise<'unchanged' | 'reread'> | undefined;
  return {
    kind: 'postgres',
    location,
    open: () => current,
    refresh() {
      refreshing ??= (async () => {
        try {
          const meta = await readPostgresDatasetMeta(url);
          if (meta.dataHash === current.meta.dataHash && meta.loadedAt === current.meta.loadedAt) return 'unchanged';
          current = await read();
          return 'reread';
        } finally {
          refreshing = undefined;
        }
      })();
      return refreshing;
    },
  };
}

/** The CLI's one-shot catalogue: the source's current one (SQLite: the file must exist). */
export async function openCatalog(config: CatalogSelection): Promise<MovieCatalog> {
  if (!config.storage.databaseUrl && !existsSync(config.paths.dbPath)) {
    throw new CatalogSourceError(`no database for ${config.dataset.dataset} at ${config.paths.dbPath}`);
  }
  return (await openCatalogSource(config)).open();
}

function checked(catalog: PostgresMovieCatalog, expected: string, location: string): PostgresMovieCatalog {
  const { meta } = catalog;
  if (meta.dataset !== expected) {
    throw new CatalogSourceError(
      `the catalogue in PostgreSQL at ${location} holds data set "${meta.dataset}", not the configured "${expected}": ` +
        'load it with the database stage (DATABASE_URL set, nx run database:pipeline), or configure that data set',
    );
  }
  if (catalog.allMovies().length === 0) {
    throw new CatalogSourceError(`the catalogue in PostgreSQL at ${location} (${expected}) has no movies: reload it (nx run database:pipeline)`);
  }
  return catalog;
}
