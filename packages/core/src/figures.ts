import { lazySchema } from './lazy-schema.ts';
import type { BenefitState } from './history.ts';
import * as z from 'zod';
import { isWrittenOut, type Benefit, type BenefitCategory, type BenefitStatus, type BenefitType, type Recurrence } from './benefit.ts';
import { FIRST_MONTH, fyOfMonth, fyRange, monthOfDate, type FinancialYear, type IsoDate } from './fy.ts';
import type { Investment } from './investment.ts';
import { addPence, divRoundBig, divRoundHalfAwayFromZero, mulDivRound, type Pence } from './money.ts';
import { benefitYearV2, isYearClosed, mtfsRag, type BenefitFacts, type BenefitYearV2 } from './outturn.ts';
import { NO_PERIODS_CLOSED, type PeriodsState } from './periods.ts';
import type { Project, Stage } from './project.ts';
import { Brag, rag, Rag, type RagThresholds } from './rag.ts';

export { Brag, rag, Rag, type RagThresholds };

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
  /** Forecast by month, as the manager left it: the open months of the forecast outturn. */
  forecastMonths: Record<string, Pence>;
  /** The project's stage (pipeline savings are not agreed; a cancelled project forecasts nothing from its cancellation) and when it last changed. */
  stage: Stage;
  stageChangedAt?: string | undefined;
}

export interface InvestmentSummary {
  id: string;
  projectId: string;
  kind: 'capital' | 'revenue';
  fundingSource: string;
  planned: Record<FinancialYear, Pence>;
  actual: Record<string, Pence>;
}

/** A benefit's forecast by FY, and the part of it from the month of its write-out on. */
export function forecastByFy(
  months: Record<string, Pence>,
  writtenOutAt: string | undefined,
): { forecast: Record<FinancialYear, Pence>; forecastWrittenOff: Record<FinancialYear, Pence> } {
  return { forecast: byFy(months), forecastWrittenOff: writtenOutAt ? byFy(months, writtenOutAt.slice(0, 7)) : {} };
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

export function summariseBenefit(
  b: Omit<BenefitState, 'version'> & Pick<Benefit, 'realised' | 'validated'>,
  project: Pick<Project, 'stage' | 'stageChangedAt'>,
): BenefitSummary {
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
    ...forecastByFy(b.forecast, b.writtenOutAt),
    realised: { ...b.realised },
    validated: { ...b.validated },
    forecastMonths: { ...b.forecast },
    stage: project.stage,
    ...(project.stageChangedAt ? { stageChangedAt: project.stageChangedAt } : {}),
  };
}

export function summariseInvestment(i: Pick<Investment, 'id' | 'projectId' | 'kind' | 'fundingSource' | 'planned' | 'actual'>): InvestmentSummary {
  return { id: i.id, projectId: i.projectId, kind: i.kind, fundingSource: i.fundingSource, planned: byFy(i.planned), actual: { ...i.actual } };
}

// --- one benefit, one year ---------------------------------------------------------

/** One benefit in one FY (SPEC 4.1–4.2): see `benefitYearV2` for the rules. */
export type BenefitYear = BenefitYearV2 & { riskAdjustedForecastPence: Pence };

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

export function riskAdjusted(forecast: Pence, confidencePct: number): Pence {
  return mulDivRound(forecast, confidencePct, 100);
}

/**
 * What the v2 rules need of a benefit summary, as at a date: a write-out or a
 * cancellation after the as-at date has not happened yet. A cancelled project
 * whose cancellation date is unknown forecasts nothing at all.
 */
export function benefitFacts(b: BenefitSummary, asAt: IsoDate): BenefitFacts {
  const writtenOut = isWrittenOutAt(b, asAt);
  const cancelled = b.stage === 'cancelled' && (b.stageChangedAt === undefined || b.stageChangedAt.slice(0, 10) <= asAt);
  return {
    type: b.type,
    status: isWrittenOut(b.status) && !writtenOut ? 'active' : b.status,
    confidencePct: b.confidencePct,
    ...(writtenOut ? { writtenOutAt: b.writtenOutAt } : {}),
    baseline: b.baseline,
    forecast: b.forecastMonths,
    realised: b.realised,
    validated: b.validated,
    project: { stage: b.stage === 'cancelled' && !cancelled ? 'delivery' : b.stage, ...(cancelled ? { cancelledAt: b.stageChangedAt ?? FIRST_MONTH } : {}) },
  };
}

