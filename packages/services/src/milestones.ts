import { applyMergePatch, todayInLondon, UnprocessableError, type CreateMilestone, type Milestone, type PatchMilestone } from '@bt/core';
import { patchChild } from './child-patch.ts';
import type { TxOp } from '@bt/store';
import { mintId, writeContext, type Caller, type Deps, type ExpectedVersion } from './context.ts';
import { projectToChange, projectUnchangedOp } from './project-access.ts';

function benefitsMustExist(deps: Deps, projectId: string, benefitIds: string[]): TxOp[] {
  return benefitIds.map((id, i) =>
    deps.store.children.existsOp(
      'benefit',
      projectId,
      id,
      () =>
        new UnprocessableError('unknown-benefit', `Project ${projectId} has no benefit ${id}.`, [
          { path: `benefitIds.${i}`, message: 'is not a benefit of this project' },
        ]),
    ),
  );
}

/** A milestone cannot be completed on a date that has not come yet. */
function checkCompleted(deps: Deps, completedDate: string | undefined): void {
  const today = todayInLondon(deps.clock());
  if (completedDate && completedDate > today) {
    throw new UnprocessableError('completed-in-future', `A milestone cannot be completed on ${completedDate}; today is ${today}.`, [
      { path: 'completedDate', message: 'is in the future' },
    ]);
  }
}

/** Add a milestone and the benefits whose realisation depends on it (checked to be this project's, in the same transaction). */
export async function createMilestone(deps: Deps, caller: Caller, projectId: string, input: CreateMilestone): Promise<Milestone> {
  const project = await projectToChange(deps, caller, projectId);
  checkCompleted(deps, input.completedDate);
  return deps.store.children.create(writeContext(deps, caller), 'milestone', { id: mintId(deps, 'milestone'), projectId, ...input }, [
    projectUnchangedOp(deps, project),
    ...benefitsMustExist(deps, projectId, input.benefitIds),
  ]);
}

export async function updateMilestone(
  deps: Deps,
  caller: Caller,
  projectId: string,
  milestoneId: string,
  patch: PatchMilestone,
  expected: ExpectedVersion,
): Promise<Milestone> {
  checkCompleted(deps, patch.completedDate ?? undefined);
  return patchChild(deps, caller, 'milestone', { projectId, id: milestoneId }, expected, (before) => {
    const next = applyMergePatch(before, patch);
    const added = next.benefitIds.filter((id) => !before.benefitIds.includes(id));
    return { next, guards: benefitsMustExist(deps, projectId, added) };
  });
}
