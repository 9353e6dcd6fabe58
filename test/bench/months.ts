import { fyOfMonth, fyStartingIn } from '@bt/core';

/**
 * Month parsing, paired: the product's fyOfMonth (each month parsed once)
 * against a reference that runs the regular expression every call, as core
 * did before issue 20, over the month keys a programme's ledgers hold (five
 * FYs of months, as many times as 10,000 benefits × 60 months). Alternating,
 * five rounds; min and median of the ratio.
 */
const MONTH_RE = /^(\d{4})-(0[1-9]|1[0-2])$/;
function referenceFyOfMonth(month: string): string {
  const m = MONTH_RE.exec(month);
  if (!m) throw new RangeError(month);
  const year = Number(m[1]);
  return fyStartingIn(Number(m[2]) >= 4 ? year : year - 1);
}

export function benchMonths(calls = 600_000, rounds = 5) {
  const months: string[] = [];
  for (let i = 0; i < 60; i++) months.push(`${2023 + Math.floor((i + 3) / 12)}-${String(((i + 3) % 12) + 1).padStart(2, '0')}`);
  // Month keys as stored: new strings each time (as read from the table), not the same interned ones.
  const keys = Array.from({ length: calls }, (_, i) => `${months[i % months.length]!.slice(0, 4)}-${months[i % months.length]!.slice(5)}`);
  const time = (f: (m: string) => string) => {
    const start = performance.now();
    let n = 0;
    for (const k of keys) n += f(k).length;
    if (n === 0) throw new Error('nothing computed');
    return performance.now() - start;
  };
  time(fyOfMonth);
  time(referenceFyOfMonth);
  const ratios: number[] = [];
  const memo: number[] = [];
  const ref: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const a = time(referenceFyOfMonth);
    const b = time(fyOfMonth);
    ref.push(a);
    memo.push(b);
    ratios.push(a / b);
  }
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  return {
    calls,
    referenceMs: { min: Math.min(...ref), median: median(ref) },
    parsedOnceMs: { min: Math.min(...memo), median: median(memo) },
    referenceOverParsedOnce: { min: Math.min(...ratios), median: median(ratios) },
  };
}

if (process.argv[1]?.endsWith('months.ts')) console.log(JSON.stringify(benchMonths(), null, 2));
