import { is } from 'drizzle-orm';
import { getTableConfig as pgTableConfig, PgTable } from 'drizzle-orm/pg-core';
import { getTableConfig as sqliteTableConfig, SQLiteTable } from 'drizzle-orm/sqlite-core';
import * as pgSchema from './postgres.js';
import * as sqliteSchema from './sqlite.js';

/**
 * "One schema, two dialects": the PostgreSQL catalogue must have exactly the SQLite one's tables,
 * columns (same order), nullability, primary keys and indexes, with types mapped one-to-one. A
 * change to one file without the other fails here.
 */

/** The dialect-neutral kind of a column's SQL type. */
function kind(sqlType: string): string {
  const t = sqlType.toLowerCase();
  if (t === 'integer' || t === 'bigint') return 'integer';
  if (t === 'real') return 'real';
  if (t === 'text') return 'text';
  if (t === 'blob' || t === 'bytea') return 'bytes';
  return `unmapped:${t}`;
}

interface Shape {
  columns: { name: string; kind: string; notNull: boolean; primary: boolean }[];
  primaryKeys: string[][];
  indexes: { name: string; columns: string[]; unique: boolean }[];
}

type AnyConfig = {
  name: string;
  columns: { name: string; notNull: boolean; primary: boolean; getSQLType(): string }[];
  primaryKeys: { columns: { name: string }[] }[];
  indexes: { config: { name?: string; columns: unknown[]; unique?: boolean } }[];
};

function shapeOf(config: AnyConfig): Shape {
  return {
    columns: config.columns.map((c) => ({ name: c.name, kind: kind(c.getSQLType()), notNull: c.notNull, primary: c.primary })),
    primaryKeys: config.primaryKeys.map((pk) => pk.columns.map((c) => c.name)),
    indexes: config.indexes
      .map((i) => ({
        name: i.config.name ?? '?',
        columns: i.config.columns.map((c) => (c as { name?: string }).name ?? '?'),
        unique: i.config.unique ?? false,
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  };
}

function tables<T>(schema: Record<string, unknown>, isTable: (value: unknown) => value is T, config: (t: T) => AnyConfig): Map<string, Shape> {
  const out = new Map<string, Shape>();
  for (const value of Object.values(schema)) {
    if (!isTable(value)) continue;
    const c = config(value);
    out.set(c.name, shapeOf(c));
  }
  return out;
}

const sqlite = tables(
  sqliteSchema,
  (v): v is SQLiteTable => is(v, SQLiteTable),
  (t) => sqliteTableConfig(t) as unknown as AnyConfig,
);
const pg = tables(
  pgSchema,
  (v): v is PgTable => is(v, PgTable),
  (t) => pgTableConfig(t) as unknown as AnyConfig,
);

describe('the catalogue schema in both dialects', () => {
  it('when both schema files are read, then they declare the same nine tables', () => {
    expect([...pg.keys()].sort()).toEqual([...sqlite.keys()].sort());
    expect(sqlite.size).toBe(9);
  });

  it.each([...sqlite.keys()])('when table %s is compared, then columns, nullability, primary keys and indexes match', (name) => {
    expect(pg.get(name)).toEqual(sqlite.get(name));
    for (const column of sqlite.get(name)?.columns ?? []) expect(column.kind).not.toMatch(/^unmapped/);
  });

  it('when the PostgreSQL tables are read, then all live in the reelrank_catalogue schema', () => {
    for (const value of Object.values(pgSchema)) {
      if (is(value, PgTable)) expect(pgTableConfig(value).schema).toBe(pgSchema.CATALOGUE_SCHEMA);
    }
  });
});
