import {
  applyProjectPatch,
  assertCan,
  assertCanChangeProject,
  changedFields,
  ForbiddenError,
  gatedStage,
  isBaselineLocked,
  UnprocessableError,
  validateProject,
  type ChangeRequest,
  type CreateProject,
  type PatchProject,
  type Project,
  type ProjectFields,
} from '@bt/core';
import { staleVersion, type Page, type PageRequest, type ProjectFilter } from '@bt/store';
import { requestChange } from './changes.ts';
import { mintId, withFreshRead, writeContext, type Caller, type Deps, type ExpectedVersion } from './context.ts';

export function workstreamMustExist(deps: Deps, workstreamId: string) {
  return deps.store.workstreams.existsOp(
    workstreamId,
    () =>
      new UnprocessableError('unknown-workstream', `There is no workstream ${workstreamId}.`, [
        { path: 'workstreamId', message: 'does not refer to an existing workstream' },
      ]),
  );
}

/**
 * Create a project (admin or programme manager).
 * Input: the project's fields; `manager` defaults to the caller. A programme
 * manager can only create projects they manage themselves.
 * Steps: check role and manager; check dates; write the project, its code
 * guard, a check that the workstream exists and the audit entry in one transaction.
 */
export async function createProject(deps: Deps, caller: Caller, input: CreateProject): Promise<Project> {
  const { principal } = caller;
  assertCan(principal, 'project:create');
  const manager = input.manager ?? principal.sub;
  if (manager !== principal.sub && !principal.roles.includes('admin')) {
    throw new ForbiddenError('A programme manager can only create projects they manage; ask an admin to create one for someone else.');
  }
  const fields: ProjectFields = { id: mintId(deps, 'project'), ...input, manager };
  validateProject(fields);
  return deps.store.projects.create(writeContext(deps, caller), fields, [workstreamMustExist(deps, fields.workstreamId)]);
}

export async function listProjects(deps: Deps, caller: Caller, filter: ProjectFilter, page: PageRequest): Promise<Page<Project>> {
  assertCan(caller.principal, 'programme:read');
  return deps.store.projects.list(filter, page);
}

/**
 * Change a project (merge patch).
 * Steps: read; check the caller may change it (its manager or an admin) and,
 * for a new manager, that they are an admin; compare `If-Match`; check the
 * merged project (dates, no return to pre-approval stages); write with the
 * audit entry, guarded on the version read and, on a move, on the new workstream existing.
 */
export async function updateProject(
  deps: Deps,
  caller: Caller,
  id: string,
  input: PatchProject,
  expectedVersion: ExpectedVersion,
): Promise<Project | ChangeRequest> {
  assertCan(caller.principal, 'project:write');
  const { reason, ...patch } = input;
  return withFreshRead(expectedVersion, async () => {
    const before = await deps.store.projects.getOrThrow(id);
    assertCanChangeProject(caller.principal, before);
    // Once approved, cancelling or closing a project is requested, not made (SPEC 6).
    if (isBaselineLocked(before.stage) && patch.stage !== undefined && patch.stage !== before.stage && gatedStage(patch.stage)) {
      if (expectedVersion !== undefined && expectedVersion !== before.version) throw staleVersion('project', { id, version: expectedVersion });
      const others = Object.keys(patch).filter((k) => k !== 'stage' && (patch as Record<string, unknown>)[k] !== (before as Record<string, unknown>)[k]);
      if (others.length) {
        throw new UnprocessableError(
          'change-request-mixed',
          `Moving a project to ${patch.stage} needs finance's approval, so it is sent on its own; send the other changes (${others.join(', ')}) separately.`,
          others.map((f) => ({ path: f, message: 'send separately from a change that needs approval' })),
        );
      }
      return requestChange(deps, caller, before, { kind: 'stage-change', proposed: { stage: patch.stage }, reason });
    }
    if (patch.manager !== undefined && patch.manager !== before.manager) {
      assertCan(caller.principal, 'project:reassign-manager', 'Only an admin can hand a project to another manager.');
    }
    if (expectedVersion !== undefined && expectedVersion !== before.version) throw staleVersion('project', { id, version: expectedVersion });
    const ctx = writeContext(deps, caller);
    const next = applyProjectPatch(before, patch, ctx.now, ctx.actor.sub);
    validateProject(next, before);
    if (changedFields(before, { ...next, createdAt: before.createdAt, createdBy: before.createdBy }).length === 0) return before;
    const guards = next.workstreamId !== before.workstreamId ? [workstreamMustExist(deps, next.workstreamId)] : [];
    return deps.store.projects.update(ctx, before, next, guards);
  });
}
