import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  allocateByWeights,
  allocateEvenly,
  divRoundHalfAwayFromZero,
  formatPounds,
  formatPoundsShort,
  mulDivRound,
  parseAmount,
  parsePounds,
  poundsDecimal,
  Pence,
} from './money.ts';

describe('parseAmount', () => {
  it.each([
    ['£350k', 35_000_000],
    ['1.2m', 120_000_000],
    ['£1.25M', 125_000_000],
    ['1.2345m', 123_450_000],
    ['(2.5k)', -250_000],
    ['-£1.5k', -150_000],
    ['12.5 k', 1_250_000],
    ['1,250k', 125_000_000],
    ['0.5bn', 50_000_000_000],
    ['£1,234.56', 123_456],
    ['(1,234)', -123_400],
  ])('%s → %i pence', (input, pence) => {
    expect(parseAmount(input)).toBe(pence);
  });
  it.each(['k', '£m', '1.234567891m', '1.2.3k', 'abc'])('refuses %j', (input) => {
    expect(() => parseAmount(input)).toThrow();
  });
});

describe('parsePounds', () => {
  it.each([
    ['£1,234.56', 123456],
    ['1234.5', 123450],
    ['1234', 123400],
    ['0.01', 1],
    ['.5', 50],
    [' £12 ', 1200],
    ['-£12.00', -1200],
    ['£-12.00', -1200],
    ['(1,234.56)', -123456],
    ['(£0.99)', -99],
    ['85,588,000.00', 8_558_800_000],
    ['-0', 0],
  ])('%s → %i pence', (input, pence) => {
    expect(parsePounds(input)).toBe(pence);
  });

  it.each(['', '£', 'abc', '1.234', '12.345', '1,23.00', '12,34', '1 234', '--1', '(-1)', '£1,234.5.6', '1e3', 'NaN', '١٢'])('refuses %j', (input) => {
    expect(() => parsePounds(input)).toThrow();
  });

  it('says so when the input has a fraction of a penny', () => {
    expect(() => parsePounds('12.345')).toThrow(/fraction of a penny/);
  });

  it('refuses amounts beyond a safe integer of pence', () => {
    expect(() => parsePounds('999999999999999999')).toThrow(/too large/);
  });
});

