import { parse } from 'csv-parse/sync';
import { poundsDecimal } from '@bt/core';
import { changeFeedSettleMs } from '@bt/services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, expectProblem, projectBody, type Harness } from '../support/harness.ts';

/**
 * A small programme built through the API, checked in the report, both feeds
 * (CSV and JSON) and the project figures against one set of hand-worked numbers.
 *
 * FY 2025/26, as at 31 March 2026. Targets: ASC £2,000,000, INC £1,000,000.
 *   A  ASC  transformation cashable recurring  baseline £600,000 (Oct–Mar)  forecast £600,000  conf 80% → £480,000  realised £200,000 (£100,000 validated)
 *   B  ASC  mitigation     income   one-off    baseline £300,000 (Jun)      forecast £200,000  conf 50% → £100,000  RAG red (67%)
 *   C  INC  transformation cost-avoidance rec. baseline £400,000 (Apr–Mar)  forecast £390,000  conf 100%            RAG green (97.5%)
 *   D  INC  transformation cashable (dis-benefit) baseline −£50,000 (Sep)   forecast −£50,000  conf 100%
 *   Investment on A's project: £250,000 planned (Apr–Mar), £50,000 spent in May.
 * Both projects are approved once their baselines are set, so the baselines are agreed (SPEC 4.2).
 * No month is closed, so outturn = forecast. Only cashable savings and income count towards the MTFS
 * (A, B, D; C, cost avoidance, is reported beside them in byType):
 * Programme: baseline £850,000; forecast and outturn £750,000; risk-adjusted £530,000; gap £2,250,000;
 * unidentified £2,150,000; risk-adjusted gap £2,470,000; delivery rate 0.2353; one-off fall-out £200,000.
 * The savings feed carries all four (with their type), so its sums include C.
 */
const FY = '2025/26';
const AS_AT = '2026-03-31';
const gbp = (pounds: number) => pounds * 100;

let h: Harness;
const ids = {} as { asc: string; inc: string; p1: string; p2: string; a: string; b: string; c: string; d: string; inv: string };

async function ok(method: string, path: string, token: string, body?: unknown) {
  const r = await h.call(method, path, { token, ...(body === undefined ? {} : { body }) });
  expect(r.status, `${method} ${path}: ${JSON.stringify(r.body)}`).toBeLessThan(300);
  return r.body;
}

/** The programme is recorded on the day of the figures (asAt = today's figures, from the summaries; figures as known at a past moment have their own tests in as-at.test.ts). */
const RECORDED_AT = Date.parse(`${AS_AT}T12:00:00Z`);

