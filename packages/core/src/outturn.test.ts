import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS, rollUp } from './figures.ts';
import { monthsOfFy } from './fy.ts';
import { mulDivRound } from './money.ts';
import {
  allocateScaled,
  benefitYearV2,
  blue,
  countsTowardsMtfs,
  mtfsRag,
  outturnPence,
  pipelinePence,
  riskAdjustedOutturnByMonth,
  riskAdjustedOutturnPence,
  type BenefitFacts,
} from './outturn.ts';
import { closePeriods, NO_PERIODS_CLOSED, type PeriodsState } from './periods.ts';

const FY = '2025/26';
const MONTHS = monthsOfFy(FY);
const AT = '2026-05-01T00:00:00.000Z';
const closedThrough = (month: string | null): PeriodsState => (month ? closePeriods(NO_PERIODS_CLOSED, month, '2099-01', AT, 'fin') : NO_PERIODS_CLOSED);
const even = (total: number) => Object.fromEntries(MONTHS.map((m) => [m, total / 12]));

function facts(over: Partial<BenefitFacts> = {}): BenefitFacts {
  return {
    type: 'cashable-saving',
    status: 'active',
    confidencePct: 80,
    baseline: { [FY]: 1_200_000 },
    forecast: even(1_200_000),
    realised: {},
    validated: {},
    project: { stage: 'delivery' },
    ...over,
  };
}

describe('forecast outturn (SPEC 4.1)', () => {
  it('is realised in the closed months plus forecast in the open ones', () => {
    const b = facts({ realised: { '2025-04': 90_000, '2025-05': 100_000, '2025-06': 50_000 } });
    expect(outturnPence(b, FY, NO_PERIODS_CLOSED)).toBe(1_200_000);
    // Two months closed: their realised (190,000) replaces their forecast (200,000).
    expect(outturnPence(b, FY, closedThrough('2025-05'))).toBe(190_000 + 10 * 100_000);
    // Realised in a month still open does not count yet: the forecast stands for it.
    expect(outturnPence(b, FY, closedThrough('2025-05'))).toBe(1_190_000);
  });

  it('equals the realised once the year is closed (the worked example: £42.882m of £48.951m agreed)', () => {
    const realised = { '2024-03': 4_288_200_000 };
    const b = facts({ baseline: { '2023/24': 4_895_100_000 }, forecast: { '2024-03': 4_895_100_000 }, realised });
    const closed = closedThrough('2024-03');
    const y = benefitYearV2(b, '2023/24', closed, DEFAULT_THRESHOLDS);
    expect(y.outturnPence).toBe(4_288_200_000);
    expect(y.riskAdjustedOutturnPence).toBe(4_288_200_000);
    expect(y.variancePence).toBe(-606_900_000);
    expect(y.rag).toBe('amber'); // 87.6% of the baseline
  });

  it('stops forecasting in open months from a write-out or the project’s cancellation', () => {
    const writtenOut = facts({ status: 'unachievable', writtenOutAt: '2025-10-14T09:00:00Z' });
    expect(outturnPence(writtenOut, FY, NO_PERIODS_CLOSED)).toBe(6 * 100_000);
    const cancelled = facts({ project: { stage: 'cancelled', cancelledAt: '2025-07-01T09:00:00Z' } });
    expect(outturnPence(cancelled, FY, NO_PERIODS_CLOSED)).toBe(3 * 100_000);
    // Closed months count their realised, before and after the cancellation (April–August: only August's 40,000); open months after it nothing.
    expect(outturnPence({ ...cancelled, realised: { '2025-08': 40_000 } }, FY, closedThrough('2025-08'))).toBe(40_000);
    expect(benefitYearV2(cancelled, FY, NO_PERIODS_CLOSED, DEFAULT_THRESHOLDS).writtenOut).toBe(true);
  });

  it('risk-adjusts only the open months, rounded once per benefit and year', () => {
    const b = facts({ confidencePct: 33, forecast: even(1_200_000), realised: { '2025-04': 100_001 } });
    const closed = closedThrough('2025-04');
    // 100,001 realised + 1,100,000 × 33% = 363,000.
    expect(riskAdjustedOutturnPence(b, FY, closed)).toBe(100_001 + 363_000);
    const odd = facts({ confidencePct: 33, forecast: { '2025-05': 1, '2025-06': 1, '2025-07': 1 } });
    // 3p × 33% = 0.99p → 1p for the year, not 0p from three months of 0.33p.
    expect(riskAdjustedOutturnPence(odd, FY, NO_PERIODS_CLOSED)).toBe(1);
  });
});

