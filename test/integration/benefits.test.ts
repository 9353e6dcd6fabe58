import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, expectProblem, projectBody, workstreamBody, type Harness } from '../support/harness.ts';

let h: Harness;
let wsId: string;

beforeAll(async () => {
  h = await createHarness();
  wsId = (await h.call('POST', '/v1/workstreams', { token: h.tokens.admin, body: workstreamBody() })).body.id;
});
afterAll(async () => {
  await h.cleanup();
});

async function newProject(overrides: Record<string, unknown> = {}) {
  const r = await h.call('POST', '/v1/projects', { token: h.tokens.pm, body: projectBody(wsId, overrides) });
  expect(r.status).toBe(201);
  return r.body as { id: string; version: number; code: string };
}

function benefitBody(overrides: Record<string, unknown> = {}) {
  return {
    title: 'Reablement reduces home-care hours',
    type: 'cashable-saving',
    category: 'transformation',
    recurrence: 'recurring',
    mtfsRef: 'ASC-25-07',
    owner: 'Head of Reablement',
    confidencePct: 80,
    ...overrides,
  };
}

async function newBenefit(projectId: string, overrides: Record<string, unknown> = {}) {
  const r = await h.call('POST', `/v1/projects/${projectId}/benefits`, { token: h.tokens.pm, body: benefitBody(overrides) });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body as { id: string; version: number };
}

const base = (p: string, b: string) => `/v1/projects/${p}/benefits/${b}`;