/** A benefit in an FY as at a date: agreed or pipeline baseline, live forecast, outturn, realised and validated to date, BRAG. */
export function benefitYear(
  b: BenefitSummary,
  fy: FinancialYear,
  asAt: IsoDate,
  t: Thresholds = DEFAULT_THRESHOLDS,
  periods: PeriodsState = NO_PERIODS_CLOSED,
): BenefitYear {
  const y = benefitYearV2(benefitFacts(b, asAt), fy, periods, t);
  return {
    ...y,
    realisedPence: toDate(b.realised, fy, asAt),
    validatedPence: toDate(b.validated, fy, asAt),
    riskAdjustedForecastPence: riskAdjusted(y.forecastPence, b.confidencePct),
  };
}

/** A benefit's figures for an FY as at a date, with its value that year (payback and net contribution). */
export type BenefitYearValue = BenefitYear & { valuePence: Pence };

/**
 * Each benefit's figures for one FY as at one date, worked out once however
 * many roll-ups count it: the report rolls every saving up by programme,
 * workstream, category and type, and sorts it into a status bucket.
 */
export function benefitYears(
  fy: FinancialYear,
  asAt: IsoDate,
  t: Thresholds = DEFAULT_THRESHOLDS,
  periods: PeriodsState = NO_PERIODS_CLOSED,
): (b: BenefitSummary) => BenefitYearValue {
  const memo = new WeakMap<BenefitSummary, BenefitYearValue>();
  return (b) => {
    let y = memo.get(b);
    if (!y) {
      y = { ...benefitYear(b, fy, asAt, t, periods), valuePence: benefitValue(b, fy, asAt) };
      memo.set(b, y);
    }
    return y;
  };
}

// --- roll-ups ------------------------------------------------------------------

export const Figures = lazySchema(() =>
  z
    .object({
      mtfsTargetPence: z.int().nullable().meta({ description: 'MTFS target (workstream and programme roll-ups; null elsewhere).' }),
      baselinePence: z.int().meta({ description: 'Agreed baseline: the baselines of projects from approval on.' }),
      pipelinePence: z.int().meta({ description: 'Baselines of projects not yet approved (pipeline, business case): not agreed, shown beside unidentified.' }),
      forecastPence: z
        .int()
        .meta({ description: "The managers' forecast for the FY, in the months each saving is live (nothing from a write-out or a cancellation)." }),
      outturnPence: z
        .int()
        .meta({ description: 'Forecast outturn: realised in the closed months + forecast in the open months. In a closed year, the realised.' }),
      realisedPence: z.int().meta({ description: 'Realised in the FY up to the as-at month.' }),
      validatedPence: z.int(),
      riskAdjustedForecastPence: z.int().meta({ description: 'Σ forecast × confidence, each benefit rounded to the penny half away from zero.' }),
      riskAdjustedOutturnPence: z
        .int()
        .meta({ description: 'Σ (realised in closed months + open months’ forecast × confidence), each benefit-year rounded once.' }),
      variancePence: z.int().meta({ description: 'outturn − agreed baseline' }),
      gapPence: z.int().nullable().meta({ description: 'MTFS gap: target − outturn (in a closed year, target − realised).' }),
      unidentifiedPence: z.int().nullable().meta({ description: 'Unidentified savings: target − agreed baseline (pipeline beside it).' }),
      riskAdjustedGapPence: z.int().nullable().meta({ description: 'target − risk-adjusted outturn.' }),
      deliveryRate: z.number().nullable().meta({ description: 'realised ÷ agreed baseline as a fraction (0.876), 4 decimal places; null without a baseline.' }),
      oneOffFalloutPence: z.int().meta({ description: 'Outturn of one-off benefits this FY: a pressure next FY.' }),
      investmentPlannedPence: z.int(),
      investmentActualPence: z.int().meta({ description: 'Actual spend in the FY up to the as-at month.' }),
      netContributionPence: z.int().meta({
        description:
          "Benefit value (recurring increments to date + one-offs this FY) − planned investment this FY, of the benefits these figures count (cashable savings and income in MTFS figures; the type's own in byType).",
      }),
      rag: Brag.nullable().meta({ description: 'Delivery: outturn ÷ agreed baseline (blue when a closed year delivered it).' }),
      mtfsRag: Rag.nullable().meta({
        description: 'Outturn against the MTFS target, with the same thresholds (workstream and programme; null without a target).',
      }),
      benefitCount: z.int(),
    })
    .meta({ id: 'Figures' }),
);
export type Figures = z.infer<typeof Figures>;

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

