import { describe, expect, it } from 'vitest';
import { MonthlyReturn, openMonthsOfFy, withMonthsReplaced } from './monthly-return.ts';
import { NO_PERIODS_CLOSED, closePeriods } from './periods.ts';

describe('the monthly return', () => {
  it('offers the months of the FY not closed', () => {
    const periods = closePeriods(NO_PERIODS_CLOSED, '2026-09', '2026-11', '2026-10-12T09:00:00.000Z', 'fiona');
    expect(openMonthsOfFy(periods, '2026/27')).toEqual(['2026-10', '2026-11', '2026-12', '2027-01', '2027-02', '2027-03']);
    expect(openMonthsOfFy(periods, '2025/26')).toEqual([]);
    expect(openMonthsOfFy(NO_PERIODS_CLOSED, '2027/28')).toHaveLength(12);
  });

  it('replaces only the months it was given, keeps the others and drops zeros', () => {
    const before = { '2026-09': 500, '2026-10': 100, '2026-11': 100, '2027-04': 900 };
    expect(withMonthsReplaced(before, ['2026-10', '2026-11', '2026-12'], { '2026-10': 0, '2026-12': 250 })).toEqual({
      '2026-09': 500,
      '2026-12': 250,
      '2027-04': 900,
    });
  });

  it('refuses unknown fields and scores out of range', () => {
    const base = { financialYear: '2026/27', forecasts: {}, deliveryConfidence: 'green' };
    expect(MonthlyReturn.safeParse(base).success).toBe(true);
    expect(MonthlyReturn.safeParse({ ...base, extra: 1 }).success).toBe(false);
    expect(MonthlyReturn.safeParse({ ...base, risks: { rsk_01JD6ZQ4T5N3W8R2X7C9V1B0KM: { likelihood: 6, impact: 1 } } }).success).toBe(false);
  });
});
