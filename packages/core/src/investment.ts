import { lazySchema } from './lazy-schema.ts';
import * as z from 'zod';
import { EntityMeta, EntryQuery, Text, Timestamp, UserId } from './common.ts';
import { Month } from './fy.ts';
import { idSchema } from './id.ts';
import { Pence } from './money.ts';
import { ProjectId } from './project.ts';
import { MonthlyPence, SeriesInput, StoredMonthlyPence } from './series.ts';

export const InvestmentId = lazySchema(() => idSchema('investment'));
export const SpendId = lazySchema(() => idSchema('spend'));

export const InvestmentKind = lazySchema(() => z.enum(['capital', 'revenue']));
export const FundingSource = lazySchema(() => z.enum(['flexible-capital-receipts', 'reserves', 'grant', 'revenue-budget', 'borrowing', 'other']));

/** A line of a project's upfront investment: what is planned by month, and what has been spent (ledger totals). */
export const Investment = lazySchema(() =>
  z
    .object({
      id: InvestmentId,
      projectId: ProjectId,
      title: Text(),
      kind: InvestmentKind,
      fundingSource: FundingSource,
      planned: MonthlyPence,
      actual: MonthlyPence.meta({ description: 'Sum of the spend ledger by month.' }),
      ...EntityMeta,
    })
    .meta({ id: 'Investment' }),
);
export type Investment = z.infer<typeof Investment>;

const makeStoredInvestment = () => Investment.extend({ planned: StoredMonthlyPence, actual: StoredMonthlyPence });
let storedInvestment: ReturnType<typeof makeStoredInvestment> | undefined;
/** An investment line as read back from the table: `Investment`, its months checked by `StoredMonthlyPence` (built on the first read). */
export const StoredInvestment = () => (storedInvestment ??= makeStoredInvestment());

export const CreateInvestment = lazySchema(() =>
  z
    .strictObject({ title: Text(), kind: InvestmentKind, fundingSource: FundingSource, ...SeriesInput })
    .meta({ id: 'CreateInvestment', description: 'Send the planned spend as `months` or `phased`.' }),
);
export type CreateInvestment = z.infer<typeof CreateInvestment>;

export const PatchInvestment = lazySchema(() =>
  z
    .strictObject({ title: Text().optional(), kind: InvestmentKind.optional(), fundingSource: FundingSource.optional(), ...SeriesInput })
    .meta({ id: 'PatchInvestment', description: '`months` or `phased` replace the whole planned profile.' }),
);
export type PatchInvestment = z.infer<typeof PatchInvestment>;

/** An entry of the append-only actual-spend ledger of an investment line. */
export const Spend = lazySchema(() =>
  z
    .object({
      id: SpendId,
      investmentId: InvestmentId,
      month: Month,
      amountPence: Pence,
      note: z.string(),
      recordedBy: UserId,
      recordedAt: Timestamp,
      reverses: SpendId.optional(),
      reversedBy: SpendId.optional(),
      validatedBy: UserId.optional(),
      validatedAt: Timestamp.optional(),
      query: EntryQuery.optional(),
    })
    .meta({ id: 'Spend' }),
);
export type Spend = z.infer<typeof Spend>;

export const RecordSpend = lazySchema(() =>
  z
    .strictObject({
      month: Month,
      amountPence: Pence.refine((v) => v !== 0, 'must not be zero'),
      note: Text(1000).meta({ description: 'Evidence: invoice, journal or ledger reference (required).' }),
      reverses: SpendId.optional(),
    })
    .meta({ id: 'RecordSpend' }),
);
export type RecordSpend = z.infer<typeof RecordSpend>;
