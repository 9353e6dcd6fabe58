import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BucketsTally,
  benefitValue,
  benefitYear,
  benefitYears,
  FiguresTally,
  DEFAULT_THRESHOLDS,
  projectFinancials,
  rag,
  riskAdjusted,
  rollUp,
  statusBuckets,
  type BenefitSummary,
  type InvestmentSummary,
} from './figures.ts';
import { parsePounds } from './money.ts';

const gbp = parsePounds;

function benefit(overrides: Partial<BenefitSummary> = {}): BenefitSummary {
  return {
    id: 'ben_1',
    projectId: 'prj_1',
    title: 'Saving',
    type: 'cashable-saving',
    category: 'transformation',
    recurrence: 'recurring',
    status: 'active',
    confidencePct: 100,
    mtfsRef: 'REF',
    baseline: {},
    forecast: {},
    forecastWrittenOff: {},
    realised: {},
    validated: {},
    stage: 'delivery',
    ...overrides,
    // The monthly forecast follows the FY forecast given (phased into March), unless given itself.
    forecastMonths:
      overrides.forecastMonths ?? Object.fromEntries(Object.entries(overrides.forecast ?? {}).map(([fy, v]) => [`${Number(fy.slice(0, 4)) + 1}-03`, v])),
  };
}

describe('the worked example (LGA peer challenge, Liverpool 2024)', () => {
  it('2023/24: £48.951m agreed, £42.882m delivered → delivery rate 0.876, shortfall £6.069m', () => {
    const b = benefit({ baseline: { '2023/24': gbp('48,951,000') }, forecast: { '2023/24': gbp('48,951,000') }, realised: { '2024-03': gbp('42,882,000') } });
    const f = rollUp([b], [], '2023/24', '2024-03-31', null);
    expect(f.deliveryRate).toBe(0.876);
    expect(f.baselinePence - f.realisedPence).toBe(gbp('6,069,000'));
  });
});

describe('one benefit', () => {
  it('a recurring £1.2m saving from October 2025 is £0.6m in 2025/26 and a further £0.6m in 2026/27; its value is £1.2m a year from then', () => {
    const b = benefit({
      baseline: { '2025/26': gbp('600,000'), '2026/27': gbp('600,000') },
      forecast: { '2025/26': gbp('600,000'), '2026/27': gbp('600,000') },
    });
    expect(benefitYear(b, '2025/26', '2025-12-01').baselinePence).toBe(gbp('600,000'));
    expect(benefitValue(b, '2025/26', '2025-12-01')).toBe(gbp('600,000'));
    expect(benefitValue(b, '2026/27', '2025-12-01')).toBe(gbp('1,200,000'));
    expect(benefitValue(b, '2029/30', '2025-12-01')).toBe(gbp('1,200,000'));
  });

  it('a one-off falls out the next year and shows as a pressure', () => {
    const b = benefit({ recurrence: 'one-off', baseline: { '2025/26': gbp('500,000') }, forecast: { '2025/26': gbp('500,000') } });
    expect(rollUp([b], [], '2025/26', '2025-12-01', null).oneOffFalloutPence).toBe(gbp('500,000'));
    expect(benefitValue(b, '2026/27', '2025-12-01')).toBe(0);
    expect(rollUp([b], [], '2026/27', '2025-12-01', null).forecastPence).toBe(0);
  });

  it('a written-out saving forecasts nothing from its write-out month, once the write-out has happened', () => {
    // Forecast £100k a month Apr–Mar; written out on 10 October: Apr–Sep (£600k) stands, Oct–Mar (£600k) goes.
    const monthly = Object.fromEntries(
      ['2025-04', '2025-05', '2025-06', '2025-07', '2025-08', '2025-09', '2025-10', '2025-11', '2025-12', '2026-01', '2026-02', '2026-03'].map((m) => [
        m,
        gbp('100,000'),
      ]),
    );
    const b = benefit({
      status: 'unachievable',
      writtenOutAt: '2025-10-10T09:00:00.000Z',
      baseline: { '2025/26': gbp('1,200,000') },
      forecast: { '2025/26': gbp('1,200,000') },
      forecastWrittenOff: { '2025/26': gbp('600,000') },
      forecastMonths: monthly,
    });
    expect(benefitYear(b, '2025/26', '2025-10-09').forecastPence).toBe(gbp('1,200,000'));
    const after = benefitYear(b, '2025/26', '2025-10-10');
    expect(after.forecastPence).toBe(gbp('600,000'));
    expect(after.writtenOut).toBe(true);
  });

  it('rounds the risk-adjusted forecast to the penny, halves away from zero', () => {
    expect(riskAdjusted(1005, 50)).toBe(503);
    expect(riskAdjusted(-1005, 50)).toBe(-503);
    expect(riskAdjusted(333, 33)).toBe(110); // 109.89
    expect(riskAdjusted(1, 49)).toBe(0); // 0.49
    expect(riskAdjusted(gbp('1,200,000'), 80)).toBe(gbp('960,000'));
  });

  it('rates RAG at 95% and 75% of baseline, and for dis-benefits by the overrun', () => {
    expect(rag(1000, 950)).toBe('green');
    expect(rag(1000, 949)).toBe('amber');
    expect(rag(1000, 750)).toBe('amber');
    expect(rag(1000, 749)).toBe('red');
    expect(rag(1000, 2000)).toBe('green');
    expect(rag(0, 100)).toBeNull();
    expect(rag(-1000, -1050)).toBe('green'); // cost 5% over
    expect(rag(-1000, -1100)).toBe('amber');
    expect(rag(-1000, -1300)).toBe('red');
    expect(rag(1000, 900, { ...DEFAULT_THRESHOLDS, ragGreenPct: 90 })).toBe('green');
  });
});

