import {
  alertFromCondition,
  ALERT_STEP_ACTIONS,
  type AlertHistoryEntry,
  alertId,
  retryLostRaces,
  sameFigures,
  alertKey,
  AlertSettingsFromEnv,
  assertCan,
  assertCanAcknowledge,
  ConflictError,
  DEFAULT_ALERT_SETTINGS,
  evaluateAlerts,
  NotFoundError,
  todayInLondon,
  type Alert,
  type AlertCondition,
  type AlertSettings,
  type DomainEvent,
  type IsoDate,
  type PeriodsState,
  type ProjectForAlerts,
  type Workstream,
} from '@bt/core';
import {
  AlertRaceLost,
  StoredDataError,
  collectAll,
  seenBy,
  type AlertFilter,
  type OutboxEntry,
  type OutboxStore,
  type Page,
  type PageRequest,
  type TxOp,
  type WriteContext,
} from '@bt/store';
import { thresholdsOf, writeContext, type Caller, type Deps } from './context.ts';

export { AlertSettingsFromEnv };

/** Writes in flight at once: fast, without flooding the table. */
const WRITE_CONCURRENCY = 8;

async function inBatches<T>(items: T[], size: number, run: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(run));
}

/** The evaluation job runs as this user in the audit trail. */
const SYSTEM: Caller = { principal: { sub: 'system:alerts', name: 'Alert evaluation', roles: ['admin'] }, requestId: 'scheduled' };

export interface EvaluationResult {
  asAt: IsoDate;
  evaluatedAt: string;
  conditions: number;
  raised: Alert[];
  resolved: Alert[];
  refreshed: number;
  /** Projects left out because their stored data could not be read; their alerts are left as they were. */
  skipped: SkippedProject[];
  /** An evaluation as at another day than today: what would have been raised and resolved then; nothing was changed or published. */
  preview: boolean;
}

/** A project whose stored record could not be read: left out of the run (and its alerts left as they were), never stopping it. */
export interface SkippedProject {
  projectId: string;
  reason: string;
}

/**
 * The whole programme as the rules see it: every project record with its
 * workstream (one Query per project). A project whose stored data does not
 * parse is skipped and reported, so one bad record cannot stop the
 * programme-wide run.
 */
export async function loadProgramme(
  deps: Deps,
): Promise<{ workstreams: Workstream[]; projects: ProjectForAlerts[]; skipped: SkippedProject[]; periods: PeriodsState }> {
  const [workstreams, periods] = await Promise.all([collectAll((page) => deps.store.workstreams.list(page)), deps.store.periods.get()]);
  const byId = new Map(workstreams.map((w) => [w.id, w]));
  const [projectIds, pending] = await Promise.all([deps.store.projects.ids(), collectAll((page) => deps.store.changes.list({ status: 'pending' }, page))]);
  const pendingOf = new Map<string, typeof pending>();
  for (const c of pending) pendingOf.set(c.projectId, [...(pendingOf.get(c.projectId) ?? []), c]);
  const out: ProjectForAlerts[] = [];
  const skipped: SkippedProject[] = [];
  await inBatches(projectIds, WRITE_CONCURRENCY, async (projectId) => {
    try {
      const r = await deps.store.children.record(projectId);
      const workstream = r && byId.get(r.project.workstreamId);
      if (r && workstream) out.push({ ...r, workstream, pendingChanges: pendingOf.get(projectId) ?? [] });
    } catch (error) {
      if (!(error instanceof StoredDataError)) throw error;
      skipped.push({ projectId, reason: error.message });
    }
  });
  out.sort((a, b) => a.project.code.localeCompare(b.project.code));
  return { workstreams, projects: out, skipped, periods };
}

/**
 * Every condition that holds as at a date, and the projects that could not be
 * read. The records are read and evaluated here and go with it: the writes
 * that follow hold the conditions and the alerts, not the whole programme's
 * records as well (most of the heap at ten times the benchmark programme).
 */
async function conditionsOf(deps: Deps, asAt: IsoDate, settings: AlertSettings): Promise<{ conditions: AlertCondition[]; skipped: SkippedProject[] }> {
  const { skipped, ...programme } = await loadProgramme(deps);
  return { conditions: evaluateAlerts({ asAt, ...programme }, settings, thresholdsOf(deps)), skipped };
}

