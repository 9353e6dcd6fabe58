import { lazySchema } from './lazy-schema.ts';
import * as z from 'zod';
import type { Pence } from './money.ts';

export const Rag = lazySchema(() => z.enum(['green', 'amber', 'red']));
export type Rag = z.infer<typeof Rag>;

/** BRAG as councils report it: blue = delivered, then green, amber, red. */
export const Brag = lazySchema(() => z.enum(['blue', 'green', 'amber', 'red']));
export type Brag = z.infer<typeof Brag>;

export interface RagThresholds {
  /** RAG green at or above this % of baseline (default 95). */
  ragGreenPct: number;
  /** RAG amber at or above this % of baseline (default 75); red below. */
  ragAmberPct: number;
}

/**
 * RAG of forecast against baseline: green when the shortfall is at most
 * (100 − green)% of the baseline, amber at most (100 − amber)%, red beyond.
 * For a positive baseline that is forecast ÷ baseline ≥ 95% / ≥ 75%; for a
 * dis-benefit (negative baseline) a cost overrunning by the same share. None without a baseline.
 */
export function rag(baseline: Pence, forecast: Pence, t: RagThresholds = { ragGreenPct: 95, ragAmberPct: 75 }): Rag | null {
  if (baseline === 0) return null;
  const shortfall = BigInt(baseline - forecast) * 100n;
  const scale = BigInt(Math.abs(baseline));
  if (shortfall <= scale * BigInt(100 - t.ragGreenPct)) return 'green';
  if (shortfall <= scale * BigInt(100 - t.ragAmberPct)) return 'amber';
  return 'red';
}