describe('benefits', () => {
  it('carry every field of the spec, including a KPI measure, and appear in the project record', async () => {
    const p = await newProject();
    const measure = { name: 'Council tax collection rate', unit: 'percentage points', baselineValue: 94.1, targetValue: 95.1, pencePerUnit: 220_000_000 };
    const b = await h.call('POST', `/v1/projects/${p.id}/benefits`, {
      token: h.tokens.pm,
      body: benefitBody({ type: 'income', category: 'mitigation', recurrence: 'one-off', measure, status: 'active' }),
    });
    expect(b.status).toBe(201);
    expect(b.body).toMatchObject({
      projectId: p.id,
      type: 'income',
      category: 'mitigation',
      recurrence: 'one-off',
      measure,
      confidencePct: 80,
      baselineVersion: 0,
      baseline: {},
      forecast: {},
      realised: {},
      validated: {},
      replacedByBenefitIds: [],
    });
    const record = await h.call('GET', `/v1/projects/${p.id}`, { token: h.tokens.cmt });
    expect(record.status).toBe(200);
    expect(record.body.benefits).toEqual([b.body]);
    expect(record.body).toMatchObject({ id: p.id, investments: [], risks: [], milestones: [] });
    expect(record.headers.get('etag')).toBe(`"${p.version}"`);
  });

  it('take a baseline as phased annual amounts that sum exactly, and dis-benefits as negative amounts', async () => {
    const p = await newProject();
    const b = await newBenefit(p.id);
    const r = await h.call('PUT', `${base(p.id, b.id)}/baseline`, {
      token: h.tokens.pm,
      body: {
        phased: [
          { financialYear: '2025/26', amountPence: 100_000_01, fromMonth: '2025-10' },
          { financialYear: '2026/27', amountPence: 120_000_000 },
        ],
      },
    });
    expect(r.status).toBe(200);
    const months = r.body.baseline as Record<string, number>;
    const sum = (fy: string) =>
      Object.entries(months)
        .filter(([m]) => (fy === '2025/26' ? m >= '2025-04' && m <= '2026-03' : m >= '2026-04' && m <= '2027-03'))
        .reduce((a, [, v]) => a + v, 0);
    expect(sum('2025/26')).toBe(100_000_01);
    expect(sum('2026/27')).toBe(120_000_000);
    expect(Object.keys(months)[0]).toBe('2025-10');
    expect(Object.values(months).every(Number.isInteger)).toBe(true);

    const dis = await newBenefit(p.id, { title: 'Extra licence cost', type: 'cashable-saving' });
    const d = await h.call('PUT', `${base(p.id, dis.id)}/baseline`, { token: h.tokens.pm, body: { months: { '2025-10': -500_000, '2025-11': -500_000 } } });
    expect(d.status).toBe(200);
    expect(d.body.baseline).toEqual({ '2025-10': -500_000, '2025-11': -500_000 });
  });

  it('keep every baseline version; after approval a change is a re-baseline requested with a reason and decided by finance', async () => {
    const p = await newProject();
    const b = await newBenefit(p.id);
    expect((await h.call('PUT', `${base(p.id, b.id)}/baseline`, { token: h.tokens.pm, body: { months: { '2025-10': 100 } } })).body.baselineVersion).toBe(1);
    expect((await h.call('PUT', `${base(p.id, b.id)}/baseline`, { token: h.tokens.pm, body: { months: { '2025-10': 200 } } })).body.baselineVersion).toBe(2);
    await h.call('PATCH', `/v1/projects/${p.id}`, { token: h.tokens.pm, body: { stage: 'approved' } });

    const noReason = expectProblem(
      await h.call('PUT', `${base(p.id, b.id)}/baseline`, { token: h.tokens.pm, body: { months: { '2025-10': 50 } } }),
      422,
      'change-reason-required',
    );
    expect(noReason.errors?.[0]?.path).toBe('reason');

    // Requested (202), not applied.
    const requested = await h.call('PUT', `${base(p.id, b.id)}/baseline`, {
      token: h.tokens.pm,
      body: { months: { '2025-10': 50 }, reason: 'Provider market failure delayed the start' },
    });
    expect(requested.status).toBe(202);
    expect(requested.body).toMatchObject({
      kind: 're-baseline',
      projectId: p.id,
      benefitId: b.id,
      status: 'pending',
      requestedBy: 'pat',
      proposed: { baseline: { '2025-10': 50 } },
    });
    expect((await h.call('GET', base(p.id, b.id), { token: h.tokens.pm })).body.baseline).toEqual({ '2025-10': 200 });
    const pending = await h.call('GET', `/v1/changes?projectId=${p.id}`, { token: h.tokens.cmt });
    expect(pending.body.items.map((r: { id: string }) => r.id)).toEqual([requested.body.id]);

    // Decided by finance, with a note; never by the requester, and only by finance or an admin.
    expectProblem(await h.call('POST', `/v1/changes/${requested.body.id}/approve`, { token: h.tokens.pm, body: { note: 'mine' } }), 403);
    expectProblem(await h.call('POST', `/v1/changes/${requested.body.id}/approve`, { token: h.tokens.finance, body: {} }), 400);
    const approved = await h.call('POST', `/v1/changes/${requested.body.id}/approve`, { token: h.tokens.finance, body: { note: 'Agreed at finance review' } });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body).toMatchObject({ status: 'approved', decidedBy: 'fin', decisionNote: 'Agreed at finance review' });
    expect((await h.call('GET', base(p.id, b.id), { token: h.tokens.pm })).body).toMatchObject({ baselineVersion: 3, baseline: { '2025-10': 50 } });
    // Once decided, it cannot be decided again.
    expectProblem(await h.call('POST', `/v1/changes/${requested.body.id}/reject`, { token: h.tokens.admin, body: { note: 'late' } }), 409, 'change-decided');

    const history = await h.call('GET', `${base(p.id, b.id)}/baselines`, { token: h.tokens.cmt });
    expect(history.body.items.map((v: any) => [v.version, v.months['2025-10'], v.rebaseline, v.setBy])).toEqual([
      [1, 100, false, 'pat'],
      [2, 200, false, 'pat'],
      [3, 50, true, 'pat'],
    ]);
    expect(history.body.items[2].reason).toContain('Provider market failure delayed the start');
    const audit = await h.call('GET', `/v1/audit?entityId=${b.id}`, { token: h.tokens.admin });
    expect(audit.body.items.map((e: any) => e.action)).toEqual(['create', 'baseline-set', 'baseline-set', 'rebaseline']);
    const trail = await h.call('GET', `/v1/audit?entityId=${requested.body.id}`, { token: h.tokens.admin });
    expect(trail.body.items.map((e: any) => [e.action, e.actor.sub])).toEqual([
      ['change-requested', 'pat'],
      ['change-approved', 'fin'],
    ]);
  });

  it('refuse at approval a request overtaken by another change (409), let the requester withdraw, and let finance reject with a note', async () => {
    const p = await newProject();
    const b = await newBenefit(p.id);
    await h.call('PUT', `${base(p.id, b.id)}/baseline`, { token: h.tokens.pm, body: { months: { '2025-10': 100 } } });
    await h.call('PATCH', `/v1/projects/${p.id}`, { token: h.tokens.pm, body: { stage: 'approved' } });
    const ask = (pounds: number) =>
      h.call('PUT', `${base(p.id, b.id)}/baseline`, { token: h.tokens.pm, body: { months: { '2025-10': pounds }, reason: `To ${pounds}` } });
    const first = (await ask(80)).body;
    const second = (await ask(60)).body;
    expect((await h.call('POST', `/v1/changes/${second.id}/approve`, { token: h.tokens.admin, body: { note: 'Fine' } })).status).toBe(200);
    // The first was made against baseline version 1; it is now 2.
    expectProblem(await h.call('POST', `/v1/changes/${first.id}/approve`, { token: h.tokens.finance, body: { note: 'Fine' } }), 409, 'change-request-stale');
    expect((await h.call('GET', base(p.id, b.id), { token: h.tokens.pm })).body.baseline).toEqual({ '2025-10': 60 });
    const rejected = await h.call('POST', `/v1/changes/${first.id}/reject`, { token: h.tokens.finance, body: { note: 'Overtaken' } });
    expect(rejected.body).toMatchObject({ status: 'rejected', decisionNote: 'Overtaken' });
    // Withdrawn by the requester only.
    const third = (await ask(40)).body;
    expectProblem(await h.call('POST', `/v1/changes/${third.id}/withdraw`, { token: h.tokens.finance }), 403);
    expect((await h.call('POST', `/v1/changes/${third.id}/withdraw`, { token: h.tokens.pm })).body.status).toBe('withdrawn');
    expect((await h.call('GET', `/v1/changes?status=pending&projectId=${p.id}`, { token: h.tokens.cmt })).body.items).toEqual([]);
    expect((await h.call('GET', base(p.id, b.id), { token: h.tokens.pm })).body.baseline).toEqual({ '2025-10': 60 });
  });

  it('approve a request raced by edits that leave it current (an actual, a confidence change): both land, never a 412', async () => {
    const p = await newProject();
    const b = await newBenefit(p.id);
    await h.call('PUT', `${base(p.id, b.id)}/baseline`, { token: h.tokens.pm, body: { months: { '2025-10': 100 } } });
    await h.call('PATCH', `/v1/projects/${p.id}`, { token: h.tokens.pm, body: { stage: 'approved' } });
    for (let round = 0; round < 5; round++) {
      const asked = await h.call('PUT', `${base(p.id, b.id)}/baseline`, {
        token: h.tokens.pm,
        body: { months: { '2025-10': 200 + round }, reason: `Round ${round}` },
      });
      expect(asked.status).toBe(202);
      const [approved, patched, actual] = await Promise.all([
        h.call('POST', `/v1/changes/${asked.body.id}/approve`, { token: h.tokens.finance, body: { note: 'Agreed' } }),
        h.call('PATCH', base(p.id, b.id), { token: h.tokens.pm, body: { confidencePct: 60 + round } }),
        h.call('POST', `${base(p.id, b.id)}/actuals`, { token: h.tokens.finance, body: { month: '2025-10', amountPence: 10, note: `Round ${round}` } }),
      ]);
      expect([approved.status, patched.status, actual.status], JSON.stringify(approved.body)).toEqual([200, 200, 201]);
      const now = (await h.call('GET', base(p.id, b.id), { token: h.tokens.pm })).body;
      expect(now).toMatchObject({ baseline: { '2025-10': 200 + round }, confidencePct: 60 + round, realised: { '2025-10': 10 * (round + 1) } });
    }
  });

  it('request a write-out, a type change and a cancellation once approved (202), apply them on approval, and refuse mixing them with other changes', async () => {
    const p = await newProject();
    const b = await newBenefit(p.id);
    await h.call('PUT', `${base(p.id, b.id)}/baseline`, { token: h.tokens.pm, body: { months: { '2025-10': 100 } } });
    await h.call('PATCH', `/v1/projects/${p.id}`, { token: h.tokens.pm, body: { stage: 'delivery' } });
    expectProblem(
      await h.call('PATCH', base(p.id, b.id), { token: h.tokens.pm, body: { status: 'unachievable', title: 'Renamed', reason: 'Market failure' } }),
      422,
      'change-request-mixed',
    );
    const writeOut = await h.call('PATCH', base(p.id, b.id), { token: h.tokens.pm, body: { status: 'unachievable', reason: 'Market failure' } });
    expect(writeOut.status).toBe(202);
    expect(writeOut.body).toMatchObject({ kind: 'write-out', proposed: { status: 'unachievable' }, was: { status: 'active' } });
    const retype = await h.call('PATCH', base(p.id, b.id), { token: h.tokens.pm, body: { type: 'cost-avoidance', reason: 'Not cashable after all' } });
    expect(retype.body).toMatchObject({ kind: 'reclassification', proposed: { type: 'cost-avoidance' } });
    // Other fields still change directly.
    expect((await h.call('PATCH', base(p.id, b.id), { token: h.tokens.pm, body: { confidencePct: 55 } })).status).toBe(200);
    expect((await h.call('POST', `/v1/changes/${writeOut.body.id}/approve`, { token: h.tokens.finance, body: { note: 'Agreed' } })).status).toBe(200);
    expect((await h.call('POST', `/v1/changes/${retype.body.id}/approve`, { token: h.tokens.finance, body: { note: 'Agreed' } })).status).toBe(200);
    expect((await h.call('GET', base(p.id, b.id), { token: h.tokens.pm })).body).toMatchObject({
      status: 'unachievable',
      type: 'cost-avoidance',
      confidencePct: 55,
    });

    const cancel = await h.call('PATCH', `/v1/projects/${p.id}`, { token: h.tokens.pm, body: { stage: 'cancelled', reason: 'Policy change' } });
    expect(cancel.status).toBe(202);
    expect((await h.call('GET', `/v1/projects/${p.id}`, { token: h.tokens.pm })).body.stage).toBe('delivery');
    expectProblem(await h.call('POST', `/v1/changes/${cancel.body.id}/approve`, { token: h.tokens.cmt, body: { note: 'No' } }), 403);
    expect((await h.call('POST', `/v1/changes/${cancel.body.id}/approve`, { token: h.tokens.admin, body: { note: 'Agreed by CMT' } })).status).toBe(200);
    expect((await h.call('GET', `/v1/projects/${p.id}`, { token: h.tokens.pm })).body.stage).toBe('cancelled');
    // Requested, approved and rejected are published.
    const events = (await h.store.outbox.pending(100)).map((e) => e.detailType);
    expect(events).toEqual(expect.arrayContaining(['ChangeRequested', 'ChangeApproved']));
  });

  it('stamp the forecast with when and by whom it was last updated', async () => {
    const p = await newProject();
    const b = await newBenefit(p.id);
    const r = await h.call('PUT', `${base(p.id, b.id)}/forecast`, {
      token: h.tokens.pm,
      body: { phased: [{ financialYear: '2025/26', amountPence: 42_000_000 }] },
    });
    expect(r.status).toBe(200);
    expect(r.body.forecastUpdatedBy).toBe('pat');
    expect(h.deps.clock().getTime() - Date.parse(r.body.forecastUpdatedAt)).toBeLessThan(60_000);
    expect(Object.values(r.body.forecast as Record<string, number>).reduce((a, v) => a + v, 0)).toBe(42_000_000);
  });

  it('show the lineage from a written-out saving to its replacement, both ways', async () => {
    const p = await newProject();
    const failed = await newBenefit(p.id, { title: 'Day-centre consolidation' });
    expectProblem(
      await h.call('POST', `/v1/projects/${p.id}/benefits`, { token: h.tokens.pm, body: benefitBody({ replacesBenefitId: failed.id }) }),
      422,
      'not-written-out',
    );
    const out = await h.call('PATCH', base(p.id, failed.id), { token: h.tokens.pm, body: { status: 'unachievable' } });
    expect(out.body.writtenOutAt).toBeTruthy();
    expectProblem(
      await h.call('PUT', `${base(p.id, failed.id)}/forecast`, { token: h.tokens.pm, body: { months: { '2025-10': 1 } } }),
      409,
      'benefit-written-out',
    );

    const other = await newProject();
    const replacement = await newBenefit(other.id, { title: 'Shared-lives expansion', replacesBenefitId: failed.id });
    const original = await h.call('GET', base(p.id, failed.id), { token: h.tokens.cmt });
    expect(original.body.replacedByBenefitIds).toEqual([replacement.id]);
    expect((await h.call('GET', base(other.id, replacement.id), { token: h.tokens.cmt })).body.replacesBenefitId).toBe(failed.id);
    // Bringing a written-out saving back is an admin's call.
    expectProblem(await h.call('PATCH', base(p.id, failed.id), { token: h.tokens.pm, body: { status: 'active' } }), 403);
  });
});

