import {
  applyMergePatch,
  assertCan,
  can,
  ConflictError,
  ForbiddenError,
  isBaselineLocked,
  isWrittenOut,
  NotFoundError,
  toMonthly,
  UnprocessableError,
  type Actual,
  type BaselineVersion,
  type Benefit,
  type CreateBenefit,
  type PatchBenefit,
  type PutBaseline,
  type PutForecast,
  type RecordActual,
  changedFields,
  gatedBenefitChange,
  type ChangeRequest,
} from '@bt/core';
import { requestChange } from './changes.ts';
import { patchChild } from './child-patch.ts';
import { staleVersion } from '@bt/store';
import type { ChildFields, Page, PageRequest, TxOp, WriteContext } from '@bt/store';
import { mintId, writeContext, type Caller, type Deps, type ExpectedVersion } from './context.ts';
import { recordIdempotently, type Idempotency, type Replayable } from './idempotency.ts';
import { ledgerEntryWrites } from './ledger-write.ts';
import { projectForLedger, projectToChange, projectUnchangedOp } from './project-access.ts';

/**
 * Add a benefit to a project (its manager or an admin).
 * Steps: check the caller may change the project; if it replaces a
 * written-out saving, find that saving and link both ways; write the benefit,
 * its id → project reference, the link and the audit entries in one transaction.
 */
export async function createBenefit(deps: Deps, caller: Caller, projectId: string, input: CreateBenefit): Promise<Benefit> {
  const project = await projectToChange(deps, caller, projectId);
  const ctx = writeContext(deps, caller);
  const id = mintId(deps, 'benefit');
  const extra: TxOp[] = [projectUnchangedOp(deps, project), deps.store.children.benefitRefOp(id, projectId)];
  const link = input.replacesBenefitId ? await linkReplacement(deps, caller, ctx, input.replacesBenefitId, { id, projectId }) : undefined;
  const fields: ChildFields<'benefit'> = {
    id,
    projectId,
    ...input,
    replacedByBenefitIds: [],
    ...(isWrittenOut(input.status) ? { writtenOutAt: ctx.now } : {}),
    baseline: {},
    baselineVersion: 0,
    forecast: {},
    realised: {},
    validated: {},
  };
  if (!link) return deps.store.children.create(ctx, 'benefit', fields, extra);
  // Both savings' summary entries in one go: they may share a summary.
  const { item, ops } = deps.store.children.createOps(ctx, 'benefit', fields);
  await deps.store.commit([...ops, ...extra, ...link.ops, ...deps.store.summaries.replacementOps(item, link.original)]);
  return item;
}

/** The written-out saving `originalId`, updated to name its replacement — in the replacement's transaction. */
async function linkReplacement(
  deps: Deps,
  caller: Caller,
  ctx: WriteContext,
  originalId: string,
  replacement: { id: string; projectId: string },
): Promise<{ ops: TxOp[]; original: Benefit }> {
  const originalProject = await deps.store.children.projectOfBenefit(originalId);
  const original = originalProject ? await deps.store.children.get('benefit', originalProject, originalId) : undefined;
  const fieldError = (message: string) => [{ path: 'replacesBenefitId', message }];
  if (!original)
    throw new UnprocessableError('unknown-benefit', `There is no benefit ${originalId} to replace.`, fieldError('does not refer to an existing benefit'));
  // Linking changes the original saving (a new version naming its replacement): only who may change its project may do that.
  const originalOwner = await deps.store.projects.getOrThrow(original.projectId);
  if (!can(caller.principal, 'project:write') || (!caller.principal.roles.includes('admin') && originalOwner.manager !== caller.principal.sub)) {
    throw new ForbiddenError(
      `"${original.title}" belongs to project ${originalOwner.code}, managed by someone else; only its manager or an admin may name its replacement.`,
    );
  }
  if (!isWrittenOut(original.status)) {
    throw new UnprocessableError(
      'not-written-out',
      `Benefit "${original.title}" is ${original.status}; only a saving written out as unachievable or withdrawn can be replaced.`,
      fieldError('is not written out'),
    );
  }
  const ownerUnchanged = original.projectId === replacement.projectId ? [] : [projectUnchangedOp(deps, originalOwner)];
  // The original's next version names its replacement (guarded on the version read, with its audit entry).
  const { item, ops } = deps.store.children.updateOps(
    ctx,
    'benefit',
    original,
    { ...original, replacedByBenefitIds: [...original.replacedByBenefitIds, replacement.id] },
    'replacement-linked',
  );
  return { ops: [...ops, ...ownerUnchanged], original: item };
}

