import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, projectBody, workstreamBody, type Harness } from '../support/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.cleanup();
});

describe('optimistic concurrency', () => {
  it('lets exactly one of two concurrent updates with the same If-Match succeed, and audits only that one', async () => {
    const ws = (await h.call('POST', '/v1/workstreams', { token: h.tokens.admin, body: workstreamBody() })).body;
    const project = (await h.call('POST', '/v1/projects', { token: h.tokens.pm, body: projectBody(ws.id) })).body;
    const etag = `"${project.version}"`;

    const [a, b] = await Promise.all([
      h.call('PATCH', `/v1/projects/${project.id}`, { token: h.tokens.pm, headers: { 'If-Match': etag }, body: { deliveryConfidence: 'green' } }),
      h.call('PATCH', `/v1/projects/${project.id}`, { token: h.tokens.admin, headers: { 'If-Match': etag }, body: { deliveryConfidence: 'red' } }),
    ]);
    const statuses = [a.status, b.status].sort();
    expect(statuses).toEqual([200, 412]);
    const winner = a.status === 200 ? a : b;

    const now = (await h.call('GET', `/v1/projects/${project.id}`, { token: h.tokens.admin })).body;
    expect(now.version).toBe(2);
    expect(now.deliveryConfidence).toBe(winner.body.deliveryConfidence);

    const audit = (await h.call('GET', `/v1/audit?entityId=${project.id}`, { token: h.tokens.admin })).body.items;
    expect(audit.map((e: { action: string }) => e.action)).toEqual(['create', 'update']);
    expect(audit[1].after.deliveryConfidence).toBe(winner.body.deliveryConfidence);
    expect(audit[1].before.deliveryConfidence).toBe('amber');
    expect(audit[1].requestId).toBe(winner.headers.get('x-request-id'));
  });

  it('loses no update when ten writers change one workstream at once without If-Match', async () => {
    const ws = (await h.call('POST', '/v1/workstreams', { token: h.tokens.admin, body: workstreamBody({ mtfsTargets: {} }) })).body;
    const years = Array.from({ length: 10 }, (_, i) => `${2030 + i}/${String((31 + i) % 100).padStart(2, '0')}`);
    const replies = await Promise.all(
      years.map((fy, i) => h.call('PATCH', `/v1/workstreams/${ws.id}`, { token: h.tokens.finance, body: { mtfsTargets: { [fy]: (i + 1) * 100 } } })),
    );
    // Without If-Match each writer asked to change whatever is current: every one lands, none is lost.
    expect(replies.map((r) => r.status)).toEqual(years.map(() => 200));
    const now = (await h.call('GET', `/v1/workstreams/${ws.id}`, { token: h.tokens.admin })).body;
    expect(now.mtfsTargets).toEqual(Object.fromEntries(years.map((fy, i) => [fy, (i + 1) * 100])));
    expect(now.version).toBe(1 + years.length);
    const audit = (await h.call('GET', `/v1/audit?entityId=${ws.id}&limit=50`, { token: h.tokens.admin })).body.items;
    expect(audit).toHaveLength(1 + years.length);
  });
});
