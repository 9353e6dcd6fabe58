import { lazySchema } from './lazy-schema.ts';
import * as z from 'zod';
import { EntityMeta, EntryQuery, Text, Timestamp, UserId } from './common.ts';
import { idSchema } from './id.ts';
import { Month } from './fy.ts';
import { Pence } from './money.ts';
import { MonthlyPence, SeriesInput, StoredMonthlyPence } from './series.ts';
import { ProjectId } from './project.ts';

export const BenefitId = lazySchema(() => idSchema('benefit'));
export const ActualId = lazySchema(() => idSchema('actual'));

export const BenefitType = lazySchema(() => z.enum(['cashable-saving', 'income', 'cost-avoidance', 'non-cashable', 'non-financial']));
export type BenefitType = z.infer<typeof BenefitType>;
/** The peer challenge's distinction: transformation savings vs unrelated mitigation measures. */
export const BenefitCategory = lazySchema(() => z.enum(['transformation', 'mitigation']));
export type BenefitCategory = z.infer<typeof BenefitCategory>;
export const Recurrence = lazySchema(() => z.enum(['recurring', 'one-off']));
export type Recurrence = z.infer<typeof Recurrence>;
export const BenefitStatus = lazySchema(() => z.enum(['active', 'achieved', 'unachievable', 'withdrawn']));
export type BenefitStatus = z.infer<typeof BenefitStatus>;

export function isWrittenOut(status: BenefitStatus): boolean {
  return status === 'unachievable' || status === 'withdrawn';
}

/** A KPI's value: a percentage, a count of placements, hours… bounded so nothing derived from it can overflow. */
const MeasureValue = lazySchema(() =>
  z
    .number()
    .finite()
    .min(-1e12)
    .max(1e12)
    .refine((v) => v === 0 || Math.abs(v) >= 1e-6, 'must be 0 or at least 0.000001 in size (DynamoDB stores nothing smaller than 1e-130)'),
);

/** A KPI behind a benefit, e.g. council tax collection rate, 1 percentage point = £2.2m. */
export const Measure = lazySchema(() =>
  z
    .strictObject({
      name: Text(),
      unit: Text(40).meta({ example: 'percentage points' }),
      baselineValue: MeasureValue,
      targetValue: MeasureValue,
      pencePerUnit: Pence.meta({ description: 'Value of one unit of the measure, in pence a year.', example: 220_000_000 }),
    })
    .meta({ id: 'Measure' }),
);

const benefitFields = lazySchema(() => ({
  title: Text(),
  type: BenefitType,
  category: BenefitCategory,
  recurrence: Recurrence,
  mtfsRef: Text(60).meta({ description: 'The MTFS budget line the saving is counted against.', example: 'ASC-2025-07' }),
  owner: Text().meta({ description: 'Benefit owner.' }),
  confidencePct: z.int().min(0).max(100),
  status: BenefitStatus,
  measure: Measure.optional(),
  replacesBenefitId: BenefitId.optional().meta({ description: 'The written-out saving this one replaces.' }),
}));

/** A benefit as stored and returned, with its current baseline and forecast and the realised totals of its ledger. */
export const Benefit = lazySchema(() =>
  z
    .object({
      id: BenefitId,
      projectId: ProjectId,
      ...benefitFields,
      replacedByBenefitIds: z.array(BenefitId).meta({ description: 'Benefits that replace this one (when written out).' }),
      writtenOutAt: Timestamp.optional(),
      baseline: MonthlyPence,
      baselineVersion: z.int().nonnegative().meta({ description: '0 until a baseline is set; each re-baseline adds one.' }),
      forecast: MonthlyPence,
      forecastUpdatedAt: Timestamp.optional(),
      forecastUpdatedBy: UserId.optional(),
      realised: MonthlyPence.meta({ description: 'Sum of the actuals ledger by month (reversals included).' }),
      validated: MonthlyPence.meta({ description: 'Sum of finance-validated actuals by month.' }),
      ...EntityMeta,
    })
    .meta({ id: 'Benefit' }),
);
export type Benefit = z.infer<typeof Benefit>;

