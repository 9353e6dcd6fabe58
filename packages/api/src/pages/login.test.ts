import { createServer } from 'node:net';
import { Store } from '@bt/store';
import { describe, expect, it } from 'vitest';
import { createApp } from '../app.ts';
import { oidcLogin } from './login.tsx';
import { govukFrontendDir } from './paths.ts';

/** A port on 127.0.0.1 with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('the hosted login when the issuer cannot be reached', () => {
  it('answers sign-in with a 503 page that says so, and tries discovery again on the next request', async () => {
    const issuer = `http://127.0.0.1:${await closedPort()}`;
    const unused = () => Promise.reject(new Error('not used'));
    const app = createApp(
      { store: new Store({ region: 'eu-west-2', endpoint: 'http://127.0.0.1:9', tableName: 'unused' }), clock: () => new Date() },
      {
        auth: { mode: 'apigw-jwt' },
        bodyLimitBytes: 1024,
        digests: { preview: unused, sendNow: unused },
        pages: { login: oidcLogin({ issuer, clientId: 'c' }), assetsDir: govukFrontendDir() },
      },
    );
    for (let attempt = 0; attempt < 2; attempt++) {
      const res = await app.request('/sign-in');
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await res.text()).toContain('The sign-in service cannot be reached just now');
    }
    // A page with a session cookie cannot be checked either: the same answer, not a 500.
    expect((await app.request('/alerts', { headers: { Cookie: 'bt_session=x.y.z' } })).status).toBe(503);
  });
});