function event(detailType: DomainEvent['detailType'], alert: Alert, time: string): DomainEvent {
  const kind = detailType === 'AlertRaised' ? 'raised' : 'resolved';
  return { id: `${alert.id}.${alert.occurrence}.${kind}`, source: 'benefits-tracker', detailType, time, detail: { alert } };
}

/** At most this many items in one transaction (DynamoDB's limit). */
const MAX_TRANSACTION_ITEMS = 100;
/**
 * Alerts written together in one transaction: a raise or a resolve is 2 items
 * (the alert, its audit entry), and the transaction's events share one outbox
 * item, so 49 raises are 99 items.
 */
const ALERTS_PER_TRANSACTION = 49;
/** Transactions in flight at once. */
const TRANSACTION_CONCURRENCY = 4;

export interface EvaluationOptions {
  /** Alerts written in one transaction (1 writes each on its own; the default packs up to 49). */
  alertsPerTransaction?: number;
  /** Transactions in flight at once (the default 4; 1 writes them one after another). */
  transactionConcurrency?: number;
  /** Bytes of events in one outbox item (the default `OUTBOX_ITEM_BYTES`, 350,000; smaller in a test, so a transaction's events need more than one). */
  outboxItemBytes?: number;
}

/** One alert's write: its transaction items, what it means once written, and how to do it again on its own after a lost race. */
interface AlertWrite {
  /** How many transaction items it is, its event aside (its items are built only when its transaction is: a run of 100,000 alerts holds no 300,000 items at once). */
  size: number;
  /** Does it report an event (a raise, a resolve)? The events of a transaction share an outbox item. */
  reports: boolean;
  ops: () => TxOp[];
  events: () => DomainEvent[];
  done: () => void;
  alone: () => Promise<void>;
}

/**
 * Evaluate every rule as at a date and bring the stored alerts in line:
 * raise new conditions (and re-raise resolved ones), bring up to date those
 * whose figures, message or severity moved, resolve those that cleared. An
 * alert seen again exactly as it was is not written: the run's own record
 * (`lastRun`) says when every live alert was last seen.
 *
 * Reads: each project's record (one Query each), the live alerts (one Query
 * per MB of them) and, for conditions not live, their earlier occurrences
 * by id (100 a request), never a read per alert. Writes: only what changed, up to
 * 49 alerts a transaction, each raise and resolve with its audit entry (which
 * is also its history) and its event, the transaction's events in one outbox
 * item; each alert's write conditional on the version read, so a
 * re-run, a concurrent run or a retry after a crash half-way never
 * duplicates an alert or an event. A transaction that loses a race is done
 * again alert by alert, each read afresh.
 */
