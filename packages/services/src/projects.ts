import {
  applyProjectPatch,
  assertCan,
  assertCanChangeProject,
  changedFields,
  ForbiddenError,
  UnprocessableError,
  validateProject,
  type CreateProject,
  type PatchProject,
  type Project,
  type ProjectFields,
} from '@bt/core';
import { staleVersion, type Page, type PageRequest, type ProjectFilter } from '@bt/store';
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
export async function updateProject(deps: Deps, caller: Caller, id: string, patch: PatchProject, expectedVersion: ExpectedVersion): Promise<Project> {
  assertCan(caller.principal, 'project:write');
  return withFreshRead(expectedVersion, async () => {
    const before = await deps.store.projects.getOrThrow(id);
    assertCanChangeProject(caller.principal, before);
    if (patch.manager !== undefined && patch.manager !== before.manager) {
      assertCan(caller.principal, 'project:reassign-manager', 'Only an admin can hand a project to another manager.');
    }
    if (expectedVersion !== undefined && expectedVersion !== before.version) throw staleVersion('project', { id, version: expectedVersion });
    const next = applyProjectPatch(before, patch, deps.clock().toISOString());
    validateProject(next, before);
    if (changedFields(before, { ...before, ...next }).length === 0) return before;
    const guards = next.workstreamId !== before.workstreamId ? [workstreamMustExist(deps, next.workstreamId)] : [];
    return deps.store.projects.update(writeContext(deps, caller), before, next, guards);
  });
}