describe('roll-ups', () => {
  it('net a dis-benefit off the savings', () => {
    const saving = benefit({ id: 'a', baseline: { '2025/26': gbp('1,000,000') }, forecast: { '2025/26': gbp('900,000') } });
    const dis = benefit({ id: 'b', baseline: { '2025/26': gbp('-100,000') }, forecast: { '2025/26': gbp('-150,000') } });
    const f = rollUp([saving, dis], [], '2025/26', '2026-03-31', gbp('1,000,000'));
    expect(f.baselinePence).toBe(gbp('900,000'));
    expect(f.forecastPence).toBe(gbp('750,000'));
    expect(f.variancePence).toBe(gbp('-150,000'));
    expect(f.gapPence).toBe(gbp('250,000'));
    expect(f.unidentifiedPence).toBe(gbp('100,000'));
  });

  it('put a written-out saving and its replacement side by side in the status buckets', () => {
    const out = benefit({
      id: 'old',
      status: 'unachievable',
      writtenOutAt: '2025-06-01T00:00:00Z',
      baseline: { '2025/26': gbp('800,000') },
      forecast: { '2025/26': gbp('800,000') },
      forecastWrittenOff: { '2025/26': gbp('800,000') },
    });
    const replacement = benefit({ id: 'new', replacesBenefitId: 'old', baseline: { '2025/26': gbp('500,000') }, forecast: { '2025/26': gbp('500,000') } });
    const amber = benefit({ id: 'amb', baseline: { '2025/26': gbp('100,000') }, forecast: { '2025/26': gbp('80,000') } });
    const done = benefit({ id: 'done', status: 'achieved', baseline: { '2025/26': gbp('50,000') }, forecast: { '2025/26': gbp('50,000') } });
    const buckets = statusBuckets([out, replacement, amber, done], '2025/26', '2025-12-01');
    expect(buckets.writtenOut).toEqual({
      count: 1,
      baselinePence: gbp('800,000'),
      forecastPence: 0,
      replacementCount: 1,
      replacementBaselinePence: gbp('500,000'),
      replacementForecastPence: gbp('500,000'),
      unreplacedPence: gbp('300,000'),
    });
    expect(buckets.green).toEqual({ count: 1, baselinePence: gbp('500,000'), forecastPence: gbp('500,000') });
    expect(buckets.amber.count).toBe(1);
    expect(buckets.delivered.baselinePence).toBe(gbp('50,000'));
    expect(buckets.red.count).toBe(0);

    // Counted a page at a time, the replacement in a page before the saving it replaces: the same buckets.
    const yearOf = benefitYears('2025/26', '2025-12-01');
    const tally = new BucketsTally();
    for (const page of [
      [replacement, amber],
      [done, out],
    ]) {
      for (const b of page) {
        tally.benefit(b, yearOf(b));
        tally.replacement(b, yearOf(b));
      }
    }
    expect(tally.buckets()).toEqual(buckets);
  });

  it('count investment planned for the FY and actual spend up to the as-at month', () => {
    const inv: InvestmentSummary = {
      id: 'i',
      projectId: 'p',
      kind: 'capital',
      fundingSource: 'grant',
      planned: { '2025/26': gbp('300,000') },
      actual: { '2025-05': gbp('100,000'), '2025-11': gbp('50,000') },
    };
    const f = rollUp([], [inv], '2025/26', '2025-10-15', null);
    expect(f.investmentPlannedPence).toBe(gbp('300,000'));
    expect(f.investmentActualPence).toBe(gbp('100,000'));
    expect(f.netContributionPence).toBe(gbp('-300,000'));
  });
});

