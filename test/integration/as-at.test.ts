import * as fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, projectBody, type Harness } from '../support/harness.ts';

/**
 * Figures as at any moment (SPEC 4.4): the figures as they were known then,
 * whatever was recorded since.
 */

const DAY = 86_400_000;
const gbp = (pounds: number) => pounds * 100;
const monthOf = (t: number) => new Date(t).toISOString().slice(0, 7);
const previousMonth = (t: number) => {
  const d = new Date(t);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
};

/** A small programme: a workstream, a project with two savings and an investment line, at `start`. */
async function programme(h: Harness, start: number) {
  h.setClock(start);
  const ok = async (method: string, path: string, token: string, body?: unknown) => {
    const r = await h.call(method, path, { token, ...(body === undefined ? {} : { body }) });
    expect(r.status, `${method} ${path}: ${JSON.stringify(r.body)}`).toBeLessThan(300);
    return r.body;
  };
  const t = h.tokens;
  const ws = await ok('POST', '/v1/workstreams', t.admin, { code: 'ASC', name: 'Adult Social Care', lead: 'DASS', mtfsTargets: { '2025/26': gbp(900_000) } });
  // Managed by the programme manager who records its actuals (finance validates them).
  const project = await ok('POST', '/v1/projects', t.admin, projectBody(ws.id, { stage: 'business-case', manager: 'pat' }));
  const benefits: string[] = [];
  for (const [title, confidencePct] of [
    ['Reablement', 80],
    ['Fees uplift', 60],
  ] as const) {
    const b = await ok('POST', `/v1/projects/${project.id}/benefits`, t.admin, {
      title,
      type: 'cashable-saving',
      category: 'transformation',
      recurrence: 'recurring',
      mtfsRef: `ASC-${title.length}`,
      owner: 'Owner',
      confidencePct,
    });
    await ok('PUT', `/v1/projects/${project.id}/benefits/${b.id}/baseline`, t.admin, { phased: [{ financialYear: '2025/26', amountPence: gbp(300_000) }] });
    await ok('PUT', `/v1/projects/${project.id}/benefits/${b.id}/forecast`, t.admin, { phased: [{ financialYear: '2025/26', amountPence: gbp(280_000) }] });
    benefits.push(b.id);
  }
  const line = await ok('POST', `/v1/projects/${project.id}/investments`, t.admin, {
    title: 'Reablement team',
    kind: 'revenue',
    fundingSource: 'reserves',
    phased: [{ financialYear: '2025/26', amountPence: gbp(120_000) }],
  });
  return { projectId: project.id as string, benefits, investmentId: line.id as string };
}

type Step =
  | { k: 'forecast'; b: number; pounds: number }
  | { k: 'baseline'; b: number; pounds: number }
  | { k: 'actual'; b: number; pounds: number }
  | { k: 'reverse' }
  | { k: 'validate' }
  | { k: 'spend'; pounds: number }
  | { k: 'stage'; stage: 'approved' | 'delivery' | 'cancelled' }
  | { k: 'close' }
  | { k: 'reopen' }
  | { k: 'confidence'; b: number; pct: number }
  | { k: 'delivery'; confidence: 'green' | 'amber' | 'red' }
  | { k: 'status'; b: number; status: 'active' | 'achieved' | 'unachievable' }
  | { k: 'approve' };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ k: fc.constant('forecast' as const), b: fc.nat(1), pounds: fc.integer({ min: 0, max: 400_000 }) }),
  fc.record({ k: fc.constant('baseline' as const), b: fc.nat(1), pounds: fc.integer({ min: 1_000, max: 400_000 }) }),
  fc.record({ k: fc.constant('actual' as const), b: fc.nat(1), pounds: fc.integer({ min: 1, max: 60_000 }) }),
  fc.record({ k: fc.constant('actual' as const), b: fc.nat(1), pounds: fc.integer({ min: 1, max: 60_000 }) }),
  fc.constant({ k: 'reverse' as const }),
  fc.constant({ k: 'validate' as const }),
  fc.record({ k: fc.constant('spend' as const), pounds: fc.integer({ min: 1, max: 50_000 }) }),
  fc.record({ k: fc.constant('stage' as const), stage: fc.constantFrom('approved' as const, 'delivery' as const, 'cancelled' as const) }),
  fc.constant({ k: 'close' as const }),
  fc.constant({ k: 'reopen' as const }),
  fc.record({ k: fc.constant('confidence' as const), b: fc.nat(1), pct: fc.integer({ min: 0, max: 100 }) }),
  fc.record({ k: fc.constant('delivery' as const), confidence: fc.constantFrom('green' as const, 'amber' as const, 'red' as const) }),
  fc.record({ k: fc.constant('status' as const), b: fc.nat(1), status: fc.constantFrom('active' as const, 'achieved' as const, 'unachievable' as const) }),
  fc.constant({ k: 'approve' as const }),
  fc.constant({ k: 'approve' as const }),
);