export async function evaluateAndStore(
  deps: Deps,
  asAt: IsoDate,
  settings: AlertSettings = deps.alertSettings ?? DEFAULT_ALERT_SETTINGS,
  options: EvaluationOptions = {},
): Promise<EvaluationResult> {
  const [{ conditions, skipped }, liveAlerts, lastRun] = await Promise.all([
    conditionsOf(deps, asAt, settings),
    deps.store.alerts.liveStored(),
    deps.store.alerts.lastRun(),
  ]);
  const ctx = writeContext(deps, SYSTEM);
  const live = new Map(liveAlerts.map((a) => [a.id, a]));
  const preview = asAt !== todayInLondon(deps.clock());
  const result: EvaluationResult = { asAt, evaluatedAt: ctx.now, conditions: conditions.length, raised: [], resolved: [], refreshed: 0, skipped, preview };
  // Only an evaluation as at today changes alert state; another day's is a preview of what would have been raised and resolved then.
  if (preview) return previewOutcome(conditions, live, skipped, ctx.now, result);
  // A condition not live may have been raised before and resolved: its earlier occurrence, read by id (what changed, not every alert ever resolved).
  const ids = conditions.map((c) => alertId(alertKey(c)));
  const notLive = [...new Set(ids.filter((id) => !live.has(id)))];
  const byId = new Map([...liveAlerts, ...(await deps.store.alerts.manyStored(notLive))].map((a) => [a.id, a]));
  const unread = new Set(skipped.map((p) => p.projectId));
  const holding = new Set<string>();
  const writes: AlertWrite[] = [];
  const isRace = (error: unknown) => error instanceof AlertRaceLost;
  const counted = (outcome: ConditionWrite | undefined) => {
    if (outcome?.raised) result.raised.push(outcome.alert);
    else result.refreshed += 1;
  };

  for (const [i, condition] of conditions.entries()) {
    const id = ids[i]!;
    if (holding.has(id)) continue;
    holding.add(id);
    const planned = conditionWrite(deps, ctx, id, condition, byId.get(id));
    if (!planned) {
      counted(undefined);
      continue;
    }
    writes.push({
      size: planned.size,
      reports: planned.event !== undefined,
      ops: planned.ops,
      events: () => (planned.event ? [planned.event()] : []),
      done: () => counted(planned),
      // A lost race means a concurrent run wrote it: read its outcome and apply ours on top.
      alone: async () =>
        counted(
          await retryLostRaces(async () => {
            const again = conditionWrite(deps, ctx, id, condition, await deps.store.alerts.getStored(id));
            if (again) await deps.store.commit(withEvents(deps, again.ops(), again.event ? [again.event()] : []));
            return again;
          }, isRace),
        ),
    });
  }

  // Its resolution as a write on top of the alert as stored.
  const resolution = (current: Alert) => {
    // Last seen by the run before this one, unless that one wrote it.
    const resolved: Alert = { ...seenBy(current, lastRun), status: 'resolved', resolvedAt: ctx.now, version: current.version + 1 };
    return {
      resolved,
      ops: () => [deps.store.alerts.putOp(resolved, current.version), alertStep(deps, ctx, 'resolved', current, resolved)],
      event: () => event('AlertResolved', resolved, ctx.now),
    };
  };
  // An alert of a project that could not be read has not cleared: nothing is known of it.
  for (const alert of live.values()) {
    if (holding.has(alert.id) || (alert.subject.projectId && unread.has(alert.subject.projectId))) continue;
    const planned = resolution(alert);
    writes.push({
      size: 2,
      reports: true,
      ops: planned.ops,
      events: () => [planned.event()],
      done: () => result.resolved.push(planned.resolved),
      alone: async () => {
        let next: ReturnType<typeof resolution> | undefined = planned;
        const resolved = await retryLostRaces(async () => {
          if (!next) {
            // Written since it was read. Resolved by a concurrent run, or brought up to date by one that saw it holding (its
            // condition as stored moved): that outcome stands. Acknowledged meanwhile: it is resolved all the same, on top of that.
            const current = await deps.store.alerts.getStored(alert.id);
            if (!current || current.status === 'resolved' || conditionMoved(alert, current)) return undefined;
            next = resolution(current);
          }
          const attempt = next;
          next = undefined;
          await deps.store.commit(withEvents(deps, attempt.ops(), [attempt.event()]));
          return attempt.resolved;
        }, isRace);
        if (resolved) result.resolved.push(resolved);
      },
    });
  }

  await inBatches(
    packed(writes, options.alertsPerTransaction ?? ALERTS_PER_TRANSACTION),
    options.transactionConcurrency ?? TRANSACTION_CONCURRENCY,
    async function commitBatch(batch: AlertWrite[]): Promise<void> {
      const ops = withEvents(
        deps,
        batch.flatMap((w) => w.ops()),
        batch.flatMap((w) => w.events()),
        options.outboxItemBytes,
      );
      // Events too large for one outbox item (long messages and notes) can make more items than a transaction takes: halves.
      if (ops.length > MAX_TRANSACTION_ITEMS && batch.length > 1) {
        const half = Math.ceil(batch.length / 2);
        await commitBatch(batch.slice(0, half));
        await commitBatch(batch.slice(half));
        return;
      }
      try {
        await deps.store.commit(ops);
      } catch (error) {
        if (!isRace(error)) throw error;
        // Nothing of the batch was written: each alert again on its own, read afresh.
        for (const w of batch) await w.alone();
        return;
      }
      for (const w of batch) w.done();
    },
  );
  await deps.store.alerts.recordRun({ at: ctx.now, skippedProjectIds: [...unread] });
  return result;
}

/** Did a write between two reads of an alert change its condition (an evaluation's write), not only its acknowledgement? */
function conditionMoved(before: Alert, after: Alert): boolean {
  return (
    before.occurrence !== after.occurrence ||
    before.severity !== after.severity ||
    before.message !== after.message ||
    !sameFigures(before.figures, after.figures)
  );
}