describe('payback, NPV and ROI', () => {
  it('work out on a small case by hand', () => {
    // £100k invested in 2025/26; a recurring £60k saving from 2025/26 (it keeps paying).
    // Cumulative value £60k, £120k → payback in 2026/27 (£120k ≥ £100k).
    // Five-year NPV at 3.5%: −40,000 + 60,000 × (1/1.035 + 1/1.035² + 1/1.035³ + 1/1.035⁴)
    //   = −40,000 + 60,000 × 3.673079209 = £180,384.75 (to the penny: 180,384.7525 → .75).
    // ROI over the five years: (5 × £60k − £100k) ÷ £100k = 2.
    const saving = benefit({ forecast: { '2025/26': gbp('60,000') }, baseline: { '2025/26': gbp('60,000') } });
    const inv: InvestmentSummary = {
      id: 'i',
      projectId: 'p',
      kind: 'revenue',
      fundingSource: 'flexible-capital-receipts',
      planned: { '2025/26': gbp('100,000') },
      actual: {},
    };
    const f = projectFinancials([saving], [inv], '2025/26', '2025-04-01');
    expect(f.paybackFinancialYear).toBe('2026/27');
    expect(f.npvPence).toBe(18_038_475);
    expect(f.roi).toBe(2);
    expect(f.horizon).toEqual(['2025/26', '2026/27', '2027/28', '2028/29', '2029/30']);
  });
  it('report no payback when the savings never cover the investment, and no ROI without investment', () => {
    const oneOff = benefit({ recurrence: 'one-off', forecast: { '2025/26': gbp('10,000') } });
    const inv: InvestmentSummary = { id: 'i', projectId: 'p', kind: 'capital', fundingSource: 'borrowing', planned: { '2025/26': gbp('50,000') }, actual: {} };
    expect(projectFinancials([oneOff], [inv], '2025/26', '2025-04-01').paybackFinancialYear).toBeNull();
    expect(projectFinancials([oneOff], [], '2025/26', '2025-04-01').roi).toBeNull();
  });
});