describe('formatting', () => {
  it('formats pounds for people', () => {
    expect(formatPounds(123456)).toBe('£1,234.56');
    expect(formatPounds(-5)).toBe('-£0.05');
    expect(formatPounds(0)).toBe('£0.00');
    expect(formatPounds(8_558_800_000)).toBe('£85,588,000.00');
  });
  it('formats pounds for CSV with exactly two decimals', () => {
    expect(poundsDecimal(123456)).toBe('1234.56');
    expect(poundsDecimal(-5)).toBe('-0.05');
    expect(poundsDecimal(100)).toBe('1.00');
  });
  it('writes any whole number of pence as pounds exactly, as integer arithmetic does, to the largest safe integer', () => {
    const reference = (pence: number) => {
      const abs = BigInt(Math.abs(pence));
      return `${pence < 0 ? '-' : ''}${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
    };
    for (const pence of [0, 1, 9, 10, 99, 100, 101, -1, -100, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER])
      expect(poundsDecimal(pence)).toBe(reference(pence));
    fc.assert(
      fc.property(fc.maxSafeInteger(), (pence) => poundsDecimal(pence) === reference(pence)),
      { numRuns: 5_000 },
    );
    expect(poundsDecimal(-0)).toBe('0.00');
  });
  it('formats short headline figures', () => {
    expect(formatPoundsShort(120_000_000)).toBe('£1.20m');
    expect(formatPoundsShort(4_895_100_000)).toBe('£48.95m');
    expect(formatPoundsShort(-42_000_000)).toBe('-£0.42m');
    expect(formatPoundsShort(6_500_000)).toBe('£65k');
    expect(formatPoundsShort(99_999)).toBe('£999.99');
  });
  it('refuses to format a fraction of a penny', () => {
    expect(() => formatPounds(1.5)).toThrow(RangeError);
  });
});

describe('rounding half away from zero', () => {
  it.each([
    [5, 2, 3],
    [-5, 2, -3],
    [7, 2, 4],
    [4, 3, 1],
    [-4, 3, -1],
    [1, 3, 0],
    [5, -2, -3],
  ])('%i ÷ %i = %i', (n, d, q) => {
    expect(divRoundHalfAwayFromZero(n, d)).toBe(q);
  });
  it('is exact where floating point is not', () => {
    // 9_007_199_254_740_991 × 3 overflows a double's exact range; BigInt does not.
    expect(mulDivRound(Number.MAX_SAFE_INTEGER, 3, 3)).toBe(Number.MAX_SAFE_INTEGER);
    // 1.005 × 100 is 100.49999… in floating point; in pence it is exactly half → away from zero.
    expect(mulDivRound(201, 50, 100)).toBe(101);
    expect(mulDivRound(-201, 50, 100)).toBe(-101);
  });
  it('refuses division by zero', () => {
    expect(() => divRoundHalfAwayFromZero(1, 0)).toThrow(RangeError);
  });
});

describe('allocation', () => {
  it('spreads £1.2m over six months exactly', () => {
    expect(allocateEvenly(60_000_000, 6)).toEqual(Array(6).fill(10_000_000));
  });
  it('puts leftover pennies in the earliest months and always sums to the total', () => {
    const parts = allocateEvenly(100, 12);
    expect(parts).toEqual([9, 9, 9, 9, 8, 8, 8, 8, 8, 8, 8, 8]);
    expect(parts.reduce((a, b) => a + b, 0)).toBe(100);
  });
  it('handles dis-benefits (negative totals) symmetrically', () => {
    const parts = allocateEvenly(-100, 12);
    expect(parts).toEqual([-9, -9, -9, -9, -8, -8, -8, -8, -8, -8, -8, -8]);
  });
  it('handles amounts smaller than the number of parts', () => {
    expect(allocateEvenly(2, 5)).toEqual([1, 1, 0, 0, 0]);
  });
  it('allocates by weights with the largest remainder', () => {
    expect(allocateByWeights(100, [1, 1, 1])).toEqual([34, 33, 33]);
    expect(allocateByWeights(1000, [0, 3, 7])).toEqual([0, 300, 700]);
    expect(allocateByWeights(10, [2, 1])).toEqual([7, 3]);
  });
  it('sums exactly for many awkward totals', () => {
    for (const total of [1, 7, 99, 101, 12_345_67, 999_999_999, -31, Number.MAX_SAFE_INTEGER]) {
      for (const n of [1, 2, 3, 5, 6, 7, 11, 12]) {
        const parts = allocateEvenly(total, n);
        expect(parts.reduce((a, b) => BigInt(a) + BigInt(b), 0n)).toBe(BigInt(total));
        expect(Math.max(...parts) - Math.min(...parts)).toBeLessThanOrEqual(1);
        for (const p of parts) expect(Number.isSafeInteger(p)).toBe(true);
      }
    }
  });
  it('splits evenly exactly as by equal weights, for any total and any number of parts (and never gives -0)', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), fc.integer({ min: 1, max: 400 }), (total, n) => {
        const parts = allocateEvenly(total, n);
        expect(parts).toEqual(allocateByWeights(total, Array(n).fill(1)));
        expect(parts.some((p) => Object.is(p, -0))).toBe(false);
      }),
      { numRuns: 2_000 },
    );
  });
  it('refuses nonsense', () => {
    expect(() => allocateEvenly(100, 0)).toThrow(RangeError);
    expect(() => allocateEvenly(0.5, 2)).toThrow(RangeError);
    expect(() => allocateEvenly(Number.MAX_SAFE_INTEGER + 1, 2)).toThrow(RangeError);
    expect(() => allocateByWeights(100, [0, 0])).toThrow(RangeError);
    expect(() => allocateByWeights(100, [-1, 2])).toThrow(RangeError);
  });
});

describe('the Pence schema', () => {
  it('accepts whole pence and refuses fractions and unsafe numbers', () => {
    expect(Pence.safeParse(120).success).toBe(true);
    expect(Pence.safeParse(-120).success).toBe(true);
    expect(Pence.safeParse(1.5).success).toBe(false);
    expect(Pence.safeParse(2 ** 60).success).toBe(false);
    expect(Pence.safeParse('120').success).toBe(false);
  });
});

describe('percentages', () => {
  it('format ratios for people without floating-point noise', async () => {
    const { formatPercent } = await import('./format.ts');
    expect(formatPercent(0.876)).toBe('87.6%');
    expect(formatPercent(0.16)).toBe('16.0%');
    expect(formatPercent(2, 0)).toBe('200%');
    expect(formatPercent(-0.0123, 1)).toBe('-1.2%');
    expect(formatPercent(0.30769, 1)).toBe('30.8%');
  });
});
