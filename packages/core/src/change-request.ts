import { lazySchema } from './lazy-schema.ts';
import * as z from 'zod';
import { BenefitCategory, BenefitId, BenefitStatus, BenefitType } from './benefit.ts';
import { Text, Timestamp, UserId, Version } from './common.ts';
import { ConflictError, ForbiddenError } from './errors.ts';
import { idSchema } from './id.ts';
import { ProjectId, Stage } from './project.ts';
import { MonthlyPence } from './series.ts';
import type { Principal } from './access.ts';

/**
 * Change requests (SPEC 6): once a project is approved, the decisions that
 * move its agreed savings — a re-baseline, a write-out, a change of a
 * saving's type or category, the project's cancellation or closure — are
 * requested, not applied. Finance or an admin approves or rejects each with
 * a note, never their own; the requester may withdraw it. Approval applies
 * the change in one transaction with its audit entry, and refuses a request
 * the entity has moved on from since (409).
 */
export const ChangeRequestId = lazySchema(() => idSchema('change'));

export const ChangeKind = lazySchema(() => z.enum(['re-baseline', 'write-out', 'reclassification', 'stage-change']));
export type ChangeKind = z.infer<typeof ChangeKind>;

export const ChangeStatus = lazySchema(() => z.enum(['pending', 'approved', 'rejected', 'withdrawn']));
export type ChangeStatus = z.infer<typeof ChangeStatus>;

/** What is proposed: the baseline's months, the status, the type or category, or the stage. */
export const ProposedChange = lazySchema(() =>
  z
    .object({
      baseline: MonthlyPence.optional(),
      status: BenefitStatus.optional(),
      type: BenefitType.optional(),
      category: BenefitCategory.optional(),
      stage: Stage.optional(),
    })
    .meta({ id: 'ProposedChange' }),
);
export type ProposedChange = z.infer<typeof ProposedChange>;

export const ChangeRequest = lazySchema(() =>
  z
    .object({
      id: ChangeRequestId,
      kind: ChangeKind,
      projectId: ProjectId,
      benefitId: BenefitId.optional(),
      proposed: ProposedChange,
      was: ProposedChange.extend({ baselineVersion: z.int().nonnegative().optional() }).meta({
        description: 'What the request changes from: approval is refused (409) if any of it has changed since.',
      }),
      reason: z.string(),
      requestedBy: UserId,
      requestedAt: Timestamp,
      status: ChangeStatus,
      decidedBy: UserId.optional(),
      decidedAt: Timestamp.optional(),
      decisionNote: z.string().optional(),
      version: Version,
    })
    .meta({ id: 'ChangeRequest' }),
);
export type ChangeRequest = z.infer<typeof ChangeRequest>;

export const DecideChange = lazySchema(() =>
  z.strictObject({ note: Text(1000).meta({ description: 'Why approved or rejected (kept in the audit trail).' }) }).meta({ id: 'DecideChange' }),
);
export type DecideChange = z.infer<typeof DecideChange>;

const WRITTEN_OUT: ReadonlySet<string> = new Set(['unachievable', 'withdrawn']);

/** The gated parts of a benefit's change once its project is approved: a write-out, a type or category change. */
export function gatedBenefitChange(
  before: { status: string; type: string; category: string },
  next: { status: BenefitStatus; type: BenefitType; category: BenefitCategory },
): { kind: ChangeKind; proposed: ProposedChange } | null {
  if (!WRITTEN_OUT.has(before.status) && WRITTEN_OUT.has(next.status)) return { kind: 'write-out', proposed: { status: next.status } };
  if (before.type !== next.type || before.category !== next.category) {
    return {
      kind: 'reclassification',
      proposed: { ...(before.type !== next.type ? { type: next.type } : {}), ...(before.category !== next.category ? { category: next.category } : {}) },
    };
  }
  return null;
}

/** A project's move that is gated once it is approved: to cancelled or closed. */
export function gatedStage(next: string): boolean {
  return next === 'cancelled' || next === 'closed';
}

/** What a request would change, as it is now; a request is stale when this differs from its `was`. */
export function currentOf(
  kind: ChangeKind,
  entity: { baselineVersion?: number; status?: string; type?: string; category?: string; stage?: string },
): ChangeRequest['was'] {
  if (kind === 're-baseline') return { baselineVersion: entity.baselineVersion ?? 0 };
  if (kind === 'write-out') return { status: entity.status as BenefitStatus };
  if (kind === 'reclassification') return { type: entity.type as BenefitType, category: entity.category as BenefitCategory };
  return { stage: entity.stage as Stage };
}

/** Refuses to apply a request the entity has moved on from since it was made. */
export function assertNotStale(request: ChangeRequest, now: ChangeRequest['was']): void {
  if (JSON.stringify(now) !== JSON.stringify(request.was)) {
    throw new ConflictError(
      'change-request-stale',
      `Change request ${request.id} was made against ${JSON.stringify(request.was)}, but it is now ${JSON.stringify(now)}: reject it, and ask for a new one if still needed.`,
    );
  }
}

/** Who may decide a request: finance or an admin, never the one who asked. */
export function assertMayDecide(principal: Principal, request: ChangeRequest): void {
  if (!principal.roles.includes('finance') && !principal.roles.includes('admin')) {
    throw new ForbiddenError('Only finance or an admin approves or rejects a change request.');
  }
  if (principal.sub === request.requestedBy) {
    throw new ForbiddenError('Segregation of duties: a change request is decided by someone other than the person who made it.');
  }
  assertPending(request);
}

export function assertPending(request: ChangeRequest): void {
  if (request.status !== 'pending') {
    throw new ConflictError('change-decided', `Change request ${request.id} is ${request.status}${request.decidedBy ? ` (by ${request.decidedBy})` : ''}.`);
  }
}