/** Writes packed into transactions of at most `perTransaction` alerts and 100 items, an outbox item for their events among them. */
function packed(writes: AlertWrite[], perTransaction: number): AlertWrite[][] {
  const out: AlertWrite[][] = [];
  let batch: AlertWrite[] = [];
  let items = 0;
  let reports = false;
  for (const w of writes) {
    const outbox = reports || w.reports ? 1 : 0;
    if (batch.length > 0 && (batch.length >= perTransaction || items + w.size + outbox > MAX_TRANSACTION_ITEMS)) {
      out.push(batch);
      batch = [];
      items = 0;
      reports = false;
    }
    batch.push(w);
    items += w.size;
    reports ||= w.reports;
  }
  if (batch.length > 0) out.push(batch);
  return out;
}

/** A write's items and the outbox items of the events it reports (one for one event or many: `enqueueAllOps`). */
function withEvents(deps: Deps, ops: TxOp[], events: DomainEvent[], itemBytes?: number): TxOp[] {
  return [...ops, ...deps.store.outbox.enqueueAllOps(events, itemBytes)];
}

/** What an evaluation would raise and resolve against the live alerts, computed without a write. */
function previewOutcome(
  conditions: AlertCondition[],
  live: Map<string, Alert>,
  skipped: SkippedProject[],
  now: string,
  result: EvaluationResult,
): EvaluationResult {
  const holding = new Set<string>();
  for (const c of conditions) {
    const id = alertId(alertKey(c));
    holding.add(id);
    const current = live.get(id);
    if (current) {
      result.refreshed += 1;
      continue;
    }
    // Not live: it would be raised (a preview does not read resolved ones, so its occurrence is not known).
    result.raised.push(alertFromCondition(id, c, undefined, now).alert);
  }
  const unread = new Set(skipped.map((p) => p.projectId));
  for (const alert of live.values()) {
    if (!holding.has(alert.id) && !(alert.subject.projectId && unread.has(alert.subject.projectId)))
      result.resolved.push({ ...alert, status: 'resolved', resolvedAt: now });
  }
  return result;
}

interface ConditionWrite {
  alert: Alert;
  raised: boolean;
  /** Its items, its event aside. */
  size: number;
  ops: () => TxOp[];
  /** The event it reports (a raise's), written to the outbox beside its items. */
  event?: () => DomainEvent;
}

/**
 * The writes a condition that holds makes of its alert as stored: a raise
 * (alert and audit entry, and its event for the outbox), an update of what moved (with an audit
 * entry when its severity rose), or nothing when it is as it was.
 */
function conditionWrite(deps: Deps, ctx: WriteContext, id: string, c: AlertCondition, current: Alert | undefined): ConditionWrite | undefined {
  const { alert, raised, escalated, changed } = alertFromCondition(id, c, current, ctx.now);
  if (!changed) return undefined;
  if (!raised) {
    // Bringing figures up to date is bookkeeping, not a step of its life: no audit entry, no event. A rise in severity is a step.
    return {
      alert,
      raised,
      size: escalated ? 2 : 1,
      ops: () => [deps.store.alerts.putOp(alert, current!.version), ...(escalated ? [alertStep(deps, ctx, 'escalated', current!, alert)] : [])],
    };
  }
  return {
    alert,
    raised,
    size: 2,
    ops: () => [deps.store.alerts.putOp(alert, current?.version), alertStep(deps, ctx, 'raised', current ?? null, alert)],
    event: () => event('AlertRaised', alert, ctx.now),
  };
}

/**
 * A step of an alert's life (raised, escalated, acknowledged, resolved): its
 * audit entry, in the step's own transaction. The alert's history is read
 * from these (`alertStepOfAudit`), so the step is written once.
 */
function alertStep(deps: Deps, ctx: WriteContext, step: keyof typeof ALERT_STEP_ACTIONS, before: Alert | null, after: Alert): TxOp {
  return deps.store.audit.entryOp(ctx, {
    entityType: 'alert',
    entityId: after.id,
    projectId: after.subject.projectId,
    action: ALERT_STEP_ACTIONS[step],
    before,
    after,
  });
}

/** POST /v1/alerts/evaluate: admins run the evaluation now. */
export async function runEvaluation(deps: Deps, caller: Caller, asAt: IsoDate | undefined): Promise<EvaluationResult> {
  assertCan(caller.principal, 'alerts:evaluate', 'Only an admin can run the alert evaluation.');
  return evaluateAndStore(deps, asAt ?? todayInLondon(deps.clock()));
}