describe('what counts (SPEC 4.2)', () => {
  it('counts only cashable savings and income towards the MTFS', () => {
    expect(['cashable-saving', 'income', 'cost-avoidance', 'non-cashable', 'non-financial'].map((t) => countsTowardsMtfs(t as never))).toEqual([
      true,
      true,
      false,
      false,
      false,
    ]);
  });
  it('makes the savings of a project not yet approved pipeline, not agreed', () => {
    const y = benefitYearV2(facts({ project: { stage: 'business-case' } }), FY, NO_PERIODS_CLOSED, DEFAULT_THRESHOLDS);
    expect(y).toMatchObject({ pipeline: true, baselinePence: 0, pipelinePence: 1_200_000 });
    const approved = benefitYearV2(facts({ project: { stage: 'approved' } }), FY, NO_PERIODS_CLOSED, DEFAULT_THRESHOLDS);
    expect(approved).toMatchObject({ pipeline: false, baselinePence: 1_200_000, pipelinePence: 0 });
    const avoidance = benefitYearV2(facts({ type: 'cost-avoidance', project: { stage: 'pipeline' } }), FY, NO_PERIODS_CLOSED, DEFAULT_THRESHOLDS);
    expect(pipelinePence([benefitYearV2(facts({ project: { stage: 'pipeline' } }), FY, NO_PERIODS_CLOSED, DEFAULT_THRESHOLDS), avoidance])).toBe(1_200_000);
  });
});

describe('BRAG and the MTFS RAG (SPEC 4.1, 4.3)', () => {
  it('is blue when achieved, or when a closed year’s realised reaches the baseline (a dis-benefit: no worse than planned)', () => {
    expect(blue(facts({ status: 'achieved' }), FY, NO_PERIODS_CLOSED)).toBe(true);
    const closed = closedThrough('2026-03');
    expect(blue(facts({ realised: { '2025-09': 1_200_000 } }), FY, closed)).toBe(true);
    expect(blue(facts({ realised: { '2025-09': 1_199_999 } }), FY, closed)).toBe(false);
    expect(blue(facts({ realised: { '2025-09': 1_200_000 } }), FY, closedThrough('2026-02'))).toBe(false);
    const disBenefit = { baseline: { [FY]: -50_000 }, forecast: { '2025-09': -50_000 } };
    expect(blue(facts({ ...disBenefit, realised: { '2025-09': -40_000 } }), FY, closed)).toBe(true);
    expect(blue(facts({ ...disBenefit, realised: { '2025-09': -60_000 } }), FY, closed)).toBe(false);
  });
  it('puts an MTFS shortfall beside the delivery RAG: green delivery never hides it', () => {
    // Property: 100% of its baseline, but 67% of its MTFS target.
    expect(mtfsRag(2_000_000, 3_000_000, DEFAULT_THRESHOLDS)).toBe('red');
    expect(mtfsRag(2_900_000, 3_000_000, DEFAULT_THRESHOLDS)).toBe('green');
    expect(mtfsRag(2_900_000, null, DEFAULT_THRESHOLDS)).toBeNull();
  });
});

const monthly = fc.dictionary(fc.constantFrom(...MONTHS), fc.integer({ min: -50_000_000, max: 50_000_000 }), { maxKeys: 12 });
const benefit = fc.record({
  type: fc.constantFrom('cashable-saving', 'income', 'cost-avoidance', 'non-cashable', 'non-financial') as fc.Arbitrary<BenefitFacts['type']>,
  status: fc.constantFrom('active', 'achieved', 'unachievable', 'withdrawn') as fc.Arbitrary<BenefitFacts['status']>,
  confidencePct: fc.integer({ min: 0, max: 100 }),
  writtenOutAt: fc.constantFrom(...MONTHS).map((m) => `${m}-15T10:00:00Z`),
  baseline: fc.integer({ min: -50_000_000, max: 50_000_000 }).map((v) => ({ [FY]: v })),
  forecast: monthly,
  realised: monthly,
  validated: fc.constant({}),
  project: fc.record({
    stage: fc.constantFrom('pipeline', 'business-case', 'approved', 'delivery', 'closed', 'cancelled') as fc.Arbitrary<BenefitFacts['project']['stage']>,
    cancelledAt: fc.constantFrom(...MONTHS).map((m) => `${m}-01T10:00:00Z`),
  }),
});
const closedMonth = fc.option(fc.constantFrom(...MONTHS), { nil: null });

