import { assertCan, ConflictError, ForbiddenError, NotFoundError, UnprocessableError, type Actual, type EntryQuery, type Spend } from '@bt/core';
import { collectAll, type LedgerKind, type Page, type PageRequest, type QueuedEntry, type TxOp, type WriteContext } from '@bt/store';
import { writeContext, type Caller, type Deps } from './context.ts';

/** At most this many entries in one bulk validation: every write of it fits one transaction (DynamoDB's 100). */
export const MAX_BULK_VALIDATION = 20;

/** An entry of finance's validation queue, as the API gives it. */
export interface QueueRow {
  kind: 'actual' | 'spend';
  id: string;
  projectId: string;
  /** The benefit (an actual) or the investment line (spend) it belongs to. */
  parentId: string;
  month: string;
  amountPence: number;
  note: string;
  recordedBy: string;
  recordedAt: string;
  reverses?: string | undefined;
  query?: EntryQuery | undefined;
  /** A query awaits its answer: raised, not answered, the entry not reversed. */
  queryOpen: boolean;
}

function row(q: QueuedEntry): QueueRow {
  const e: Actual | Spend = q.entry;
  return {
    kind: q.kind,
    id: e.id,
    projectId: q.projectId,
    parentId: q.kind === 'actual' ? q.entry.benefitId : q.entry.investmentId,
    month: e.month,
    amountPence: e.amountPence,
    note: e.note,
    recordedBy: e.recordedBy,
    recordedAt: e.recordedAt,
    ...(e.reverses ? { reverses: e.reverses } : {}),
    ...(e.query ? { query: e.query } : {}),
    queryOpen: Boolean(e.query && !e.query.answeredAt && !e.reversedBy),
  };
}

/**
 * Finance's validation queue (SPEC 6): actuals and investment spend awaiting
 * validation across the programme, oldest first, optionally of one project
 * or one workstream's projects.
 */
export async function listUnvalidated(
  deps: Deps,
  caller: Caller,
  filter: { projectId?: string | undefined; workstreamId?: string | undefined },
  page: PageRequest,
): Promise<Page<QueueRow>> {
  assertCan(caller.principal, 'programme:read');
  const projects = filter.workstreamId
    ? new Set((await collectAll((p) => deps.store.projects.list({ workstreamId: filter.workstreamId }, p))).map((p) => p.id))
    : undefined;
  const result = await deps.store.ledger.queue(page);
  return {
    // Filtered within the page (the queue is one collection in recording order): a page may hold fewer than `limit`; follow nextCursor.
    items: result.items.filter((q) => (!filter.projectId || q.projectId === filter.projectId) && (!projects || projects.has(q.projectId))).map(row),
    nextCursor: result.nextCursor,
  };
}

/**
 * Validates many entries at once, all or nothing (finance or an admin,
 * never one's own entries): each entry marked and taken out of the queue
 * with its audit entry, each benefit's validated totals and each project's
 * summary and history written once, in one transaction. An entry not
 * awaiting validation (already validated, or unknown) refuses the lot.
 */
export async function validateMany(deps: Deps, caller: Caller, ids: string[]): Promise<{ validated: QueueRow[] }> {
  assertCan(caller.principal, 'actuals:validate', 'Only finance (or an admin) validates actuals and spend.');
  const wanted = new Set(ids);
  if (wanted.size !== ids.length) throw new UnprocessableError('duplicate-ids', 'An entry is named twice.', [{ path: 'ids', message: 'has a repeat' }]);
  if (ids.length > MAX_BULK_VALIDATION) {
    throw new UnprocessableError('too-many-ids', `Validate at most ${MAX_BULK_VALIDATION} entries at once.`, [
      { path: 'ids', message: `more than ${MAX_BULK_VALIDATION}` },
    ]);
  }
  // Found in the queue itself: only what awaits validation can be validated.
  const found = new Map<string, QueuedEntry>();
  let cursor: string | undefined;
  do {
    const page = await deps.store.ledger.queue({ limit: 200, cursor });
    for (const q of page.items) if (wanted.has(q.entry.id)) found.set(q.entry.id, q);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && found.size < wanted.size);
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length) throw new NotFoundError(`Not awaiting validation (already validated, or no such entry): ${missing.join(', ')}. Nothing was validated.`);
  const entries = ids.map((id) => found.get(id)!);
  const own = entries.filter((q) => q.entry.recordedBy === caller.principal.sub);
  if (own.length) {
    throw new ForbiddenError(
      `Segregation of duties: ${own.map((q) => q.entry.id).join(', ')} ${own.length === 1 ? 'was' : 'were'} recorded by you, so someone else validates ${own.length === 1 ? 'it' : 'them'}. Nothing was validated.`,
    );
  }

  const ctx = writeContext(deps, caller);
  const ops: TxOp[] = [];
  const byBenefit = new Map<string, { projectId: string; months: Record<string, number> }>();
  for (const q of entries) {
    const parentId = q.kind === 'actual' ? q.entry.benefitId : q.entry.investmentId;
    ops.push(
      deps.store.ledger.markValidatedOp(
        q.kind,
        parentId,
        q.entry.id,
        ctx.actor.sub,
        ctx.now,
        () => new ConflictError('already-validated', `${q.entry.id} has just been validated by someone else. Nothing was validated.`),
      ),
      entryAudit(deps, ctx, { kind: q.kind, projectId: q.projectId, parentId }, `${q.kind}-validated`, q.entry, {
        ...q.entry,
        validatedBy: ctx.actor.sub,
        validatedAt: ctx.now,
      }),
    );
    // Only actuals have validated totals (the figures' validatedPence).
    if (q.kind === 'actual') {
      const b = byBenefit.get(parentId) ?? { projectId: q.projectId, months: {} };
      b.months[q.entry.month] = (b.months[q.entry.month] ?? 0) + q.entry.amountPence;
      byBenefit.set(parentId, b);
    }
  }
  const byProject = new Map<string, Array<{ benefitId: string; month: string; amountPence: number }>>();
  for (const [benefitId, { projectId, months }] of byBenefit) {
    ops.push(deps.store.ledger.addValidatedOp(projectId, benefitId, months));
    const adds = byProject.get(projectId) ?? [];
    for (const [month, amountPence] of Object.entries(months)) adds.push({ benefitId, month, amountPence });
    byProject.set(projectId, adds);
  }
  for (const [projectId, adds] of byProject) ops.push(...deps.store.summaries.addValidatedOp(projectId, adds, { at: ctx.now, by: ctx.actor.sub }));
  await deps.store.commit(ops);
  return { validated: entries.map(row) };
}

