import { AUDIENCE, createApp, LOCAL_ISSUER } from '@bt/api';
import { createDynamo, Store } from '@bt/store';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../packages/local/src/dynamodb-local.ts';
import { makeToken } from '../../packages/local/src/token.ts';
import { tmpdir } from 'node:os';
import { expectProblem, TEST_SECRET, testDigestDesk, workstreamBody } from '../support/harness.ts';

describe('when DynamoDB cannot be reached', () => {
  it('answers 503 problem+json, not 500', async () => {
    const port = await freePort(); // nothing listens there
    const store = new Store({ region: 'eu-west-2', endpoint: `http://127.0.0.1:${port}`, tableName: 'nowhere' });
    const deps = { store, clock: () => new Date() };
    const app = createApp(deps, {
      auth: { mode: 'local-hs256', secret: TEST_SECRET, issuer: LOCAL_ISSUER, audience: AUDIENCE },
      bodyLimitBytes: 65_536,
      digests: testDigestDesk(deps, tmpdir()),
    });
    const token = await makeToken(TEST_SECRET, { sub: 'ada', roles: ['admin'] });
    for (const [method, body] of [
      ['GET', undefined],
      ['POST', workstreamBody()],
    ] as const) {
      const res = await app.request('/v1/workstreams', {
        method,
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      expectProblem(
        { status: res.status, headers: res.headers, contentType: res.headers.get('content-type'), body: JSON.parse(text) },
        503,
        'service-unavailable',
      );
      expect(res.headers.get('content-type')).toBe('application/problem+json');
    }
    store.destroy();
  });
});

describe('the DynamoDB client', () => {
  it('carries no SDK logging step (no logger is given to it), and still counts and sends every request', async () => {
    const { client } = createDynamo({ region: 'eu-west-2', endpoint: 'http://127.0.0.1:1' });
    const steps = client.middlewareStack.identify().join(' ');
    expect(steps).not.toContain('loggerMiddleware');
    // The SDK's own steps are there (a stack without them could not sign or retry).
    expect(steps).toContain('retryMiddleware');
    client.destroy();
  });
});
