import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fyRange, monthsOfFy } from './fy.ts';
import { riskBand } from './risk.ts';
import { MonthlyPence, normaliseMonthly, packMonthly, StoredMonthlyPence, toMonthly, totalInFy, unpackMonthly } from './series.ts';

describe('series', () => {
  it('phases a recurring £1.2m saving from October as £0.6m over Oct–Mar, then £0.6m more the next year', () => {
    const months = toMonthly({
      phased: [
        { financialYear: '2025/26', amountPence: 60_000_000, fromMonth: '2025-10' },
        { financialYear: '2026/27', amountPence: 60_000_000 },
      ],
    });
    expect(Object.keys(months).filter((m) => m < '2026-04')).toEqual(['2025-10', '2025-11', '2025-12', '2026-01', '2026-02', '2026-03']);
    expect(months['2025-10']).toBe(10_000_000);
    expect(months['2026-04']).toBe(5_000_000);
    expect(totalInFy(months, '2025/26')).toBe(60_000_000);
    expect(totalInFy(months, '2026/27')).toBe(60_000_000);
  });
  it('phases awkward amounts exactly', () => {
    const months = toMonthly({ phased: [{ financialYear: '2025/26', amountPence: 100_001, fromMonth: '2025-09' }] });
    expect(Object.keys(months)).toHaveLength(7);
    expect(totalInFy(months, '2025/26')).toBe(100_001);
  });
  it('sorts months and drops zeros', () => {
    expect(toMonthly({ months: { '2026-01': 5, '2025-04': 0, '2025-12': -3 } })).toEqual({ '2025-12': -3, '2026-01': 5 });
  });
  it('refuses both forms, neither, a start month outside the FY, and a year phased twice', () => {
    expect(() => toMonthly({})).toThrow();
    expect(() => toMonthly({ months: {}, phased: [{ financialYear: '2025/26', amountPence: 1 }] })).toThrow();
    expect(() => toMonthly({ phased: [{ financialYear: '2025/26', amountPence: 1, fromMonth: '2026-04' }] })).toThrow(/not in 2025\/26/);
    expect(() =>
      toMonthly({
        phased: [
          { financialYear: '2025/26', amountPence: 1 },
          { financialYear: '2025/26', amountPence: 2 },
        ],
      }),
    ).toThrow(/twice/);
  });
});

describe('packed series (the summary keeps evenly phased years as one total)', () => {
  const MONTHS = fyRange('2024/25', 3).flatMap(monthsOfFy);
  it('keeps a year phased from April as its total, and any other year as its months', () => {
    const months = toMonthly({
      phased: [
        { financialYear: '2025/26', amountPence: 100_001 },
        { financialYear: '2026/27', amountPence: 60_000_000, fromMonth: '2026-10' },
      ],
    });
    const packed = packMonthly(months);
    expect(packed.y).toEqual({ '2025/26': 100_001 });
    expect(Object.keys(packed.m)).toHaveLength(6);
    expect(unpackMonthly(packed)).toEqual(months);
    // A year that nets to nothing is not "nothing".
    expect(packMonthly({ '2025-04': 5, '2025-05': -5 })).toEqual({ y: {}, m: { '2025-04': 5, '2025-05': -5 } });
  });
  it('is lossless for any series (property)', () => {
    const series = fc.dictionary(fc.constantFrom(...MONTHS), fc.integer({ min: -50_000_000, max: 50_000_000 }), { maxKeys: 36 });
    fc.assert(
      fc.property(series, (s) => {
        expect(unpackMonthly(packMonthly(s))).toEqual(normaliseMonthly(s));
      }),
      { numRuns: 500 },
    );
  });
  it('is lossless for evenly phased years of any amount (property)', () => {
    const years = fc.dictionary(fc.constantFrom('2024/25', '2025/26', '2026/27'), fc.integer({ min: -100_000_000_000, max: 100_000_000_000 }), { minKeys: 1 });
    fc.assert(
      fc.property(years, (byFy) => {
        const months = toMonthly({ phased: Object.entries(byFy).map(([financialYear, amountPence]) => ({ financialYear, amountPence })) });
        const packed = packMonthly(months);
        expect(packed.m).toEqual({});
        expect(unpackMonthly(packed)).toEqual(months);
      }),
      { numRuns: 300 },
    );
  });
});

describe('risk bands', () => {
  it.each([
    [1, 'low'],
    [4, 'low'],
    [5, 'medium'],
    [9, 'medium'],
    [10, 'high'],
    [16, 'high'],
    [20, 'critical'],
    [25, 'critical'],
  ])('score %i is %s', (score, band) => {
    expect(riskBand(score)).toBe(band);
  });
});

describe('months as read back from the table (StoredMonthlyPence)', () => {
  const bothSay = (value: unknown) => [MonthlyPence.safeParse(value).success, StoredMonthlyPence.safeParse(value).success];

  it('accepts and refuses what MonthlyPence does', () => {
    const cases: unknown[] = [
      {},
      { '2025-10': 10_000_000, '2026-03': -5 },
      { '2000-04': 1, '2099-03': 100_000_000_000, '2050-01': -100_000_000_000 },
      { '2000-03': 1 },
      { '2099-04': 1 },
      { '2025-13': 1 },
      { '2025-1': 1 },
      { '2025-10 ': 1 },
      { '2025-10': 1.5 },
      { '2025-10': '100' },
      { '2025-10': null },
      { '2025-10': Number.NaN },
      { '2025-10': 100_000_000_001 },
      { '2025-10': -100_000_000_001 },
      Object.fromEntries(
        monthsOfFy('2025/26')
          .flatMap((m) => fyRange('2000/01', 20).map((fy) => `${fy.slice(0, 4)}${m.slice(4)}`))
          .map((m) => [m, 1]),
      ),
      Object.fromEntries(
        fyRange('2000/01', 21)
          .flatMap(monthsOfFy)
          .map((m) => [m, 1]),
      ),
      null,
      [],
      [1],
      'months',
      42,
      new Map([['2025-10', 1]]),
    ];
    for (const value of cases) {
      const [full, stored] = bothSay(value);
      expect(stored, JSON.stringify(value)?.slice(0, 80)).toBe(full);
    }
  });

  it('agrees with MonthlyPence on any map of month-like keys to numbers', () => {
    const key = fc.oneof(
      fc.constantFrom(...fyRange('2024/25', 3).flatMap(monthsOfFy)),
      fc.tuple(fc.integer({ min: 1990, max: 2110 }), fc.integer({ min: 0, max: 13 })).map(([y, m]) => `${y}-${String(m).padStart(2, '0')}`),
      fc.string({ maxLength: 8 }),
    );
    const value = fc.oneof(fc.integer({ min: -200_000_000_000, max: 200_000_000_000 }), fc.double(), fc.constant(Number.MAX_SAFE_INTEGER + 2));
    fc.assert(
      fc.property(fc.dictionary(key, value, { maxKeys: 30 }), (months) => {
        const [full, stored] = bothSay(months);
        expect(stored).toBe(full);
      }),
    );
  });

  it('gives back the very map it read (no copy), and names the month at fault', () => {
    const months = { '2025-10': 10_000_000 };
    expect(StoredMonthlyPence.parse(months)).toBe(months);
    const refused = StoredMonthlyPence.safeParse({ '2025-10': 1, '2025-11': 0.5 });
    expect(refused.success).toBe(false);
    expect(refused.error!.issues.map((i) => i.path)).toEqual([['2025-11']]);
  });
});
