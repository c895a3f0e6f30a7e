import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { CATALOGUE_SCHEMA, migratePostgresCatalogue, PG_MIGRATIONS } from '@reelrank/database';
import { freshDatabase } from './postgres-test-db';

/** The drizzle-kit PostgreSQL migrations of the catalogue, applied by drizzle's node-postgres migrator under an advisory lock. */
const MIGRATIONS = (
  JSON.parse(readFileSync(join(__dirname, '../../packages/database/drizzle/postgres/meta/_journal.json'), 'utf8')) as { entries: unknown[] }
).entries.length;
describe('migratePostgresCatalogue', () => {
  it('when four clients migrate one fresh database at once, then the schema is created once with every table, key and index', async () => {
    const db = await freshDatabase();
    const clients = Array.from({ length: 4 }, () => new Client({ connectionString: db.url }));
    try {
      await Promise.all(clients.map((c) => c.connect()));
      await Promise.all(clients.map((c) => migratePostgresCatalogue(c)));
      const c = clients[0];
      const tables = await c.query<{ table_name: string }>(
        'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
        [CATALOGUE_SCHEMA],
      );
      expect(tables.rows.map((r) => r.table_name)).toEqual([
        'dataset_meta',
        'genome_scores',
        'genome_tags',
        'links',
        'movie_genres',
        'movies',
        'ratings',
        'tags',
        'user_rating_blobs',
      ]);
      const indexes = await c.query<{ indexname: string; indexdef: string }>(
        'SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 ORDER BY indexname',
        [CATALOGUE_SCHEMA],
      );
      const byName = Object.fromEntries(indexes.rows.map((r) => [r.indexname, r.indexdef]));
      expect(byName['ratings_user_id_movie_id_pk']).toMatch(/UNIQUE INDEX .* \(user_id, movie_id\)/);
      expect(byName['movie_genres_genre_movie_id_pk']).toMatch(/\(genre, movie_id\)/);
      expect(byName['movies_title_search_idx']).toMatch(/\(title_search\)/);
      expect(byName['tags_movie_id_idx']).toMatch(/\(movie_id\)/);
      expect(byName['genome_scores_movie_id_tag_id_pk']).toMatch(/UNIQUE INDEX .* \(movie_id, tag_id\)/);
      const blobType = await c.query<{ data_type: string }>(
        "SELECT data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'user_rating_blobs' AND column_name = 'movie_ids'",
        [CATALOGUE_SCHEMA],
      );
      expect(blobType.rows[0].data_type).toBe('bytea');
      const applied = await c.query<{ n: string }>(
        `SELECT count(*) AS n FROM "${PG_MIGRATIONS.migrationsSchema}"."${PG_MIGRATIONS.migrationsTable}"`,
      );
      expect(Number(applied.rows[0].n)).toBe(MIGRATIONS);
      // A second run is a no-op.
      await migratePostgresCatalogue(c);
      const again = await c.query<{ n: string }>(`SELECT count(*) AS n FROM "${PG_MIGRATIONS.migrationsSchema}"."${PG_MIGRATIONS.migrationsTable}"`);
      expect(Number(again.rows[0].n)).toBe(MIGRATIONS);
    } finally {
      await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
      await db.drop();
    }
  });

  it('when the catalogue schema was dropped by hand, then the next migration recreates it', async () => {
    const db = await freshDatabase();
    const client = new Client({ connectionString: db.url });
    try {
      await client.connect();
      await migratePostgresCatalogue(client);
      await client.query(`DROP SCHEMA ${CATALOGUE_SCHEMA} CASCADE`);
      await migratePostgresCatalogue(client);
      const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = $1', [
        CATALOGUE_SCHEMA,
      ]);
      expect(Number(rows[0].n)).toBe(9);
    } finally {
      await client.end();
      await db.drop();
    }
  });
});
