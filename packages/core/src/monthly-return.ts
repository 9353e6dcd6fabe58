import { lazySchema } from './lazy-schema.ts';
import * as z from 'zod';
import { BenefitId } from './benefit.ts';
import { FinancialYear, IsoDate, monthsOfFy, type Month } from './fy.ts';
import { MilestoneId } from './milestone.ts';
import { isPeriodClosed, type PeriodsState } from './periods.ts';
import { Commentary, DeliveryConfidence } from './project.ts';
import { RiskId, Score15 } from './risk.ts';
import type { Brag } from './rag.ts';
import { MonthlyPence, normaliseMonthly } from './series.ts';

/**
 * The monthly return: what a project's manager updates once a month in one
 * go — each saving's forecast for the open months of a financial year, the
 * delivery confidence, the open risks' scores, milestone completion and the
 * commentary. Written in one transaction with its audit entries.
 */
export const MonthlyReturn = lazySchema(() =>
  z
    .strictObject({
      financialYear: FinancialYear,
      forecasts: z
        .record(BenefitId, MonthlyPence)
        .meta({ description: "Each saving's forecast for the open months of the FY (pence by month); the other months keep theirs." }),
      deliveryConfidence: DeliveryConfidence,
      risks: z.record(RiskId, z.strictObject({ likelihood: Score15, impact: Score15 })).default({}),
      milestones: z
        .record(MilestoneId, z.strictObject({ completedDate: IsoDate.nullable() }))
        .default({})
        .meta({ description: 'null: not completed yet.' }),
      commentary: Commentary.optional(),
      seen: z.record(z.string(), z.string().max(64)).default({}).meta({
        description:
          'What the return was opened at, per item (the marks the form carried): an item whose part the return writes (a forecast, a score, a completion, the confidence or commentary) changed since is refused (409), never overwritten. Actuals recorded meanwhile do not count.',
      }),
    })
    .meta({ id: 'MonthlyReturn' }),
);
export type MonthlyReturn = z.infer<typeof MonthlyReturn>;

/** Delivery confidence at which the commentary is required: amber or worse needs an explanation and the mitigation. */
export const COMMENTARY_REQUIRED_FROM: ReadonlySet<DeliveryConfidence> = new Set(['amber', 'amber-red', 'red']);

/**
 * An amber or red line, beside which reports and the digest quote the
 * project's commentary: its savings' RAG is amber or red, or its delivery
 * confidence is amber or worse.
 */
export function isAmberOrRed(rag: Brag | null | undefined, confidence: DeliveryConfidence | null | undefined): boolean {
  return rag === 'amber' || rag === 'red' || (confidence !== null && confidence !== undefined && COMMENTARY_REQUIRED_FROM.has(confidence));
}

/** The months of an FY a forecast can still change: those not closed. */
export function openMonthsOfFy(periods: PeriodsState, fy: FinancialYear): Month[] {
  return monthsOfFy(fy).filter((m) => !isPeriodClosed(periods, m));
}

/** A forecast with the given months of an FY replaced (a month sent as 0 is kept as no forecast), the other months as they were. */
export function withMonthsReplaced(forecast: MonthlyPence, months: readonly Month[], given: MonthlyPence): MonthlyPence {
  const replaced = new Set(months);
  const kept = Object.entries(forecast).filter(([m]) => !replaced.has(m));
  return normaliseMonthly({ ...Object.fromEntries(kept), ...Object.fromEntries(months.map((m) => [m, given[m] ?? 0])) });
}
