import { lazySchema } from './lazy-schema.ts';
import * as z from 'zod';
import { EntityMeta, Text, UserId } from './common.ts';
import { ConflictError, ValidationError } from './errors.ts';
import { IsoDate } from './fy.ts';
import { idSchema } from './id.ts';
import { Code, WorkstreamId } from './workstream.ts';

export const ProjectId = lazySchema(() => idSchema('project'));

export const Stage = lazySchema(() => z.enum(['pipeline', 'business-case', 'approved', 'delivery', 'closed', 'cancelled']));
export type Stage = z.infer<typeof Stage>;

/** IPA five-point delivery confidence assessment. */
export const DeliveryConfidence = lazySchema(() => z.enum(['green', 'amber-green', 'amber', 'amber-red', 'red']));
export type DeliveryConfidence = z.infer<typeof DeliveryConfidence>;

/** The manager's explanation and mitigation, which reports and the digest quote beside amber and red lines (set in the monthly return). */
export const Commentary = lazySchema(() =>
  Text(2000).meta({
    description:
      "The manager's commentary: why the figures are where they are and what is being done. Reports and the digest quote it beside amber and red lines.",
  }),
);

const projectFields = lazySchema(() => ({
  code: Code,
  name: Text(),
  workstreamId: WorkstreamId,
  directorate: Text(100),
  sro: Text().meta({ description: 'Senior Responsible Owner.' }),
  manager: UserId.meta({ description: 'User id of the programme manager who maintains the project.' }),
  stage: Stage,
  deliveryConfidence: DeliveryConfidence,
  startDate: IsoDate,
  endDate: IsoDate,
}));

export const Project = lazySchema(() =>
  z
    .object({
      id: ProjectId,
      ...projectFields,
      previousDeliveryConfidence: DeliveryConfidence.optional().meta({ description: 'The confidence before the last change of it.' }),
      deliveryConfidenceChangedAt: z.iso.datetime().optional(),
      stageChangedAt: z.iso
        .datetime()
        .optional()
        .meta({ description: 'When the project last changed stage (a cancelled project forecasts nothing from then).' }),
      commentary: Commentary.optional(),
      commentaryUpdatedAt: z.iso.datetime().optional(),
      commentaryUpdatedBy: UserId.optional(),
      lastReturnAt: z.iso.datetime().optional().meta({ description: 'When the monthly return was last submitted.' }),
      lastReturnBy: UserId.optional(),
      ...EntityMeta,
    })
    .meta({ id: 'Project' }),
);
export type Project = z.infer<typeof Project>;

export const CreateProject = lazySchema(() =>
  z
    .strictObject({
      ...projectFields,
      manager: projectFields.manager.optional().meta({ description: 'Defaults to the caller.' }),
      stage: Stage.default('pipeline'),
      deliveryConfidence: DeliveryConfidence.default('amber'),
    })
    .meta({ id: 'CreateProject' }),
);
export type CreateProject = z.infer<typeof CreateProject>;

export const PatchProject = lazySchema(() =>
  z
    .strictObject({
      code: projectFields.code.optional(),
      name: projectFields.name.optional(),
      workstreamId: projectFields.workstreamId.optional(),
      directorate: projectFields.directorate.optional(),
      sro: projectFields.sro.optional(),
      manager: projectFields.manager.optional(),
      stage: Stage.optional(),
      deliveryConfidence: DeliveryConfidence.optional(),
      startDate: IsoDate.optional(),
      endDate: IsoDate.optional(),
      commentary: Commentary.nullable().optional().meta({ description: 'null removes the commentary.' }),
      reason: Text(500).optional().meta({
        description:
          'Why: required for a change that needs approval once the project is approved (a write-out, a type or category change; for a project, cancelling or closing it), answered 202 with the change request.',
      }),
    })
    .meta({ id: 'PatchProject' }),
);
export type PatchProject = z.infer<typeof PatchProject>;

export type ProjectFields = Omit<Project, keyof typeof EntityMeta>;

/** Stages at or after approval: the baseline is locked from here on. */
const APPROVED_OR_LATER: ReadonlySet<Stage> = new Set(['approved', 'delivery', 'closed', 'cancelled']);

export function isBaselineLocked(stage: Stage): boolean {
  return APPROVED_OR_LATER.has(stage);
}

/**
 * Checks a project's fields together: the end is not before the start, and a
 * project that has reached approval cannot go back to an earlier stage (that
 * would unlock its baseline without a re-baseline).
 */
export function validateProject(next: ProjectFields, previous?: ProjectFields): void {
  if (next.endDate < next.startDate) {
    throw new ValidationError('The end date is before the start date.', [{ path: 'endDate', message: `must be on or after startDate (${next.startDate})` }]);
  }
  if (previous && isBaselineLocked(previous.stage) && !isBaselineLocked(next.stage)) {
    throw new ConflictError('invalid-stage-transition', `Project ${previous.code} is ${previous.stage}; it cannot go back to ${next.stage} once approved.`, [
      { path: 'stage', message: `cannot move from ${previous.stage} to ${next.stage}` },
    ]);
  }
}

export function applyProjectPatch(project: Project, patch: Omit<PatchProject, 'reason'>, now: string, by: string): ProjectFields {
  const { version: _v, createdAt: _ca, createdBy: _cb, updatedAt: _ua, updatedBy: _ub, ...fields } = project;
  const { commentary, ...rest } = patch;
  const next: ProjectFields = { ...fields, ...definedOnly(rest) };
  if (commentary !== undefined && (commentary ?? undefined) !== project.commentary) {
    if (commentary === null) delete next.commentary;
    else next.commentary = commentary;
    next.commentaryUpdatedAt = now;
    next.commentaryUpdatedBy = by;
  }
  // Remember the confidence it moved from: the confidence-deteriorated alert compares the two.
  if (next.deliveryConfidence !== project.deliveryConfidence) {
    next.previousDeliveryConfidence = project.deliveryConfidence;
    next.deliveryConfidenceChangedAt = now;
  }
  if (next.stage !== project.stage) next.stageChangedAt = now;
  return next;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
