import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, expectProblem, projectBody, workstreamBody, type Harness } from '../support/harness.ts';

/**
 * Every write route, refused (403, nothing changed) for roles that may not
 * use it and for a programme manager on a project they do not manage; and no
 * body can set what the server owns (mass assignment → 400).
 */
let h: Harness;
let ids: { ws: string; p: string; b: string; a: string; inv: string; r: string; m: string };

beforeAll(async () => {
  h = await createHarness();
  const ws = (await h.call('POST', '/v1/workstreams', { token: h.tokens.admin, body: workstreamBody() })).body.id;
  const p = (await h.call('POST', '/v1/projects', { token: h.tokens.pm, body: projectBody(ws) })).body.id;
  const b = (
    await h.call('POST', `/v1/projects/${p}/benefits`, {
      token: h.tokens.pm,
      body: { title: 't', type: 'cashable-saving', category: 'transformation', recurrence: 'recurring', mtfsRef: 'R1', owner: 'o', confidencePct: 50 },
    })
  ).body.id;
  const a = (await h.call('POST', `/v1/projects/${p}/benefits/${b}/actuals`, { token: h.tokens.pm, body: { month: '2025-10', amountPence: 10, note: 'n' } }))
    .body.id;
  const inv = (
    await h.call('POST', `/v1/projects/${p}/investments`, {
      token: h.tokens.pm,
      body: { title: 'i', kind: 'capital', fundingSource: 'grant', months: { '2025-05': 10 } },
    })
  ).body.id;
  const r = (
    await h.call('POST', `/v1/projects/${p}/risks`, { token: h.tokens.pm, body: { title: 'r', owner: 'o', likelihood: 2, impact: 2, mitigation: 'm' } })
  ).body.id;
  const m = (await h.call('POST', `/v1/projects/${p}/milestones`, { token: h.tokens.pm, body: { title: 'm', dueDate: '2025-09-30' } })).body.id;
  ids = { ws, p, b, a, inv, r, m };
});
afterAll(async () => {
  await h.cleanup();
});

type Route = { name: string; method: string; path: () => string; body: () => unknown; allowed: ('admin' | 'pm' | 'otherPm' | 'finance')[] };
const routes: Route[] = [
  { name: 'create workstream', method: 'POST', path: () => '/v1/workstreams', body: () => workstreamBody(), allowed: ['admin'] },
  { name: 'rename workstream', method: 'PATCH', path: () => `/v1/workstreams/${ids.ws}`, body: () => ({ lead: 'New lead' }), allowed: ['admin'] },
  {
    name: 'set MTFS targets',
    method: 'PATCH',
    path: () => `/v1/workstreams/${ids.ws}`,
    body: () => ({ mtfsTargets: { '2027/28': 5 } }),
    allowed: ['admin', 'finance'],
  },
  { name: 'create project', method: 'POST', path: () => '/v1/projects', body: () => projectBody(ids.ws), allowed: ['admin', 'pm', 'otherPm'] },
  { name: 'change project', method: 'PATCH', path: () => `/v1/projects/${ids.p}`, body: () => ({ sro: 'Someone' }), allowed: ['admin', 'pm'] },
  {
    name: 'add benefit',
    method: 'POST',
    path: () => `/v1/projects/${ids.p}/benefits`,
    body: () => ({ title: 't2', type: 'income', category: 'mitigation', recurrence: 'one-off', mtfsRef: 'R2', owner: 'o', confidencePct: 50 }),
    allowed: ['admin', 'pm'],
  },
  { name: 'change benefit', method: 'PATCH', path: () => `/v1/projects/${ids.p}/benefits/${ids.b}`, body: () => ({ owner: 'o2' }), allowed: ['admin', 'pm'] },
  {
    name: 'set baseline',
    method: 'PUT',
    path: () => `/v1/projects/${ids.p}/benefits/${ids.b}/baseline`,
    body: () => ({ months: { '2025-10': 99 } }),
    allowed: ['admin', 'pm'],
  },
  {
    name: 'set forecast',
    method: 'PUT',
    path: () => `/v1/projects/${ids.p}/benefits/${ids.b}/forecast`,
    body: () => ({ months: { '2025-10': 98 } }),
    allowed: ['admin', 'pm'],
  },
  {
    name: 'record actual',
    method: 'POST',
    path: () => `/v1/projects/${ids.p}/benefits/${ids.b}/actuals`,
    body: () => ({ month: '2025-10', amountPence: 1, note: 'n' }),
    allowed: ['admin', 'pm', 'finance'],
  },
  {
    name: 'validate actual',
    method: 'POST',
    path: () => `/v1/projects/${ids.p}/benefits/${ids.b}/actuals/${ids.a}/validate`,
    body: () => undefined,
    allowed: ['admin', 'finance'],
  },
  {
    name: 'add investment line',
    method: 'POST',
    path: () => `/v1/projects/${ids.p}/investments`,
    body: () => ({ title: 'i2', kind: 'revenue', fundingSource: 'reserves', months: { '2025-06': 1 } }),
    allowed: ['admin', 'pm'],
  },
  {
    name: 'change investment line',
    method: 'PATCH',
    path: () => `/v1/projects/${ids.p}/investments/${ids.inv}`,
    body: () => ({ title: 'i3' }),
    allowed: ['admin', 'pm'],
  },
  {
    name: 'record spend',
    method: 'POST',
    path: () => `/v1/projects/${ids.p}/investments/${ids.inv}/spend`,
    body: () => ({ month: '2025-05', amountPence: 1, note: 'n' }),
    allowed: ['admin', 'finance'],
  },
  {
    name: 'add risk',
    method: 'POST',
    path: () => `/v1/projects/${ids.p}/risks`,
    body: () => ({ title: 'r2', owner: 'o', likelihood: 1, impact: 1, mitigation: 'm' }),
    allowed: ['admin', 'pm'],
  },
  { name: 'change risk', method: 'PATCH', path: () => `/v1/projects/${ids.p}/risks/${ids.r}`, body: () => ({ impact: 3 }), allowed: ['admin', 'pm'] },
  {
    name: 'add milestone',
    method: 'POST',
    path: () => `/v1/projects/${ids.p}/milestones`,
    body: () => ({ title: 'm2', dueDate: '2025-12-31' }),
    allowed: ['admin', 'pm'],
  },
  {
    name: 'change milestone',
    method: 'PATCH',
    path: () => `/v1/projects/${ids.p}/milestones/${ids.m}`,
    body: () => ({ title: 'm3' }),
    allowed: ['admin', 'pm'],
  },
];

