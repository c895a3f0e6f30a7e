import { defineConfig } from 'drizzle-kit';

// The PostgreSQL posted_ratings migrations. Paths are relative to this package: run drizzle-kit from here or pass --config.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/lib/schema-postgres.ts',
  out: './drizzle/postgres',
});
