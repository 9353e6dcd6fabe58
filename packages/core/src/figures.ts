import * as z from 'zod';
import { isWrittenOut, type Benefit, type BenefitCategory, type BenefitStatus, type BenefitType, type Recurrence } from './benefit.ts';
import { fyOfMonth, fyRange, monthOfDate, type FinancialYear, type IsoDate } from './fy.ts';
import type { Investment } from './investment.ts';
import { addPence, divRoundHalfAwayFromZero, mulDivRound, type Pence } from './money.ts';

/**
 * The figures of the spec (section 4), as pure functions of compact
 * summaries: a benefit's baseline and forecast totalled by financial year and
 * its realised and validated amounts by month. The same summaries are kept
 * up to date in the store as writes happen, so the programme report reads
 * one summary per project rather than every monthly cell of every benefit.
 */

export interface Thresholds {
  /** RAG green at or above this % of baseline (default 95). */
  ragGreenPct: number;
  /** RAG amber at or above this % of baseline (default 75); red below. */
  ragAmberPct: number;
  /** NPV and ROI horizon in FYs from the project's first FY (default 5). */
  horizonYears: number;
  /** Discount rate in basis points (Green Book 3.5% = 350). */
  discountRateBp: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = { ragGreenPct: 95, ragAmberPct: 75, horizonYears: 5, discountRateBp: 350 };

/** The thresholds from settings (RAG_GREEN_PCT, RAG_AMBER_PCT, NPV_HORIZON_YEARS, DISCOUNT_RATE_BP), defaults as above. */
export const ThresholdSettings = z
  .object({
    RAG_GREEN_PCT: z.coerce.number().int().min(1).max(100).default(DEFAULT_THRESHOLDS.ragGreenPct),
    RAG_AMBER_PCT: z.coerce.number().int().min(0).max(100).default(DEFAULT_THRESHOLDS.ragAmberPct),
    NPV_HORIZON_YEARS: z.coerce.number().int().min(1).max(30).default(DEFAULT_THRESHOLDS.horizonYears),
    DISCOUNT_RATE_BP: z.coerce.number().int().min(0).max(5000).default(DEFAULT_THRESHOLDS.discountRateBp),
  })
  .refine((t) => t.RAG_AMBER_PCT < t.RAG_GREEN_PCT, 'RAG_AMBER_PCT must be below RAG_GREEN_PCT')
  .transform((t): Thresholds => ({ ragGreenPct: t.RAG_GREEN_PCT, ragAmberPct: t.RAG_AMBER_PCT, horizonYears: t.NPV_HORIZON_YEARS, discountRateBp: t.DISCOUNT_RATE_BP }));

export const Rag = z.enum(['green', 'amber', 'red']);
export type Rag = z.infer<typeof Rag>;

// --- summaries ---------------------------------------------------------------

/** What the figures need of a benefit: a few numbers per FY, not its monthly profile. */
export interface BenefitSummary {
  id: string;
  projectId: string;
  title: string;
  type: BenefitType;
  category: BenefitCategory;
  recurrence: Recurrence;
  status: BenefitStatus;
  confidencePct: number;
  mtfsRef: string;
  writtenOutAt?: string | undefined;
  replacesBenefitId?: string | undefined;
  /** Baseline by FY. */
  baseline: Record<FinancialYear, Pence>;
  /** Forecast by FY, as the manager left it. */
  forecast: Record<FinancialYear, Pence>;
  /** The part of `forecast` in months from the write-out on: dropped once the write-out has taken effect. */
  forecastWrittenOff: Record<FinancialYear, Pence>;
  /** Realised and validated by month (ledger totals), so they can be cut at any date. */
  realised: Record<string, Pence>;
  validated: Record<string, Pence>;
}

export interface InvestmentSummary {
  id: string;
  projectId: string;
  kind: 'capital' | 'revenue';
  fundingSource: string;
  planned: Record<FinancialYear, Pence>;
  actual: Record<string, Pence>;
}

function byFy(months: Record<string, Pence>, from?: string): Record<FinancialYear, Pence> {
  const out: Record<FinancialYear, Pence> = {};
  for (const [month, amount] of Object.entries(months)) {
    if (from && month < from) continue;
    const fy = fyOfMonth(month);
    out[fy] = addPence(out[fy] ?? 0, amount);
  }
  return out;
}

export function summariseBenefit(b: Benefit): BenefitSummary {
  return {
    id: b.id,
    projectId: b.projectId,
    title: b.title,
    type: b.type,
    category: b.category,
    recurrence: b.recurrence,
    status: b.status,
    confidencePct: b.confidencePct,
    mtfsRef: b.mtfsRef,
    ...(b.writtenOutAt ? { writtenOutAt: b.writtenOutAt } : {}),
    ...(b.replacesBenefitId ? { replacesBenefitId: b.replacesBenefitId } : {}),
    baseline: byFy(b.baseline),
    forecast: byFy(b.forecast),
    forecastWrittenOff: b.writtenOutAt ? byFy(b.forecast, b.writtenOutAt.slice(0, 7)) : {},
    realised: { ...b.realised },
    validated: { ...b.validated },
  };
}

export function summariseInvestment(i: Investment): InvestmentSummary {
  return { id: i.id, projectId: i.projectId, kind: i.kind, fundingSource: i.fundingSource, planned: byFy(i.planned), actual: { ...i.actual } };
}

// --- one benefit, one year ---------------------------------------------------------

export interface BenefitYear {
  baselinePence: Pence;
  forecastPence: Pence;
  realisedPence: Pence;
  validatedPence: Pence;
  variancePence: Pence;
  riskAdjustedForecastPence: Pence;
  rag: Rag | null;
  /** Written out (unachievable or withdrawn) by the as-at date. */
  writtenOut: boolean;
}

/** Written out by the as-at date: from then on it forecasts nothing. */
export function isWrittenOutAt(b: Pick<BenefitSummary, 'status' | 'writtenOutAt'>, asAt: IsoDate): boolean {
  return isWrittenOut(b.status) && b.writtenOutAt !== undefined && b.writtenOutAt.slice(0, 10) <= asAt;
}

/** Sum of a by-month map over the months of `fy` up to the as-at date's month. */
function toDate(months: Record<string, Pence>, fy: FinancialYear, asAt: IsoDate): Pence {
  const last = monthOfDate(asAt);
  let total = 0;
  for (const [month, amount] of Object.entries(months)) if (month <= last && fyOfMonth(month) === fy) total = addPence(total, amount);
  return total;
}

/** The effective forecast of a benefit in an FY, as at a date. */
export function effectiveForecast(b: BenefitSummary, fy: FinancialYear, asAt: IsoDate): Pence {
  const forecast = b.forecast[fy] ?? 0;
  return isWrittenOutAt(b, asAt) ? forecast - (b.forecastWrittenOff[fy] ?? 0) : forecast;
}

/**
 * RAG of forecast against baseline: green when the shortfall is at most
 * (100 − green)% of the baseline, amber at most (100 − amber)%, red beyond.
 * For a positive baseline that is forecast ÷ baseline ≥ 95% / ≥ 75%; for a
 * dis-benefit (negative baseline) a cost overrunning by the same share. None without a baseline.
 */
export type RagThresholds = Pick<Thresholds, 'ragGreenPct' | 'ragAmberPct'>;

export function rag(baseline: Pence, forecast: Pence, t: RagThresholds = DEFAULT_THRESHOLDS): Rag | null {
  if (baseline === 0) return null;
  const shortfall = BigInt(baseline - forecast) * 100n;
  const scale = BigInt(Math.abs(baseline));
  if (shortfall <= scale * BigInt(100 - t.ragGreenPct)) return 'green';
  if (shortfall <= scale * BigInt(100 - t.ragAmberPct)) return 'amber';
  return 'red';
}

export function riskAdjusted(forecast: Pence, confidencePct: number): Pence {
  return mulDivRound(forecast, confidencePct, 100);
}

export function benefitYear(b: BenefitSummary, fy: FinancialYear, asAt: IsoDate, t: Thresholds = DEFAULT_THRESHOLDS): BenefitYear {
  const baselinePence = b.baseline[fy] ?? 0;
  const forecastPence = effectiveForecast(b, fy, asAt);
  return {
    baselinePence,
    forecastPence,
    realisedPence: toDate(b.realised, fy, asAt),
    validatedPence: toDate(b.validated, fy, asAt),
    variancePence: forecastPence - baselinePence,
    riskAdjustedForecastPence: riskAdjusted(forecastPence, b.confidencePct),
    rag: rag(baselinePence, forecastPence, t),
    writtenOut: isWrittenOutAt(b, asAt),
  };
}

// --- roll-ups ------------------------------------------------------------------

export const Figures = z
  .object({
    mtfsTargetPence: z.int().nullable().meta({ description: 'MTFS target (workstream and programme roll-ups; null elsewhere).' }),
    baselinePence: z.int(),
    forecastPence: z.int(),
    realisedPence: z.int().meta({ description: 'Realised in the FY up to the as-at month.' }),
    validatedPence: z.int(),
    riskAdjustedForecastPence: z.int().meta({ description: 'Σ forecast × confidence, each benefit rounded to the penny half away from zero.' }),
    variancePence: z.int().meta({ description: 'forecast − baseline' }),
    gapPence: z.int().nullable().meta({ description: 'MTFS gap: target − forecast.' }),
    unidentifiedPence: z.int().nullable().meta({ description: 'Unidentified savings: target − baseline.' }),
    riskAdjustedGapPence: z.int().nullable().meta({ description: 'target − risk-adjusted forecast.' }),
    deliveryRate: z.number().nullable().meta({ description: 'realised ÷ baseline as a fraction (0.876), 4 decimal places; null without a baseline.' }),
    oneOffFalloutPence: z.int().meta({ description: 'One-off benefits forecast this FY: a pressure next FY.' }),
    investmentPlannedPence: z.int(),
    investmentActualPence: z.int().meta({ description: 'Actual spend in the FY up to the as-at month.' }),
    netContributionPence: z.int().meta({ description: 'Benefit value (recurring increments to date + one-offs this FY) − planned investment this FY.' }),
    rag: Rag.nullable(),
    benefitCount: z.int(),
  })
  .meta({ id: 'Figures' });
export type Figures = z.infer<typeof Figures>;

/** A fraction as a percentage for people: 0.876 → "87.6%" (a ratio, not money). */
export function formatPercent(fraction: number, decimals = 1): string {
  const scale = 10 ** decimals;
  const value = Math.round(fraction * 100 * scale);
  const sign = value < 0 ? '-' : '';
  const abs = Math.abs(value);
  const whole = Math.trunc(abs / scale);
  return decimals === 0 ? `${sign}${whole}%` : `${sign}${whole}.${String(abs % scale).padStart(decimals, '0')}%`;
}

/** A fraction to 4 decimal places, computed exactly from integers (not money: a ratio). */
export function ratio(numerator: number, denominator: number): number | null {
  if (denominator === 0) return null;
  return divRoundHalfAwayFromZero(numerator * 10_000, denominator) / 10_000;
}

/** Value of a benefit in FY y for payback and net contribution: a recurring saving's increments up to y; a one-off's amount in y. */
export function benefitValue(b: BenefitSummary, fy: FinancialYear, asAt: IsoDate, series: 'forecast' | 'baseline' = 'forecast'): Pence {
  const amountIn = (y: FinancialYear) => (series === 'forecast' ? effectiveForecast(b, y, asAt) : (b.baseline[y] ?? 0));
  if (b.recurrence === 'one-off') return amountIn(fy);
  const years = Object.keys(series === 'forecast' ? b.forecast : b.baseline);
  let total = 0;
  for (const y of years) if (y <= fy) total = addPence(total, amountIn(y));
  return total;
}

/** Roll a set of benefits and investment lines up to the figures of one FY. */
export function rollUp(
  benefits: readonly BenefitSummary[],
  investments: readonly InvestmentSummary[],
  fy: FinancialYear,
  asAt: IsoDate,
  mtfsTargetPence: Pence | null,
  t: Thresholds = DEFAULT_THRESHOLDS,
): Figures {
  let baselinePence = 0;
  let forecastPence = 0;
  let realisedPence = 0;
  let validatedPence = 0;
  let riskAdjustedForecastPence = 0;
  let oneOffFalloutPence = 0;
  let value = 0;
  let benefitCount = 0;
  for (const b of benefits) {
    const y = benefitYear(b, fy, asAt, t);
    baselinePence = addPence(baselinePence, y.baselinePence);
    forecastPence = addPence(forecastPence, y.forecastPence);
    realisedPence = addPence(realisedPence, y.realisedPence);
    validatedPence = addPence(validatedPence, y.validatedPence);
    riskAdjustedForecastPence = addPence(riskAdjustedForecastPence, y.riskAdjustedForecastPence);
    if (b.recurrence === 'one-off') oneOffFalloutPence = addPence(oneOffFalloutPence, y.forecastPence);
    value = addPence(value, benefitValue(b, fy, asAt));
    benefitCount += 1;
  }
  let investmentPlannedPence = 0;
  let investmentActualPence = 0;
  for (const i of investments) {
    investmentPlannedPence = addPence(investmentPlannedPence, i.planned[fy] ?? 0);
    investmentActualPence = addPence(investmentActualPence, toDate(i.actual, fy, asAt));
  }
  const target = mtfsTargetPence;
  return {
    mtfsTargetPence: target,
    baselinePence,
    forecastPence,
    realisedPence,
    validatedPence,
    riskAdjustedForecastPence,
    variancePence: forecastPence - baselinePence,
    gapPence: target === null ? null : target - forecastPence,
    unidentifiedPence: target === null ? null : target - baselinePence,
    riskAdjustedGapPence: target === null ? null : target - riskAdjustedForecastPence,
    deliveryRate: ratio(realisedPence, baselinePence),
    oneOffFalloutPence,
    investmentPlannedPence,
    investmentActualPence,
    netContributionPence: value - investmentPlannedPence,
    rag: rag(baselinePence, forecastPence, t),
    benefitCount,
  };
}

// --- status buckets --------------------------------------------------------------

const Bucket = z.object({ count: z.int(), baselinePence: z.int(), forecastPence: z.int() });
export const StatusBuckets = z
  .object({
    delivered: Bucket,
    green: Bucket.meta({ description: 'On track.' }),
    amber: Bucket.meta({ description: 'At risk.' }),
    red: Bucket.meta({ description: 'Unachievable as things stand, needing replacement.' }),
    writtenOut: Bucket.extend({
      replacementCount: z.int(),
      replacementBaselinePence: z.int().meta({ description: 'Baseline this FY of the savings found to replace them.' }),
      replacementForecastPence: z.int(),
      unreplacedPence: z.int().meta({ description: 'Written-out baseline not covered by replacements\' forecast.' }),
    }),
  })
  .meta({ id: 'StatusBuckets' });
export type StatusBuckets = z.infer<typeof StatusBuckets>;

/**
 * Status buckets as councils report them, by baseline for the FY: delivered
 * (achieved), green, amber, red (by RAG), written out — with the
 * replacements found for written-out savings beside them.
 */
export function statusBuckets(benefits: readonly BenefitSummary[], fy: FinancialYear, asAt: IsoDate, t: Thresholds = DEFAULT_THRESHOLDS, replacementPool: readonly BenefitSummary[] = benefits): StatusBuckets {
  const empty = () => ({ count: 0, baselinePence: 0, forecastPence: 0 });
  const out: StatusBuckets = {
    delivered: empty(),
    green: empty(),
    amber: empty(),
    red: empty(),
    writtenOut: { ...empty(), replacementCount: 0, replacementBaselinePence: 0, replacementForecastPence: 0, unreplacedPence: 0 },
  };
  const replacements = new Map<string, BenefitSummary[]>();
  for (const r of replacementPool) {
    if (r.replacesBenefitId) replacements.set(r.replacesBenefitId, [...(replacements.get(r.replacesBenefitId) ?? []), r]);
  }
  for (const b of benefits) {
    const y = benefitYear(b, fy, asAt, t);
    if (y.baselinePence === 0 && y.forecastPence === 0 && !y.writtenOut) continue;
    const add = (bucket: { count: number; baselinePence: number; forecastPence: number }) => {
      bucket.count += 1;
      bucket.baselinePence = addPence(bucket.baselinePence, y.baselinePence);
      bucket.forecastPence = addPence(bucket.forecastPence, y.forecastPence);
    };
    if (y.writtenOut) {
      add(out.writtenOut);
      let covered = 0;
      for (const r of replacements.get(b.id) ?? []) {
        const ry = benefitYear(r, fy, asAt, t);
        out.writtenOut.replacementCount += 1;
        out.writtenOut.replacementBaselinePence = addPence(out.writtenOut.replacementBaselinePence, ry.baselinePence);
        out.writtenOut.replacementForecastPence = addPence(out.writtenOut.replacementForecastPence, ry.forecastPence);
        covered = addPence(covered, ry.forecastPence);
      }
      out.writtenOut.unreplacedPence = addPence(out.writtenOut.unreplacedPence, Math.max(0, y.baselinePence - covered));
    } else if (b.status === 'achieved') add(out.delivered);
    else add(out[y.rag ?? 'green']);
  }
  return out;
}

// --- payback, NPV, ROI -----------------------------------------------------------

export const ProjectFinancials = z
  .object({
    paybackFinancialYear: z.string().nullable().meta({ description: 'First FY in which cumulative benefit value ≥ cumulative investment; null if not within 30 years.' }),
    npvPence: z.int().meta({ description: 'Net present value over the horizon at the discount rate (Green Book 3.5%).' }),
    roi: z.number().nullable().meta({ description: '(benefit value − investment) ÷ investment over the horizon; null without investment.' }),
    horizon: z.array(z.string()).meta({ description: 'The FYs of the NPV and ROI horizon.' }),
  })
  .meta({ id: 'ProjectFinancials' });
export type ProjectFinancials = z.infer<typeof ProjectFinancials>;

const PAYBACK_SEARCH_YEARS = 30;

/**
 * Payback FY, NPV and ROI of a project from `firstFy` (the FY of its start
 * date: a stray entry never moves the horizon). Benefit value per
 * FY as `benefitValue` (a recurring saving keeps paying after its last
 * increment); investment is the planned spend. NPV discounts year t (0 = the
 * first FY) by (1 + r)^t, computed exactly with integers and rounded to the
 * penny half away from zero.
 */
export function projectFinancials(
  benefits: readonly BenefitSummary[],
  investments: readonly InvestmentSummary[],
  firstFy: FinancialYear,
  asAt: IsoDate,
  t: Thresholds = DEFAULT_THRESHOLDS,
  series: 'forecast' | 'baseline' = 'forecast',
): ProjectFinancials {
  const years = fyRange(firstFy, PAYBACK_SEARCH_YEARS);
  let cumValue = 0;
  let cumInvest = 0;
  let payback: string | null = null;
  const flows = years.map((fy) => {
    const flow = {
      value: benefits.reduce((a, b) => addPence(a, benefitValue(b, fy, asAt, series)), 0),
      invest: investments.reduce((a, i) => addPence(a, i.planned[fy] ?? 0), 0),
    };
    cumValue = addPence(cumValue, flow.value);
    cumInvest = addPence(cumInvest, flow.invest);
    // Nothing invested, nothing to pay back.
    if (payback === null && cumInvest > 0 && cumValue >= cumInvest) payback = fy;
    return flow;
  });
  const horizon = flows.slice(0, t.horizonYears);
  // NPV = Σ net_t / (1 + r)^t = Σ net_t × 10000^t × (10000 + bp)^(H−1−t) / (10000 + bp)^(H−1)
  const base = 10_000n;
  const grow = 10_000n + BigInt(t.discountRateBp);
  const h = horizon.length;
  let numerator = 0n;
  horizon.forEach((f, i) => {
    numerator += BigInt(f.value - f.invest) * base ** BigInt(i) * grow ** BigInt(h - 1 - i);
  });
  const denominator = grow ** BigInt(Math.max(h - 1, 0));
  const totalValue = horizon.reduce((a, f) => a + f.value, 0);
  const totalInvest = horizon.reduce((a, f) => a + f.invest, 0);
  return {
    paybackFinancialYear: payback,
    npvPence: Number(roundDiv(numerator, denominator)),
    roi: ratio(totalValue - totalInvest, totalInvest),
    horizon: years.slice(0, t.horizonYears),
  };
}

function roundDiv(n: bigint, d: bigint): bigint {
  const negative = n < 0n;
  const a = negative ? -n : n;
  let q = a / d;
  if ((a % d) * 2n >= d) q += 1n;
  return negative ? -q : q;
}

/** The FYs a set of summaries has any amount in, sorted. */
export function yearsCovered(benefits: readonly BenefitSummary[], investments: readonly InvestmentSummary[]): FinancialYear[] {
  const years = new Set<string>();
  for (const b of benefits) {
    for (const fy of [...Object.keys(b.baseline), ...Object.keys(b.forecast)]) years.add(fy);
    for (const m of [...Object.keys(b.realised), ...Object.keys(b.validated)]) years.add(fyOfMonth(m));
  }
  for (const i of investments) {
    for (const fy of Object.keys(i.planned)) years.add(fy);
    for (const m of Object.keys(i.actual)) years.add(fyOfMonth(m));
  }
  return [...years].sort();
}