describe('properties', () => {
  const fys = ['2024/25', '2025/26', '2026/27'] as const;
  const amount = fc.integer({ min: -5_000_000_00, max: 50_000_000_00 });
  const yearMap = fc.dictionary(fc.constantFrom(...fys), amount, { maxKeys: 3 });
  const monthMap = fc.dictionary(fc.constantFrom('2024-05', '2025-01', '2025-06', '2025-11', '2026-02', '2026-09'), amount, { maxKeys: 4 });
  const arbBenefit = fc.record({
    projectId: fc.constantFrom('p1', 'p2', 'p3', 'p4'),
    category: fc.constantFrom('transformation' as const, 'mitigation' as const),
    type: fc.constantFrom('cashable-saving' as const, 'income' as const, 'cost-avoidance' as const),
    recurrence: fc.constantFrom('recurring' as const, 'one-off' as const),
    status: fc.constantFrom('active' as const, 'achieved' as const, 'unachievable' as const),
    confidencePct: fc.integer({ min: 0, max: 100 }),
    baseline: yearMap,
    forecast: yearMap,
    realised: monthMap,
    validated: monthMap,
  });
  const programme = fc.array(arbBenefit, { maxLength: 40 }).map((list) =>
    list.map((b, i) =>
      benefit({
        ...b,
        id: `b${i}`,
        ...(b.status === 'unachievable'
          ? { writtenOutAt: '2025-09-01T00:00:00Z', forecastWrittenOff: { '2025/26': Math.trunc((b.forecast['2025/26'] ?? 0) / 2) } }
          : {}),
      }),
    ),
  );
  const additive = [
    'baselinePence',
    'forecastPence',
    'realisedPence',
    'validatedPence',
    'riskAdjustedForecastPence',
    'variancePence',
    'oneOffFalloutPence',
    'netContributionPence',
  ] as const;

  it('a roll-up equals the sum of its parts to the penny (by project, by category), and no figure is a fraction of a penny', () => {
    fc.assert(
      fc.property(programme, fc.constantFrom(...fys), fc.constantFrom('2025-03-31', '2025-10-15', '2026-12-31'), (benefits, fy, asAt) => {
        const whole = rollUp(benefits, [], fy, asAt, 0);
        for (const groupBy of ['projectId', 'category', 'type'] as const) {
          const groups = new Map<string, BenefitSummary[]>();
          for (const b of benefits) groups.set(b[groupBy], [...(groups.get(b[groupBy]) ?? []), b]);
          const parts = [...groups.values()].map((g) => rollUp(g, [], fy, asAt, 0));
          for (const key of additive) expect(parts.reduce((a, p) => a + p[key], 0)).toBe(whole[key]);
        }
        for (const key of [...additive, 'gapPence', 'unidentifiedPence', 'riskAdjustedGapPence', 'investmentPlannedPence', 'investmentActualPence'] as const) {
          expect(Number.isSafeInteger(whole[key])).toBe(true);
        }
        const buckets = statusBuckets(benefits, fy, asAt);
        const bucketBaseline =
          buckets.delivered.baselinePence +
          buckets.green.baselinePence +
          buckets.amber.baselinePence +
          buckets.red.baselinePence +
          buckets.writtenOut.baselinePence;
        expect(bucketBaseline).toBe(whole.baselinePence);
      }),
      { numRuns: 300 },
    );
  });

  it('tallied a page at a time, in any order, the figures and the status buckets are the whole set’s: a replacement counts in a page before or after the saving it replaces', () => {
    // Some savings replace a written-out one (b0, b1 are written out when their status says so).
    const withReplacements = programme.chain((list) =>
      fc
        .array(fc.option(fc.constantFrom('b0', 'b1', 'b2'), { nil: undefined }), { minLength: list.length, maxLength: list.length })
        .map((targets) => list.map((b, i) => (targets[i] && targets[i] !== b.id ? { ...b, replacesBenefitId: targets[i] } : b))),
    );
    const shuffledPages = withReplacements.chain((list) =>
      fc.tuple(fc.constant(list), fc.shuffledSubarray(list, { minLength: list.length, maxLength: list.length }), fc.integer({ min: 1, max: 7 })),
    );
    fc.assert(
      fc.property(
        shuffledPages,
        fc.constantFrom(...fys),
        fc.constantFrom('2025-03-31', '2025-10-15', '2026-12-31'),
        fc.constantFrom('mtfs' as const, 'all' as const),
        ([benefits, shuffled, pageSize], fy, asAt, scope) => {
          const yearOf = benefitYears(fy, asAt);
          const figures = new FiguresTally(fy, asAt, DEFAULT_THRESHOLDS, undefined, scope);
          const buckets = new BucketsTally();
          for (let start = 0; start < shuffled.length; start += pageSize) {
            for (const b of shuffled.slice(start, start + pageSize)) {
              figures.benefit(b, yearOf(b));
              buckets.benefit(b, yearOf(b));
              buckets.replacement(b, yearOf(b));
            }
          }
          expect(figures.figures(1_000_000)).toEqual(rollUp(benefits, [], fy, asAt, 1_000_000, DEFAULT_THRESHOLDS, undefined, scope));
          expect(buckets.buckets()).toEqual(statusBuckets(benefits, fy, asAt));
          // Asking twice gives the same buckets (matching replacements changes nothing kept).
          expect(buckets.buckets()).toEqual(buckets.buckets());
        },
      ),
      { numRuns: 300 },
    );
  });
});