describe('the actuals ledger', () => {
  it('records evidence-backed actuals, keeps realised totals in step, and corrects by reversal only', async () => {
    const p = await newProject();
    const b = await newBenefit(p.id);
    const url = `${base(p.id, b.id)}/actuals`;
    expectProblem(await h.call('POST', url, { token: h.tokens.finance, body: { month: '2025-10', amountPence: 5_000_000 } }), 400);
    expectProblem(await h.call('POST', url, { token: h.tokens.finance, body: { month: '2025-10', amountPence: 5_000_000, note: ' ' } }), 400);
    expectProblem(await h.call('POST', url, { token: h.tokens.finance, body: { month: '2099-01', amountPence: 1, note: 'x' } }), 422, 'future-month');

    const first = await h.call('POST', url, {
      token: h.tokens.finance,
      body: { month: '2025-10', amountPence: 5_000_000, note: 'Home-care hours down 1,200 (CareDirector report Oct-25)' },
    });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ month: '2025-10', amountPence: 5_000_000, recordedBy: 'fin' });
    await h.call('POST', url, { token: h.tokens.pm, body: { month: '2025-11', amountPence: 4_000_000, note: 'Nov-25 report' } });
    expect((await h.call('GET', base(p.id, b.id), { token: h.tokens.cmt })).body.realised).toEqual({ '2025-10': 5_000_000, '2025-11': 4_000_000 });

    const wrong = expectProblem(
      await h.call('POST', url, { token: h.tokens.finance, body: { month: '2025-11', amountPence: -4_000_000, note: 'wrong', reverses: first.body.id } }),
      400,
    );
    expect(wrong.errors?.map((e) => e.path)).toEqual(['month', 'amountPence']);
    const reversal = await h.call('POST', url, {
      token: h.tokens.finance,
      body: { month: '2025-10', amountPence: -5_000_000, note: 'Double-counted with ASC-25-03', reverses: first.body.id },
    });
    expect(reversal.status).toBe(201);
    expectProblem(
      await h.call('POST', url, { token: h.tokens.finance, body: { month: '2025-10', amountPence: -5_000_000, note: 'again', reverses: first.body.id } }),
      409,
      'already-reversed',
    );
    expectProblem(
      await h.call('POST', url, { token: h.tokens.finance, body: { month: '2025-10', amountPence: 5_000_000, note: 'undo', reverses: reversal.body.id } }),
      422,
      'reversal-of-reversal',
    );

    const ledger = await h.call('GET', url, { token: h.tokens.cmt });
    expect(ledger.body.items).toHaveLength(3);
    expect(ledger.body.items[0]).toMatchObject({ id: first.body.id, amountPence: 5_000_000, reversedBy: reversal.body.id });
    expect((await h.call('GET', base(p.id, b.id), { token: h.tokens.cmt })).body.realised).toEqual({ '2025-10': 0, '2025-11': 4_000_000 });
  });

  it('replays a retried POST with the same Idempotency-Key: one entry, counted once', async () => {
    const p = await newProject();
    const b = await newBenefit(p.id);
    const url = `${base(p.id, b.id)}/actuals`;
    const body = { month: '2025-12', amountPence: 1_234_567, note: 'Dec-25 ledger' };
    const key = { 'Idempotency-Key': 'a7d1f0d4-1111-4c3e-9a7e-000000000001' };
    const one = await h.call('POST', url, { token: h.tokens.finance, headers: key, body });
    const two = await h.call('POST', url, { token: h.tokens.finance, headers: key, body });
    expect(one.status).toBe(201);
    expect(two.status).toBe(201);
    expect(two.body).toEqual(one.body);
    expect(two.headers.get('idempotent-replayed')).toBe('true');
    expectProblem(await h.call('POST', url, { token: h.tokens.finance, headers: key, body: { ...body, amountPence: 1 } }), 422, 'idempotency-key-reused');
    // The same key from another user is their own key.
    const other = await h.call('POST', url, { token: h.tokens.admin, headers: key, body });
    expect(other.body.id).not.toBe(one.body.id);

    expect((await h.call('GET', url, { token: h.tokens.cmt })).body.items).toHaveLength(2);
    expect((await h.call('GET', base(p.id, b.id), { token: h.tokens.cmt })).body.realised).toEqual({ '2025-12': 2 * 1_234_567 });
  });

  it('counts concurrent retries with one Idempotency-Key exactly once', async () => {
    const p = await newProject();
    const b = await newBenefit(p.id);
    const url = `${base(p.id, b.id)}/actuals`;
    const body = { month: '2026-01', amountPence: 750_000, note: 'Jan-26 ledger' };
    const replies = await Promise.all(
      Array.from({ length: 12 }, () => h.call('POST', url, { token: h.tokens.finance, headers: { 'Idempotency-Key': 'concurrent-key-1' }, body })),
    );
    expect(replies.map((r) => r.status)).toEqual(replies.map(() => 201));
    expect(new Set(replies.map((r) => r.body.id)).size).toBe(1);
    expect((await h.call('GET', url, { token: h.tokens.cmt })).body.items).toHaveLength(1);
    expect((await h.call('GET', base(p.id, b.id), { token: h.tokens.cmt })).body.realised).toEqual({ '2026-01': 750_000 });
  });

  it('is validated by finance, once, and never by the person who recorded the entry', async () => {
    const p = await newProject();
    const b = await newBenefit(p.id);
    const url = `${base(p.id, b.id)}/actuals`;
    const byPm = (await h.call('POST', url, { token: h.tokens.pm, body: { month: '2025-10', amountPence: 300, note: 'x' } })).body;
    const byFin = (await h.call('POST', url, { token: h.tokens.finance, body: { month: '2025-10', amountPence: 700, note: 'y' } })).body;
    expectProblem(await h.call('POST', `${url}/${byPm.id}/validate`, { token: h.tokens.pm }), 403);
    expectProblem(await h.call('POST', `${url}/${byFin.id}/validate`, { token: h.tokens.finance }), 403);
    const ok = await h.call('POST', `${url}/${byPm.id}/validate`, { token: h.tokens.finance });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ validatedBy: 'fin' });
    expectProblem(await h.call('POST', `${url}/${byPm.id}/validate`, { token: h.tokens.admin }), 409, 'already-validated');
    expectProblem(await h.call('POST', `${url}/act_01JD6ZQ4T5N3W8R2X7C9V1B0KM/validate`, { token: h.tokens.finance }), 404);
    const benefit = (await h.call('GET', base(p.id, b.id), { token: h.tokens.cmt })).body;
    expect(benefit.realised).toEqual({ '2025-10': 1000 });
    expect(benefit.validated).toEqual({ '2025-10': 300 });
  });
});

