import { migrateDatabase, openDatabase } from './create-db.js';

describe('openDatabase and migrateDatabase', () => {
  it('when an in-memory database is migrated, then every table and index of the schema exists', () => {
    const conn = openDatabase(':memory:');
    try {
      migrateDatabase(conn.db);
      const objects = conn.sqlite
        .prepare("SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' AND name NOT LIKE '__drizzle%' ORDER BY name")
        .all() as { type: string; name: string }[];
      expect(objects.filter((o) => o.type === 'table').map((o) => o.name)).toEqual([
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
      expect(objects.filter((o) => o.type === 'index').map((o) => o.name)).toEqual(['movies_title_search_idx', 'tags_movie_id_idx']);
      const ratingsPk = conn.sqlite.prepare("SELECT name, pk FROM pragma_table_info('ratings') WHERE pk > 0 ORDER BY pk").all();
      expect(ratingsPk).toEqual([
        { name: 'user_id', pk: 1 },
        { name: 'movie_id', pk: 2 },
      ]);
      // The hand-written migration 0001 makes ratings a WITHOUT ROWID table (drizzle cannot say it).
      const ratingsSql = conn.sqlite.prepare("SELECT sql FROM sqlite_master WHERE name = 'ratings'").pluck().get();
      expect(ratingsSql).toMatch(/\) WITHOUT ROWID$/);
      const genomeSql = conn.sqlite.prepare("SELECT sql FROM sqlite_master WHERE name = 'genome_scores'").pluck().get();
      expect(genomeSql).toMatch(/PRIMARY KEY\(`movie_id`, `tag_id`\)\s*\) WITHOUT ROWID$/);
      const genresPk = conn.sqlite.prepare("SELECT name FROM pragma_table_info('movie_genres') WHERE pk > 0 ORDER BY pk").pluck().all();
      expect(genresPk).toEqual(['genre', 'movie_id']);
    } finally {
      conn.close();
    }
  });

  it('when migrations run twice, then the second run is a no-op', () => {
    const conn = openDatabase(':memory:');
    try {
      migrateDatabase(conn.db);
      const applied = () => conn.sqlite.prepare('SELECT COUNT(*) FROM __drizzle_migrations').pluck().get();
      const first = applied();
      migrateDatabase(conn.db);
      expect(applied()).toBe(first);
      expect(first).toBeGreaterThan(0);
    } finally {
      conn.close();
    }
  });

  it('when a missing file is opened read-only, then it fails naming the stage to run', () => {
    expect(() => openDatabase('/nonexistent/dir/x.db', { readonly: true })).toThrow(/run the database stage first/);
  });

  it('when close is called twice, then the second call does nothing', () => {
    const conn = openDatabase(':memory:');
    conn.close();
    expect(() => conn.close()).not.toThrow();
    expect(conn.sqlite.open).toBe(false);
  });
});
