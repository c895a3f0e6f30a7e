import { loadEnvConfig } from '@reelrank/config';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** The throwaway cluster's URL that global-setup.ts put in DATABASE_URL, read through the config module. */
export function clusterUrl(): string {
  const url = loadEnvConfig().storage.databaseUrl;
  if (!url) throw new Error('DATABASE_URL is not set: run these tests with `npm run test:postgres`');
  return url;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

let counter = 0;

/**
 * A new, empty database on the cluster (its own sequence: ids start at 1); drop() removes it,
 * recreate() replaces it with an empty one at the same URL (what a new container or a dropped database does).
 */
export async function freshDatabase(): Promise<{ url: string; drop(): Promise<void>; recreate(): Promise<void> }> {
  // Unique across the files a jest worker runs (each file counts from 1 again) and across workers.
  const name = `t_${process.pid}_${randomBytes(4).toString('hex')}_${++counter}`;
  const admin = withDatabase(clusterUrl(), 'postgres');
  const run = async (sql: string) => {
    const client = new Client({ connectionString: admin });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await run(`CREATE DATABASE ${name}`);
  const drop = () => run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  return {
    url: withDatabase(clusterUrl(), name),
    drop,
    recreate: async () => {
      await drop();
      await run(`CREATE DATABASE ${name}`);
    },
  };
}
