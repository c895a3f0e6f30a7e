import { defineConfig } from 'drizzle-kit';

// The PostgreSQL catalogue (src/schema/postgres.ts); the SQLite one is drizzle.config.ts. Paths are
// relative to this package; run drizzle-kit from here or pass --config.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/schema/postgres.ts',
  out: './drizzle/postgres',
  schemaFilter: ['reelrank_catalogue'],
});