beforeAll(async () => {
  h = await createHarness();
  h.setClock(RECORDED_AT);
  const t = h.tokens;
  ids.asc = (await ok('POST', '/v1/workstreams', t.admin, { code: 'ASC', name: 'Adult Social Care', lead: 'DASS', mtfsTargets: { [FY]: gbp(2_000_000) } })).id;
  ids.inc = (
    await ok('POST', '/v1/workstreams', t.admin, { code: 'INC', name: 'Income & Debt', lead: 'Head of Revenues', mtfsTargets: { [FY]: gbp(1_000_000) } })
  ).id;
  ids.p1 = (await ok('POST', '/v1/projects', t.pm, projectBody(ids.asc, { code: 'ASC-01', name: '=HYPERLINK("http://evil","Reablement")' }))).id;
  ids.p2 = (await ok('POST', '/v1/projects', t.pm, projectBody(ids.inc, { code: 'INC-01', name: 'Council tax collection', directorate: 'Resources' }))).id;
  const benefit = (p: string, over: Record<string, unknown>) =>
    ok('POST', `/v1/projects/${p}/benefits`, t.pm, {
      type: 'cashable-saving',
      category: 'transformation',
      recurrence: 'recurring',
      mtfsRef: 'REF',
      owner: 'Owner',
      confidencePct: 100,
      ...over,
    });
  ids.a = (await benefit(ids.p1, { title: 'Reablement', confidencePct: 80, mtfsRef: 'ASC-7' })).id;
  ids.b = (
    await benefit(ids.p1, { title: '-Fees uplift', type: 'income', category: 'mitigation', recurrence: 'one-off', confidencePct: 50, mtfsRef: 'ASC-9' })
  ).id;
  ids.c = (await benefit(ids.p2, { title: 'Single person discount review', type: 'cost-avoidance', mtfsRef: 'INC-2' })).id;
  ids.d = (await benefit(ids.p2, { title: 'New system licence', mtfsRef: 'INC-3' })).id;
  const series = async (p: string, b: string, kind: 'baseline' | 'forecast', body: unknown) => ok('PUT', `/v1/projects/${p}/benefits/${b}/${kind}`, t.pm, body);
  await series(ids.p1, ids.a, 'baseline', { phased: [{ financialYear: FY, amountPence: gbp(600_000), fromMonth: '2025-10' }] });
  await series(ids.p1, ids.a, 'forecast', { phased: [{ financialYear: FY, amountPence: gbp(600_000), fromMonth: '2025-10' }] });
  await series(ids.p1, ids.b, 'baseline', { months: { '2025-06': gbp(300_000) } });
  await series(ids.p1, ids.b, 'forecast', { months: { '2025-06': gbp(200_000) } });
  await series(ids.p2, ids.c, 'baseline', { phased: [{ financialYear: FY, amountPence: gbp(400_000) }] });
  await series(ids.p2, ids.c, 'forecast', { phased: [{ financialYear: FY, amountPence: gbp(390_000) }] });
  await series(ids.p2, ids.d, 'baseline', { months: { '2025-09': gbp(-50_000) } });
  await series(ids.p2, ids.d, 'forecast', { months: { '2025-09': gbp(-50_000) } });
  for (const p of [ids.p1, ids.p2]) await ok('PATCH', `/v1/projects/${p}`, t.pm, { stage: 'approved' });
  const oct = await ok('POST', `/v1/projects/${ids.p1}/benefits/${ids.a}/actuals`, t.pm, {
    month: '2025-10',
    amountPence: gbp(100_000),
    note: 'Oct home-care hours',
  });
  await ok('POST', `/v1/projects/${ids.p1}/benefits/${ids.a}/actuals`, t.pm, { month: '2025-11', amountPence: gbp(100_000), note: 'Nov home-care hours' });
  await ok('POST', `/v1/projects/${ids.p1}/benefits/${ids.a}/actuals/${oct.id}/validate`, t.finance);
  ids.inv = (
    await ok('POST', `/v1/projects/${ids.p1}/investments`, t.pm, {
      title: 'Reablement team',
      kind: 'revenue',
      fundingSource: 'flexible-capital-receipts',
      phased: [{ financialYear: FY, amountPence: gbp(250_000) }],
    })
  ).id;
  await ok('POST', `/v1/projects/${ids.p1}/investments/${ids.inv}/spend`, t.finance, { month: '2025-05', amountPence: gbp(50_000), note: 'Payroll May' });
});
afterAll(async () => {
  await h.cleanup();
});