/**
 * Roll a set of benefits and investment lines up to the figures of one FY.
 * With `scope` 'mtfs' (workstream, programme, category) only cashable
 * savings and income count, and a project not yet approved adds only its
 * pipeline; with 'all' (one type of benefit, beside the MTFS figures) every
 * benefit given counts.
 */
export function rollUp(
  benefits: readonly BenefitSummary[],
  investments: readonly InvestmentSummary[],
  fy: FinancialYear,
  asAt: IsoDate,
  mtfsTargetPence: Pence | null,
  t: Thresholds = DEFAULT_THRESHOLDS,
  periods: PeriodsState = NO_PERIODS_CLOSED,
  scope: 'mtfs' | 'all' = 'mtfs',
  yearOf: (b: BenefitSummary) => BenefitYearValue = benefitYears(fy, asAt, t, periods),
): Figures {
  const tally = new FiguresTally(fy, asAt, t, periods, scope);
  for (const b of benefits) tally.benefit(b, yearOf(b));
  for (const i of investments) tally.investment(i);
  return tally.figures(mtfsTargetPence);
}

/**
 * A roll-up's running sums, benefit by benefit and line by line, so figures
 * can be made from a programme read a page at a time (each page let go once
 * counted): what `rollUp` works out from a whole set.
 */
export class FiguresTally {
  private baselinePence = 0;
  private pipelinePence = 0;
  private forecastPence = 0;
  private outturnPence = 0;
  private realisedPence = 0;
  private validatedPence = 0;
  private riskAdjustedForecastPence = 0;
  private riskAdjustedOutturnPence = 0;
  private oneOffFalloutPence = 0;
  private valuePence = 0;
  private benefitCount = 0;
  private investmentPlannedPence = 0;
  private investmentActualPence = 0;

  constructor(
    private readonly fy: FinancialYear,
    private readonly asAt: IsoDate,
    private readonly t: Thresholds = DEFAULT_THRESHOLDS,
    private readonly periods: PeriodsState = NO_PERIODS_CLOSED,
    private readonly scope: 'mtfs' | 'all' = 'mtfs',
  ) {}

  /** Counts a benefit, given its figures for the FY (`benefitYears`). */
  benefit(b: Pick<BenefitSummary, 'recurrence'>, y: BenefitYearValue): void {
    if (this.scope === 'mtfs' && !y.countsTowardsMtfs) return;
    this.benefitCount += 1;
    this.pipelinePence = addPence(this.pipelinePence, y.pipelinePence);
    if (y.pipeline) return;
    this.baselinePence = addPence(this.baselinePence, y.baselinePence);
    this.forecastPence = addPence(this.forecastPence, y.forecastPence);
    this.outturnPence = addPence(this.outturnPence, y.outturnPence);
    this.realisedPence = addPence(this.realisedPence, y.realisedPence);
    this.validatedPence = addPence(this.validatedPence, y.validatedPence);
    this.riskAdjustedForecastPence = addPence(this.riskAdjustedForecastPence, y.riskAdjustedForecastPence);
    this.riskAdjustedOutturnPence = addPence(this.riskAdjustedOutturnPence, y.riskAdjustedOutturnPence);
    if (b.recurrence === 'one-off') this.oneOffFalloutPence = addPence(this.oneOffFalloutPence, y.outturnPence);
    this.valuePence = addPence(this.valuePence, y.valuePence);
  }

