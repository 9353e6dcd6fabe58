import {
  applyProjectPatch,
  assertCan,
  assertMayDecide,
  assertNotStale,
  assertPending,
  changedFields,
  type ChangeRequest,
  ConflictError,
  currentOf,
  ForbiddenError,
  isWrittenOut,
  UnprocessableError,
  validateProject,
  type BaselineVersion,
  type Benefit,
  type ChangeKind,
  type ChangeStatus,
  type DecideChange,
  type Project,
  type ProposedChange,
} from '@bt/core';
import type { Page, PageRequest, TxOp, WriteContext } from '@bt/store';
import { mintId, withFreshRead, writeContext, type Caller, type Deps } from './context.ts';
import { projectUnchangedOp } from './project-access.ts';

/** True for a change request (what a gated write answers with, 202) rather than the entity it would change. */
export function isChangeRequest(value: unknown): value is ChangeRequest {
  return typeof value === 'object' && value !== null && 'requestedBy' in value && 'proposed' in value;
}

/**
 * Records a request for a gated change (SPEC 6, change requests) instead of
 * making it: the request, its audit entry and its event in one transaction,
 * guarded on the project being as read.
 */
export async function requestChange(
  deps: Deps,
  caller: Caller,
  project: Project,
  change: { kind: ChangeKind; benefit?: Benefit; proposed: ProposedChange; reason: string | undefined },
): Promise<ChangeRequest> {
  if (!change.reason) {
    throw new UnprocessableError(
      'change-reason-required',
      `Project ${project.code} is ${project.stage}: a ${change.kind} needs finance's approval, and a reason for them to decide on.`,
      [{ path: 'reason', message: 'is required for a change that needs approval' }],
    );
  }
  const ctx = writeContext(deps, caller);
  const request: ChangeRequest = {
    id: mintId(deps, 'change'),
    kind: change.kind,
    projectId: project.id,
    ...(change.benefit ? { benefitId: change.benefit.id } : {}),
    proposed: change.proposed,
    was: currentOf(change.kind, change.benefit ?? project),
    reason: change.reason,
    requestedBy: ctx.actor.sub,
    requestedAt: ctx.now,
    status: 'pending',
    version: 1,
  };
  await deps.store.commit([...deps.store.changes.createOps(ctx, request), projectUnchangedOp(deps, project), changeEvent(deps, 'ChangeRequested', request)]);
  return request;
}

function changeEvent(deps: Deps, detailType: 'ChangeRequested' | 'ChangeApproved' | 'ChangeRejected' | 'ChangeWithdrawn', request: ChangeRequest): TxOp {
  const id = `${request.id}.${request.status}`;
  return deps.store.outbox.enqueueOp({ id, source: 'benefits-tracker', detailType, time: request.decidedAt ?? request.requestedAt, detail: { id, request } });
}

export async function getChange(deps: Deps, caller: Caller, id: string): Promise<ChangeRequest> {
  assertCan(caller.principal, 'programme:read');
  return deps.store.changes.getOrThrow(id);
}

export async function listChanges(
  deps: Deps,
  caller: Caller,
  filter: { status?: ChangeStatus | undefined; projectId?: string | undefined },
  page: PageRequest,
): Promise<Page<ChangeRequest>> {
  assertCan(caller.principal, 'programme:read');
  return deps.store.changes.list(filter, page);
}

/**
 * Approve a request (finance or admin, never one's own): the change is
 * applied, in the same transaction as the request's decision and both audit
 * entries — refused (409) if what it changes has moved on since it was made,
 * or if it has just been decided.
 */
