import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, expectProblem, uniqueCode, workstreamBody, type Harness } from '../support/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.cleanup();
});

describe('workstreams', () => {
  it('are created by an admin, read back with an ETag, and audited in the same write', async () => {
    const body = workstreamBody({ mtfsTargets: { '2025/26': 120_000_000, '2026/27': 60_000_000 } });
    const created = await h.call('POST', '/v1/workstreams', { token: h.tokens.admin, body });
    expect(created.status).toBe(201);
    expect(created.headers.get('etag')).toBe('"1"');
    expect(created.headers.get('location')).toBe(`/v1/workstreams/${created.body.id}`);
    expect(created.body).toMatchObject({ code: body.code, version: 1, createdBy: 'ada', mtfsTargets: body.mtfsTargets });
    expect(created.body.id).toMatch(/^ws_/);

    const read = await h.call('GET', `/v1/workstreams/${created.body.id}`, { token: h.tokens.cmt });
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);
    expect(read.headers.get('etag')).toBe('"1"');

    const audit = await h.call('GET', `/v1/audit?entityId=${created.body.id}`, { token: h.tokens.finance });
    expect(audit.status).toBe(200);
    expect(audit.body.items).toHaveLength(1);
    expect(audit.body.items[0]).toMatchObject({ action: 'create', entityType: 'workstream', actor: { sub: 'ada' }, before: null, after: created.body });
    expect(audit.body.items[0].requestId).toBe(created.headers.get('x-request-id'));
  });

  it('let finance set MTFS targets per year (merge, null removes) but nothing else', async () => {
    const ws = (
      await h.call('POST', '/v1/workstreams', { token: h.tokens.admin, body: workstreamBody({ mtfsTargets: { '2024/25': 10_000, '2025/26': 20_000 } }) })
    ).body;
    const patched = await h.call('PATCH', `/v1/workstreams/${ws.id}`, {
      token: h.tokens.finance,
      headers: { 'If-Match': '"1"' },
      body: { mtfsTargets: { '2024/25': null, '2026/27': 30_000 } },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.mtfsTargets).toEqual({ '2025/26': 20_000, '2026/27': 30_000 });
    expect(patched.body.version).toBe(2);
    expect(patched.headers.get('etag')).toBe('"2"');

    const rename = await h.call('PATCH', `/v1/workstreams/${ws.id}`, { token: h.tokens.finance, body: { name: 'Renamed' } });
    expectProblem(rename, 403, 'forbidden');

    const audit = await h.call('GET', `/v1/audit?entityId=${ws.id}`, { token: h.tokens.admin });
    expect(audit.body.items.map((e: { action: string }) => e.action)).toEqual(['create', 'update']);
    expect(audit.body.items[1].changes).toEqual(['mtfsTargets']);
    expect(audit.body.items[1].before.mtfsTargets).toEqual({ '2024/25': 10_000, '2025/26': 20_000 });
    expect(audit.body.items[1].actor.sub).toBe('fin');
  });

  it('refuse writes from roles that may only read', async () => {
    for (const token of [h.tokens.pm, h.tokens.finance, h.tokens.cmt, h.tokens.feedReader]) {
      expectProblem(await h.call('POST', '/v1/workstreams', { token, body: workstreamBody() }), 403, 'forbidden');
    }
    expectProblem(await h.call('GET', '/v1/workstreams', { token: h.tokens.feedReader }), 403, 'forbidden');
  });

  it('keep codes unique regardless of case, also when renaming, and free the old code', async () => {
    const code = uniqueCode('uq');
    const a = (await h.call('POST', '/v1/workstreams', { token: h.tokens.admin, body: workstreamBody({ code }) })).body;
    expectProblem(
      await h.call('POST', '/v1/workstreams', { token: h.tokens.admin, body: workstreamBody({ code: code.toUpperCase() }) }),
      409,
      'duplicate-code',
    );

    const b = (await h.call('POST', '/v1/workstreams', { token: h.tokens.admin, body: workstreamBody() })).body;
    const clash = await h.call('PATCH', `/v1/workstreams/${b.id}`, { token: h.tokens.admin, body: { code } });
    expectProblem(clash, 409, 'duplicate-code');
    expect((await h.call('GET', `/v1/workstreams/${b.id}`, { token: h.tokens.admin })).body.version).toBe(1);

    const newCode = uniqueCode('NEW');
    expect((await h.call('PATCH', `/v1/workstreams/${a.id}`, { token: h.tokens.admin, body: { code: newCode } })).status).toBe(200);
    // The old code is free again.
    expect((await h.call('POST', '/v1/workstreams', { token: h.tokens.admin, body: workstreamBody({ code }) })).status).toBe(201);
  });

  it('list in pages with an opaque cursor, never repeating or skipping', async () => {
    const local = await createHarness();
    try {
      const codes = Array.from({ length: 7 }, (_, i) => `PG${i}`);
      for (const code of codes) await local.call('POST', '/v1/workstreams', { token: local.tokens.admin, body: workstreamBody({ code }) });
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: string = cursor ? `?limit=3&cursor=${encodeURIComponent(cursor)}` : '?limit=3';
        const page = await local.call('GET', `/v1/workstreams${query}`, { token: local.tokens.cmt });
        expect(page.status).toBe(200);
        expect(page.body.items.length).toBeLessThanOrEqual(3);
        seen.push(...page.body.items.map((w: { code: string }) => w.code));
        cursor = page.body.nextCursor;
        pages++;
      } while (cursor);
      expect(seen).toEqual(codes);
      expect(pages).toBe(3);

      expectProblem(await local.call('GET', '/v1/workstreams?cursor=not-a-cursor', { token: local.tokens.cmt }), 400, 'bad-request');
      const forged = Buffer.from(JSON.stringify({ pk: 'x', sk: 'y', gsi1pk: 'PROJECTS', gsi1sk: 'z' })).toString('base64url');
      expectProblem(await local.call('GET', `/v1/workstreams?cursor=${forged}`, { token: local.tokens.cmt }), 400, 'bad-request');
      expectProblem(await local.call('GET', '/v1/workstreams?limit=0', { token: local.tokens.cmt }), 400, 'validation-failed');
      expectProblem(await local.call('GET', '/v1/workstreams?limit=10000', { token: local.tokens.cmt }), 400, 'validation-failed');
    } finally {
      await local.cleanup();
    }
  });

  it('answer an unknown id with 404 and a malformed one with 400', async () => {
    expectProblem(await h.call('GET', '/v1/workstreams/ws_01JD6ZQ4T5N3W8R2X7C9V1B0KM', { token: h.tokens.admin }), 404, 'not-found');
    const bad = expectProblem(await h.call('GET', '/v1/workstreams/prj_01JD6ZQ4T5N3W8R2X7C9V1B0KM', { token: h.tokens.admin }), 400, 'validation-failed');
    expect(bad.errors?.[0]?.path).toBe('id');
  });
});