describe('exactness (properties)', () => {
  it('the risk-adjusted outturn by month adds up exactly to the year’s figure', () => {
    fc.assert(
      fc.property(benefit, closedMonth, (b, through) => {
        const periods = closedThrough(through);
        const months = riskAdjustedOutturnByMonth(b, FY, periods);
        expect(months.reduce((a, m) => a + m.amountPence, 0)).toBe(riskAdjustedOutturnPence(b, FY, periods));
      }),
    );
  });
  it('outturn = realised once every month of the year is closed', () => {
    fc.assert(
      fc.property(benefit, (b) => {
        const y = benefitYearV2(b, FY, closedThrough('2026-03'), DEFAULT_THRESHOLDS);
        expect(y.outturnPence).toBe(y.realisedPence);
        expect(y.riskAdjustedOutturnPence).toBe(y.realisedPence);
      }),
    );
  });
  it('allocating a scaled total gives integers that sum to it, each within a penny of its exact share', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -1_000_000_000, max: 1_000_000_000 }), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 0, max: 100 }),
        (amounts, pct) => {
          const total = mulDivRound(
            amounts.reduce((a, b) => a + b, 0),
            pct,
            100,
          );
          const parts = allocateScaled(amounts, pct, 100, total);
          expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
          for (const [i, p] of parts.entries()) expect(Math.abs(p - (amounts[i]! * pct) / 100)).toBeLessThan(1 + 1e-9);
        },
      ),
    );
  });
});

describe('every breakdown adds up exactly (properties)', () => {
  const MONEY = [
    'baselinePence',
    'pipelinePence',
    'forecastPence',
    'outturnPence',
    'realisedPence',
    'validatedPence',
    'riskAdjustedForecastPence',
    'riskAdjustedOutturnPence',
    'variancePence',
    'oneOffFalloutPence',
  ] as const;
  const summary = fc.record({
    workstream: fc.constantFrom('ws_a', 'ws_b', 'ws_c'),
    projectId: fc.constantFrom('prj_1', 'prj_2', 'prj_3', 'prj_4'),
    facts: benefit,
    recurrence: fc.constantFrom('recurring', 'one-off') as fc.Arbitrary<'recurring' | 'one-off'>,
    category: fc.constantFrom('transformation', 'mitigation') as fc.Arbitrary<'transformation' | 'mitigation'>,
  });
  it('benefits → project → workstream → programme, and transformation + mitigation → programme', () => {
    fc.assert(
      fc.property(fc.array(summary, { minLength: 1, maxLength: 25 }), closedMonth, (rows, through) => {
        const periods = closedThrough(through);
        const benefits = rows.map((r, i) => ({
          id: `ben_${i}`,
          projectId: `${r.workstream}:${r.projectId}`,
          title: 'B',
          type: r.facts.type,
          category: r.category,
          recurrence: r.recurrence,
          status: r.facts.status,
          confidencePct: r.facts.confidencePct,
          mtfsRef: 'R',
          writtenOutAt: r.facts.writtenOutAt,
          baseline: r.facts.baseline,
          forecast: {},
          forecastWrittenOff: {},
          realised: r.facts.realised,
          validated: {},
          forecastMonths: r.facts.forecast,
          stage: r.facts.project.stage,
          stageChangedAt: r.facts.project.cancelledAt,
        }));
        const fig = (bs: typeof benefits) => rollUp(bs, [], FY, '2026-03-31', null, DEFAULT_THRESHOLDS, periods);
        const programme = fig(benefits);
        const sum = (parts: ReturnType<typeof fig>[], k: (typeof MONEY)[number]) => parts.reduce((a, p) => a + p[k], 0);
        const groups = (key: (b: (typeof benefits)[number]) => string) => [...new Set(benefits.map(key))].map((g) => fig(benefits.filter((b) => key(b) === g)));
        for (const k of MONEY) {
          expect(
            sum(
              groups((b) => b.projectId),
              k,
            ),
            `projects ${k}`,
          ).toBe(programme[k]);
          expect(
            sum(
              groups((b) => b.projectId.split(':')[0]!),
              k,
            ),
            `workstreams ${k}`,
          ).toBe(programme[k]);
          expect(
            sum(
              groups((b) => b.category),
              k,
            ),
            `categories ${k}`,
          ).toBe(programme[k]);
          expect(
            sum(
              benefits.map((b) => fig([b])),
              k,
            ),
            `benefits ${k}`,
          ).toBe(programme[k]);
        }
      }),
    );
  });
});
