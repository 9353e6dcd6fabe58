import { assertCan, assertCanChangeProject, can, ForbiddenError, type Principal, type Project } from '@bt/core';
import type { TxOp } from '@bt/store';
import type { Caller, Deps } from './context.ts';

/** The project, if the caller may change it (its manager or an admin). */
export async function projectToChange(deps: Deps, caller: Caller, projectId: string): Promise<Project> {
  assertCan(caller.principal, 'project:write');
  const project = await deps.store.projects.getOrThrow(projectId);
  assertCanChangeProject(caller.principal, project);
  return project;
}

/**
 * The project, if the caller holds `permission` (finance, admin) or manages it.
 * Used where finance acts on any project and a manager on their own.
 */
export async function projectForLedger(deps: Deps, caller: Caller, projectId: string, permission: 'actuals:record'): Promise<Project> {
  const project = await deps.store.projects.getOrThrow(projectId);
  if (!canRecord(caller.principal, project, permission)) {
    throw new ForbiddenError(`Only finance, an admin or the manager of project ${project.code} may do this.`);
  }
  return project;
}

function canRecord(principal: Principal, project: Project, permission: 'actuals:record'): boolean {
  return can(principal, permission) || (principal.roles.includes('programme-manager') && project.manager === principal.sub);
}

/**
 * A guard in the write's transaction that the project is still as it was
 * read: same stage (the baseline lock depends on it) and same manager (the
 * permission depends on it).
 */
export function projectUnchangedOp(deps: Deps, project: Project): TxOp {
  return deps.store.projects.unchangedOp(project);
}
