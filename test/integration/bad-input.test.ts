import { sign } from 'hono/jwt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, expectProblem, projectBody, TEST_SECRET, workstreamBody, type Harness } from '../support/harness.ts';

/**
 * Bad input of every kind gets the right 4xx as problem+json and leaves the
 * data exactly as it was: the same representation, and no new audit entry.
 */
let h: Harness;
let ws: { id: string; code: string; version: number };
let project: { id: string; code: string; version: number };

beforeAll(async () => {
  h = await createHarness({ bodyLimitBytes: 4096 });
  ws = (await h.call('POST', '/v1/workstreams', { token: h.tokens.admin, body: workstreamBody() })).body;
  project = (await h.call('POST', '/v1/projects', { token: h.tokens.pm, body: projectBody(ws.id) })).body;
});
afterAll(async () => {
  await h.cleanup();
});

async function snapshot() {
  const [w, p, all] = await Promise.all([
    h.call('GET', `/v1/workstreams/${ws.id}`, { token: h.tokens.admin }),
    h.call('GET', `/v1/projects/${project.id}`, { token: h.tokens.admin }),
    h.call('GET', '/v1/audit?limit=200', { token: h.tokens.admin }),
  ]);
  return {
    workstream: w.body,
    // The figures' knownAt is the moment of reading, not stored state.
    project: { ...p.body, figures: { ...p.body.figures, knownAt: undefined } },
    audit: all.body.items.length,
    listed: (await h.call('GET', '/v1/workstreams', { token: h.tokens.admin })).body.items.length,
  };
}

const now = () => Math.floor(Date.now() / 1000);
const claims = { sub: 'ada', name: 'Ada', roles: ['admin'], iss: 'benefits-tracker-local', aud: 'benefits-tracker' };