/**
 * Change a benefit's descriptive fields and status (merge patch).
 * Writing a saving out (unachievable, withdrawn) stamps when; bringing a
 * written-out saving back is an admin's decision.
 */
export async function updateBenefit(
  deps: Deps,
  caller: Caller,
  projectId: string,
  benefitId: string,
  input: PatchBenefit,
  expected: ExpectedVersion,
): Promise<Benefit | ChangeRequest> {
  const { reason, ...patch } = input;
  // Once the project is approved, a write-out or a type or category change is requested, not made (SPEC 6).
  const project = await projectToChange(deps, caller, projectId);
  if (isBaselineLocked(project.stage)) {
    const before = await deps.store.children.getOrThrow('benefit', projectId, benefitId);
    if (expected !== undefined && expected !== before.version) throw staleVersion('benefit', { id: benefitId, version: expected });
    const next = applyMergePatch(before, patch);
    const gated = gatedBenefitChange(before, next);
    if (gated) {
      const others = changedFields(before, next).filter((f) => !['status', 'type', 'category'].includes(f));
      if (others.length) {
        throw new UnprocessableError(
          'change-request-mixed',
          `A ${gated.kind} needs finance's approval, so it is sent on its own; send the other changes (${others.join(', ')}) separately.`,
          others.map((f) => ({ path: f, message: 'send separately from a change that needs approval' })),
        );
      }
      return requestChange(deps, caller, project, { kind: gated.kind, benefit: before, proposed: gated.proposed, reason });
    }
  }
  return patchChild(deps, caller, 'benefit', { projectId, id: benefitId }, expected, (before, ctx) => {
    const next = applyMergePatch(before, patch);
    if (isWrittenOut(before.status) && !isWrittenOut(next.status)) {
      assertCan(caller.principal, 'project:reassign-manager', 'Only an admin can bring a written-out saving back.');
      delete next.writtenOutAt;
    }
    if (!isWrittenOut(before.status) && isWrittenOut(next.status)) next.writtenOutAt = ctx.now;
    return { next };
  });
}

/**
 * Set a benefit's baseline (the approved plan).
 * Before the project is approved the baseline may be edited freely; from
 * approval on, a change is a re-baseline and needs a reason. Every version is
 * kept in the benefit's history, written in the same transaction.
 */
export async function putBaseline(
  deps: Deps,
  caller: Caller,
  projectId: string,
  benefitId: string,
  input: PutBaseline,
  expected: ExpectedVersion,
): Promise<Benefit | ChangeRequest> {
  const months = toMonthly(input);
  // Once the project is approved, a benefit's first baseline (the business case's figure) applies; any later one is a re-baseline, requested (SPEC 6).
  const project = await projectToChange(deps, caller, projectId);
  if (isBaselineLocked(project.stage)) {
    const before = await deps.store.children.getOrThrow('benefit', projectId, benefitId);
    if (expected !== undefined && expected !== before.version) throw staleVersion('benefit', { id: benefitId, version: expected });
    refuseWrittenOut(before, 'baseline');
    if (before.baselineVersion > 0)
      return requestChange(deps, caller, project, { kind: 're-baseline', benefit: before, proposed: { baseline: months }, reason: input.reason });
  }
  return patchChild(deps, caller, 'benefit', { projectId, id: benefitId }, expected, (before, ctx, project) => {
    refuseWrittenOut(before, 'baseline');
    const rebaseline = isBaselineLocked(project.stage) && before.baselineVersion > 0;
    if (rebaseline)
      throw new ConflictError(
        'baseline-set-meanwhile',
        `A baseline was set for "${before.title}" while you were working: a change to it is now a re-baseline. Send it again.`,
      );
    // Every version is kept in the benefit's history, in the same transaction.
    const version: BaselineVersion = {
      benefitId,
      version: before.baselineVersion + 1,
      months,
      ...(input.reason ? { reason: input.reason } : {}),
      rebaseline,
      setAt: ctx.now,
      setBy: ctx.actor.sub,
    };
    return {
      next: { ...before, baseline: months, baselineVersion: version.version },
      guards: [deps.store.ledger.baselineVersionOp(version)],
      action: rebaseline ? 'rebaseline' : 'baseline-set',
    };
  });
}

export async function listBaselines(deps: Deps, caller: Caller, projectId: string, benefitId: string): Promise<BaselineVersion[]> {
  assertCan(caller.principal, 'programme:read');
  await deps.store.children.getOrThrow('benefit', projectId, benefitId);
  return deps.store.ledger.baselines(benefitId);
}