export async function approveChange(deps: Deps, caller: Caller, id: string, input: DecideChange): Promise<ChangeRequest> {
  // An edit of the project or saving that lands while approving is not a stale request: read again and re-check (409 only if it is now stale).
  return withFreshRead(undefined, async () => {
    const request = await deps.store.changes.getOrThrow(id);
    assertMayDecide(caller.principal, request);
    const ctx = writeContext(deps, caller);
    const decided = decidedAs(request, 'approved', ctx, input.note);
    const decision = decisionOps(deps, ctx, request, decided);
    const project = await deps.store.projects.getOrThrow(request.projectId);
    if (request.kind === 'stage-change') {
      assertNotStale(request, currentOf(request.kind, project));
      const next = applyProjectPatch(project, { stage: request.proposed.stage! }, ctx.now, ctx.actor.sub);
      validateProject(next, project);
      await deps.store.projects.update(ctx, project, next, decision);
      return decided;
    }
    const before = await deps.store.children.getOrThrow('benefit', request.projectId, request.benefitId!);
    assertNotStale(request, currentOf(request.kind, before));
    const { next, guards, action } = approvedBenefit(deps, ctx, request, before);
    if (changedFields(before, next).length === 0) throw new ConflictError('change-request-stale', `Change request ${id} would change nothing now.`);
    // The summary and history get the version as written (stamped now, by the approver).
    const { item, ops } = deps.store.children.updateOps(ctx, 'benefit', before, next, action);
    await deps.store.commit([...ops, ...deps.store.summaries.benefitOp(item, false), projectUnchangedOp(deps, project), ...guards, ...decision]);
    return decided;
  });
}

/** A benefit's next state under an approved request, and what else its write needs (a re-baseline's version). */
function approvedBenefit(deps: Deps, ctx: WriteContext, request: ChangeRequest, before: Benefit): { next: Benefit; guards: TxOp[]; action: string } {
  if (request.kind === 're-baseline') {
    const version: BaselineVersion = {
      benefitId: before.id,
      version: before.baselineVersion + 1,
      months: request.proposed.baseline ?? {},
      reason: `${request.reason} (approved by ${ctx.actor.sub}: change request ${request.id})`,
      rebaseline: true,
      setAt: ctx.now,
      setBy: request.requestedBy,
    };
    return {
      next: { ...before, baseline: version.months, baselineVersion: version.version },
      guards: [deps.store.ledger.baselineVersionOp(version)],
      action: 'rebaseline',
    };
  }
  if (request.kind === 'write-out') {
    const status = request.proposed.status!;
    if (!isWrittenOut(status)) throw new ConflictError('change-request-invalid', `Change request ${request.id} does not write the saving out.`);
    return { next: { ...before, status, writtenOutAt: ctx.now }, guards: [], action: 'write-out' };
  }
  return {
    next: {
      ...before,
      ...(request.proposed.type ? { type: request.proposed.type } : {}),
      ...(request.proposed.category ? { category: request.proposed.category } : {}),
    },
    guards: [],
    action: 'reclassified',
  };
}

/** Reject a request with a note (finance or admin, never one's own): nothing else changes. */
export async function rejectChange(deps: Deps, caller: Caller, id: string, input: DecideChange): Promise<ChangeRequest> {
  const request = await deps.store.changes.getOrThrow(id);
  assertMayDecide(caller.principal, request);
  return decide(deps, caller, request, 'rejected', input.note);
}

/** Withdraw one's own pending request. */
export async function withdrawChange(deps: Deps, caller: Caller, id: string): Promise<ChangeRequest> {
  const request = await deps.store.changes.getOrThrow(id);
  if (request.requestedBy !== caller.principal.sub) throw new ForbiddenError('Only the person who made a change request may withdraw it.');
  assertPending(request);
  return decide(deps, caller, request, 'withdrawn', undefined);
}

async function decide(deps: Deps, caller: Caller, request: ChangeRequest, status: 'rejected' | 'withdrawn', note: string | undefined): Promise<ChangeRequest> {
  const ctx = writeContext(deps, caller);
  const after = decidedAs(request, status, ctx, note);
  await deps.store.commit(decisionOps(deps, ctx, request, after));
  return after;
}

/** The request as decided now, by the caller, with its note. */
function decidedAs(request: ChangeRequest, status: Decided, ctx: WriteContext, note: string | undefined): ChangeRequest & { status: Decided } {
  return { ...request, status, decidedBy: ctx.actor.sub, decidedAt: ctx.now, ...(note ? { decisionNote: note } : {}), version: request.version + 1 };
}

const DECISION_EVENTS = { approved: 'ChangeApproved', rejected: 'ChangeRejected', withdrawn: 'ChangeWithdrawn' } as const;
type Decided = keyof typeof DECISION_EVENTS;

/** The decision's write (guarded on the pending version read), its audit entry and its event. */
function decisionOps(deps: Deps, ctx: WriteContext, before: ChangeRequest, after: ChangeRequest & { status: Decided }): TxOp[] {
  return [...deps.store.changes.decideOps(ctx, before, after), changeEvent(deps, DECISION_EVENTS[after.status], after)];
}
