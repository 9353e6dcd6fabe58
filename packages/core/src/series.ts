import * as z from 'zod';
import { ValidationError } from './errors.ts';
import { FinancialYear, fyOfMonth, Month, monthsOfFy } from './fy.ts';
import { addPence, allocateEvenly, Pence } from './money.ts';

/** Amounts by month, in pence: `{ "2025-10": 10000000, … }`. Zero months are not stored. */
export const MonthlyPence = z
  .record(Month, Pence)
  .refine((m) => Object.keys(m).length <= 240, 'at most 240 months (20 years)')
  .meta({ description: 'Pence by month (YYYY-MM).', example: { '2025-10': 10_000_000, '2025-11': 10_000_000 } });
export type MonthlyPence = Record<string, number>;

/** An annual amount for an FY, phased evenly over the months from `fromMonth` (default April) to March. */
export const PhasedAmount = z
  .strictObject({
    financialYear: FinancialYear,
    amountPence: Pence,
    fromMonth: Month.optional().meta({ description: 'First month of the phasing (default: April of the FY).' }),
  })
  .meta({ id: 'PhasedAmount' });
export type PhasedAmount = z.infer<typeof PhasedAmount>;

/**
 * How a series is sent: monthly amounts, or annual amounts phased evenly
 * (the convenience form), stored as exact monthly pence either way.
 */
export const SeriesInput = {
  months: MonthlyPence.optional(),
  phased: z.array(PhasedAmount).min(1).max(20).optional(),
};

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