async function auditCount() {
  return (await h.call('GET', '/v1/audit?limit=200', { token: h.tokens.admin })).body.items.length;
}

describe('every write route', () => {
  const refusals = routes.flatMap((r) =>
    (['pm', 'otherPm', 'finance', 'cmt', 'feedReader'] as const).filter((who) => !(r.allowed as string[]).includes(who)).map((who) => ({ ...r, who })),
  );

  it.each(refusals)('$name is refused for $who (403, nothing written)', async ({ method, path, body, who }) => {
    const before = await auditCount();
    const b = body();
    const reply = await h.call(method, path(), { token: h.tokens[who], ...(b === undefined ? {} : { body: b }) });
    expectProblem(reply, 403, 'forbidden');
    expect(await auditCount()).toBe(before);
  });

  const otherPmProjectRoutes = routes.filter((r) => r.allowed.includes('pm') && r.name !== 'create project');
  it('covers the other programme manager on every project write route', () => {
    expect(otherPmProjectRoutes.length).toBeGreaterThanOrEqual(11);
    // Any programme manager may create a project (they manage it); every other route touches pat's project.
    expect(refusals.filter((r) => r.who === 'otherPm').length).toBe(routes.length - 1);
  });

  const allowed = routes.flatMap((r) => r.allowed.map((who) => ({ ...r, who })));
  it.each(allowed)('$name is allowed for $who', async ({ method, path, body, who, name }) => {
    const b = body();
    // Validation is once only and never by the recorder: give each allowed validator a fresh entry.
    let p = path();
    if (name === 'validate actual') {
      const fresh = (
        await h.call('POST', `/v1/projects/${ids.p}/benefits/${ids.b}/actuals`, { token: h.tokens.pm, body: { month: '2025-10', amountPence: 1, note: 'n' } })
      ).body.id;
      p = p.replace(ids.a, fresh);
    }
    const reply = await h.call(method, p, { token: h.tokens[who], ...(b === undefined ? {} : { body: b }) });
    expect(reply.status, JSON.stringify(reply.body)).toBeLessThan(300);
  });
});

