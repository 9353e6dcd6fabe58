import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, expectProblem, projectBody, workstreamBody, type Harness } from '../support/harness.ts';

let h: Harness;
let wsId: string;
let otherWsId: string;
beforeAll(async () => {
  h = await createHarness();
  wsId = (await h.call('POST', '/v1/workstreams', { token: h.tokens.admin, body: workstreamBody() })).body.id;
  otherWsId = (await h.call('POST', '/v1/workstreams', { token: h.tokens.admin, body: workstreamBody({ name: 'Property' }) })).body.id;
});
afterAll(async () => {
  await h.cleanup();
});

describe('projects', () => {
  it('are created by a programme manager, who becomes their manager, with defaults', async () => {
    const created = await h.call('POST', '/v1/projects', { token: h.tokens.pm, body: projectBody(wsId) });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ manager: 'pat', stage: 'pipeline', deliveryConfidence: 'amber', workstreamId: wsId, version: 1 });
    expect(created.headers.get('etag')).toBe('"1"');
    const audit = await h.call('GET', `/v1/audit?entityId=${created.body.id}`, { token: h.tokens.pm });
    expect(audit.body.items).toHaveLength(1);
  });

  it('refuse a programme manager creating a project for someone else, but let an admin', async () => {
    expectProblem(await h.call('POST', '/v1/projects', { token: h.tokens.pm, body: projectBody(wsId, { manager: 'priya' }) }), 403);
    const byAdmin = await h.call('POST', '/v1/projects', { token: h.tokens.admin, body: projectBody(wsId, { manager: 'priya' }) });
    expect(byAdmin.status).toBe(201);
    expect(byAdmin.body.manager).toBe('priya');
  });

  it('may be changed only by their manager or an admin', async () => {
    const p = (await h.call('POST', '/v1/projects', { token: h.tokens.pm, body: projectBody(wsId) })).body;
    expectProblem(await h.call('PATCH', `/v1/projects/${p.id}`, { token: h.tokens.otherPm, body: { deliveryConfidence: 'red' } }), 403);
    for (const token of [h.tokens.finance, h.tokens.cmt, h.tokens.feedReader]) {
      expectProblem(await h.call('PATCH', `/v1/projects/${p.id}`, { token, body: { deliveryConfidence: 'red' } }), 403);
      expectProblem(await h.call('POST', '/v1/projects', { token, body: projectBody(wsId) }), 403);
    }
    const own = await h.call('PATCH', `/v1/projects/${p.id}`, {
      token: h.tokens.pm,
      headers: { 'If-Match': '"1"' },
      body: { deliveryConfidence: 'amber-red', stage: 'business-case' },
    });
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ deliveryConfidence: 'amber-red', stage: 'business-case', version: 2, updatedBy: 'pat' });
    // Handing a project to another manager is an admin's decision.
    expectProblem(await h.call('PATCH', `/v1/projects/${p.id}`, { token: h.tokens.pm, body: { manager: 'priya' } }), 403);
    const handed = await h.call('PATCH', `/v1/projects/${p.id}`, { token: h.tokens.admin, body: { manager: 'priya' } });
    expect(handed.body.manager).toBe('priya');
    expectProblem(await h.call('PATCH', `/v1/projects/${p.id}`, { token: h.tokens.pm, body: { name: 'Mine again' } }), 403);
    expect((await h.call('PATCH', `/v1/projects/${p.id}`, { token: h.tokens.otherPm, body: { name: 'Now mine' } })).status).toBe(200);
  });

  it('must belong to a workstream that exists, checked in the same transaction', async () => {
    const missing = 'ws_01JD6ZQ4T5N3W8R2X7C9V1B0KM';
    const body = projectBody(missing);
    expectProblem(await h.call('POST', '/v1/projects', { token: h.tokens.pm, body }), 422, 'unknown-workstream');
    // Nothing was written: not even the code guard, so the code is still free.
    expect((await h.call('POST', '/v1/projects', { token: h.tokens.pm, body: { ...body, workstreamId: wsId } })).status).toBe(201);
  });

  it('move between workstreams and are listed under the new one', async () => {
    const p = (await h.call('POST', '/v1/projects', { token: h.tokens.pm, body: projectBody(wsId, { directorate: 'Resources' }) })).body;
    await h.call('PATCH', `/v1/projects/${p.id}`, { token: h.tokens.pm, body: { workstreamId: otherWsId } });
    const inOther = await h.call('GET', `/v1/projects?workstreamId=${otherWsId}`, { token: h.tokens.cmt });
    expect(inOther.body.items.map((x: { id: string }) => x.id)).toContain(p.id);
    const inFirst = await h.call('GET', `/v1/projects?workstreamId=${wsId}`, { token: h.tokens.cmt });
    expect(inFirst.body.items.map((x: { id: string }) => x.id)).not.toContain(p.id);
    expectProblem(
      await h.call('PATCH', `/v1/projects/${p.id}`, { token: h.tokens.pm, body: { workstreamId: 'ws_01JD6ZQ4T5N3W8R2X7C9V1B0KM' } }),
      422,
      'unknown-workstream',
    );
  });

  it('filter by stage and directorate, paging through filtered results', async () => {
    const local = await createHarness();
    try {
      const ws = (await local.call('POST', '/v1/workstreams', { token: local.tokens.admin, body: workstreamBody() })).body.id;
      const made: { id: string; stage: string; directorate: string }[] = [];
      for (let i = 0; i < 9; i++) {
        const stage = i % 3 === 0 ? 'delivery' : 'pipeline';
        const directorate = i % 2 === 0 ? 'Adults' : 'Resources';
        const p = (
          await local.call('POST', '/v1/projects', { token: local.tokens.admin, body: projectBody(ws, { code: `F${i}`, stage, directorate, manager: 'pat' }) })
        ).body;
        made.push(p);
      }
      const collect = async (query: string) => {
        const ids: string[] = [];
        let cursor: string | null = null;
        do {
          const page: { status: number; body: any } = await local.call('GET', `/v1/projects?limit=2&${query}${cursor ? `&cursor=${cursor}` : ''}`, {
            token: local.tokens.cmt,
          });
          expect(page.status).toBe(200);
          ids.push(...page.body.items.map((x: { id: string }) => x.id));
          cursor = page.body.nextCursor;
        } while (cursor);
        return ids;
      };
      expect(await collect('stage=delivery')).toEqual(made.filter((p) => p.stage === 'delivery').map((p) => p.id));
      expect(await collect('directorate=Adults&stage=pipeline')).toEqual(
        made.filter((p) => p.stage === 'pipeline' && p.directorate === 'Adults').map((p) => p.id),
      );
      expect(await collect(`workstreamId=${ws}`)).toEqual(made.map((p) => p.id));
      expectProblem(await local.call('GET', '/v1/projects?stage=finished', { token: local.tokens.cmt }), 400, 'validation-failed');
    } finally {
      await local.cleanup();
    }
  });

  it('check dates and refuse going back to before approval', async () => {
    const bad = expectProblem(
      await h.call('POST', '/v1/projects', { token: h.tokens.pm, body: projectBody(wsId, { startDate: '2026-04-01', endDate: '2025-03-31' }) }),
      400,
    );
    expect(bad.errors?.[0]?.path).toBe('endDate');
    const p = (await h.call('POST', '/v1/projects', { token: h.tokens.pm, body: projectBody(wsId, { stage: 'approved' }) })).body;
    expectProblem(await h.call('PATCH', `/v1/projects/${p.id}`, { token: h.tokens.pm, body: { stage: 'business-case' } }), 409, 'invalid-stage-transition');
    expect((await h.call('PATCH', `/v1/projects/${p.id}`, { token: h.tokens.pm, body: { stage: 'delivery' } })).status).toBe(200);
    expectProblem(await h.call('PATCH', `/v1/projects/${p.id}`, { token: h.tokens.pm, body: { endDate: '2020-01-01' } }), 400);
  });
});