describe('investment, risks and milestones', () => {
  it('plan investment lines and record spend (finance), with reversals and idempotency', async () => {
    const p = await newProject();
    const inv = await h.call('POST', `/v1/projects/${p.id}/investments`, {
      token: h.tokens.pm,
      body: {
        title: 'Reablement team recruitment',
        kind: 'revenue',
        fundingSource: 'flexible-capital-receipts',
        phased: [{ financialYear: '2025/26', amountPence: 45_000_000 }],
      },
    });
    expect(inv.status).toBe(201);
    expect(Object.values(inv.body.planned as Record<string, number>).reduce((a, v) => a + v, 0)).toBe(45_000_000);
    const url = `/v1/projects/${p.id}/investments/${inv.body.id}/spend`;
    expectProblem(await h.call('POST', url, { token: h.tokens.pm, body: { month: '2025-05', amountPence: 100, note: 'x' } }), 403);
    const s1 = await h.call('POST', url, {
      token: h.tokens.finance,
      headers: { 'Idempotency-Key': 'spend-1' },
      body: { month: '2025-05', amountPence: 3_750_000, note: 'Payroll journal J-4411' },
    });
    const s1again = await h.call('POST', url, {
      token: h.tokens.finance,
      headers: { 'Idempotency-Key': 'spend-1' },
      body: { month: '2025-05', amountPence: 3_750_000, note: 'Payroll journal J-4411' },
    });
    expect(s1again.body.id).toBe(s1.body.id);
    await h.call('POST', url, {
      token: h.tokens.finance,
      body: { month: '2025-05', amountPence: -3_750_000, note: 'Wrong cost centre', reverses: s1.body.id },
    });
    await h.call('POST', url, { token: h.tokens.finance, body: { month: '2025-05', amountPence: 3_500_000, note: 'Payroll journal J-4412' } });
    const record = (await h.call('GET', `/v1/projects/${p.id}`, { token: h.tokens.cmt })).body;
    expect(record.investments[0].actual).toEqual({ '2025-05': 3_500_000 });
    expect((await h.call('GET', url, { token: h.tokens.cmt })).body.items).toHaveLength(3);
    const patched = await h.call('PATCH', `/v1/projects/${p.id}/investments/${inv.body.id}`, {
      token: h.tokens.pm,
      body: { kind: 'capital', months: { '2025-06': 1_000_000 } },
    });
    expect(patched.body).toMatchObject({ kind: 'capital', planned: { '2025-06': 1_000_000 }, actual: { '2025-05': 3_500_000 }, version: 2 });
  });

  it('score risks, band them, and keep their score history', async () => {
    const p = await newProject();
    const b = await newBenefit(p.id);
    const r = await h.call('POST', `/v1/projects/${p.id}/risks`, {
      token: h.tokens.pm,
      body: {
        title: 'Provider market cannot absorb demand',
        owner: 'Commissioning lead',
        likelihood: 3,
        impact: 4,
        mitigation: 'Framework re-let',
        benefitId: b.id,
        savingsAtRiskPence: 25_000_000,
      },
    });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ score: 12, band: 'high', status: 'open' });
    const up = await h.call('PATCH', `/v1/projects/${p.id}/risks/${r.body.id}`, { token: h.tokens.pm, body: { likelihood: 5, impact: 4 } });
    expect(up.body).toMatchObject({ score: 20, band: 'critical' });
    const closed = await h.call('PATCH', `/v1/projects/${p.id}/risks/${r.body.id}`, {
      token: h.tokens.pm,
      body: { status: 'closed', mitigation: 'Framework let in March' },
    });
    expect(closed.body.history.map((e: any) => [e.score, e.band, e.status])).toEqual([
      [12, 'high', 'open'],
      [20, 'critical', 'open'],
      [20, 'critical', 'closed'],
    ]);
    const elsewhere = await newBenefit((await newProject()).id);
    expectProblem(
      await h.call('POST', `/v1/projects/${p.id}/risks`, {
        token: h.tokens.pm,
        body: { title: 't', owner: 'o', likelihood: 1, impact: 1, mitigation: 'm', benefitId: elsewhere.id },
      }),
      422,
      'unknown-benefit',
    );
    expectProblem(
      await h.call('POST', `/v1/projects/${p.id}/risks`, { token: h.tokens.pm, body: { title: 't', owner: 'o', likelihood: 6, impact: 1, mitigation: 'm' } }),
      400,
    );
  });

  it('tie milestones to the benefits that depend on them, of the same project only', async () => {
    const p = await newProject();
    const b = await newBenefit(p.id);
    const m = await h.call('POST', `/v1/projects/${p.id}/milestones`, {
      token: h.tokens.pm,
      body: { title: 'New rota live', dueDate: '2025-09-30', benefitIds: [b.id] },
    });
    expect(m.status).toBe(201);
    const done = await h.call('PATCH', `/v1/projects/${p.id}/milestones/${m.body.id}`, { token: h.tokens.pm, body: { completedDate: '2025-10-06' } });
    expect(done.body.completedDate).toBe('2025-10-06');
    const reopened = await h.call('PATCH', `/v1/projects/${p.id}/milestones/${m.body.id}`, { token: h.tokens.pm, body: { completedDate: null } });
    expect(reopened.body.completedDate).toBeUndefined();
    expectProblem(
      await h.call('PATCH', `/v1/projects/${p.id}/milestones/${m.body.id}`, { token: h.tokens.pm, body: { completedDate: '2099-01-01' } }),
      422,
      'completed-in-future',
    );
    const elsewhere = await newBenefit((await newProject()).id);
    const bad = expectProblem(
      await h.call('POST', `/v1/projects/${p.id}/milestones`, {
        token: h.tokens.pm,
        body: { title: 'x', dueDate: '2025-09-30', benefitIds: [b.id, elsewhere.id] },
      }),
      422,
      'unknown-benefit',
    );
    expect(bad.errors?.[0]?.path).toBe('benefitIds.1');
  });
});

