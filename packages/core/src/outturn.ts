import type { BenefitStatus, BenefitType } from './benefit.ts';
import { isWrittenOut } from './benefit.ts';
import { fyOfMonth, monthsOfFy, type FinancialYear } from './fy.ts';
import { addPence, mulDivRound, type Pence } from './money.ts';
import { isPeriodClosed, type PeriodsState } from './periods.ts';
import type { Stage } from './project.ts';
import { rag, type Brag, type RagThresholds } from './rag.ts';

/**
 * The figures of SPEC 4.1–4.3 (rewritten 2026-11-30) for one benefit and one
 * financial year, as pure functions of its monthly series, its project's
 * stage and the periods closed. Not yet what the report, feeds, digest,
 * pages and alerts show (they still use `figures.ts`); these are the rules
 * they move to.
 *
 * - **Forecast outturn** = realised in the closed months of the year +
 *   forecast in its open months. In a closed year it is the realised.
 * - A benefit forecasts nothing in open months from its write-out
 *   (`unachievable`, `withdrawn`) or its project's cancellation.
 * - **Risk-adjusted outturn** = realised in closed months + the open months'
 *   forecast × confidence / 100, rounded to the penny (half away from zero)
 *   once per benefit and year.
 * - Only `cashable-saving` and `income` count towards MTFS figures.
 * - A benefit of a project in `pipeline` or `business-case` is **pipeline**:
 *   its baseline is not agreed.
 * - **Blue** = delivered: status `achieved`, or a closed year whose realised
 *   reaches the baseline (for a dis-benefit, a cost no worse than planned).
 */
export interface BenefitFacts {
  type: BenefitType;
  status: BenefitStatus;
  confidencePct: number;
  writtenOutAt?: string | undefined;
  /** By FY. */
  baseline: Record<string, Pence>;
  /** By month, as the manager left it. */
  forecast: Record<string, Pence>;
  realised: Record<string, Pence>;
  validated: Record<string, Pence>;
  project: { stage: Stage; cancelledAt?: string | undefined };
}

const MTFS_TYPES: ReadonlySet<BenefitType> = new Set(['cashable-saving', 'income']);

/** Only cashable savings and income close the MTFS gap; the other types are reported beside them. */
export function countsTowardsMtfs(type: BenefitType): boolean {
  return MTFS_TYPES.has(type);
}

/** Before approval a project's savings are pipeline, not agreed. */
export function isPipelineStage(stage: Stage): boolean {
  return stage === 'pipeline' || stage === 'business-case';
}

/** The month from which the benefit forecasts nothing (its write-out or its project's cancellation), if any. */
export function stopsForecastingFrom(b: Pick<BenefitFacts, 'status' | 'writtenOutAt' | 'project'>): string | undefined {
  const stops = [
    isWrittenOut(b.status) ? b.writtenOutAt?.slice(0, 7) : undefined,
    b.project.stage === 'cancelled' ? b.project.cancelledAt?.slice(0, 7) : undefined,
  ].filter((m): m is string => m !== undefined);
  return stops.length ? stops.sort()[0] : undefined;
}

/** A year is closed when its March is. */
export function isYearClosed(periods: PeriodsState, fy: FinancialYear): boolean {
  return isPeriodClosed(periods, monthsOfFy(fy)[11]!);
}

function sumFy(series: Record<string, Pence>, fy: FinancialYear): Pence {
  let total = 0;
  for (const [month, amount] of Object.entries(series)) if (fyOfMonth(month) === fy) total = addPence(total, amount);
  return total;
}

/** Month by month: what counts towards the outturn (realised if closed, live forecast if open) and the open part. */
export function outturnByMonth(b: BenefitFacts, fy: FinancialYear, periods: PeriodsState): { month: string; closed: boolean; amountPence: Pence }[] {
  const stop = stopsForecastingFrom(b);
  return monthsOfFy(fy).map((month) => {
    const closed = isPeriodClosed(periods, month);
    const amountPence = closed ? (b.realised[month] ?? 0) : stop !== undefined && month >= stop ? 0 : (b.forecast[month] ?? 0);
    return { month, closed, amountPence };
  });
}

/** The manager's forecast for the year in the months the benefit is live (nothing from its write-out or cancellation). */
export function liveForecastPence(b: BenefitFacts, fy: FinancialYear): Pence {
  const stop = stopsForecastingFrom(b);
  let total = 0;
  for (const [month, amount] of Object.entries(b.forecast))
    if (fyOfMonth(month) === fy && (stop === undefined || month < stop)) total = addPence(total, amount);
  return total;
}

export function outturnPence(b: BenefitFacts, fy: FinancialYear, periods: PeriodsState): Pence {
  return outturnByMonth(b, fy, periods).reduce((a, m) => addPence(a, m.amountPence), 0);
}

