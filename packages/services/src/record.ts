import { assertCan, NotFoundError } from '@bt/core';
import type { ProjectRecord } from '@bt/store';
import type { Caller, Deps } from './context.ts';

/** The whole project: the project with its benefits, investment lines, risks and milestones, from one Query. */
export async function getProjectRecord(deps: Deps, caller: Caller, projectId: string): Promise<ProjectRecord> {
  assertCan(caller.principal, 'programme:read');
  const record = await deps.store.children.record(projectId);
  if (!record) throw new NotFoundError(`There is no project ${projectId}.`);
  return record;
}

export async function getBenefit(deps: Deps, caller: Caller, projectId: string, benefitId: string) {
  assertCan(caller.principal, 'programme:read');
  return deps.store.children.getOrThrow('benefit', projectId, benefitId);
}
