import { evaluateAndStore } from '@bt/services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_DIGEST_WEEKS, DEMO_FACTS, seedDemo } from '../../packages/local/src/demo.ts';
import { createHarness, type Harness } from '../support/harness.ts';

let h: Harness;
beforeAll(async () => {
  // The demo as the first start seeds it: seeded once for the run by the global setup.
  h = await createHarness({ sharedDemo: true });
}, 120_000);
afterAll(async () => {
  await h.cleanup();
});

describe('the illustrative demo programme', () => {
  it('seeds once, into an empty store only', async () => {
    const projects = (await h.call('GET', '/v1/projects?limit=200', { token: h.tokens.cmt })).body.items as { id: string }[];
    expect((await h.call('GET', '/v1/workstreams?limit=200', { token: h.tokens.cmt })).body.items).toHaveLength(7);
    expect(projects).toHaveLength(13);
    const records = await Promise.all(projects.map((p) => h.call('GET', `/v1/projects/${p.id}`, { token: h.tokens.cmt })));
    expect(records.flatMap((r) => r.body.benefits)).toHaveLength(27);
    expect(await seedDemo(h.deps)).toBeNull();
  });

  it('reproduces the worked example: 2023/24 £48.951m agreed, £42.882m delivered, delivery rate 0.876', async () => {
    const r = await h.call('GET', '/v1/reports/programme?financialYear=2023/24', { token: h.tokens.cmt });
    expect(r.body.programme).toMatchObject({
      baselinePence: DEMO_FACTS.agreed2023Pence,
      realisedPence: DEMO_FACTS.delivered2023Pence,
      mtfsTargetPence: DEMO_FACTS.agreed2023Pence,
      deliveryRate: 0.876,
    });
    expect(r.body.programme.baselinePence - r.body.programme.realisedPence).toBe(606_900_000);
    // The year is closed: its outturn is what was realised, and its gap the real shortfall against the target (= the agreed savings).
    expect(r.body.programme.outturnPence).toBe(DEMO_FACTS.delivered2023Pence);
    expect(r.body.programme.gapPence).toBe(606_900_000);
    expect(r.body.statusBuckets.delivered.count).toBeGreaterThan(0);
    expect(r.body.workstreams).toHaveLength(7);
    expect(r.body.byCategory.mitigation.baselinePence).toBeGreaterThan(0);
  });

  it('spans the three-year £85.588m programme in MTFS targets', async () => {
    let total = 0;
    for (const fy of ['2023/24', '2024/25', '2025/26'])
      total += (await h.call('GET', `/v1/reports/programme?financialYear=${fy}`, { token: h.tokens.cmt })).body.programme.mtfsTargetPence;
    expect(total).toBe(DEMO_FACTS.programmePence);
  });

  it('gives the status buckets a written-out saving and its replacement', async () => {
    const r = await h.call('GET', '/v1/reports/programme?financialYear=2024/25', { token: h.tokens.cmt });
    expect(r.body.statusBuckets.writtenOut).toMatchObject({ count: 1, replacementCount: 1, unreplacedPence: 0 });
  });

  it('evaluates the alerts at seed, so they have something real to say from the first start', async () => {
    const open = (await h.call('GET', '/v1/alerts?status=open&limit=200', { token: h.tokens.cmt })).body.items as { rule: string }[];
    const rules = new Set(open.map((a) => a.rule));
    for (const rule of [
      'mtfs-gap',
      'forecast-slippage',
      'high-risk',
      'milestone-overdue',
      'investment-overrun',
      'double-count-risk',
      'confidence-deteriorated',
      'unvalidated-actuals',
    ] as const) {
      expect(rules, rule).toContain(rule);
    }
    const record = await h.call('GET', '/v1/projects?limit=200', { token: h.tokens.cmt });
    const risks = (await Promise.all(record.body.items.map((p: { id: string }) => h.call('GET', `/v1/projects/${p.id}`, { token: h.tokens.cmt })))).flatMap(
      (r) => r.body.risks,
    );
    expect(new Set(risks.map((r: { band: string }) => r.band))).toEqual(new Set(['low', 'medium', 'high', 'critical']));
    // A second evaluation the same day raises nothing new.
    expect((await evaluateAndStore(h.deps, '2026-11-23')).raised).toEqual([]);
  });

  it('has the programme settings of the worked example, and closes every month up to the last full one', async () => {
    const settings = (await h.call('GET', '/v1/programme', { token: h.tokens.cmt })).body;
    expect(settings).toMatchObject({
      netBudgets: { '2024/25': DEMO_FACTS.netRevenueBudgetPence },
      programmeTarget: { fromFinancialYear: '2023/24', toFinancialYear: '2025/26', targetPence: DEMO_FACTS.programmePence },
    });
    const periods = (await h.call('GET', '/v1/periods?financialYear=2026/27', { token: h.tokens.cmt })).body;
    expect(periods.closedThrough).toBe('2026-10');
    expect(periods.months.filter((m: { status: string }) => m.status === 'closed').map((m: { month: string }) => m.month)).toEqual([
      '2026-04',
      '2026-05',
      '2026-06',
      '2026-07',
      '2026-08',
      '2026-09',
      '2026-10',
    ]);
  });

  it('records the weekly digests of the last three months, so the forecast has a line over time', async () => {
    const digests = (await h.call('GET', '/v1/digests?limit=50', { token: h.tokens.cmt })).body.items as {
      slot: string;
      sentAt: string;
      status: string;
      headline: { forecastPence: number; realisedPence?: number };
    }[];
    // The app's clock is Monday 23 November 2026: the twelve Mondays before it, sent at 07:30 on the day.
    const slots = digests.map((d) => d.slot).sort();
    expect(slots).toHaveLength(DEMO_DIGEST_WEEKS);
    expect(slots.at(-1)).toBe('2026-11-16');
    expect(slots[0]).toBe('2026-08-31');
    expect(digests.every((d) => d.status === 'sent' && d.sentAt.startsWith(d.slot))).toBe(true);
    // Each after the first states its movement since the one before.
    const latest = (
      await h.call('GET', `/v1/digests/${(digests.find((d) => d.slot === '2026-11-16') as unknown as { id: string }).id}`, { token: h.tokens.cmt })
    ).body;
    expect(latest.content.movement).not.toBeNull();
    const first = (
      await h.call('GET', `/v1/digests/${(digests.find((d) => d.slot === '2026-08-31') as unknown as { id: string }).id}`, { token: h.tokens.cmt })
    ).body;
    expect(first.content.movement ?? null).toBeNull();
  });
});