describe('the programme report', () => {
  it('rolls the programme up to the hand-worked figures', async () => {
    const r = await h.call('GET', `/v1/reports/programme?financialYear=${encodeURIComponent(FY)}&asAt=${AS_AT}`, { token: h.tokens.cmt });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ financialYear: FY, asAt: AS_AT });
    expect(r.body.programme).toMatchObject({
      projectCount: 2,
      mtfsTargetPence: gbp(3_000_000),
      baselinePence: gbp(850_000),
      pipelinePence: 0,
      forecastPence: gbp(750_000),
      outturnPence: gbp(750_000),
      realisedPence: gbp(200_000),
      validatedPence: gbp(100_000),
      riskAdjustedForecastPence: gbp(530_000),
      riskAdjustedOutturnPence: gbp(530_000),
      variancePence: gbp(-100_000),
      gapPence: gbp(2_250_000),
      unidentifiedPence: gbp(2_150_000),
      riskAdjustedGapPence: gbp(2_470_000),
      deliveryRate: 0.2353,
      oneOffFalloutPence: gbp(200_000),
      investmentPlannedPence: gbp(250_000),
      investmentActualPence: gbp(50_000),
      rag: 'amber',
      mtfsRag: 'red',
      benefitCount: 3,
    });
    const asc = r.body.workstreams.find((w: any) => w.code === 'ASC');
    expect(asc).toMatchObject({
      mtfsTargetPence: gbp(2_000_000),
      baselinePence: gbp(900_000),
      forecastPence: gbp(800_000),
      gapPence: gbp(1_200_000),
      projectCount: 1,
    });
    const inc = r.body.workstreams.find((w: any) => w.code === 'INC');
    expect(inc).toMatchObject({ baselinePence: gbp(-50_000), forecastPence: gbp(-50_000), gapPence: gbp(1_050_000), investmentPlannedPence: 0 });
    expect(r.body.byCategory.mitigation).toMatchObject({
      baselinePence: gbp(300_000),
      forecastPence: gbp(200_000),
      rag: 'red',
      mtfsTargetPence: null,
      gapPence: null,
    });
    expect(r.body.byCategory.transformation.baselinePence).toBe(gbp(550_000));
    expect(r.body.byType.income.forecastPence).toBe(gbp(200_000));
    // Cost avoidance is reported beside the MTFS figures, never added in.
    expect(r.body.byType['cost-avoidance']).toMatchObject({ baselinePence: gbp(400_000), forecastPence: gbp(390_000) });
    expect(r.body.statusBuckets.green).toEqual({ count: 2, baselinePence: gbp(550_000), forecastPence: gbp(550_000) });
    expect(r.body.statusBuckets.red).toEqual({ count: 1, baselinePence: gbp(300_000), forecastPence: gbp(200_000) });
  });

  it('cuts realised amounts at today’s date and is read without touching benefits’ monthly profiles', async () => {
    // Today is 31 October 2025: November's actual is not yet to date.
    h.setClock(Date.parse('2025-10-31T12:00:00Z'));
    h.counter.reset();
    const r = await h
      .call('GET', `/v1/reports/programme?financialYear=${encodeURIComponent(FY)}`, { token: h.tokens.cmt })
      .finally(() => h.setClock(RECORDED_AT));
    expect(r.body.programme.realisedPence).toBe(gbp(100_000));
    expect(r.body.programme.investmentActualPence).toBe(gbp(50_000));
    // Workstreams and the project ids (a Query each), then the project summaries and their ledger totals in this FY with the period state and programme settings (read by key, 50 projects a request), whatever the number of benefits and months.
    expect(Object.fromEntries(h.counter.byCommand)).toEqual({ QueryCommand: 2, BatchGetItemCommand: 1 });
  });

  it('refuses a bad FY or date, and the feed-reader role', async () => {
    expectProblem(await h.call('GET', '/v1/reports/programme?financialYear=2025-26', { token: h.tokens.cmt }), 400);
    expectProblem(await h.call('GET', '/v1/reports/programme?asAt=2026-02-30', { token: h.tokens.cmt }), 400);
    expectProblem(await h.call('GET', '/v1/reports/programme', { token: h.tokens.feedReader }), 403);
  });
});

describe('the project figures', () => {
  it('match the report for the project, with payback, NPV and ROI', async () => {
    const r = await h.call('GET', `/v1/projects/${ids.p1}?asAt=${AS_AT}`, { token: h.tokens.cmt });
    const fy = r.body.figures.byYear[FY];
    expect(fy).toMatchObject({
      baselinePence: gbp(900_000),
      forecastPence: gbp(800_000),
      realisedPence: gbp(200_000),
      investmentPlannedPence: gbp(250_000),
      oneOffFalloutPence: gbp(200_000),
    });
    // Value 2025/26 = £600k + £200k one-off = £800k ≥ £250k invested → payback in the first year.
    expect(r.body.figures.paybackFinancialYear).toBe(FY);
    expect(typeof r.body.figures.npvPence).toBe('number');
    expect(Number.isInteger(r.body.figures.npvPence)).toBe(true);
  });
});