const makeStoredBenefit = () =>
  Benefit.extend({ baseline: StoredMonthlyPence, forecast: StoredMonthlyPence, realised: StoredMonthlyPence, validated: StoredMonthlyPence });
let storedBenefit: ReturnType<typeof makeStoredBenefit> | undefined;
/**
 * A benefit as read back from the table: `Benefit`, its months checked by
 * `StoredMonthlyPence` (one loop each, no copy). Built on the first read, not
 * at every function's cold start (about 1.5 ms of one).
 */
export const StoredBenefit = () => (storedBenefit ??= makeStoredBenefit());

export const CreateBenefit = lazySchema(() =>
  z
    .strictObject({
      ...benefitFields,
      status: BenefitStatus.default('active'),
      confidencePct: benefitFields.confidencePct.default(100),
    })
    .meta({ id: 'CreateBenefit' }),
);
export type CreateBenefit = z.infer<typeof CreateBenefit>;

export const PatchBenefit = lazySchema(() =>
  z
    .strictObject({
      title: benefitFields.title.optional(),
      type: BenefitType.optional(),
      category: BenefitCategory.optional(),
      recurrence: Recurrence.optional(),
      mtfsRef: benefitFields.mtfsRef.optional(),
      owner: benefitFields.owner.optional(),
      confidencePct: benefitFields.confidencePct.optional(),
      status: BenefitStatus.optional(),
      measure: Measure.nullable().optional().meta({ description: 'null removes the measure.' }),
      reason: Text(500).optional().meta({
        description:
          'Why: required for a change that needs approval once the project is approved (a write-out, a type or category change; for a project, cancelling or closing it), answered 202 with the change request.',
      }),
    })
    .meta({ id: 'PatchBenefit' }),
);
export type PatchBenefit = z.infer<typeof PatchBenefit>;

export const PutBaseline = lazySchema(() =>
  z
    .strictObject({
      ...SeriesInput,
      reason: Text(500)
        .optional()
        .meta({ description: 'Required once the project is approved: a re-baseline is then a change request (202), decided by finance.' }),
    })
    .meta({ id: 'PutBaseline' }),
);
export type PutBaseline = z.infer<typeof PutBaseline>;

export const PutForecast = lazySchema(() => z.strictObject({ ...SeriesInput, note: Text(500).optional() }).meta({ id: 'PutForecast' }));
export type PutForecast = z.infer<typeof PutForecast>;

/** One version of a benefit's baseline; every version stays readable. */
export const BaselineVersion = lazySchema(() =>
  z
    .object({
      benefitId: BenefitId,
      version: z.int().positive(),
      months: MonthlyPence,
      reason: z.string().optional(),
      rebaseline: z.boolean().meta({ description: 'Set after approval: a re-baseline, with its reason.' }),
      setAt: Timestamp,
      setBy: UserId,
    })
    .meta({ id: 'BaselineVersion' }),
);
export type BaselineVersion = z.infer<typeof BaselineVersion>;

/** An entry of the append-only actuals ledger. */
export const Actual = lazySchema(() =>
  z
    .object({
      id: ActualId,
      benefitId: BenefitId,
      month: Month,
      amountPence: Pence,
      note: z.string().meta({ description: 'Evidence: what was measured, where.' }),
      recordedBy: UserId,
      recordedAt: Timestamp,
      validatedBy: UserId.optional(),
      validatedAt: Timestamp.optional(),
      reverses: ActualId.optional().meta({ description: 'The entry this one reverses.' }),
      reversedBy: ActualId.optional(),
      query: EntryQuery.optional().meta({ description: "Finance's query, and its answer; a reversal also closes it." }),
    })
    .meta({ id: 'Actual' }),
);
export type Actual = z.infer<typeof Actual>;

export const RecordActual = lazySchema(() =>
  z
    .strictObject({
      month: Month,
      amountPence: Pence.refine((v) => v !== 0, 'must not be zero'),
      note: Text(1000).meta({ description: 'Evidence: what was measured, where (required).' }),
      reverses: ActualId.optional().meta({ description: 'Reverse an earlier entry: month and amount must be its month and minus its amount.' }),
    })
    .meta({ id: 'RecordActual' }),
);
export type RecordActual = z.infer<typeof RecordActual>;
