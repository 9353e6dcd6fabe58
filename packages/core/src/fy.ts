import { lazySchema } from './lazy-schema.ts';
import * as z from 'zod';

/**
 * Financial years (1 April – 31 March, written "2025/26"), months ("2025-10",
 * period P7 of 2025/26) and ISO dates. All calendar arithmetic is on plain
 * year/month numbers, so no time zone can shift a month.
 */

const FY_RE = /^(\d{4})\/(\d{2})$/;
const MONTH_RE = /^(\d{4})-(0[1-9]|1[0-2])$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * The calendar the product works in: financial years 2000/01 to 2098/99, so
 * every month (2000-04 to 2099-03) and date lies in one of them. A year
 * outside it is a typo (0001-01-01, 9999/00), refused at every boundary, so
 * no stored figure can break the arithmetic of a report or an alert run.
 */
export const FIRST_FY_START = 2000;
export const LAST_FY_START = 2098;
export const FIRST_MONTH = '2000-04';
export const LAST_MONTH = '2099-03';
const inRange = `from ${FIRST_MONTH} to ${LAST_MONTH} (financial years ${FIRST_FY_START}/01 to ${LAST_FY_START}/99)`;

export const FinancialYear = lazySchema(() =>
  z
    .string()
    .regex(FY_RE, 'must be a financial year such as 2025/26')
    // Each check speaks only of a value the ones before it took (`abort` would do it too, but would hide the other form of a union such as AsAt).
    .refine((v) => !FY_RE.test(v) || isFinancialYear(v), 'the second year must follow the first, as in 2025/26')
    .refine((v) => !isFinancialYear(v) || (Number(v.slice(0, 4)) >= FIRST_FY_START && Number(v.slice(0, 4)) <= LAST_FY_START), `must be ${inRange}`)
    .meta({ description: 'UK local-government financial year, 1 April to 31 March.', example: '2025/26' }),
);
export type FinancialYear = string;

export const Month = lazySchema(() =>
  z
    .string()
    .regex(MONTH_RE, 'must be a month such as 2025-10')
    .refine((v) => !MONTH_RE.test(v) || (v >= FIRST_MONTH && v <= LAST_MONTH), `must be ${inRange}`)
    .meta({ description: 'Calendar month (ISO 8601, YYYY-MM).', example: '2025-10' }),
);
export type Month = string;

export const IsoDate = lazySchema(() =>
  z
    .string()
    .regex(DATE_RE, 'must be a date such as 2025-10-31')
    .refine((v) => !DATE_RE.test(v) || isIsoDate(v), 'is not a real calendar date')
    .refine((v) => !isIsoDate(v) || (v.slice(0, 7) >= FIRST_MONTH && v.slice(0, 7) <= LAST_MONTH), `must be ${inRange}`)
    .meta({ description: 'Calendar date (ISO 8601, YYYY-MM-DD).', example: '2025-10-31' }),
);
export type IsoDate = string;

/** A month (YYYY-MM) of the product's calendar: what `Month` accepts, as a plain test. */
export function isMonth(value: string): boolean {
  return MONTH_RE.test(value) && value >= FIRST_MONTH && value <= LAST_MONTH;
}

export function isFinancialYear(value: string): boolean {
  const m = FY_RE.exec(value);
  if (!m) return false;
  return (Number(m[1]) + 1) % 100 === Number(m[2]);
}

export function isIsoDate(value: string): boolean {
  const m = DATE_RE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1) return false;
  return d <= daysInMonth(y, mo);
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * Months parsed once each: the figures and the alerts read the same few
 * hundred month keys millions of times (every month of every benefit's
 * ledger, in every roll-up), and a regular expression each time was most of
 * their CPU. Only valid months are kept, so the cache is bounded (at most
 * 12 × 10,000 keys; in practice the few hundred of the programme's years).
 */
const PARSED_MONTHS = new Map<string, { year: number; month: number }>();

function parseMonth(month: Month): { year: number; month: number } {
  const known = PARSED_MONTHS.get(month);
  if (known) return known;
  const m = MONTH_RE.exec(month);
  if (!m) throw new RangeError(`"${month}" is not a month such as 2025-10`);
  const parsed = Object.freeze({ year: Number(m[1]), month: Number(m[2]) });
  PARSED_MONTHS.set(month, parsed);
  return parsed;
}

/** The FY of each month, worked out once (see PARSED_MONTHS). */
const FY_OF_MONTH = new Map<string, FinancialYear>();

function parseFy(fy: FinancialYear): number {
  if (!isFinancialYear(fy)) throw new RangeError(`"${fy}" is not a financial year such as 2025/26`);
  return Number(fy.slice(0, 4));
}

/** The FY that starts in April of `startYear`. */
export function fyStartingIn(startYear: number): FinancialYear {
  return `${String(startYear).padStart(4, '0')}/${String((startYear + 1) % 100).padStart(2, '0')}`;
}

export function fyStartYear(fy: FinancialYear): number {
  return parseFy(fy);
}

export function fyOfMonth(month: Month): FinancialYear {
  const known = FY_OF_MONTH.get(month);
  if (known) return known;
  const { year, month: m } = parseMonth(month);
  const fy = fyStartingIn(m >= 4 ? year : year - 1);
  FY_OF_MONTH.set(month, fy);
  return fy;
}

/** Period number within the FY: April = 1 … March = 12. */
export function periodOfMonth(month: Month): number {
  const { month: m } = parseMonth(month);
  return ((m + 8) % 12) + 1;
}

export function fyOfDate(date: IsoDate): FinancialYear {
  if (!isIsoDate(date)) throw new RangeError(`"${date}" is not a date such as 2025-10-31`);
  return fyOfMonth(date.slice(0, 7));
}

export function monthOfDate(date: IsoDate): Month {
  if (!isIsoDate(date)) throw new RangeError(`"${date}" is not a date such as 2025-10-31`);
  return date.slice(0, 7);
}

export function monthsOfFy(fy: FinancialYear): Month[] {
  let months = MONTHS_OF_FY.get(fy);
  if (!months) {
    const start = parseFy(fy);
    months = Array.from({ length: 12 }, (_, i) => formatMonth(i < 9 ? start : start + 1, ((i + 3) % 12) + 1));
    MONTHS_OF_FY.set(fy, months);
  }
  // A copy: a caller may change its own.
  return months.slice();
}
/** The months of each FY asked for, worked out once (a report asks hundreds of thousands of times). */
const MONTHS_OF_FY = new Map<FinancialYear, Month[]>();

export function nextFy(fy: FinancialYear): FinancialYear {
  return fyStartingIn(parseFy(fy) + 1);
}

export function previousFy(fy: FinancialYear): FinancialYear {
  return fyStartingIn(parseFy(fy) - 1);
}

/** `count` consecutive FYs starting with `first`. */
export function fyRange(first: FinancialYear, count: number): FinancialYear[] {
  const start = parseFy(first);
  return Array.from({ length: count }, (_, i) => fyStartingIn(start + i));
}

export function addMonths(month: Month, count: number): Month {
  const { year, month: m } = parseMonth(month);
  const index = year * 12 + (m - 1) + count;
  return formatMonth(Math.floor(index / 12), (index % 12) + 1);
}

export function formatMonth(year: number, month: number): Month {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}`;
}

/** Today's date in Europe/London, where the council's day begins and ends. */
export function todayInLondon(now: Date = new Date()): IsoDate {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(now);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}