describe('the project record', () => {
  it('is read with the same number of DynamoDB requests for 1 benefit and for 50', async () => {
    const small = await newProject();
    await newBenefit(small.id);
    const large = await newProject();
    for (let i = 0; i < 50; i++) {
      const b = await newBenefit(large.id, { title: `Saving ${i}` });
      if (i % 10 === 0)
        await h.call('PUT', `${base(large.id, b.id)}/baseline`, {
          token: h.tokens.pm,
          body: {
            phased: [
              { financialYear: '2025/26', amountPence: 1_000_000 },
              { financialYear: '2026/27', amountPence: 1_000_000 },
            ],
          },
        });
    }
    const count = async (id: string) => {
      h.counter.reset();
      const r = await h.call('GET', `/v1/projects/${id}`, { token: h.tokens.cmt });
      expect(r.status).toBe(200);
      return { requests: h.counter.total, byCommand: Object.fromEntries(h.counter.byCommand), benefits: r.body.benefits.length };
    };
    const one = await count(small.id);
    const fifty = await count(large.id);
    expect(one.benefits).toBe(1);
    expect(fifty.benefits).toBe(50);
    expect(fifty.requests).toBe(one.requests);
    // One Query for the whole record, and one small read of the period state (the outturn depends on which months are closed).
    expect(fifty.byCommand).toEqual({ QueryCommand: 1, GetItemCommand: 1 });
  });

  it('keeps a project-wide audit trail of everything in it', async () => {
    const p = await newProject();
    const b = await newBenefit(p.id);
    await h.call('PUT', `${base(p.id, b.id)}/forecast`, { token: h.tokens.pm, body: { months: { '2025-10': 10 } } });
    await h.call('POST', `${base(p.id, b.id)}/actuals`, { token: h.tokens.finance, body: { month: '2025-10', amountPence: 10, note: 'n' } });
    const trail = await h.call('GET', `/v1/audit?projectId=${p.id}`, { token: h.tokens.finance });
    expect(trail.body.items.map((e: any) => `${e.entityType}:${e.action}`)).toEqual([
      'project:create',
      'benefit:create',
      'benefit:forecast-updated',
      'benefit:actual-recorded',
    ]);
  });
});
