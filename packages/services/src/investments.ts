import { applyMergePatch, assertCan, toMonthly, type CreateInvestment, type Investment, type PatchInvestment, type RecordSpend, type Spend } from '@bt/core';
import { patchChild } from './child-patch.ts';
import type { Page, PageRequest } from '@bt/store';
import { ledgerEntryWrites } from './ledger-write.ts';
import { mintId, writeContext, type Caller, type Deps, type ExpectedVersion } from './context.ts';
import { recordIdempotently, type Idempotency, type Replayable } from './idempotency.ts';
import { projectToChange, projectUnchangedOp } from './project-access.ts';

/** Add an investment line (capital or revenue, its funding source, planned spend by month) to a project: its manager or an admin. */
export async function createInvestment(deps: Deps, caller: Caller, projectId: string, input: CreateInvestment): Promise<Investment> {
  const project = await projectToChange(deps, caller, projectId);
  const { months, phased, ...rest } = input;
  return deps.store.children.create(
    writeContext(deps, caller),
    'investment',
    { id: mintId(deps, 'investment'), projectId, ...rest, planned: toMonthly({ months, phased }), actual: {} },
    [projectUnchangedOp(deps, project)],
  );
}

/** Change an investment line; `months` or `phased` replace the whole planned profile. */
export async function updateInvestment(
  deps: Deps,
  caller: Caller,
  projectId: string,
  investmentId: string,
  patch: PatchInvestment,
  expected: ExpectedVersion,
): Promise<Investment> {
  const { months, phased, ...rest } = patch;
  const planned = months !== undefined || phased !== undefined ? toMonthly({ months, phased }) : undefined;
  return patchChild(deps, caller, 'investment', { projectId, id: investmentId }, expected, (before) => ({
    next: applyMergePatch(before, { ...rest, planned }),
  }));
}

/**
 * Record actual spend against an investment line: finance or an admin.
 * Append-only like actuals: evidence required, corrections reverse, the
 * line's totals move in the same transaction, Idempotency-Key honoured.
 */
export async function recordSpend(
  deps: Deps,
  caller: Caller,
  projectId: string,
  investmentId: string,
  input: RecordSpend,
  idempotency: Idempotency | undefined,
): Promise<Replayable<Spend>> {
  assertCan(caller.principal, 'spend:record', 'Only finance (or an admin) records investment spend.');
  return recordIdempotently(deps, caller, idempotency, { path: `spend:${projectId}:${investmentId}`, body: input }, async () => {
    const project = await deps.store.projects.getOrThrow(projectId);
    // A line that does not exist fails its total's update (404); a reversal reads it first so its checks can say which.
    if (input.reverses) await deps.store.children.getOrThrow('investment', projectId, investmentId);
    return ledgerEntryWrites(deps, writeContext(deps, caller), 'spend', { project, parentId: investmentId }, input);
  });
}

export async function listSpend(deps: Deps, caller: Caller, projectId: string, investmentId: string, page: PageRequest): Promise<Page<Spend>> {
  assertCan(caller.principal, 'programme:read');
  await deps.store.children.getOrThrow('investment', projectId, investmentId);
  return deps.store.ledger.list('spend', investmentId, page);
}