export function riskAdjustedOutturnPence(b: BenefitFacts, fy: FinancialYear, periods: PeriodsState): Pence {
  let closed = 0;
  let open = 0;
  for (const m of outturnByMonth(b, fy, periods)) {
    if (m.closed) closed = addPence(closed, m.amountPence);
    else open = addPence(open, m.amountPence);
  }
  return addPence(closed, mulDivRound(open, b.confidencePct, 100));
}

/**
 * The risk-adjusted outturn by month, adding up exactly to the year's figure:
 * closed months as realised, open months forecast × confidence with the
 * year's rounding allocated to the months with the largest remainders.
 */
export function riskAdjustedOutturnByMonth(b: BenefitFacts, fy: FinancialYear, periods: PeriodsState): { month: string; amountPence: Pence }[] {
  const months = outturnByMonth(b, fy, periods);
  const open = months.filter((m) => !m.closed);
  const openTotal = mulDivRound(
    open.reduce((a, m) => addPence(a, m.amountPence), 0),
    b.confidencePct,
    100,
  );
  const shares = allocateScaled(
    open.map((m) => m.amountPence),
    b.confidencePct,
    100,
    openTotal,
  );
  let i = 0;
  return months.map((m) => ({ month: m.month, amountPence: m.closed ? m.amountPence : shares[i++]! }));
}

/**
 * Each amount × num ÷ den, as integers that add up exactly to `total` (the
 * rounded scaled sum): each share is floored, and the pennies left are given
 * to the largest remainders (earliest first on a tie). Works for any signs.
 */
export function allocateScaled(amounts: readonly Pence[], num: number, den: number, total: Pence): Pence[] {
  const d = BigInt(den);
  const parts = amounts.map((a, index) => {
    const exact = BigInt(a) * BigInt(num);
    let floor = exact / d;
    if (exact % d !== 0n && exact < 0n) floor -= 1n;
    return { index, floor, remainder: exact - floor * d };
  });
  let left = BigInt(total) - parts.reduce((a, p) => a + p.floor, 0n);
  const order = [...parts].sort((x, y) => (y.remainder === x.remainder ? x.index - y.index : y.remainder > x.remainder ? 1 : -1));
  const out = parts.map((p) => p.floor);
  for (const p of order) {
    if (left <= 0n) break;
    out[p.index] = out[p.index]! + 1n;
    left -= 1n;
  }
  return out.map(Number);
}

/** Delivered: achieved, or a closed year whose realised reaches its baseline. */
export function blue(b: BenefitFacts, fy: FinancialYear, periods: PeriodsState): boolean {
  if (b.status === 'achieved') return true;
  const baseline = b.baseline[fy] ?? 0;
  return baseline !== 0 && isYearClosed(periods, fy) && sumFy(b.realised, fy) >= baseline;
}

export interface BenefitYearV2 {
  countsTowardsMtfs: boolean;
  pipeline: boolean;
  /** The agreed baseline: 0 for a pipeline benefit. */
  baselinePence: Pence;
  pipelinePence: Pence;
  /** The manager's forecast for the year, in the months the benefit is live. */
  forecastPence: Pence;
  outturnPence: Pence;
  riskAdjustedOutturnPence: Pence;
  realisedPence: Pence;
  validatedPence: Pence;
  /** outturn − agreed baseline. */
  variancePence: Pence;
  rag: Brag | null;
  /** Forecasts nothing any more (written out, or its project cancelled). */
  writtenOut: boolean;
}

export function benefitYearV2(b: BenefitFacts, fy: FinancialYear, periods: PeriodsState, t: RagThresholds): BenefitYearV2 {
  const pipeline = isPipelineStage(b.project.stage);
  const baseline = b.baseline[fy] ?? 0;
  const outturn = outturnPence(b, fy, periods);
  const agreed = pipeline ? 0 : baseline;
  return {
    countsTowardsMtfs: countsTowardsMtfs(b.type),
    pipeline,
    baselinePence: agreed,
    pipelinePence: pipeline ? baseline : 0,
    forecastPence: liveForecastPence(b, fy),
    outturnPence: outturn,
    riskAdjustedOutturnPence: riskAdjustedOutturnPence(b, fy, periods),
    realisedPence: sumFy(b.realised, fy),
    validatedPence: sumFy(b.validated, fy),
    variancePence: outturn - agreed,
    rag: blue(b, fy, periods) ? 'blue' : rag(agreed, outturn, t),
    writtenOut: stopsForecastingFrom(b) !== undefined,
  };
}

/** The MTFS RAG of a workstream or the programme: its outturn against its MTFS target, with the same thresholds. */
export function mtfsRag(outturn: Pence, targetPence: Pence | null, t: RagThresholds): Exclude<Brag, 'blue'> | null {
  return targetPence ? rag(targetPence, outturn, t) : null;
}

/** Pipeline savings of a set of benefit-years: the MTFS-countable baselines of projects not yet approved. */
export function pipelinePence(years: readonly BenefitYearV2[]): Pence {
  return years.reduce((a, y) => (y.countsTowardsMtfs ? addPence(a, y.pipelinePence) : a), 0);
}
