import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, expectProblem, projectBody, workstreamBody, type Harness } from '../support/harness.ts';

/** Finance's validation queue (SPEC 6): what awaits validation across the programme, validated in bulk, all or nothing. */
let h: Harness;
const ids = {} as { ws: string; p1: string; p2: string; a: string; b: string; c: string; inv: string };

async function ok(method: string, path: string, token: string, body?: unknown) {
  const r = await h.call(method, path, { token, ...(body === undefined ? {} : { body }) });
  expect(r.status, `${method} ${path}: ${JSON.stringify(r.body)}`).toBeLessThan(300);
  return r.body;
}

beforeAll(async () => {
  h = await createHarness();
  const t = h.tokens;
  ids.ws = (await ok('POST', '/v1/workstreams', t.admin, workstreamBody())).id;
  ids.p1 = (await ok('POST', '/v1/projects', t.admin, projectBody(ids.ws, { manager: 'pat' }))).id;
  ids.p2 = (await ok('POST', '/v1/projects', t.admin, projectBody(ids.ws, { manager: 'pat' }))).id;
  const benefit = async (p: string, title: string) =>
    (
      await ok('POST', `/v1/projects/${p}/benefits`, t.pm, {
        title,
        type: 'cashable-saving',
        category: 'transformation',
        recurrence: 'recurring',
        mtfsRef: title,
        owner: 'Owner',
        confidencePct: 80,
      })
    ).id;
  ids.a = await benefit(ids.p1, 'A');
  ids.b = await benefit(ids.p1, 'B');
  ids.c = await benefit(ids.p2, 'C');
  ids.inv = (
    await ok('POST', `/v1/projects/${ids.p1}/investments`, t.admin, {
      title: 'Team',
      kind: 'revenue',
      fundingSource: 'reserves',
      months: { '2026-06': 500_000 },
    })
  ).id;
});
afterAll(async () => {
  await h.cleanup();
});

const actual = (p: string, b: string, month: string, amountPence: number, token = h.tokens.pm) =>
  ok('POST', `/v1/projects/${p}/benefits/${b}/actuals`, token, { month, amountPence, note: `${month} ledger` });
const queue = async (query = '') => (await ok('GET', `/v1/actuals?validated=false${query}`, h.tokens.finance)).items as { id: string; kind: string }[];

