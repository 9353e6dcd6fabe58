import { lazySchema } from './lazy-schema.ts';
import * as z from 'zod';
import { EntityMeta, Text } from './common.ts';
import { BenefitId } from './benefit.ts';
import { IsoDate } from './fy.ts';
import { idSchema } from './id.ts';
import { ProjectId } from './project.ts';

export const MilestoneId = lazySchema(() => idSchema('milestone'));

const BenefitIds = lazySchema(() =>
  z
    .array(BenefitId)
    .max(50)
    .refine((ids) => new Set(ids).size === ids.length, 'must not repeat a benefit')
    .meta({ description: 'Benefits whose realisation depends on this milestone (the lead-in), of the same project.' }),
);

export const Milestone = lazySchema(() =>
  z
    .object({
      id: MilestoneId,
      projectId: ProjectId,
      title: Text(),
      dueDate: IsoDate,
      completedDate: IsoDate.optional(),
      benefitIds: z.array(BenefitId),
      ...EntityMeta,
    })
    .meta({ id: 'Milestone' }),
);
export type Milestone = z.infer<typeof Milestone>;

export const CreateMilestone = lazySchema(() =>
  z.strictObject({ title: Text(), dueDate: IsoDate, completedDate: IsoDate.optional(), benefitIds: BenefitIds.default([]) }).meta({ id: 'CreateMilestone' }),
);
export type CreateMilestone = z.infer<typeof CreateMilestone>;

export const PatchMilestone = lazySchema(() =>
  z
    .strictObject({
      title: Text().optional(),
      dueDate: IsoDate.optional(),
      completedDate: IsoDate.nullable().optional().meta({ description: 'null reopens the milestone.' }),
      benefitIds: BenefitIds.optional(),
    })
    .meta({ id: 'PatchMilestone' }),
);
export type PatchMilestone = z.infer<typeof PatchMilestone>;
