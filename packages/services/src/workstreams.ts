import {
  applyWorkstreamPatch,
  assertCan,
  changedFields,
  patchTouchesOnlyTargets,
  type CreateWorkstream,
  type PatchWorkstream,
  type Workstream,
} from '@bt/core';
import type { Page, PageRequest } from '@bt/store';
import { staleVersion } from '@bt/store';
import { mintId, withFreshRead, writeContext, type Caller, type Deps, type ExpectedVersion } from './context.ts';

/**
 * Create a workstream (admin).
 * Input: code, name, lead, optional MTFS targets. Output: the workstream at version 1.
 * Steps: check the role; write the workstream, its code guard and the audit entry in one transaction (409 on a duplicate code).
 */
export async function createWorkstream(deps: Deps, caller: Caller, input: CreateWorkstream): Promise<Workstream> {
  assertCan(caller.principal, 'workstream:create');
  return deps.store.workstreams.create(writeContext(deps, caller), {
    id: mintId(deps, 'workstream'),
    code: input.code,
    name: input.name,
    lead: input.lead,
    mtfsTargets: input.mtfsTargets ?? {},
  });
}

export async function getWorkstream(deps: Deps, caller: Caller, id: string): Promise<Workstream> {
  assertCan(caller.principal, 'programme:read');
  return deps.store.workstreams.getOrThrow(id);
}

export async function listWorkstreams(deps: Deps, caller: Caller, page: PageRequest): Promise<Page<Workstream>> {
  assertCan(caller.principal, 'programme:read');
  return deps.store.workstreams.list(page);
}

/**
 * Change a workstream (merge patch).
 * Finance may set MTFS targets only; anything else is admin's.
 * Steps: check the role for the fields touched; read; compare `If-Match`; merge; write with the audit entry, guarded on the version read.
 */
export async function updateWorkstream(deps: Deps, caller: Caller, id: string, patch: PatchWorkstream, expectedVersion: ExpectedVersion): Promise<Workstream> {
  assertCan(caller.principal, patchTouchesOnlyTargets(patch) ? 'workstream:set-targets' : 'workstream:update');
  return withFreshRead(expectedVersion, async () => {
    const before = await deps.store.workstreams.getOrThrow(id);
    if (expectedVersion !== undefined && expectedVersion !== before.version) throw staleVersion('workstream', { id, version: expectedVersion });
    const next = applyWorkstreamPatch(before, patch);
    // A patch that changes nothing makes no new version and no audit entry.
    if (changedFields(before, { ...before, ...next }).length === 0) return before;
    return deps.store.workstreams.update(writeContext(deps, caller), before, next);
  });
}