const cases: { name: string; status: number; code?: string; field?: string; run: () => Promise<Awaited<ReturnType<Harness['call']>>> }[] = [
  {
    name: 'malformed JSON',
    status: 400,
    run: () => h.call('POST', '/v1/workstreams', { token: h.tokens.admin, rawBody: '{"code": "X",', headers: { 'Content-Type': 'application/json' } }),
  },
  {
    name: 'a body that is not JSON',
    status: 415,
    code: 'unsupported-media-type',
    run: () =>
      h.call('PATCH', `/v1/workstreams/${ws.id}`, {
        token: h.tokens.admin,
        rawBody: 'name=x',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      }),
  },
  {
    name: 'a body with no Content-Type',
    status: 415,
    run: () => h.call('POST', '/v1/workstreams', { token: h.tokens.admin, rawBody: JSON.stringify(workstreamBody()) }),
  },
  { name: 'a JSON array instead of an object', status: 400, run: () => h.call('POST', '/v1/workstreams', { token: h.tokens.admin, body: [workstreamBody()] }) },
  {
    name: 'wrong types',
    status: 400,
    field: 'name',
    run: () => h.call('POST', '/v1/workstreams', { token: h.tokens.admin, body: workstreamBody({ name: 42 }) }),
  },
  {
    name: 'an unknown field',
    status: 400,
    field: 'colour',
    run: () => h.call('POST', '/v1/workstreams', { token: h.tokens.admin, body: workstreamBody({ colour: 'red' }) }),
  },
  {
    name: 'a server-owned field (mass assignment)',
    status: 400,
    field: 'version',
    run: () => h.call('PATCH', `/v1/projects/${project.id}`, { token: h.tokens.pm, body: { version: 99, name: 'x' } }),
  },
  {
    name: 'setting createdBy',
    status: 400,
    field: 'createdBy',
    run: () => h.call('POST', '/v1/projects', { token: h.tokens.pm, body: projectBody(ws.id, { createdBy: 'someone' }) }),
  },
  {
    name: 'money with a fraction of a penny',
    status: 400,
    field: 'mtfsTargets.2025/26',
    run: () => h.call('PATCH', `/v1/workstreams/${ws.id}`, { token: h.tokens.finance, body: { mtfsTargets: { '2025/26': 100.5 } } }),
  },
  {
    name: 'money as a string',
    status: 400,
    field: 'mtfsTargets.2025/26',
    run: () => h.call('PATCH', `/v1/workstreams/${ws.id}`, { token: h.tokens.finance, body: { mtfsTargets: { '2025/26': '£100' } } }),
  },
  {
    name: 'negative MTFS target',
    status: 400,
    field: 'mtfsTargets.2025/26',
    run: () => h.call('PATCH', `/v1/workstreams/${ws.id}`, { token: h.tokens.finance, body: { mtfsTargets: { '2025/26': -1 } } }),
  },
  {
    name: 'a bad FY string',
    status: 400,
    field: 'mtfsTargets.2025/27',
    run: () => h.call('PATCH', `/v1/workstreams/${ws.id}`, { token: h.tokens.finance, body: { mtfsTargets: { '2025/27': 100 } } }),
  },
  {
    name: 'an FY written with a dash',
    status: 400,
    run: () => h.call('PATCH', `/v1/workstreams/${ws.id}`, { token: h.tokens.finance, body: { mtfsTargets: { '2025-26': 100 } } }),
  },
  {
    name: 'an impossible date',
    status: 400,
    field: 'startDate',
    run: () => h.call('PATCH', `/v1/projects/${project.id}`, { token: h.tokens.pm, body: { startDate: '2025-02-30' } }),
  },
  {
    name: 'an unknown enum value',
    status: 400,
    field: 'deliveryConfidence',
    run: () => h.call('PATCH', `/v1/projects/${project.id}`, { token: h.tokens.pm, body: { deliveryConfidence: 'purple' } }),
  },
  { name: 'a blank name', status: 400, field: 'name', run: () => h.call('PATCH', `/v1/projects/${project.id}`, { token: h.tokens.pm, body: { name: '   ' } }) },
  {
    name: 'a huge body',
    status: 413,
    code: 'payload-too-large',
    run: () => h.call('PATCH', `/v1/projects/${project.id}`, { token: h.tokens.pm, body: { name: 'x'.repeat(10_000) } }),
  },
  { name: 'no token', status: 401, code: 'unauthenticated', run: () => h.call('PATCH', `/v1/projects/${project.id}`, { body: { name: 'x' } }) },
  {
    name: 'a non-bearer Authorization header',
    status: 401,
    run: () => h.call('PATCH', `/v1/projects/${project.id}`, { headers: { Authorization: 'Basic YWRhOnB3' }, body: { name: 'x' } }),
  },
  { name: 'a garbage token', status: 401, run: () => h.call('PATCH', `/v1/projects/${project.id}`, { token: 'not.a.jwt', body: { name: 'x' } }) },
  {
    name: 'a token forged with another key',
    status: 401,
    run: async () =>
      h.call('PATCH', `/v1/projects/${project.id}`, {
        token: await sign({ ...claims, exp: now() + 600 }, 'some-other-secret-of-32-characters!!', 'HS256'),
        body: { name: 'x' },
      }),
  },
  {
    name: 'an unsigned token (alg none)',
    status: 401,
    run: () => {
      const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
      return h.call('PATCH', `/v1/projects/${project.id}`, {
        token: `${enc({ alg: 'none', typ: 'JWT' })}.${enc({ ...claims, exp: now() + 600 })}.`,
        body: { name: 'x' },
      });
    },
  },
  {
    name: 'an expired token',
    status: 401,
    run: async () =>
      h.call('PATCH', `/v1/projects/${project.id}`, { token: await sign({ ...claims, exp: now() - 60 }, TEST_SECRET, 'HS256'), body: { name: 'x' } }),
  },
  {
    name: 'a token with no expiry',
    status: 401,
    run: async () => h.call('PATCH', `/v1/projects/${project.id}`, { token: await sign(claims, TEST_SECRET, 'HS256'), body: { name: 'x' } }),
  },
  {
    name: 'a token for another audience',
    status: 401,
    run: async () =>
      h.call('PATCH', `/v1/projects/${project.id}`, {
        token: await sign({ ...claims, aud: 'other-api', exp: now() + 600 }, TEST_SECRET, 'HS256'),
        body: { name: 'x' },
      }),
  },
  {
    name: 'a token without a subject',
    status: 401,
    run: async () =>
      h.call('PATCH', `/v1/projects/${project.id}`, {
        token: await sign({ ...claims, sub: undefined, exp: now() + 600 }, TEST_SECRET, 'HS256'),
        body: { name: 'x' },
      }),
  },
  {
    name: 'a token with no known role',
    status: 403,
    run: async () =>
      h.call('PATCH', `/v1/projects/${project.id}`, {
        token: await sign({ ...claims, roles: ['superuser'], exp: now() + 600 }, TEST_SECRET, 'HS256'),
        body: { name: 'x' },
      }),
  },
  {
    name: 'a stale If-Match',
    status: 412,
    code: 'precondition-failed',
    run: () => h.call('PATCH', `/v1/projects/${project.id}`, { token: h.tokens.pm, headers: { 'If-Match': '"0"' }, body: { name: 'x' } }),
  },
  {
    name: 'an unrecognisable If-Match',
    status: 412,
    run: () => h.call('PATCH', `/v1/workstreams/${ws.id}`, { token: h.tokens.admin, headers: { 'If-Match': 'banana' }, body: { name: 'x' } }),
  },
  {
    name: 'a duplicate code',
    status: 409,
    code: 'duplicate-code',
    run: () => h.call('POST', '/v1/workstreams', { token: h.tokens.admin, body: workstreamBody({ code: ws.code.toLowerCase() }) }),
  },
  { name: 'an unknown route', status: 404, run: () => h.call('GET', '/v1/nothing-here', { token: h.tokens.admin }) },
  {
    name: 'a path id with traversal',
    status: 400,
    run: () => h.call('GET', `/v1/projects/${encodeURIComponent('../../etc/passwd')}`, { token: h.tokens.admin }),
  },
  { name: 'a query with a non-numeric limit', status: 400, field: 'limit', run: () => h.call('GET', '/v1/projects?limit=ten', { token: h.tokens.admin }) },
];