/** Replace a benefit's forecast (the manager's current expectation), stamping when and by whom. */
export async function putForecast(
  deps: Deps,
  caller: Caller,
  projectId: string,
  benefitId: string,
  input: PutForecast,
  expected: ExpectedVersion,
): Promise<Benefit> {
  const months = toMonthly(input);
  return patchChild(deps, caller, 'benefit', { projectId, id: benefitId }, expected, (before, ctx) => {
    refuseWrittenOut(before, 'forecast');
    // Stamped even when the amounts are unchanged: the manager has looked at it (the stale-forecast rule reads this).
    return { next: { ...before, forecast: months, forecastUpdatedAt: ctx.now, forecastUpdatedBy: ctx.actor.sub }, action: 'forecast-updated' };
  });
}

function refuseWrittenOut(benefit: Benefit, what: string): void {
  if (isWrittenOut(benefit.status)) {
    throw new ConflictError('benefit-written-out', `Benefit "${benefit.title}" is ${benefit.status}: it forecasts nothing, so its ${what} cannot change.`);
  }
}

/**
 * Record an actual (realised amount) in a benefit's ledger — finance, an
 * admin, or the project's manager. Evidence is required. A correction
 * reverses an earlier entry (same month, minus its amount), once only.
 * The benefit's realised totals move in the same transaction; with an
 * Idempotency-Key a retry returns the first result and records nothing.
 */
export async function recordActual(
  deps: Deps,
  caller: Caller,
  projectId: string,
  benefitId: string,
  input: RecordActual,
  idempotency: Idempotency | undefined,
): Promise<Replayable<Actual>> {
  return recordIdempotently(deps, caller, idempotency, { path: `actuals:${projectId}:${benefitId}`, body: input }, async () => {
    const project = await projectForLedger(deps, caller, projectId, 'actuals:record');
    // A benefit that does not exist fails its total's update (404); a reversal reads it first so its checks can say which.
    if (input.reverses) await deps.store.children.getOrThrow('benefit', projectId, benefitId);
    const ctx = writeContext(deps, caller);
    const { entry, ops } = await ledgerEntryWrites(deps, ctx, 'actual', { project, parentId: benefitId }, input);
    ops.push(
      deps.store.outbox.enqueueOp({
        id: `${entry.id}.recorded`,
        source: 'benefits-tracker',
        detailType: 'ActualRecorded',
        time: ctx.now,
        detail: { projectId, benefitId, actual: entry },
      }),
    );
    return { entry, ops };
  });
}

/** Finance validates an actual: once, and not their own entry (segregation of duties). */
export async function validateActual(deps: Deps, caller: Caller, projectId: string, benefitId: string, actualId: string): Promise<Actual> {
  assertCan(caller.principal, 'actuals:validate', 'Only finance (or an admin) validates actuals.');
  await deps.store.children.getOrThrow('benefit', projectId, benefitId);
  const entry = await deps.store.ledger.get('actual', benefitId, actualId);
  if (!entry) throw new NotFoundError(`Benefit ${benefitId} has no actual ${actualId}.`);
  if (entry.validatedAt) throw new ConflictError('already-validated', `Actual ${actualId} was validated by ${entry.validatedBy} at ${entry.validatedAt}.`);
  if (entry.recordedBy === caller.principal.sub) {
    throw new ForbiddenError('Segregation of duties: an actual must be validated by someone other than the person who recorded it.');
  }
  const ctx = writeContext(deps, caller);
  const after: Actual = { ...entry, validatedBy: ctx.actor.sub, validatedAt: ctx.now };
  await deps.store.commit([
    deps.store.ledger.markValidatedOp(
      'actual',
      benefitId,
      actualId,
      ctx.actor.sub,
      ctx.now,
      () => new ConflictError('already-validated', `Actual ${actualId} has just been validated by someone else.`),
    ),
    ...deps.store.ledger.addToTotalOps('benefit', projectId, benefitId, 'validated', entry.month, entry.amountPence, { at: ctx.now, by: ctx.actor.sub }),
    deps.store.audit.entryOp(ctx, { entityType: 'benefit', entityId: benefitId, projectId, action: 'actual-validated', before: entry, after }),
  ]);
  return after;
}

export async function listActuals(deps: Deps, caller: Caller, projectId: string, benefitId: string, page: PageRequest): Promise<Page<Actual>> {
  assertCan(caller.principal, 'programme:read');
  await deps.store.children.getOrThrow('benefit', projectId, benefitId);
  return deps.store.ledger.list('actual', benefitId, page);
}
