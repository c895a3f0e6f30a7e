import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp, ModelHolder } from '@reelrank/api';
import { plantedRecommender } from '@reelrank/serving/testing';
import { testServing } from '@reelrank/config/testing';
import { serversBehind } from './servers-behind.js';

/** Which servers a starting watcher reloads: the real API app answering GET /ready, loaded or still loading. */
describe('serversBehind', () => {
  const TOKEN = 'secret-behind-5Jw8Pq2Tz6Lk9Xr4Mv7';
  const servers: Server[] = [];
  const listen = async (holder: ModelHolder) => {
    const app = createApp({
      models: holder,
      config: { serving: testServing(null) },
      admin: { token: TOKEN, burst: 100, refillSeconds: 0.01 },
    });
    const server = await new Promise<Server>((ready) => {
      const s = app.listen(0, '127.0.0.1', () => ready(s));
    });
    servers.push(server);
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };
  let serving: string;
  let loaded: string;
  let loading: string;

  beforeAll(async () => {
    const holder = new ModelHolder(() => plantedRecommender());
    holder.reload();
    serving = holder.current()!.manifest.version;
    loaded = await listen(holder);
    loading = await listen(new ModelHolder(() => plantedRecommender()));
  });

  afterAll(async () => {
    await Promise.all(servers.map((s) => new Promise((done) => s.close(done))));
  });

  it('when a server serves another version than the live one, then it is named with what it serves', async () => {
    expect(await serversBehind([loaded], TOKEN, 'mf-000000000999')).toEqual([{ url: loaded, serving }]);
  });

  it('when it serves the live version, is still loading, does not answer, or the credential is not an admin one, then it is left alone', async () => {
    const gone = 'http://127.0.0.1:1'; // nothing listens there
    expect(await serversBehind([loaded, loading, gone], TOKEN, serving)).toEqual([]);
    expect(await serversBehind([loading, gone], TOKEN, 'mf-000000000999')).toEqual([]);
    expect(await serversBehind([loaded], 'not-the-admin-token', 'mf-000000000999')).toEqual([]);
  });
});
