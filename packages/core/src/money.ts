import { lazySchema } from './lazy-schema.ts';
import * as z from 'zod';

/**
 * Money is an integer number of pence everywhere. These helpers parse what
 * finance types, format for people and CSV, and do exact integer arithmetic
 * (BigInt inside, so products of large sums never lose a penny).
 */

/**
 * The largest amount one entry, one month of a series or one target may hold:
 * £1bn, more than a large council's whole net revenue budget. Bounding every
 * stored amount (running totals included) keeps the sums of a programme exact:
 * 2^53 pence is over 90,000 such amounts at their largest. Sums are still
 * checked (`addPence`), so a figure is exact or refused, never rounded.
 */
export const MAX_AMOUNT_PENCE = 100_000_000_000;

/** An amount in pence: an integer, never a fraction of a penny, within ±£1bn. */
export const Pence = lazySchema(() =>
  z
    .int()
    .min(-MAX_AMOUNT_PENCE, 'must be at least -£1,000,000,000.00 (-100000000000 pence)')
    .max(MAX_AMOUNT_PENCE, 'must be at most £1,000,000,000.00 (100000000000 pence)')
    .meta({ description: 'An amount in pence (integer), at most ±£1bn.', example: 120000000 }),
);
export type Pence = number;

/** a + b, refusing (as a server fault) a sum that could no longer be exact. */
export function addPence(a: number, b: number): number {
  const sum = a + b;
  if (!Number.isSafeInteger(sum)) throw new RangeError(`The sum of ${a} and ${b} pence is beyond exact arithmetic`);
  return sum;
}

export class MoneyParseError extends Error {}

const MONEY_RE = /^(?:(?<num>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?<frac>\d{1,2}))?|\.(?<onlyFrac>\d{1,2}))$/;

/**
 * Parses an amount in pounds as finance writes it — "£1,234.56", "1234.5",
 * "-£12", "(1,234.56)" (accounting negative), " 1 234 " is refused — into pence.
 * Refuses fractions of a penny, malformed thousands separators and empty input.
 */
export function parsePounds(input: string): Pence {
  let s = input.trim();
  let negative = false;
  if (s.startsWith('(') && s.endsWith(')')) {
    negative = true;
    s = s.slice(1, -1).trim();
  }
  if (s.startsWith('-')) {
    if (negative) throw new MoneyParseError(`"${input}" is not an amount of money`);
    negative = true;
    s = s.slice(1).trim();
  }
  if (s.startsWith('£')) s = s.slice(1).trim();
  if (!negative && s.startsWith('-')) {
    // "£-12.00"
    negative = true;
    s = s.slice(1).trim();
  }
  const m = MONEY_RE.exec(s);
  if (!m?.groups) {
    if (/^\d*\.\d{3,}$/.test(s.replaceAll(',', ''))) {
      throw new MoneyParseError(`"${input}" has a fraction of a penny`);
    }
    throw new MoneyParseError(`"${input}" is not an amount of money`);
  }
  const whole = (m.groups.num ?? '0').replaceAll(',', '');
  const frac = (m.groups.frac ?? m.groups.onlyFrac ?? '').padEnd(2, '0');
  const pence = BigInt(whole) * 100n + BigInt(frac || '0');
  if (pence > BigInt(MAX_AMOUNT_PENCE)) throw new MoneyParseError(`"${input}" is too large (at most £1,000,000,000.00)`);
  const value = Number(pence);
  return negative && value !== 0 ? -value : value;
}

/**
 * An amount as savings trackers write it: anything `parsePounds` reads, and
 * thousands or millions with a suffix — "£350k", "1.2m", "£1.25M", "(2.5k)" —
 * exactly (the digits are shifted, never multiplied in floating point), so
 * "1.2345m" is £1,234,500.00 and "1.2345678m" a fraction of a penny refused.
 */
export function parseAmount(input: string): Pence {
  const m = /^(?<body>.*?\d)\s*(?<unit>k|m|bn)(?<close>\)?)$/i.exec(input.trim());
  if (!m?.groups) return parsePounds(input);
  const shift = { k: 3, m: 6, bn: 9 }[m.groups.unit!.toLowerCase() as 'k' | 'm' | 'bn'];
  const body = m.groups.body!;
  const digits = /(?<int>\d[\d,]*)?(?:\.(?<frac>\d+))?$/.exec(body);
  if (!digits?.groups || digits[0] === '') throw new MoneyParseError(`"${input}" is not an amount of money`);
  const prefix = body.slice(0, body.length - digits[0].length);
  const int = (digits.groups.int ?? '0').replaceAll(',', '');
  const frac = (digits.groups.frac ?? '').padEnd(shift, '0');
  const whole = `${int}${frac.slice(0, shift)}`.replace(/^0+(?=\d)/, '');
  const rest = frac.slice(shift).replace(/0+$/, '');
  return parsePounds(`${prefix}${whole}${rest ? `.${rest}` : ''}${m.groups.close ?? ''}`);
}