describe('the finance feeds', () => {
  const feed = (path: string, query: string, token = h.tokens.finance, headers: Record<string, string> = {}) =>
    h.call('GET', `/v1/feeds/${path}?financialYear=${encodeURIComponent(FY)}&asAt=${AS_AT}&${query}`, { token, headers });

  it('give the hand-worked yearly figures of every benefit (all types), in JSON (pence) and CSV (pounds) that a real CSV parser reads alike', async () => {
    const json = await feed('savings', 'format=json&granularity=year');
    expect(json.status).toBe(200);
    const rows = json.body.rows as any[];
    expect(rows).toHaveLength(4);
    const sum = (k: string) => rows.reduce((a, r) => a + r[k], 0);
    expect(sum('baselinePence')).toBe(gbp(1_250_000));
    expect(sum('forecastPence')).toBe(gbp(1_140_000));
    expect(sum('realisedPence')).toBe(gbp(200_000));
    expect(sum('riskAdjustedForecastPence')).toBe(gbp(920_000));
    expect(rows.find((r) => r.benefitId === ids.b)).toMatchObject({
      workstreamCode: 'ASC',
      projectCode: 'ASC-01',
      rag: 'red',
      category: 'mitigation',
      recurrence: 'one-off',
      confidencePct: 50,
    });

    const csv = await feed('savings', 'format=csv&granularity=year');
    expect(csv.status).toBe(200);
    expect(csv.contentType).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toContain('savings-2025-26-year.csv');
    const text = csv.body as string;
    const raw = await h.app.request(`/v1/feeds/savings?financialYear=${encodeURIComponent(FY)}&asAt=${AS_AT}&format=csv&granularity=year`, {
      headers: { Authorization: `Bearer ${h.tokens.finance}` },
    });
    expect([...new Uint8Array(await raw.arrayBuffer()).slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(text.split('\r\n').length).toBe(6); // header, 4 rows, final empty
    expect(text.replace(/\r\n/g, '')).not.toContain('\n');
    const records = parse(text, { bom: true, columns: true }) as Record<string, string>[];
    expect(Object.keys(records[0]!)).toEqual([
      'Financial year',
      'Workstream',
      'Project code',
      'Project name',
      'Directorate',
      'Benefit id',
      'Benefit',
      'Type',
      'Category',
      'Recurrence',
      'MTFS ref',
      'Status',
      'Baseline (£)',
      'Forecast (£)',
      'Realised (£)',
      'Validated (£)',
      'Variance (£)',
      'RAG',
      'Confidence (%)',
      'Risk-adjusted forecast (£)',
      'Outturn (£)',
      'Replaces',
      'Replaced by',
      'Workstream id',
      'Workstream name',
      'Project id',
      'Stage',
      'Delivery confidence',
    ]);
    for (const [i, row] of rows.entries()) {
      const rec = records[i]!;
      expect(rec['Benefit id']).toBe(row.benefitId);
      expect(rec['Baseline (£)']).toBe(poundsDecimal(row.baselinePence));
      expect(rec['Forecast (£)']).toBe(poundsDecimal(row.forecastPence));
      expect(rec['Realised (£)']).toBe(poundsDecimal(row.realisedPence));
      expect(rec['Validated (£)']).toBe(poundsDecimal(row.validatedPence));
      expect(rec['Variance (£)']).toBe(poundsDecimal(row.variancePence));
      expect(rec['Risk-adjusted forecast (£)']).toBe(poundsDecimal(row.riskAdjustedForecastPence));
      expect(rec.RAG).toBe(row.rag ?? '');
    }
    const a = records.find((r) => r['Benefit id'] === ids.b)!;
    // Formula injection neutralised in text; numbers left as numbers (negative included).
    expect(a['Project name']).toBe('\'=HYPERLINK("http://evil","Reablement")');
    expect(a.Benefit).toBe("'-Fees uplift");
    expect(records.find((r) => r['Benefit id'] === ids.d)!['Baseline (£)']).toBe('-50000.00');
  });

  it('give monthly rows that add up to the yearly ones', async () => {
    const monthly = (await feed('savings', 'format=json&granularity=month')).body.rows as any[];
    expect(monthly).toHaveLength(4 * 12);
    expect(monthly[0]).toMatchObject({ month: '2025-04', period: 'P1' });
    expect(monthly.reduce((a, r) => a + r.baselinePence, 0)).toBe(gbp(1_250_000));
    expect(monthly.filter((r) => r.benefitId === ids.a && r.month === '2025-10')[0]).toMatchObject({
      baselinePence: gbp(100_000),
      realisedPence: gbp(100_000),
      validatedPence: gbp(100_000),
      period: 'P7',
    });
    const csv = parse((await feed('savings', 'format=csv&granularity=month')).body as string, { bom: true, columns: true }) as Record<string, string>[];
    expect(csv).toHaveLength(48);
    expect(csv[0]!.Month).toBe('2025-04');
  });

  it('give investment planned and actual by line', async () => {
    const rows = (await feed('investment', 'format=json&granularity=year')).body.rows as any[];
    expect(rows).toEqual([
      expect.objectContaining({
        investmentId: ids.inv,
        kind: 'revenue',
        fundingSource: 'flexible-capital-receipts',
        plannedPence: gbp(250_000),
        actualPence: gbp(50_000),
        variancePence: gbp(-200_000),
        projectCode: 'ASC-01',
      }),
    ]);
    const csv = parse((await feed('investment', 'format=csv&granularity=month')).body as string, { bom: true, columns: true }) as Record<string, string>[];
    expect(csv).toHaveLength(12);
    expect(csv.find((r) => r.Month === '2025-05')!['Actual (£)']).toBe('50000.00');
  });

  it('answer If-None-Match with 304 until the data changes', async () => {
    await h.settle();
    const first = await feed('savings', 'format=csv&granularity=year');
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^".+"$/);
    const again = await feed('savings', 'format=csv&granularity=year', h.tokens.finance, { 'If-None-Match': etag });
    expect(again.status).toBe(304);
    expect((await feed('savings', 'format=json&granularity=year', h.tokens.finance, { 'If-None-Match': etag })).status).toBe(200);
    await ok('PATCH', `/v1/projects/${ids.p2}/benefits/${ids.c}`, h.tokens.pm, { confidencePct: 90 });
    const changed = await feed('savings', 'format=csv&granularity=year', h.tokens.finance, { 'If-None-Match': etag });
    expect(changed.status).toBe(200);
    // No ETag until the window after the change has passed (a change sent a moment before it may yet land): then a new one.
    expect(changed.headers.get('etag')).toBeNull();
    await h.settle();
    const settled = await feed('savings', 'format=csv&granularity=year', h.tokens.finance, { 'If-None-Match': etag });
    expect(settled.status).toBe(200);
    expect(settled.headers.get('etag')).toMatch(/^".+"$/);
    expect(settled.headers.get('etag')).not.toBe(etag);
    expect((await feed('savings', 'format=csv&granularity=year', h.tokens.finance, { 'If-None-Match': settled.headers.get('etag')! })).status).toBe(304);
    await ok('PATCH', `/v1/projects/${ids.p2}/benefits/${ids.c}`, h.tokens.pm, { confidencePct: 100 });
  });

  it('make a star schema with the dimension feeds: keys that join, and the MTFS gap of each workstream from them equal to the report’s', async () => {
    const t = h.tokens.feedReader;
    const dim = async (name: string, query = '') => {
      const r = await h.call('GET', `/v1/feeds/${name}?format=json${query}`, { token: t });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      return r.body.rows as any[];
    };
    const workstreams = await dim('workstreams', `&financialYear=${encodeURIComponent(FY)}`);
    const projects = await dim('projects');
    const benefits = await dim('benefits');
    expect(workstreams.find((w) => w.workstreamId === ids.asc)).toEqual({
      workstreamId: ids.asc,
      workstreamCode: 'ASC',
      workstreamName: expect.any(String),
      financialYear: FY,
      mtfsTargetPence: gbp(2_000_000),
    });
    expect(projects.find((p) => p.projectId === ids.p1)).toMatchObject({
      projectCode: 'ASC-01',
      workstreamId: ids.asc,
      stage: 'approved',
      sro: expect.any(String),
    });
    expect(benefits.find((b) => b.benefitId === ids.b)).toMatchObject({ projectId: ids.p1, type: 'income', category: 'mitigation', owner: expect.any(String) });
    // Every key is unique on its dimension and every fact row finds its row there.
    for (const [rows, key] of [
      [workstreams, 'workstreamId'],
      [projects, 'projectId'],
      [benefits, 'benefitId'],
    ] as const)
      expect(new Set(rows.map((r) => r[key])).size).toBe(rows.length);
    const facts = (await feed('savings', 'format=json&granularity=year', t)).body.rows as any[];
    for (const f of facts) {
      expect(workstreams.some((w) => w.workstreamId === f.workstreamId)).toBe(true);
      expect(projects.some((p) => p.projectId === f.projectId)).toBe(true);
      expect(benefits.some((b) => b.benefitId === f.benefitId)).toBe(true);
    }
    // What a Power BI measure does: target − outturn of the savings that count towards the MTFS (cashable and income, agreed).
    const report = (await h.call('GET', `/v1/reports/programme?financialYear=${encodeURIComponent(FY)}&asAt=${AS_AT}`, { token: h.tokens.finance })).body;
    for (const w of report.workstreams) {
      const target = workstreams.find((d) => d.workstreamId === w.id).mtfsTargetPence;
      const counted = facts.filter(
        (f) => f.workstreamId === w.id && ['cashable-saving', 'income'].includes(f.type) && !['pipeline', 'business-case'].includes(f.stage),
      );
      expect(target - counted.reduce((a, f) => a + f.outturnPence, 0), w.code).toBe(w.gapPence);
    }
    // CSV too, with the documented columns.
    const csv = await h.call('GET', '/v1/feeds/benefits?format=csv', { token: t });
    const records = parse(csv.body as string, { bom: true, columns: true }) as Record<string, string>[];
    expect(Object.keys(records[0]!)).toEqual([
      'Benefit id',
      'Project id',
      'Benefit',
      'Type',
      'Category',
      'Recurrence',
      'MTFS ref',
      'Owner',
      'Status',
      'Confidence (%)',
      'Replaces',
      'Replaced by',
    ]);
    expectProblem(await h.call('GET', '/v1/feeds/projects?asAt=2026-01-01', { token: t }), 400);
    expectProblem(await h.call('GET', '/v1/feeds/benefits?format=json', { token: h.tokens.cmt }), 403);
  });

  it('are open to the feed-reader role, which can read nothing else (not the change feed: it carries the audit trail)', async () => {
    expect((await feed('savings', 'format=json', h.tokens.feedReader)).status).toBe(200);
    expect((await feed('investment', 'format=csv', h.tokens.feedReader)).status).toBe(200);
    for (const path of ['/v1/feeds/changes', '/v1/workstreams', `/v1/projects/${ids.p1}`, '/v1/projects', '/v1/audit', '/v1/reports/programme']) {
      expectProblem(await h.call('GET', path, { token: h.tokens.feedReader }), 403);
    }
    expectProblem(await feed('savings', 'format=json', h.tokens.cmt), 403);
    expectProblem(await feed('savings', 'format=xlsx'), 400);
    expectProblem(await feed('savings', 'granularity=week'), 400);
  });
});

describe('the change feed', () => {
  it('gives every change once, in order, with a cursor to poll from, holding back the last few seconds', async () => {
    const all: any[] = [];
    // Nothing has settled yet: everything was written moments ago.
    const early = await h.call('GET', '/v1/feeds/changes?limit=1000', { token: h.tokens.finance });
    const settle = changeFeedSettleMs(h.store);
    // The window covers the store's longest request (two attempts of a connection and a request) and a margin for clocks.
    expect(settle).toBe(2 * (1_000 + 5_000) + 3_000);
    h.advanceClock(settle + 1_000);
    let cursor: string | undefined;
    for (let pages = 0; pages < 100; pages++) {
      const page: any = await h.call('GET', `/v1/feeds/changes?limit=7${cursor ? `&cursor=${cursor}` : ''}`, { token: h.tokens.finance });
      expect(page.status).toBe(200);
      all.push(...page.body.items);
      cursor = page.body.nextCursor;
      if (!page.body.hasMore) break;
    }
    const audit = await h.call('GET', '/v1/audit?limit=200', { token: h.tokens.admin });
    expect(all.map((e) => e.id)).toEqual(audit.body.items.map((e: any) => e.id));
    expect(early.body.items.length).toBeLessThan(all.length);

    // Polling again gives nothing new and the same cursor; a new change comes next.
    const idle = await h.call('GET', `/v1/feeds/changes?cursor=${cursor}`, { token: h.tokens.finance });
    expect(idle.body).toMatchObject({ items: [], nextCursor: cursor, hasMore: false });
    await ok('PATCH', `/v1/workstreams/${ids.inc}`, h.tokens.finance, { mtfsTargets: { '2026/27': gbp(1) } });
    // Held back while a write sent as long ago may still be landing, given out after.
    h.advanceClock(settle - 1_000);
    expect((await h.call('GET', `/v1/feeds/changes?cursor=${cursor}`, { token: h.tokens.finance })).body).toMatchObject({ items: [], nextCursor: cursor });
    h.advanceClock(2_000);
    const next = await h.call('GET', `/v1/feeds/changes?cursor=${cursor}`, { token: h.tokens.finance });
    expect(next.body.items.map((e: any) => e.action)).toEqual(['update']);
    expectProblem(await h.call('GET', '/v1/feeds/changes?cursor=garbage', { token: h.tokens.finance }), 400);
  });
});
