import { describe, expect, it } from 'vitest';
import {
  addMonths,
  FinancialYear,
  fyOfDate,
  fyOfMonth,
  fyRange,
  fyStartingIn,
  isFinancialYear,
  IsoDate,
  Month,
  monthsOfFy,
  nextFy,
  periodOfMonth,
  previousFy,
  todayInLondon,
} from './fy.ts';

describe('financial years', () => {
  it('validates the written form', () => {
    expect(FinancialYear.safeParse('2025/26').success).toBe(true);
    expect(isFinancialYear('1999/00')).toBe(true);
    for (const bad of ['2025/27', '2025-26', '25/26', '2025/2026', '2025/6', ' 2025/26', '']) {
      expect(FinancialYear.safeParse(bad).success, bad).toBe(false);
    }
  });
  it('works in financial years 2000/01 to 2098/99: every month and date outside is refused at the boundary', () => {
    for (const good of ['2000/01', '2098/99']) expect(FinancialYear.safeParse(good).success, good).toBe(true);
    for (const bad of ['1999/00', '2099/00', '0001/02', '9999/00']) expect(FinancialYear.safeParse(bad).success, bad).toBe(false);
    for (const good of ['2000-04', '2099-03']) expect(Month.safeParse(good).success, good).toBe(true);
    for (const bad of ['2000-03', '2099-04', '0001-01', '0999-12', '9999-12']) expect(Month.safeParse(bad).success, bad).toBe(false);
    for (const good of ['2000-04-01', '2099-03-31']) expect(IsoDate.safeParse(good).success, good).toBe(true);
    for (const bad of ['2000-03-31', '2099-04-01', '0001-01-01', '0999-12-31']) expect(IsoDate.safeParse(bad).success, bad).toBe(false);
    // Every month the schema accepts lies in an FY the schema accepts.
    expect(FinancialYear.safeParse(fyOfMonth('2000-04')).success).toBe(true);
    expect(FinancialYear.safeParse(fyOfMonth('2099-03')).success).toBe(true);
    expect(fyStartingIn(1)).toBe('0001/02');
  });
  it('puts a month in its FY and period', () => {
    expect(fyOfMonth('2025-10')).toBe('2025/26');
    expect(periodOfMonth('2025-10')).toBe(7);
    expect(fyOfMonth('2025-04')).toBe('2025/26');
    expect(periodOfMonth('2025-04')).toBe(1);
    expect(fyOfMonth('2026-03')).toBe('2025/26');
    expect(periodOfMonth('2026-03')).toBe(12);
    expect(fyOfMonth('2026-01')).toBe('2025/26');
    expect(periodOfMonth('2026-01')).toBe(10);
    expect(fyOfMonth('2000-02')).toBe('1999/00');
  });
  it('puts a date in its FY at the year boundary', () => {
    expect(fyOfDate('2026-03-31')).toBe('2025/26');
    expect(fyOfDate('2026-04-01')).toBe('2026/27');
    expect(() => fyOfDate('2026-02-30')).toThrow(RangeError);
  });
  it('lists the months of an FY from April to March', () => {
    const months = monthsOfFy('2025/26');
    expect(months).toHaveLength(12);
    expect(months[0]).toBe('2025-04');
    expect(months[8]).toBe('2025-12');
    expect(months[9]).toBe('2026-01');
    expect(months[11]).toBe('2026-03');
  });
  it('steps between years, across centuries', () => {
    expect(nextFy('2025/26')).toBe('2026/27');
    expect(previousFy('2025/26')).toBe('2024/25');
    expect(nextFy('2099/00')).toBe('2100/01');
    expect(previousFy('2000/01')).toBe('1999/00');
    expect(fyRange('2023/24', 3)).toEqual(['2023/24', '2024/25', '2025/26']);
    expect(() => nextFy('2025/27')).toThrow(RangeError);
  });
  it('adds months across year ends', () => {
    expect(addMonths('2025-10', 6)).toBe('2026-04');
    expect(addMonths('2025-01', -1)).toBe('2024-12');
    expect(addMonths('2025-03', 0)).toBe('2025-03');
  });
});

describe('months and dates', () => {
  it('validates months and dates, including leap days', () => {
    expect(Month.safeParse('2025-10').success).toBe(true);
    expect(Month.safeParse('2025-13').success).toBe(false);
    expect(Month.safeParse('2025-1').success).toBe(false);
    expect(IsoDate.safeParse('2024-02-29').success).toBe(true);
    expect(IsoDate.safeParse('2025-02-29').success).toBe(false);
    expect(IsoDate.safeParse('2025-04-31').success).toBe(false);
    expect(IsoDate.safeParse('2025-10-01T00:00:00Z').success).toBe(false);
  });
  it("takes today's date in Europe/London, not UTC", () => {
    // 23:30 UTC on 31 March 2026 is already 00:30 on 1 April in London (BST).
    expect(todayInLondon(new Date('2026-03-31T23:30:00Z'))).toBe('2026-04-01');
    // In winter London is on UTC.
    expect(todayInLondon(new Date('2026-01-31T23:30:00Z'))).toBe('2026-01-31');
  });
});

describe('months parsed once', () => {
  it('answers the same however often it is asked, and still refuses what is not a month every time', () => {
    for (let i = 0; i < 3; i++) {
      expect(fyOfMonth('2026-03')).toBe('2025/26');
      expect(fyOfMonth('2026-04')).toBe('2026/27');
      expect(periodOfMonth('2026-04')).toBe(1);
      expect(addMonths('2026-12', 1)).toBe('2027-01');
      expect(() => fyOfMonth('2026-13')).toThrow(RangeError);
      expect(() => fyOfMonth('26-04')).toThrow(RangeError);
    }
  });
});