export async function listAlerts(deps: Deps, caller: Caller, filter: AlertFilter, page: PageRequest): Promise<Page<Alert>> {
  assertCan(caller.principal, 'programme:read');
  return deps.store.alerts.list(filter, page);
}

/** An alert with every step of its life (each occurrence raised, escalated, acknowledged, resolved), oldest first. */
export async function getAlertWithHistory(deps: Deps, caller: Caller, id: string): Promise<Alert & { history: AlertHistoryEntry[] }> {
  const alert = await getAlert(deps, caller, id);
  return { ...alert, history: await deps.store.alerts.history(id) };
}

export async function getAlert(deps: Deps, caller: Caller, id: string): Promise<Alert> {
  assertCan(caller.principal, 'programme:read');
  const alert = await deps.store.alerts.get(id);
  if (!alert) throw new NotFoundError(`There is no alert ${id}.`);
  return alert;
}

/**
 * Acknowledge an open alert with a note. It stays acknowledged while its
 * condition holds and resolves when it clears.
 */
export async function acknowledgeAlert(deps: Deps, caller: Caller, id: string, note: string): Promise<Alert> {
  assertCan(caller.principal, 'alerts:acknowledge', 'Only an admin, a programme manager or finance can acknowledge alerts.');
  const current = await getAlert(deps, caller, id);
  const projectId = current.subject.projectId;
  assertCanAcknowledge(caller.principal, current, projectId ? await deps.store.projects.get(projectId) : undefined);
  if (current.status !== 'open') throw new ConflictError('not-open', `Alert ${id} is ${current.status}; only an open alert can be acknowledged.`);
  const ctx = writeContext(deps, caller);
  const next: Alert = {
    ...current,
    status: 'acknowledged',
    acknowledgedAt: ctx.now,
    acknowledgedBy: ctx.actor.sub,
    acknowledgementNote: note,
    version: current.version + 1,
  };
  await deps.store.commit([
    deps.store.alerts.putOp(
      next,
      current.version,
      () => new ConflictError('concurrent-modification', `Alert ${id} changed while you acknowledged it; fetch it again.`),
    ),
    alertStep(deps, ctx, 'acknowledged', current, next),
  ]);
  return next;
}

/** Where published events go: EventBridge in AWS, a file locally. */
export interface EventSink {
  publish(events: DomainEvent[]): Promise<void>;
}

/** What publishing the outbox needs: the outbox's store (all of `Deps`'s, or the publisher's `outboxStore`) and a clock. */
export interface OutboxDeps {
  store: OutboxStore;
  clock: () => Date;
}

/** Events sent to the sink between marks: what a publisher stopped half-way (a timeout) sends again is at most this many and one item's. */
const EVENTS_BETWEEN_MARKS = 100;

/**
 * Sends pending outbox events to the sink and marks them published (at least
 * once; ids let repeats be dropped). A page of the outbox is up to 100 items,
 * and an item may hold many events (the alert run's hold one transaction's):
 * the page goes out about a hundred events at a time, each lot marked once
 * sent, so a publisher stopped half-way sends again only the lot it was on.
 */
export async function publishOutbox(deps: OutboxDeps, sink: EventSink): Promise<number> {
  let published = 0;
  for (;;) {
    const page = await deps.store.outbox.page(100);
    if (page.length === 0) return published;
    for (const lot of lotsOf(page, EVENTS_BETWEEN_MARKS)) {
      const events = lot.flatMap((entry) => entry.events);
      await sink.publish(events);
      // The lot marked in one transaction (a page is at most 100 items, a transaction's limit).
      await deps.store.commit(deps.store.outbox.markPublishedOps(lot, deps.clock().toISOString()));
      published += events.length;
    }
  }
}

/** Outbox items in order, in lots of about `events` events: items are added to a lot until it holds that many. */
function lotsOf(entries: OutboxEntry[], events: number): OutboxEntry[][] {
  const lots: OutboxEntry[][] = [];
  let lot: OutboxEntry[] = [];
  let held = 0;
  for (const entry of entries) {
    lot.push(entry);
    held += entry.events.length;
    if (held >= events) {
      lots.push(lot);
      lot = [];
      held = 0;
    }
  }
  if (lot.length > 0) lots.push(lot);
  return lots;
}
