import { defineConfig } from 'drizzle-kit';

// Paths are relative to this package; run drizzle-kit from here or pass --config.
export default defineConfig({
  dialect: 'sqlite',
  schema: './src/schema/sqlite.ts',
  out: './drizzle',
});