/** Applies one change as the right role would; a change the product refuses (a 4xx) changes nothing, which is part of what is checked. */
async function apply(
  h: Harness,
  p: Awaited<ReturnType<typeof programme>>,
  s: Step,
  now: number,
  ledger: { actuals: { benefit: string; id: string; month: string; amount: number; reversed?: boolean }[]; closed: string[] },
) {
  const t = h.tokens;
  const base = `/v1/projects/${p.projectId}`;
  const month = monthOf(now);
  switch (s.k) {
    case 'forecast':
      return h.call('PUT', `${base}/benefits/${p.benefits[s.b]}/forecast`, { token: t.admin, body: { months: { [month]: gbp(s.pounds) } } });
    case 'approve': {
      // Finance approves the oldest pending change request (a re-baseline, write-out or cancellation asked for once approved).
      const [pending] = (await h.call('GET', '/v1/changes?status=pending', { token: t.cmt })).body.items as { id: string }[];
      return pending ? h.call('POST', `/v1/changes/${pending.id}/approve`, { token: t.finance, body: { note: 'Agreed' } }) : null;
    }
    case 'baseline':
      return h.call('PUT', `${base}/benefits/${p.benefits[s.b]}/baseline`, {
        token: t.admin,
        body: { phased: [{ financialYear: '2025/26', amountPence: gbp(s.pounds) }], reason: 'Re-baselined after review' },
      });
    case 'actual': {
      const r = await h.call('POST', `${base}/benefits/${p.benefits[s.b]}/actuals`, {
        token: t.pm,
        body: { month, amountPence: gbp(s.pounds), note: 'Ledger' },
      });
      if (r.status === 201) ledger.actuals.push({ benefit: p.benefits[s.b]!, id: r.body.id, month, amount: gbp(s.pounds) });
      return r;
    }
    case 'reverse': {
      const last = ledger.actuals.findLast((a) => !a.reversed && a.amount > 0);
      if (!last) return null;
      const r = await h.call('POST', `${base}/benefits/${last.benefit}/actuals`, {
        token: t.finance,
        body: { month: last.month, amountPence: -last.amount, note: 'Miscoded', reverses: last.id },
      });
      if (r.status === 201) last.reversed = true;
      return r;
    }
    case 'validate': {
      const last = ledger.actuals.at(-1);
      return last ? h.call('POST', `${base}/benefits/${last.benefit}/actuals/${last.id}/validate`, { token: t.finance }) : null;
    }
    case 'spend':
      return h.call('POST', `${base}/investments/${p.investmentId}/spend`, { token: t.finance, body: { month, amountPence: gbp(s.pounds), note: 'Payroll' } });
    case 'stage':
      return h.call('PATCH', base, { token: t.admin, body: { stage: s.stage, reason: 'Programme board decision' } });
    case 'close': {
      const r = await h.call('POST', `/v1/periods/${previousMonth(now)}/close`, { token: t.finance });
      if (r.status === 200) ledger.closed.push(previousMonth(now));
      return r;
    }
    case 'reopen': {
      const last = ledger.closed.pop();
      return last ? h.call('POST', `/v1/periods/${last}/reopen`, { token: t.admin, body: { reason: 'Late invoice' } }) : null;
    }
    case 'confidence':
      return h.call('PATCH', `${base}/benefits/${p.benefits[s.b]}`, { token: t.admin, body: { confidencePct: s.pct } });
    case 'delivery':
      return h.call('PATCH', base, { token: t.admin, body: { deliveryConfidence: s.confidence } });
    case 'status':
      return h.call('PATCH', `${base}/benefits/${p.benefits[s.b]}`, { token: t.admin, body: { status: s.status, reason: 'Reviewed' } });
  }
}