describe("finance's validation queue", () => {
  it('lists actuals and spend awaiting validation across the programme, oldest first, by project or workstream', async () => {
    const e1 = await actual(ids.p1, ids.a, '2026-06', 100_000);
    h.setClock(Date.now() + 1_000);
    const e2 = await actual(ids.p2, ids.c, '2026-06', 50_000);
    const spend = await ok('POST', `/v1/projects/${ids.p1}/investments/${ids.inv}/spend`, h.tokens.admin, {
      month: '2026-06',
      amountPence: 20_000,
      note: 'Payroll',
    });
    const all = await queue();
    expect(all.map((q) => [q.kind, q.id])).toEqual([
      ['actual', e1.id],
      ['actual', e2.id],
      ['spend', spend.id],
    ]);
    expect((await queue(`&projectId=${ids.p2}`)).map((q) => q.id)).toEqual([e2.id]);
    expect((await queue(`&workstreamId=${ids.ws}`)).length).toBe(3);
    expectProblem(await h.call('GET', '/v1/actuals?validated=true', { token: h.tokens.finance }), 400);
  });

  it('validates in bulk, all or nothing: totals, summary and report move once each, and the entries leave the queue', async () => {
    const x = await actual(ids.p1, ids.b, '2026-07', 30_000);
    const y = await actual(ids.p1, ids.b, '2026-07', 12_000);
    const before = await queue();
    const names = before.map((q) => q.id);
    expect(names).toEqual(expect.arrayContaining([x.id, y.id]));

    // One of finance's own entries in the lot: refused, and nothing validated.
    const own = await actual(ids.p2, ids.c, '2026-07', 5_000, h.tokens.finance);
    expectProblem(await h.call('POST', '/v1/actuals/validate', { token: h.tokens.finance, body: { ids: [...names, own.id] } }), 403);
    // An entry not awaiting validation: refused, and nothing validated.
    expectProblem(await h.call('POST', '/v1/actuals/validate', { token: h.tokens.finance, body: { ids: [names[0], 'act_01JD6ZQ4T5N3W8R2X7C9V1B0KM'] } }), 404);
    expectProblem(await h.call('POST', '/v1/actuals/validate', { token: h.tokens.pm, body: { ids: names } }), 403);
    expectProblem(await h.call('POST', '/v1/actuals/validate', { token: h.tokens.finance, body: { ids: [names[0], names[0]] } }), 422);
    expect((await queue()).length).toBe(before.length + 1);

    // Two entries of one benefit and month, one of another project, and spend: one transaction.
    const done = await ok('POST', '/v1/actuals/validate', h.tokens.finance, { ids: names });
    expect(done.validated.map((q: { id: string }) => q.id)).toEqual(names);
    expect((await queue()).map((q) => q.id)).toEqual([own.id]);
    const b = await ok('GET', `/v1/projects/${ids.p1}/benefits/${ids.b}`, h.tokens.cmt);
    expect(b.validated).toEqual({ '2026-07': 42_000 });
    const a = await ok('GET', `/v1/projects/${ids.p1}/benefits/${ids.a}`, h.tokens.cmt);
    expect(a.validated).toEqual({ '2026-06': 100_000 });
    // The project summaries (what the report reads) agree with the ledgers' totals, and so does the history.
    const summaries = await h.store.summaries.all();
    const validatedOf = (benefitId: string) => summaries.flatMap((x) => x.benefits).find((x) => x.id === benefitId)?.validated;
    expect([validatedOf(ids.a), validatedOf(ids.b), validatedOf(ids.c)]).toEqual([{ '2026-06': 100_000 }, { '2026-07': 42_000 }, { '2026-06': 50_000 }]);
    const past = await ok('GET', `/v1/projects/${ids.p1}?asAt=${encodeURIComponent(new Date(h.deps.clock().getTime() - 1).toISOString())}`, h.tokens.cmt);
    const now = await ok('GET', `/v1/projects/${ids.p1}`, h.tokens.cmt);
    expect(past.figures.byYear).toEqual(now.figures.byYear);
    const entries = (await ok('GET', `/v1/projects/${ids.p1}/benefits/${ids.b}/actuals`, h.tokens.cmt)).items as { validatedBy?: string }[];
    expect(entries.every((e) => e.validatedBy === 'fin')).toBe(true);
    // Validated once only.
    expectProblem(await h.call('POST', '/v1/actuals/validate', { token: h.tokens.admin, body: { ids: [names[0]] } }), 404);
  });

  it('lets finance query an entry, the recorder see and answer it, and refuses a second open query or a query on a validated entry', async () => {
    const e = await actual(ids.p2, ids.c, '2026-08', 7_500);
    const path = `/v1/projects/${ids.p2}/benefits/${ids.c}/actuals/${e.id}`;
    expectProblem(await h.call('POST', `${path}/query`, { token: h.tokens.cmt, body: { note: 'Which invoice?' } }), 403);
    expectProblem(await h.call('POST', `${path}/query`, { token: h.tokens.finance, body: {} }), 400);
    const queried = await ok('POST', `${path}/query`, h.tokens.finance, { note: 'Which invoice is this?' });
    expect(queried.query).toMatchObject({ note: 'Which invoice is this?', raisedBy: 'fin' });
    expectProblem(await h.call('POST', `${path}/query`, { token: h.tokens.finance, body: { note: 'Again?' } }), 409, 'query-refused');
    // The recorder sees it, in the queue and on the entry.
    const row = (await queue()).find((q) => q.id === e.id) as { query?: { note: string }; queryOpen: boolean } | undefined;
    expect(row).toMatchObject({ query: { note: 'Which invoice is this?' }, queryOpen: true });
    expectProblem(await h.call('POST', `${path}/answer`, { token: h.tokens.otherPm, body: { note: 'Not mine' } }), 403);
    const answered = await ok('POST', `${path}/answer`, h.tokens.pm, { note: 'INV-2026-0815, care hours' });
    expect(answered.query).toMatchObject({ answer: 'INV-2026-0815, care hours', answeredBy: 'pat' });
    expectProblem(await h.call('POST', `${path}/answer`, { token: h.tokens.pm, body: { note: 'Twice' } }), 409, 'no-query');
    expect((await queue()).find((q) => q.id === e.id)).toMatchObject({ queryOpen: false });
    await ok('POST', '/v1/actuals/validate', h.tokens.finance, { ids: [e.id] });
    expectProblem(await h.call('POST', `${path}/query`, { token: h.tokens.finance, body: { note: 'Late' } }), 409, 'query-refused');
    const trail = await ok('GET', `/v1/audit?entityId=${ids.c}`, h.tokens.admin);
    expect(trail.items.map((a: { action: string }) => a.action)).toEqual(expect.arrayContaining(['entry-queried', 'entry-query-answered', 'actual-validated']));
  });
});