describe('mass assignment', () => {
  const attempts = [
    {
      name: 'benefit id and version',
      method: 'POST',
      path: () => `/v1/projects/${ids.p}/benefits`,
      body: {
        title: 't',
        type: 'income',
        category: 'mitigation',
        recurrence: 'one-off',
        mtfsRef: 'R',
        owner: 'o',
        confidencePct: 5,
        id: 'ben_01JD6ZQ4T5N3W8R2X7C9V1B0KM',
        version: 7,
      },
      fields: ['id', 'version'],
    },
    {
      name: 'realised totals on a benefit',
      method: 'PATCH',
      path: () => `/v1/projects/${ids.p}/benefits/${ids.b}`,
      body: { realised: { '2025-10': 1_000_000 }, validated: { '2025-10': 1 } },
      fields: ['realised', 'validated'],
    },
    {
      name: 'baseline version on a benefit',
      method: 'PATCH',
      path: () => `/v1/projects/${ids.p}/benefits/${ids.b}`,
      body: { baselineVersion: 0, baseline: {} },
      fields: ['baselineVersion', 'baseline'],
    },
    {
      name: 'recordedBy and validatedBy on an actual',
      method: 'POST',
      path: () => `/v1/projects/${ids.p}/benefits/${ids.b}/actuals`,
      body: { month: '2025-10', amountPence: 5, note: 'n', recordedBy: 'someone', validatedBy: 'fin', validatedAt: '2025-10-01T00:00:00Z' },
      fields: ['recordedBy', 'validatedBy', 'validatedAt'],
    },
    {
      name: 'actual spend on an investment line',
      method: 'PATCH',
      path: () => `/v1/projects/${ids.p}/investments/${ids.inv}`,
      body: { actual: { '2025-05': 1 } },
      fields: ['actual'],
    },
    {
      name: 'score and history on a risk',
      method: 'PATCH',
      path: () => `/v1/projects/${ids.p}/risks/${ids.r}`,
      body: { score: 1, band: 'low', history: [] },
      fields: ['score', 'band', 'history'],
    },
    {
      name: 'projectId on a milestone',
      method: 'PATCH',
      path: () => `/v1/projects/${ids.p}/milestones/${ids.m}`,
      body: { projectId: 'prj_01JD6ZQ4T5N3W8R2X7C9V1B0KM' },
      fields: ['projectId'],
    },
  ];
  it.each(attempts)('refuses $name (400 naming the fields)', async ({ method, path, body, fields }) => {
    const before = await auditCount();
    const problem = expectProblem(await h.call(method, path(), { token: h.tokens.admin, body }), 400, 'validation-failed');
    expect(problem.errors?.map((e) => e.path).sort()).toEqual([...fields].sort());
    expect(await auditCount()).toBe(before);
  });
});

describe('object-level authorisation', () => {
  it('refuses children reached through another project', async () => {
    const other = (await h.call('POST', '/v1/projects', { token: h.tokens.pm, body: projectBody(ids.ws) })).body.id;
    expectProblem(await h.call('GET', `/v1/projects/${other}/benefits/${ids.b}`, { token: h.tokens.pm }), 404);
    expectProblem(await h.call('PUT', `/v1/projects/${other}/benefits/${ids.b}/forecast`, { token: h.tokens.pm, body: { months: { '2025-10': 1 } } }), 404);
    // Ledger entries: the parent is not read first; its total's update finds it missing (404), and nothing is written, the idempotency key included.
    const before = await auditCount();
    const key = { 'Idempotency-Key': 'through-another-project' };
    expectProblem(
      await h.call('POST', `/v1/projects/${other}/benefits/${ids.b}/actuals`, {
        token: h.tokens.finance,
        headers: key,
        body: { month: '2025-10', amountPence: 1, note: 'n' },
      }),
      404,
    );
    expectProblem(
      await h.call('POST', `/v1/projects/${other}/investments/${ids.inv}/spend`, {
        token: h.tokens.finance,
        body: { month: '2025-05', amountPence: 1, note: 'n' },
      }),
      404,
    );
    expectProblem(
      await h.call('POST', `/v1/projects/${other}/investments/${ids.inv}/spend`, {
        token: h.tokens.finance,
        body: { month: '2025-05', amountPence: -1, note: 'n', reverses: 'spd_01JD6ZQ4T5N3W8R2X7C9V1B0KM' },
      }),
      404,
    );
    expect(await auditCount()).toBe(before);
    expect((await h.call('GET', `/v1/projects/${other}`, { token: h.tokens.pm })).body.benefits).toEqual([]);
    expectProblem(
      await h.call('POST', `/v1/projects/${other}/benefits/${ids.b}/actuals`, {
        token: h.tokens.finance,
        headers: key,
        body: { month: '2025-10', amountPence: 1, note: 'n' },
      }),
      404,
    );
    expectProblem(await h.call('PATCH', `/v1/projects/${other}/risks/${ids.r}`, { token: h.tokens.pm, body: { impact: 1 } }), 404);
  });
});
