import { openKeyStore, openPostgresKeyStore } from '@reelrank/feedback';
import { keyStoreContract } from '@reelrank/feedback/testing';
import { clusterUrl, freshDatabase } from './postgres-test-db';

// Two stores on one database stand for two replicas: a revocation on one holds on the other within the cache time.
keyStoreContract('PostgreSQL', async () => {
  const db = await freshDatabase();
  return { open: (options) => openPostgresKeyStore(db.url, options), dispose: () => db.drop() };
});

describe('PostgreSQL key store', () => {
  it('openKeyStore with a DATABASE_URL keeps the keys on that server, its location without the password', async () => {
    const db = await freshDatabase();
    const url = new URL(db.url);
    url.password = 'not-needed-with-trust';
    const selected = openKeyStore({ storage: { databaseUrl: url.toString() }, paths: { ratingsDbPath: '/unused.db' } });
    try {
      expect(selected.kind).toBe('postgres');
      expect(selected.location).not.toMatch(/not-needed/);
      expect(selected.location).toContain(new URL(clusterUrl()).host);
      const { key } = await selected.keys.create('web', 'service');
      expect(await selected.keys.verify(key)).toMatchObject({ role: 'service' });
    } finally {
      await selected.keys.close();
      await db.drop();
    }
  });
});
