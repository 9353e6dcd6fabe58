import { lazySchema } from './lazy-schema.ts';
import * as z from 'zod';
import { ValidationError } from './errors.ts';
import { FinancialYear, fyOfMonth, isMonth, Month, monthsOfFy } from './fy.ts';
import { addPence, allocateEvenly, MAX_AMOUNT_PENCE, Pence } from './money.ts';

const MONTHS_AT_MOST = 240;

/** Amounts by month, in pence: `{ "2025-10": 10000000, … }`. Zero months are not stored. */
export const MonthlyPence = lazySchema(() =>
  z
    .record(Month, Pence)
    .refine((m) => Object.keys(m).length <= MONTHS_AT_MOST, `at most ${MONTHS_AT_MOST} months (20 years)`)
    .meta({ description: 'Pence by month (YYYY-MM).', example: { '2025-10': 10_000_000, '2025-11': 10_000_000 } }),
);
export type MonthlyPence = Record<string, number>;

/**
 * `MonthlyPence` as read back from the table: the same rule (months of the
 * calendar, whole pence within ±£1bn, at most 240 months), checked in one
 * loop over the map as it is. A project's record holds thousands of months,
 * and zod's record parses each through a key schema and a value schema into
 * a copy: most of the CPU of reading a record (the alert run reads every
 * one). Requests are still checked by `MonthlyPence`, whose messages and
 * OpenAPI description they get.
 */
export const StoredMonthlyPence = lazySchema(() =>
  z.custom<MonthlyPence>(isPlainMap, 'must be pence by month (YYYY-MM)').check((ctx) => {
    if (!isPlainMap(ctx.value)) return;
    let months = 0;
    for (const month in ctx.value) {
      if (!Object.hasOwn(ctx.value, month)) continue;
      months += 1;
      const pence = ctx.value[month];
      if (!isMonth(month)) ctx.issues.push({ code: 'custom', message: 'must be a month of the calendar, such as 2025-10', input: month, path: [month] });
      else if (!Number.isSafeInteger(pence) || Math.abs(pence!) > MAX_AMOUNT_PENCE)
        ctx.issues.push({ code: 'custom', message: 'must be whole pence within ±£1bn', input: pence, path: [month] });
    }
    if (months > MONTHS_AT_MOST) ctx.issues.push({ code: 'custom', message: `at most ${MONTHS_AT_MOST} months (20 years)`, input: ctx.value });
  }),
);

function isPlainMap(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** An annual amount for an FY, phased evenly over the months from `fromMonth` (default April) to March. */
export const PhasedAmount = lazySchema(() =>
  z
    .strictObject({
      financialYear: FinancialYear,
      amountPence: Pence,
      fromMonth: Month.optional().meta({ description: 'First month of the phasing (default: April of the FY).' }),
    })
    .meta({ id: 'PhasedAmount' }),
);
export type PhasedAmount = z.infer<typeof PhasedAmount>;

/**
 * How a series is sent: monthly amounts, or annual amounts phased evenly
 * (the convenience form), stored as exact monthly pence either way.
 */
export const SeriesInput = lazySchema(() => ({
  months: MonthlyPence.optional(),
  phased: z.array(PhasedAmount).min(1).max(20).optional(),
}));

/** Turns either form into exact monthly pence; phased months always sum to the annual amount. */
export function toMonthly(input: { months?: MonthlyPence | undefined; phased?: PhasedAmount[] | undefined }): MonthlyPence {
  if ((input.months === undefined) === (input.phased === undefined)) {
    throw new ValidationError('Send either `months` or `phased`, not both and not neither.', [{ path: 'months', message: 'send months or phased' }]);
  }
  if (input.months) return normaliseMonthly(input.months);
  const out: MonthlyPence = {};
  const years = new Set<string>();
  input.phased!.forEach((p, i) => {
    if (years.has(p.financialYear)) {
      throw new ValidationError(`${p.financialYear} is phased twice.`, [{ path: `phased.${i}.financialYear`, message: 'appears more than once' }]);
    }
    years.add(p.financialYear);
    const months = monthsOfFy(p.financialYear);
    const from = p.fromMonth ?? months[0]!;
    if (fyOfMonth(from) !== p.financialYear) {
      throw new ValidationError(`${from} is not in ${p.financialYear}.`, [{ path: `phased.${i}.fromMonth`, message: `must be a month of ${p.financialYear}` }]);
    }
    const span = months.slice(months.indexOf(from));
    allocateEvenly(p.amountPence, span.length).forEach((amount, j) => {
      out[span[j]!] = amount;
    });
  });
  return normaliseMonthly(out);
}

/** Sorted by month, zero months dropped. */
export function normaliseMonthly(months: MonthlyPence): MonthlyPence {
  return Object.fromEntries(
    Object.entries(months)
      .filter(([, v]) => v !== 0)
      // YYYY-MM sorts as it reads: compared as it is, not by the locale's collation (ten times the cost).
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
}

/** Sum of a series over one FY. */
export function totalInFy(series: MonthlyPence, fy: string): Pence {
  let total = 0;
  for (const [month, amount] of Object.entries(series)) if (fyOfMonth(month) === fy) total = addPence(total, amount);
  return total;
}

/**
 * A monthly series kept compactly, as stored in the project summary: a year
 * phased evenly over its twelve months (as `toMonthly` phases an annual
 * amount, which is how most savings are entered) is kept as its total (`y`);
 * any other year as its months (`m`). Lossless: `unpackMonthly(packMonthly(s))`
 * is `s`, whatever `s` is.
 */
export interface PackedMonthly {
  y: Record<FinancialYear, Pence>;
  m: MonthlyPence;
}

export function packMonthly(series: MonthlyPence): PackedMonthly {
  const byFy = new Map<FinancialYear, [Month, Pence][]>();
  for (const [month, amount] of Object.entries(series)) {
    const fy = fyOfMonth(month);
    const months = byFy.get(fy) ?? [];
    months.push([month, amount]);
    byFy.set(fy, months);
  }
  const out: PackedMonthly = { y: {}, m: {} };
  for (const [fy, months] of byFy) {
    let total = 0;
    for (const [, amount] of months) total = addPence(total, amount);
    if (sameSeries(phasedEvenly(fy, total), Object.fromEntries(months))) out.y[fy] = total;
    else for (const [month, amount] of months) out.m[month] = amount;
  }
  return out;
}

export function unpackMonthly(packed: { y?: Record<FinancialYear, Pence> | undefined; m?: MonthlyPence | undefined }): MonthlyPence {
  if (!packed.m || Object.keys(packed.m).length === 0) {
    // Every year phased evenly (the usual saving): its months made in order, nothing to sort.
    const out: MonthlyPence = {};
    for (const fy of Object.keys(packed.y ?? {}).sort()) Object.assign(out, phasedEvenly(fy, packed.y![fy]!));
    return out;
  }
  const out: MonthlyPence = { ...packed.m };
  for (const [fy, total] of Object.entries(packed.y ?? {})) Object.assign(out, phasedEvenly(fy, total));
  return normaliseMonthly(out);
}

function phasedEvenly(fy: FinancialYear, total: Pence): MonthlyPence {
  const months = monthsOfFy(fy);
  const out: MonthlyPence = {};
  allocateEvenly(total, 12).forEach((amount, i) => {
    if (amount !== 0) out[months[i]!] = amount;
  });
  return out;
}

function sameSeries(a: MonthlyPence, b: MonthlyPence): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}
