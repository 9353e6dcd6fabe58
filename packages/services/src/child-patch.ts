import { changedFields, type Project } from '@bt/core';
import { staleVersion, type ChildKind, type ChildOf, type TxOp, type WriteContext } from '@bt/store';
import { withFreshRead, writeContext, type Caller, type Deps, type ExpectedVersion } from './context.ts';
import { projectToChange, projectUnchangedOp } from './project-access.ts';

/**
 * The one PATCH of a project's benefits, investment lines, risks and
 * milestones. Steps: the caller may change the project (its manager or an
 * admin); read the child; compare `If-Match`; let the entity's own rules
 * turn the patch into its next state and name any extra guards; write only
 * what changed, with its audit entry, guarded on the version read and on the
 * project being unchanged (a lost race without `If-Match` is retried on a
 * fresh read, see `withFreshRead`).
 */
export async function patchChild<K extends ChildKind>(
  deps: Deps,
  caller: Caller,
  kind: K,
  where: { projectId: string; id: string },
  expected: ExpectedVersion,
  change: (before: ChildOf<K>, ctx: WriteContext, project: Project) => { next: ChildOf<K>; guards?: TxOp[]; action?: string },
): Promise<ChildOf<K>> {
  return withFreshRead(expected, async () => {
    const project = await projectToChange(deps, caller, where.projectId);
    const before = await deps.store.children.getOrThrow(kind, where.projectId, where.id);
    if (expected !== undefined && expected !== before.version) throw staleVersion(kind, { id: before.id, version: expected });
    const ctx = writeContext(deps, caller);
    const { next, guards = [], action } = change(before, ctx, project);
    if (changedFields(before, next).length === 0) return before;
    return deps.store.children.update(ctx, kind, before, next, [projectUnchangedOp(deps, project), ...guards], action);
  });
}