describe('bad input', () => {
  it.each(cases)('$name → $status problem+json, nothing changed', async ({ status, code, field, run }) => {
    const before = await snapshot();
    const reply = await run();
    const problem = expectProblem(reply, status, code);
    if (field) expect(problem.errors?.map((e) => e.path)).toContain(field);
    if (status === 401) expect(reply.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await snapshot()).toEqual(before);
  });

  it('never answers with a stack trace or internal detail', async () => {
    const reply = await h.call('POST', '/v1/workstreams', { token: h.tokens.admin, rawBody: '{"code":', headers: { 'Content-Type': 'application/json' } });
    expect(JSON.stringify(reply.body)).not.toMatch(/at .*\.ts:|node_modules|SyntaxError/);
  });

  it('treats a PATCH that changes nothing as no change: no new version, no audit entry', async () => {
    const before = await snapshot();
    const reply = await h.call('PATCH', `/v1/projects/${project.id}`, { token: h.tokens.pm, body: { name: before.project.name } });
    expect(reply.status).toBe(200);
    expect(reply.body.version).toBe(before.project.version);
    expect(await snapshot()).toEqual(before);
  });
});

describe('a problem says what each field must be, in plain English', () => {
  it('for a query: one message per fault, and both forms of an as-at moment', async () => {
    const read = async (path: string) => expectProblem(await h.call('GET', path, { token: h.tokens.cmt }), 400, 'validation-failed');
    expect((await read('/v1/projects?limit=500')).detail).toBe('The query string has 1 problem: limit must be at most 200.');
    expect((await read('/v1/projects?limit=lots')).errors).toEqual([{ path: 'limit', message: 'must be a number' }]);
    expect((await read('/v1/projects?stage=live')).errors).toEqual([
      { path: 'stage', message: 'must be one of: pipeline, business-case, approved, delivery, closed, cancelled' },
    ]);
    expect((await read('/v1/reports/programme?financialYear=2026-27&asAt=yesterday')).errors).toEqual([
      { path: 'financialYear', message: 'must be a financial year such as 2025/26' },
      { path: 'asAt', message: 'must be a date such as 2026-06-30 or an ISO instant such as 2026-06-30T16:00:00Z' },
    ]);
    expect((await read('/v1/reports/programme?financialYear=2026/27&asAt=2026-02-30')).errors).toEqual([
      { path: 'asAt', message: 'is not a real calendar date' },
    ]);
    expect((await read(`/v1/projects/x/investments/x/spend`)).errors?.map((e) => e.message)).toContain('must be an investment id (inv_…)');
  });

  it('for a body: a field left out is required, a wrong type says the type', async () => {
    const r = await h.call('POST', '/v1/workstreams', { token: h.tokens.admin, body: { code: 'PLAIN', lead: 7, mtfsTargets: {} } });
    expect(expectProblem(r, 400, 'validation-failed').errors).toEqual([
      { path: 'name', message: 'is required' },
      { path: 'lead', message: 'must be text' },
    ]);
    const budgets = await h.call('PUT', '/v1/programme', { token: h.tokens.admin, body: { name: 'P', councilName: 'C', netBudgets: { '2024': 5 } } });
    expect(expectProblem(budgets, 400, 'validation-failed').errors).toContainEqual({
      path: 'netBudgets.2024',
      message: 'is not a key it takes: must be a financial year such as 2025/26',
    });
  });
});
