import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AUDIENCE, createApp, LOCAL_ISSUER } from '@bt/api';
import { Store } from '@bt/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../packages/local/src/dynamodb-local.ts';
import { makeToken } from '../../packages/local/src/token.ts';
import { createHarness, expectProblem, projectBody, TEST_SECRET, testDigestDesk, workstreamBody, type Harness } from '../support/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.cleanup();
});

async function benefitToWorkOn(harness: Harness) {
  const ws = (await harness.call('POST', '/v1/workstreams', { token: harness.tokens.admin, body: workstreamBody() })).body;
  const p = (await harness.call('POST', '/v1/projects', { token: harness.tokens.pm, body: projectBody(ws.id) })).body;
  const b = (
    await harness.call('POST', `/v1/projects/${p.id}/benefits`, {
      token: harness.tokens.pm,
      body: { title: 't', type: 'income', category: 'transformation', recurrence: 'recurring', mtfsRef: 'R', owner: 'o', confidencePct: 100 },
    })
  ).body;
  return { p, b, base: `/v1/projects/${p.id}/benefits/${b.id}` };
}

describe('under concurrency', () => {
  it("50 parallel writers of one benefit's forecast: every write lands, in some order, none lost", async () => {
    const { base } = await benefitToWorkOn(h);
    const replies = await Promise.all(
      Array.from({ length: 50 }, (_, i) => h.call('PUT', `${base}/forecast`, { token: h.tokens.pm, body: { months: { '2025-10': (i + 1) * 100 } } })),
    );
    expect(replies.map((r) => r.status)).toEqual(replies.map(() => 200));
    const benefit = (await h.call('GET', base, { token: h.tokens.pm })).body;
    expect(benefit.version).toBe(51);
    const audit = (await h.call('GET', `/v1/audit?entityId=${benefit.id}&limit=200`, { token: h.tokens.admin })).body.items;
    expect(audit.filter((e: { action: string }) => e.action === 'forecast-updated')).toHaveLength(50);
    // The last write in the audit trail is the forecast that stands.
    expect(benefit.forecast).toEqual(audit.at(-1).after.forecast);
  }, 60_000);

  it('50 parallel POSTs of one actual with one Idempotency-Key: counted once', async () => {
    const { base, b } = await benefitToWorkOn(h);
    const replies = await Promise.all(
      Array.from({ length: 50 }, () =>
        h.call('POST', `${base}/actuals`, {
          token: h.tokens.finance,
          headers: { 'Idempotency-Key': 'one-key-50-retries' },
          body: { month: '2025-10', amountPence: 12_345, note: 'n' },
        }),
      ),
    );
    expect(replies.map((r) => r.status)).toEqual(replies.map(() => 201));
    expect(new Set(replies.map((r) => r.body.id)).size).toBe(1);
    expect((await h.call('GET', `${base}/actuals`, { token: h.tokens.cmt })).body.items).toHaveLength(1);
    expect((await h.call('GET', base, { token: h.tokens.cmt })).body.realised).toEqual({ '2025-10': 12_345 });
    const summary = await h.store.summaries.all();
    expect(summary.flatMap((s) => s.benefits).find((x) => x.id === b.id)!.realised).toEqual({ '2025-10': 12_345 });
  }, 60_000);
});

describe('when DynamoDB goes away mid-run', () => {
  let dir: string;
  let dynamo: DynamoDbLocal;
  afterAll(async () => {
    await dynamo?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 503 problem+json, leaves no partial write, and resumes when it is back', async () => {
    dir = mkdtempSync(join(tmpdir(), 'bt-fault-'));
    dynamo = await startDynamoDbLocal({ dbPath: dir });
    const store = new Store({ region: 'eu-west-2', endpoint: dynamo.endpoint, tableName: 'fault' });
    await store.ensureTable();
    const deps = { store, clock: () => new Date() };
    const app = createApp(deps, {
      auth: { mode: 'local-hs256', secret: TEST_SECRET, issuer: LOCAL_ISSUER, audience: AUDIENCE },
      bodyLimitBytes: 65_536,
      digests: testDigestDesk(deps, dir),
    });
    const token = await makeToken(TEST_SECRET, { sub: 'ada', roles: ['admin'] });
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await app.request(path, {
        method,
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      return { status: res.status, headers: res.headers, contentType: res.headers.get('content-type'), body: JSON.parse(await res.text()) };
    };
    const before = await call('POST', '/v1/workstreams', workstreamBody({ code: 'BEFORE' }));
    expect(before.status).toBe(201);

    // What DynamoDB Local unpacks at its start (its SQLite library) goes to a directory of its own, gone once it has stopped.
    const javaTmpDir = dynamo.javaTmpDir;
    expect(readdirSync(javaTmpDir).some((f) => f.includes('sqlite'))).toBe(true);
    await dynamo.stop();
    expect(existsSync(javaTmpDir)).toBe(false);
    for (const [method, path, body] of [
      ['GET', '/v1/workstreams'],
      ['POST', '/v1/workstreams', workstreamBody({ code: 'DURING' })],
      ['PATCH', `/v1/workstreams/${before.body.id}`, { name: 'Renamed while down' }],
    ] as const) {
      expectProblem(await call(method, path, body), 503, 'service-unavailable');
    }

    dynamo = await startDynamoDbLocal({ dbPath: dir, port: dynamo.port });
    const list = await call('GET', '/v1/workstreams');
    expect(list.status).toBe(200);
    expect(list.body.items.map((w: { code: string; name: string }) => [w.code, w.name])).toEqual([['BEFORE', before.body.name]]);
    const audit = await call('GET', '/v1/audit');
    expect(audit.body.items).toHaveLength(1);
    expect((await call('POST', '/v1/workstreams', workstreamBody({ code: 'AFTER' }))).status).toBe(201);
    store.destroy();
  }, 120_000);
});