/** The figures without the label of the moment asked for (a date then, an instant now; `knownAt` says the instant). */
const figuresOf = (body: { asAt: string }) => {
  const { asAt: _asAt, ...rest } = body;
  return rest;
};

describe('figures as at an instant', () => {
  /** How many changes of each kind the product took (a refused change is part of the property too, but each kind must be exercised). */
  const taken = new Map<string, number>();

  it('equal, at every instant of a random sequence of changes, the figures computed then — for the programme report and a project', async () => {
    await fc.assert(
      // Changes before the project's approval, its approval, and changes after (when some are requested, and approved).
      fc.asyncProperty(
        fc.array(fc.tuple(step, fc.integer({ min: 1, max: 12 })), { minLength: 1, maxLength: 6 }),
        fc.array(fc.tuple(step, fc.integer({ min: 1, max: 12 })), { minLength: 2, maxLength: 8 }),
        async (first, then) => {
          const steps: Array<[Step, number]> = [...first, [{ k: 'stage', stage: 'approved' }, 1], ...then];
          const h = await createHarness();
          try {
            let now = Date.parse('2025-04-03T09:00:00Z');
            const p = await programme(h, now);
            const ledger = { actuals: [] as { benefit: string; id: string; month: string; amount: number; reversed?: boolean }[], closed: [] as string[] };
            const seen: { knownAt: string; report: unknown; figures: unknown }[] = [];
            for (const [s, days] of steps) {
              now += days * DAY + 3_600_000;
              h.setClock(now);
              const r = await apply(h, p, s, now, ledger);
              if (r) expect(r.status, `${s.k}: ${JSON.stringify(r.body)}`).toBeLessThan(500);
              if (r && r.status < 300) taken.set(s.k, (taken.get(s.k) ?? 0) + 1);
              const report = (await h.call('GET', '/v1/reports/programme?financialYear=2025/26', { token: h.tokens.cmt })).body;
              const project = (await h.call('GET', `/v1/projects/${p.projectId}`, { token: h.tokens.cmt })).body;
              // Both read at one instant: the report's knownAt (the project's is a moment later, and nothing was written between).
              seen.push({ knownAt: report.knownAt, report: figuresOf(report), figures: figuresOf({ ...project.figures, knownAt: report.knownAt }) });
            }
            // Long after: every moment is past, and is read from the projects' history.
            h.setClock(now + 400 * DAY);
            for (const then of seen) {
              const asAt = encodeURIComponent(then.knownAt);
              const report = await h.call('GET', `/v1/reports/programme?financialYear=2025/26&asAt=${asAt}`, { token: h.tokens.cmt });
              expect(report.body.asAt).toBe(then.knownAt);
              expect(figuresOf(report.body)).toEqual(then.report);
              const project = await h.call('GET', `/v1/projects/${p.projectId}?asAt=${asAt}`, { token: h.tokens.cmt });
              expect(figuresOf(project.body.figures)).toEqual(then.figures);
            }
          } finally {
            await h.cleanup();
          }
        },
      ),
      // A fixed seed: the same sequences every run, so the check that every kind of change was exercised cannot flake.
      { numRuns: 20, endOnFailure: true, seed: 20261130 },
    );
    expect([...taken.keys()].sort()).toEqual(
      ['actual', 'approve', 'baseline', 'close', 'confidence', 'delivery', 'forecast', 'reopen', 'reverse', 'spend', 'stage', 'status', 'validate'].sort(),
    );
  }, 120_000);
});

