import { workstreamReport } from '@bt/services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, projectBody, workstreamBody, type Harness } from '../support/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.cleanup();
});

const admin = { principal: { sub: 'ada', name: 'Ada', roles: ['admin' as const] }, requestId: 'ws-report' };

async function projectWithSaving(workstreamId: string, amountPence: number) {
  const p = (await h.call('POST', '/v1/projects', { token: h.tokens.pm, body: projectBody(workstreamId, { stage: 'delivery' }) })).body;
  const b = (
    await h.call('POST', `/v1/projects/${p.id}/benefits`, {
      token: h.tokens.pm,
      body: { title: 'Saving', type: 'cashable-saving', category: 'transformation', recurrence: 'recurring', mtfsRef: `M-${p.code}`, owner: 'O' },
    })
  ).body;
  await h.call('PUT', `/v1/projects/${p.id}/benefits/${b.id}/baseline`, {
    token: h.tokens.pm,
    body: { phased: [{ financialYear: '2026/27', amountPence }], reason: 'Agreed' },
  });
  return p;
}

describe('the workstream page’s figures', () => {
  it('come from the project summaries: the same requests however many projects, and the same figures as each project record', async () => {
    const ws = (await h.call('POST', '/v1/workstreams', { token: h.tokens.admin, body: workstreamBody({ mtfsTargets: { '2026/27': 10_000_000 } }) })).body;
    await projectWithSaving(ws.id, 1_000_000);
    await projectWithSaving(ws.id, 2_000_000);
    h.counter.reset();
    const two = await workstreamReport(h.deps, admin, ws.id, { financialYear: '2026/27' });
    const requestsForTwo = h.counter.total;
    for (const amount of [3_000_000, 4_000_000, 5_000_000]) await projectWithSaving(ws.id, amount);
    h.counter.reset();
    const five = await workstreamReport(h.deps, admin, ws.id, { financialYear: '2026/27' });
    expect(h.counter.total).toBe(requestsForTwo);
    expect(two.projects).toHaveLength(2);
    expect(five.projects).toHaveLength(5);
    expect(five.workstream).toMatchObject({ projectCount: 5, baselinePence: 15_000_000, mtfsTargetPence: 10_000_000 });
    // Each project's row is its own record's figures for the year.
    for (const { project, figures } of five.projects) {
      const record = (await h.call('GET', `/v1/projects/${project.id}?financialYear=2026/27`, { token: h.tokens.cmt })).body;
      expect(figures).toEqual(record.figures.byYear['2026/27']);
    }
    // And the workstream's row is the report's.
    const report = (await h.call('GET', '/v1/reports/programme?financialYear=2026/27', { token: h.tokens.cmt })).body;
    expect(report.workstreams.find((w: { id: string }) => w.id === ws.id)).toEqual(JSON.parse(JSON.stringify(five.workstream)));
  });

  it('is a 404 for a workstream that does not exist', async () => {
    await expect(workstreamReport(h.deps, admin, 'ws_01JD6ZQ4T5N3W8R2X7C9V1B0KM', {})).rejects.toMatchObject({ status: 404 });
  });
});