function splitPence(pence: Pence): { sign: string; pounds: string; pennies: string } {
  assertPence(pence);
  // In Numbers, exactly (a feed writes every money cell through here): a safe integer's `%` is exact, and so is dividing out what it leaves.
  const abs = Math.abs(pence);
  const pennies = abs % 100;
  return {
    sign: pence < 0 ? '-' : '',
    pounds: String((abs - pennies) / 100),
    pennies: pennies < 10 ? `0${pennies}` : String(pennies),
  };
}

/** "£1,234.56", "-£0.05": for people. */
export function formatPounds(pence: Pence): string {
  const { sign, pounds, pennies } = splitPence(pence);
  return `${sign}£${pounds.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${pennies}`;
}

/** "1234.56", "-0.05": pounds with exactly two decimals and no symbols, for CSV cells. */
export function poundsDecimal(pence: Pence): string {
  const { sign, pounds, pennies } = splitPence(pence);
  return `${sign}${pounds}.${pennies}`;
}

/** "£1.20m", "£0.42m", "£65k": compact figures for headlines (millions from £100k, as council reports write them); the exact figure is in the tables. */
export function formatPoundsShort(pence: Pence): string {
  assertPence(pence);
  const abs = Math.abs(pence);
  const sign = pence < 0 ? '-' : '';
  if (abs >= 10_000_000) {
    const hundredthsOfMillion = divRoundHalfAwayFromZero(abs, 1_000_000);
    return `${sign}£${Math.trunc(hundredthsOfMillion / 100)}.${String(hundredthsOfMillion % 100).padStart(2, '0')}m`;
  }
  if (abs >= 100_000) return `${sign}£${divRoundHalfAwayFromZero(abs, 100_000)}k`;
  return formatPounds(pence);
}

export function assertPence(value: number): asserts value is Pence {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${value} is not a whole number of pence`);
}

/** n ÷ d rounded to the nearest integer, halves away from zero. Exact for any safe integers. */
export function divRoundHalfAwayFromZero(n: number, d: number): number {
  assertPence(n);
  assertPence(d);
  if (d === 0) throw new RangeError('division by zero');
  return Number(divRoundBig(BigInt(n), BigInt(d)));
}

/** amount × numerator ÷ denominator, rounded half away from zero, without intermediate overflow. */
export function mulDivRound(amount: Pence, numerator: number, denominator: number): Pence {
  assertPence(amount);
  assertPence(numerator);
  assertPence(denominator);
  if (denominator === 0) throw new RangeError('division by zero');
  return Number(divRoundBig(BigInt(amount) * BigInt(numerator), BigInt(denominator)));
}

/** n ÷ d for BigInts, rounded to the nearest integer, halves away from zero (the one rounding of the product). */
export function divRoundBig(n: bigint, d: bigint): bigint {
  const negative = n < 0n !== d < 0n;
  const a = n < 0n ? -n : n;
  const b = d < 0n ? -d : d;
  let q = a / b;
  if ((a % b) * 2n >= b) q += 1n;
  return negative ? -q : q;
}

/**
 * Splits a total into `parts` amounts that differ by at most a penny and sum
 * exactly to the total; the earlier parts carry the extra pennies.
 * Works for negative totals (dis-benefits) symmetrically.
 */
export function allocateEvenly(total: Pence, parts: number): Pence[] {
  if (!Number.isInteger(parts) || parts < 1) throw new RangeError('parts must be a positive integer');
  assertPence(total);
  // `allocateByWeights` with equal weights, without its BigInts (every figure reads evenly phased years back this way):
  // every share has the same remainder, so the extra pennies go to the earliest parts. Exact in Numbers: the total is a
  // safe integer, `%` of integers is exact, and so is dividing out what it leaves.
  const abs = Math.abs(total);
  const extra = abs % parts;
  const floor = (abs - extra) / parts;
  return Array.from({ length: parts }, (_, i) => {
    const share = i < extra ? floor + 1 : floor;
    return total < 0 && share !== 0 ? -share : share;
  });
}

/**
 * Splits a total in proportion to non-negative integer weights by the largest
 * remainder method: the parts always sum exactly to the total.
 */
export function allocateByWeights(total: Pence, weights: readonly number[]): Pence[] {
  assertPence(total);
  if (weights.length === 0) throw new RangeError('weights must not be empty');
  if (weights.some((w) => !Number.isSafeInteger(w) || w < 0)) throw new RangeError('weights must be non-negative integers');
  const sumW = weights.reduce((a, b) => a + BigInt(b), 0n);
  if (sumW === 0n) throw new RangeError('weights must not all be zero');
  const sign = total < 0 ? -1n : 1n;
  const abs = BigInt(Math.abs(total));
  const shares = weights.map((w, index) => {
    const exact = abs * BigInt(w);
    return { index, floor: exact / sumW, remainder: exact % sumW };
  });
  let left = abs - shares.reduce((a, s) => a + s.floor, 0n);
  const order = [...shares].sort((x, y) => (y.remainder === x.remainder ? x.index - y.index : y.remainder > x.remainder ? 1 : -1));
  const result = shares.map((s) => s.floor);
  for (const s of order) {
    if (left === 0n) break;
    result[s.index] = (result[s.index] ?? 0n) + 1n;
    left -= 1n;
  }
  return result.map((v) => Number(v * sign));
}
