import { defineConfig } from 'drizzle-kit';

// The SQLite ratings file's migrations. Paths are relative to this package: run drizzle-kit from here or pass --config.
export default defineConfig({
  dialect: 'sqlite',
  schema: './src/lib/schema-sqlite.ts',
  out: './drizzle/sqlite',
});