describe('a report as at an instant', () => {
  let h: Harness;
  let p: Awaited<ReturnType<typeof programme>>;
  const start = Date.parse('2025-06-02T09:00:00Z');
  beforeAll(async () => {
    h = await createHarness();
    p = await programme(h, start);
    h.setClock(start + DAY);
    await h.call('PATCH', `/v1/projects/${p.projectId}`, { token: h.tokens.admin, body: { stage: 'approved' } });
    await h.call('POST', `/v1/projects/${p.projectId}/benefits/${p.benefits[0]}/actuals`, {
      token: h.tokens.pm,
      body: { month: '2025-05', amountPence: gbp(20_000), note: 'May ledger' },
    });
  });
  afterAll(async () => {
    await h.cleanup();
  });

  it('is byte-identical when fetched again after later changes (actuals, reversals, forecasts, re-baselines, stage, period close)', async () => {
    const instant = new Date(start + 2 * DAY).toISOString();
    h.setClock(start + 2 * DAY + 60_000);
    const url = `/v1/reports/programme?financialYear=2025/26&asAt=${encodeURIComponent(instant)}`;
    const feedUrl = `/v1/feeds/savings?financialYear=2025/26&format=csv&asAt=${encodeURIComponent(instant)}`;
    const first = await h.app.request(url, { headers: { authorization: `Bearer ${h.tokens.cmt}` } });
    const firstText = await first.text();
    const firstFeed = await (await h.app.request(feedUrl, { headers: { authorization: `Bearer ${h.tokens.finance}` } })).text();
    expect(JSON.parse(firstText).programme.realisedPence).toBe(gbp(20_000));

    // A late May actual, its reversal, a forecast edit, a re-baseline, a stage change and May's close, all after the instant.
    h.setClock(start + 30 * DAY);
    const base = `/v1/projects/${p.projectId}/benefits/${p.benefits[0]}`;
    const late = await h.call('POST', `${base}/actuals`, { token: h.tokens.pm, body: { month: '2025-05', amountPence: gbp(5_000), note: 'Late May invoice' } });
    expect(late.status).toBe(201);
    const actuals = (await h.call('GET', `${base}/actuals`, { token: h.tokens.cmt })).body.items as { id: string; amountPence: number }[];
    const may = actuals.find((a) => a.amountPence === gbp(20_000))!;
    expect(
      (
        await h.call('POST', `${base}/actuals`, {
          token: h.tokens.finance,
          body: { month: '2025-05', amountPence: -gbp(20_000), note: 'Miscoded', reverses: may.id },
        })
      ).status,
    ).toBe(201);
    expect(
      (await h.call('PUT', `${base}/forecast`, { token: h.tokens.admin, body: { phased: [{ financialYear: '2025/26', amountPence: gbp(100_000) }] } })).status,
    ).toBe(200);
    const rebaseline = await h.call('PUT', `${base}/baseline`, {
      token: h.tokens.admin,
      body: { phased: [{ financialYear: '2025/26', amountPence: gbp(150_000) }], reason: 'Scope cut' },
    });
    expect(rebaseline.status).toBe(202);
    expect((await h.call('POST', `/v1/changes/${rebaseline.body.id}/approve`, { token: h.tokens.finance, body: { note: 'Agreed' } })).status).toBe(200);
    expect((await h.call('PATCH', `/v1/projects/${p.projectId}`, { token: h.tokens.admin, body: { stage: 'delivery' } })).status).toBe(200);
    expect((await h.call('POST', '/v1/periods/2025-05/close', { token: h.tokens.finance })).status).toBe(200);
    // Today's figures moved…
    const today = (await h.call('GET', '/v1/reports/programme?financialYear=2025/26', { token: h.tokens.cmt })).body;
    expect(today.programme.realisedPence).toBe(gbp(5_000));

    // …the instant's did not, to the byte.
    const again = await h.app.request(url, { headers: { authorization: `Bearer ${h.tokens.cmt}` } });
    expect(await again.text()).toBe(firstText);
    const againFeed = await (await h.app.request(feedUrl, { headers: { authorization: `Bearer ${h.tokens.finance}` } })).text();
    expect(againFeed).toBe(firstFeed);
  });

  it('gives the movement between two moments per workstream and project, and the changes that caused it, with who and when', async () => {
    const instant = new Date(start + 2 * DAY).toISOString();
    h.setClock(start + 40 * DAY);
    const r = await h.call('GET', `/v1/reports/programme/movement?financialYear=2025/26&from=${encodeURIComponent(instant)}`, { token: h.tokens.cmt });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const m = r.body;
    expect(m).toMatchObject({ financialYear: '2025/26', from: instant, fromKnownAt: instant });
    // £20,000 realised then; £5,000 now (the late actual, the £20,000 reversed).
    expect(m.programme.before.realisedPence).toBe(gbp(20_000));
    expect(m.programme.after.realisedPence).toBe(gbp(5_000));
    expect(m.programme.change.realisedPence).toBe(-gbp(15_000));
    const [ws] = m.workstreams;
    expect(ws.change).toEqual(m.programme.change);
    const [project] = ws.projects;
    expect(project.change).toEqual(m.programme.change);
    const kinds = project.causes.map((c: { kind: string; by: string; amountPence: number | null }) => [c.kind, c.by, c.amountPence]);
    expect(kinds).toEqual([
      ['actual', 'pat', gbp(5_000)],
      ['reversal', 'fin', -gbp(20_000)],
      ['forecast-change', 'ada', gbp(100_000) - gbp(280_000)],
      // Applied when finance approved the request.
      ['re-baseline', 'fin', gbp(150_000) - gbp(300_000)],
      ['stage-change', 'ada', null],
    ]);
    // The causes account for the change in realised and agreed baseline exactly.
    const sum = (kind: string[]) =>
      project.causes.filter((c: { kind: string }) => kind.includes(c.kind)).reduce((a: number, c: { amountPence: number }) => a + c.amountPence, 0);
    expect(sum(['actual', 'reversal'])).toBe(project.change.realisedPence);
    expect(sum(['re-baseline'])).toBe(project.change.baselinePence);
    expect(m.periods).toEqual([expect.objectContaining({ kind: 'period-close', by: 'fin', month: '2025-05' })]);
    // Refused: the moments the wrong way round.
    const back = await h.call('GET', `/v1/reports/programme/movement?from=2025-08-01&to=${encodeURIComponent(instant)}`, { token: h.tokens.cmt });
    expect(back.status).toBe(422);
  });

  it('takes a date as the end of that day in London, and costs one Query per project beyond today’s', async () => {
    h.setClock(start + 60 * DAY);
    h.counter.reset();
    const byDate = await h.call('GET', '/v1/reports/programme?financialYear=2025/26&asAt=2025-06-03', { token: h.tokens.cmt });
    expect(byDate.body).toMatchObject({ asAt: '2025-06-03', knownAt: '2025-06-03T22:59:59.999Z' });
    // Workstreams, the project ids and (by key) the periods and settings, then the project's history: never the summaries, whatever the programme's size.
    expect(Object.fromEntries(h.counter.byCommand)).toEqual({ QueryCommand: 3, BatchGetItemCommand: 1 });
    h.counter.reset();
    await h.call('GET', '/v1/reports/programme?financialYear=2025/26', { token: h.tokens.cmt });
    // Now: workstreams, the project ids, then the summaries and their ledger totals in 2025/26 (by key).
    expect(Object.fromEntries(h.counter.byCommand)).toEqual({ QueryCommand: 2, BatchGetItemCommand: 1 });
  });

  it('refuses an asAt that is neither a date nor an instant', async () => {
    const r = await h.call('GET', '/v1/reports/programme?asAt=yesterday', { token: h.tokens.cmt });
    expect(r.status).toBe(400);
  });
});
