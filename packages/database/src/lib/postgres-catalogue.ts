import { join } from 'node:path';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import type pg from 'pg';
import { CATALOGUE_SCHEMA } from '../schema/catalogue-name.js';

/** The committed drizzle-kit output for PostgreSQL (drizzle.postgres.config.ts), found from this file so any cwd works. */
export const PG_MIGRATIONS_FOLDER = join(__dirname, '..', '..', 'drizzle', 'postgres');

/** Where drizzle records the applied catalogue migrations (its own schema, untouched by the catalogue swap). */
export const PG_MIGRATIONS = { migrationsSchema: 'drizzle', migrationsTable: 'reelrank_catalogue_migrations' } as const;

/** Any constant every process agrees on (not the posted-ratings store's 0x7265656d). */
const CATALOGUE_MIGRATION_LOCK = 0x72726374;

/**
 * Applies the committed catalogue migrations the database lacks (creating `reelrank_catalogue` and its
 * empty tables the first time), under a session advisory lock so processes starting together
 * migrate once; drizzle runs the pending migrations in one transaction. `client` is a connected
 * pg.Client or a PoolClient the caller owns.
 */
export async function migratePostgresCatalogue(client: pg.ClientBase): Promise<void> {
  await client.query('SELECT pg_advisory_lock($1)', [CATALOGUE_MIGRATION_LOCK]);
  try {
    // A catalogue schema dropped by hand while drizzle's record says it is migrated: forget the record, so it is recreated.
    const { rows } = await client.query<{ schema: string | null; record: string | null }>(
      'SELECT to_regnamespace($1) AS schema, to_regclass($2) AS record',
      [CATALOGUE_SCHEMA, `"${PG_MIGRATIONS.migrationsSchema}"."${PG_MIGRATIONS.migrationsTable}"`],
    );
    if (rows[0].schema === null && rows[0].record !== null) {
      await client.query(`DELETE FROM "${PG_MIGRATIONS.migrationsSchema}"."${PG_MIGRATIONS.migrationsTable}"`);
    }
    await migrate(drizzle({ client: client as pg.Client }), { migrationsFolder: PG_MIGRATIONS_FOLDER, ...PG_MIGRATIONS });
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [CATALOGUE_MIGRATION_LOCK]);
  }
}