/**
 * Finance raises a query on an entry awaiting validation; the recorder sees
 * it on the entry and in the queue. Refused (409) once validated, reversed,
 * or while a query is open.
 */
export async function raiseQuery(
  deps: Deps,
  caller: Caller,
  where: { kind: LedgerKind; projectId: string; parentId: string; id: string },
  note: string,
): Promise<Actual | Spend> {
  assertCan(caller.principal, 'actuals:validate', 'Only finance (or an admin) queries an entry.');
  const entry = await entryIn(deps, where);
  const ctx = writeContext(deps, caller);
  const after = { ...entry, query: { note, raisedBy: ctx.actor.sub, raisedAt: ctx.now } };
  await deps.store.commit([
    deps.store.ledger.raiseQueryOp(
      where.kind,
      where.parentId,
      where.id,
      after.query,
      () => new ConflictError('query-refused', `${where.id} is validated, reversed, or has a query open already.`),
    ),
    entryAudit(deps, ctx, where, 'entry-queried', entry, after),
  ]);
  return after;
}

/** The recorder (or the project's manager, or an admin) answers finance's open query; reversing the entry closes it too. */
export async function answerQuery(
  deps: Deps,
  caller: Caller,
  where: { kind: LedgerKind; projectId: string; parentId: string; id: string },
  note: string,
): Promise<Actual | Spend> {
  assertCan(caller.principal, 'programme:read');
  const entry = await entryIn(deps, where);
  const project = await deps.store.projects.getOrThrow(where.projectId);
  const p = caller.principal;
  if (p.sub !== entry.recordedBy && p.sub !== project.manager && !p.roles.includes('admin')) {
    throw new ForbiddenError('A query is answered by whoever recorded the entry, the project’s manager, or an admin.');
  }
  const ctx = writeContext(deps, caller);
  if (!entry.query) throw new ConflictError('no-query', `${where.id} has no query to answer.`);
  const after = { ...entry, query: { ...entry.query, answer: note, answeredBy: ctx.actor.sub, answeredAt: ctx.now } };
  await deps.store.commit([
    deps.store.ledger.answerQueryOp(
      where.kind,
      where.parentId,
      where.id,
      { note, by: ctx.actor.sub, at: ctx.now },
      () => new ConflictError('no-query', `${where.id} has no open query.`),
    ),
    entryAudit(deps, ctx, where, 'entry-query-answered', entry, after),
  ]);
  return after;
}

async function entryIn(deps: Deps, where: { kind: LedgerKind; projectId: string; parentId: string; id: string }): Promise<Actual | Spend> {
  await deps.store.children.getOrThrow(where.kind === 'actual' ? 'benefit' : 'investment', where.projectId, where.parentId);
  const entry = await deps.store.ledger.get(where.kind, where.parentId, where.id);
  if (!entry) throw new NotFoundError(`There is no ${where.kind} ${where.id} on ${where.parentId}.`);
  return entry;
}

/** The audit entry of a change to a ledger entry: on its benefit (an actual) or investment line (spend). */
function entryAudit(
  deps: Deps,
  ctx: WriteContext,
  where: { kind: LedgerKind; projectId: string; parentId: string },
  action: string,
  before: Actual | Spend,
  after: Actual | Spend,
): TxOp {
  return deps.store.audit.entryOp(ctx, {
    entityType: where.kind === 'actual' ? 'benefit' : 'investment',
    entityId: where.parentId,
    projectId: where.projectId,
    action,
    before,
    after,
  });
}
