import { lazySchema } from './lazy-schema.ts';
import * as z from 'zod';
import { Text, Timestamp, UserId } from './common.ts';
import { FinancialYear } from './fy.ts';
import { Pence } from './money.ts';

/**
 * The programme's own settings (admin): its name, the council's, the net
 * revenue budget per FY (the worked example's £613.385m in 2024/25), and the
 * programme's total target over its years (£85.588m over 2023/24–2025/26).
 * Reports show the programme against its target and savings as a share of
 * the net budget.
 */
const ProgrammeTarget = lazySchema(() =>
  z
    .strictObject({
      fromFinancialYear: FinancialYear,
      toFinancialYear: FinancialYear,
      targetPence: Pence.nonnegative().meta({ description: 'The total savings the programme must deliver over these FYs.', example: 8_558_800_000 }),
    })
    .refine((t) => t.fromFinancialYear <= t.toFinancialYear, { message: 'toFinancialYear must not be before fromFinancialYear', path: ['toFinancialYear'] })
    .meta({ id: 'ProgrammeTarget' }),
);

const settingsFields = lazySchema(() => ({
  name: Text().meta({ example: 'Our Liverpool transformation programme' }),
  councilName: Text().meta({ example: 'Liverpool City Council' }),
  netBudgets: z
    .record(FinancialYear, Pence.nonnegative())
    .meta({ description: 'Net revenue budget per FY, in pence.', example: { '2024/25': 61_338_500_000 } }),
  programmeTarget: ProgrammeTarget.nullable().meta({ description: 'The programme total target over its years; null when not set.' }),
}));

export const ProgrammeSettings = lazySchema(() =>
  z
    .object({
      ...settingsFields,
      councilName: z.string(),
      version: z.int().nonnegative().meta({ description: '0 until an admin first sets them.' }),
      updatedAt: Timestamp.optional(),
      updatedBy: UserId.optional(),
    })
    .meta({ id: 'ProgrammeSettings' }),
);
export type ProgrammeSettings = z.infer<typeof ProgrammeSettings>;

export const PutProgrammeSettings = lazySchema(() => z.strictObject(settingsFields).meta({ id: 'PutProgrammeSettings' }));
export type PutProgrammeSettings = z.infer<typeof PutProgrammeSettings>;

/** What GET answers before an admin has set anything. */
export const UNSET_PROGRAMME: ProgrammeSettings = { name: 'Transformation programme', councilName: '', netBudgets: {}, programmeTarget: null, version: 0 };