  /** Counts an investment line: its plan for the FY and its spend up to the as-at month. */
  investment(i: InvestmentSummary): void {
    this.investmentPlannedPence = addPence(this.investmentPlannedPence, i.planned[this.fy] ?? 0);
    this.investmentActualPence = addPence(this.investmentActualPence, toDate(i.actual, this.fy, this.asAt));
  }

  /** The figures of what was counted, against an MTFS target (null below a workstream). */
  figures(mtfsTargetPence: Pence | null): Figures {
    const { baselinePence, outturnPence, realisedPence, riskAdjustedOutturnPence, investmentPlannedPence, t } = this;
    const target = mtfsTargetPence;
    const delivered = baselinePence !== 0 && isYearClosed(this.periods, this.fy) && realisedPence >= baselinePence;
    return {
      mtfsTargetPence: target,
      baselinePence,
      pipelinePence: this.pipelinePence,
      forecastPence: this.forecastPence,
      outturnPence,
      realisedPence,
      validatedPence: this.validatedPence,
      riskAdjustedForecastPence: this.riskAdjustedForecastPence,
      riskAdjustedOutturnPence,
      variancePence: outturnPence - baselinePence,
      gapPence: target === null ? null : target - outturnPence,
      unidentifiedPence: target === null ? null : target - baselinePence,
      riskAdjustedGapPence: target === null ? null : target - riskAdjustedOutturnPence,
      deliveryRate: ratio(realisedPence, baselinePence),
      oneOffFalloutPence: this.oneOffFalloutPence,
      investmentPlannedPence,
      investmentActualPence: this.investmentActualPence,
      netContributionPence: this.valuePence - investmentPlannedPence,
      rag: delivered ? 'blue' : rag(baselinePence, outturnPence, t),
      mtfsRag: mtfsRag(outturnPence, target, t),
      benefitCount: this.benefitCount,
    };
  }
}

// --- status buckets --------------------------------------------------------------

const Bucket = lazySchema(() => z.object({ count: z.int(), baselinePence: z.int(), forecastPence: z.int() }));
export const StatusBuckets = lazySchema(() =>
  z
    .object({
      delivered: Bucket,
      green: Bucket.meta({ description: 'On track.' }),
      amber: Bucket.meta({ description: 'At risk.' }),
      red: Bucket.meta({ description: 'Unachievable as things stand, needing replacement.' }),
      writtenOut: Bucket.extend({
        replacementCount: z.int(),
        replacementBaselinePence: z.int().meta({ description: 'Baseline this FY of the savings found to replace them.' }),
        replacementForecastPence: z.int(),
        unreplacedPence: z.int().meta({ description: "Written-out baseline not covered by replacements' forecast." }),
      }),
    })
    .meta({ id: 'StatusBuckets' }),
);
export type StatusBuckets = z.infer<typeof StatusBuckets>;

/**
 * Status buckets as councils report them (BRAG), by agreed baseline for the
 * FY, MTFS-countable savings only: delivered (blue), green, amber, red (by
 * outturn against baseline), written out (unachievable, withdrawn, or their
 * project cancelled) — with the replacements found for written-out savings
 * beside them.
 */
export function statusBuckets(
  benefits: readonly BenefitSummary[],
  fy: FinancialYear,
  asAt: IsoDate,
  t: Thresholds = DEFAULT_THRESHOLDS,
  replacementPool: readonly BenefitSummary[] = benefits,
  periods: PeriodsState = NO_PERIODS_CLOSED,
  yearOf: (b: BenefitSummary) => BenefitYearValue = benefitYears(fy, asAt, t, periods),
): StatusBuckets {
  const tally = new BucketsTally();
  for (const r of replacementPool) if (r.replacesBenefitId) tally.replacement(r, yearOf(r));
  for (const b of benefits) tally.benefit(b, yearOf(b));
  return tally.buckets();
}

/**
 * Status buckets' running counts, benefit by benefit (`statusBuckets` over a
 * whole set; the report's, a page of the programme at a time). A written-out
 * saving's replacements may be counted before or after it, in any page:
 * only their two figures are kept, and matched when the buckets are made.
 */
