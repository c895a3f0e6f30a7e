import { CATALOGUE_SCHEMA, migratePostgresCatalogue, openDatabase } from '@reelrank/database';
import pg from 'pg';

/**
 * Test-only: copies a SQLite catalogue built by loadDatabase into the agreed PostgreSQL layout
 * (reelrank_catalogue, same tables and columns, same blob bytes), row by row. Stands in for the
 * database stage's PostgreSQL loader until it exists on this branch.
 */
export async function copySqliteCatalogueToPostgres(dbPath: string, databaseUrl: string): Promise<void> {
  const conn = openDatabase(dbPath, { readonly: true });
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await migratePostgresCatalogue(client);
    await client.query('BEGIN');
    const tables: [string, string[]][] = [
      ['movies', ['movie_id', 'title', 'year', 'genres', 'title_search']],
      ['movie_genres', ['movie_id', 'genre']],
      ['ratings', ['user_id', 'movie_id', 'rating', 'timestamp']],
      ['user_rating_blobs', ['user_id', 'count', 'movie_ids', 'ratings', 'timestamps']],
      ['links', ['movie_id', 'imdb_id', 'tmdb_id']],
      ['tags', ['user_id', 'movie_id', 'tag', 'timestamp']],
      ['dataset_meta', ['key', 'value']],
    ];
    for (const [table, columns] of tables) {
      await client.query(`DELETE FROM ${CATALOGUE_SCHEMA}.${table}`);
      const rows = conn.sqlite
        .prepare(`SELECT ${columns.join(', ')} FROM ${table}`)
        .raw(true)
        .all() as unknown[][];
      const insert = `INSERT INTO ${CATALOGUE_SCHEMA}.${table} (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})`;
      for (const row of rows) await client.query(insert, row);
    }
    await client.query('COMMIT');
  } finally {
    await client.end();
    conn.close();
  }
}
