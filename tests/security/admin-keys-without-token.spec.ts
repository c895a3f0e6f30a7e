import { randomBytes } from 'node:crypto';
import type { ApiProcess } from '../../tools/lib/processes';
import { sqliteWorkspace } from './served-fixture';

// A real API process started without REELRANK_ADMIN_TOKEN: admin API keys are the only admins, and they work.

const keyOf = (out: string) => /\n {2}(rr_[\w-]{43})\n/.exec(out)![1];

describe('an API process without REELRANK_ADMIN_TOKEN', () => {
  const unusedToken = randomBytes(32).toString('base64url');
  let server: ApiProcess;
  let admin: string;
  let service: string;

  beforeAll(async () => {
    const workspace = await sqliteWorkspace(unusedToken);
    server = await workspace.start('api without an admin token', { REELRANK_ADMIN_TOKEN: '' });
    admin = keyOf(await workspace.cli('keys', 'create', '--role', 'admin', '--name', 'ops'));
    service = keyOf(await workspace.cli('keys', 'create', '--role', 'service', '--name', 'web-backend'));
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });

  const call = async (method: string, path: string, key?: string) => {
    const res = await fetch(`${server.url}${path}`, { method, headers: key ? { authorization: `Bearer ${key}` } : {} });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };

  it('when an admin key calls the admin routes, then they answer; a service key gets 403 and nobody 401', async () => {
    const reloaded = await call('POST', '/admin/reload', admin);
    expect(reloaded.status).toBe(200);
    expect(reloaded.body.version).toEqual(expect.any(String));
    expect((await call('GET', '/ready', admin)).body).toMatchObject({ status: 'ready', model: { version: reloaded.body.version } });
    expect((await call('GET', '/models', admin)).status).toBe(200);
    expect((await call('POST', '/admin/reload', service)).status).toBe(403);
    expect((await call('POST', '/admin/reload')).status).toBe(401);
  });

  it('when a caller sends the token another server was given, then this server refuses it (401): there is no admin token here', async () => {
    const refused = await call('POST', '/admin/reload', unusedToken);
    expect(refused.status).toBe(401);
    expect(refused.body.error).toMatchObject({ code: 'unauthorized', details: [{ field: 'authorization' }] });
  });
});
