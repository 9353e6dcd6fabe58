import { lazySchema } from './lazy-schema.ts';
import * as z from 'zod';
import { EntityMeta, Text } from './common.ts';
import { FinancialYear } from './fy.ts';
import { idSchema } from './id.ts';
import { Pence } from './money.ts';

export const WorkstreamId = lazySchema(() => idSchema('workstream'));

export const Code = lazySchema(() =>
  z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/, 'must be 1–32 letters, digits, "-" or "_", starting with a letter or digit')
    .meta({ description: 'Short unique code (unique regardless of case).', example: 'ASC' }),
);

/** Incremental savings the MTFS needs from a workstream, per FY, in pence. */
export const MtfsTargets = lazySchema(() =>
  z
    .record(FinancialYear, Pence.nonnegative())
    .meta({ description: 'Incremental savings the MTFS needs, per financial year, in pence.', example: { '2025/26': 1_200_000_000 } }),
);
export type MtfsTargets = z.infer<typeof MtfsTargets>;

export const Workstream = lazySchema(() =>
  z
    .object({
      id: WorkstreamId,
      code: Code,
      name: Text(),
      lead: Text(),
      mtfsTargets: MtfsTargets,
      ...EntityMeta,
    })
    .meta({ id: 'Workstream', description: 'An area of major change aligned to the MTFS.' }),
);
export type Workstream = z.infer<typeof Workstream>;

export const CreateWorkstream = lazySchema(() =>
  z
    .strictObject({
      code: Code,
      name: Text(),
      lead: Text().meta({ description: 'Accountable lead (name or user id).' }),
      mtfsTargets: MtfsTargets.optional(),
    })
    .meta({ id: 'CreateWorkstream' }),
);
export type CreateWorkstream = z.infer<typeof CreateWorkstream>;

/**
 * A merge patch: absent fields stay as they are. `mtfsTargets` merges per FY;
 * a year set to null removes that year's target.
 */
export const PatchWorkstream = lazySchema(() =>
  z
    .strictObject({
      code: Code.optional(),
      name: Text().optional(),
      lead: Text().optional(),
      mtfsTargets: z.record(FinancialYear, Pence.nonnegative().nullable()).optional(),
    })
    .meta({ id: 'PatchWorkstream' }),
);
export type PatchWorkstream = z.infer<typeof PatchWorkstream>;

/** Fields of a workstream patch that set MTFS targets (finance may), as opposed to the rest (admin only). */
export function patchTouchesOnlyTargets(patch: PatchWorkstream): boolean {
  return Object.keys(patch).every((k) => k === 'mtfsTargets');
}

export function applyWorkstreamPatch(ws: Workstream, patch: PatchWorkstream): Omit<Workstream, keyof typeof EntityMeta> {
  const mtfsTargets: MtfsTargets = { ...ws.mtfsTargets };
  for (const [fy, pence] of Object.entries(patch.mtfsTargets ?? {})) {
    if (pence === null) delete mtfsTargets[fy];
    else mtfsTargets[fy] = pence;
  }
  return {
    id: ws.id,
    code: patch.code ?? ws.code,
    name: patch.name ?? ws.name,
    lead: patch.lead ?? ws.lead,
    mtfsTargets: sortKeys(mtfsTargets),
  };
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}