export class BucketsTally {
  private readonly out: StatusBuckets = {
    delivered: emptyBucket(),
    green: emptyBucket(),
    amber: emptyBucket(),
    red: emptyBucket(),
    writtenOut: { ...emptyBucket(), replacementCount: 0, replacementBaselinePence: 0, replacementForecastPence: 0, unreplacedPence: 0 },
  };
  /** The written-out savings' ids and baselines for the FY. */
  private readonly writtenOut: { id: string; baselinePence: Pence }[] = [];
  /** Replacements' baseline and outturn for the FY, by the id of the saving they replace. */
  private readonly replacements = new Map<string, { baselinePence: Pence; outturnPence: Pence }[]>();

  /** Counts a saving into its bucket (MTFS-countable, agreed, with something this FY or written out). */
  benefit(b: Pick<BenefitSummary, 'id'>, y: BenefitYearValue): void {
    if (!y.countsTowardsMtfs || y.pipeline) return;
    if (y.baselinePence === 0 && y.outturnPence === 0 && !y.writtenOut) return;
    const bucket = y.writtenOut ? this.out.writtenOut : y.rag === 'blue' ? this.out.delivered : this.out[y.rag ?? 'green'];
    bucket.count += 1;
    bucket.baselinePence = addPence(bucket.baselinePence, y.baselinePence);
    bucket.forecastPence = addPence(bucket.forecastPence, y.outturnPence);
    if (y.writtenOut) this.writtenOut.push({ id: b.id, baselinePence: y.baselinePence });
  }

  /** Notes a saving that may replace a written-out one (whatever its own bucket). */
  replacement(r: Pick<BenefitSummary, 'replacesBenefitId'>, y: BenefitYearValue): void {
    if (!r.replacesBenefitId) return;
    const found = this.replacements.get(r.replacesBenefitId);
    const figures = { baselinePence: y.baselinePence, outturnPence: y.outturnPence };
    if (found) found.push(figures);
    else this.replacements.set(r.replacesBenefitId, [figures]);
  }

  /** The buckets, each written-out saving matched with its replacements. */
  buckets(): StatusBuckets {
    const out = structuredClone(this.out);
    for (const w of this.writtenOut) {
      let covered = 0;
      for (const r of this.replacements.get(w.id) ?? []) {
        out.writtenOut.replacementCount += 1;
        out.writtenOut.replacementBaselinePence = addPence(out.writtenOut.replacementBaselinePence, r.baselinePence);
        out.writtenOut.replacementForecastPence = addPence(out.writtenOut.replacementForecastPence, r.outturnPence);
        covered = addPence(covered, r.outturnPence);
      }
      out.writtenOut.unreplacedPence = addPence(out.writtenOut.unreplacedPence, Math.max(0, w.baselinePence - covered));
    }
    return out;
  }
}

function emptyBucket() {
  return { count: 0, baselinePence: 0, forecastPence: 0 };
}

// --- payback, NPV, ROI -----------------------------------------------------------

export const ProjectFinancials = lazySchema(() =>
  z
    .object({
      paybackFinancialYear: z
        .string()
        .nullable()
        .meta({ description: 'First FY in which cumulative benefit value ≥ cumulative investment; null if not within 30 years.' }),
      npvPence: z.int().meta({
        description:
          "Net present value over the horizon at the discount rate (DISCOUNT_RATE_BP, default the Green Book's 3.5%) of every financial benefit of the project (cost avoidance and non-cashable included) less planned investment.",
      }),
      roi: z.number().nullable().meta({ description: '(benefit value − investment) ÷ investment over the horizon; null without investment.' }),
      horizon: z.array(z.string()).meta({ description: 'The FYs of the NPV and ROI horizon.' }),
    })
    .meta({ id: 'ProjectFinancials' }),
);
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
    npvPence: Number(divRoundBig(numerator, denominator)),
    roi: ratio(totalValue - totalInvest, totalInvest),
    horizon: years.slice(0, t.horizonYears),
  };
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
