import { ConflictError, idTimeMs, newId, PreconditionFailedError, retryLostRaces, type IdKind } from '@bt/core';
import { DEFAULT_THRESHOLDS, type AlertSettings, type LedgerSettings, type Principal, type Thresholds } from '@bt/core';
import type { Store, WriteContext } from '@bt/store';

/** What every use case needs: the store and a clock (so tests and `asAt` can fix the time). */
export interface Deps {
  store: Store;
  clock: () => Date;
  /** RAG and appraisal settings; the spec's defaults when absent. */
  thresholds?: Thresholds;
  /** Alert rule thresholds; the defaults when absent. */
  alertSettings?: AlertSettings;
  /** Ledger entry rules (the cap on one entry); the defaults when absent. */
  ledger?: LedgerSettings;
}

export function thresholdsOf(deps: Deps): Thresholds {
  return deps.thresholds ?? DEFAULT_THRESHOLDS;
}

/** Who is asking, in which request. */
export interface Caller {
  principal: Principal;
  requestId: string;
}

export function writeContext(deps: Deps, caller: Caller): WriteContext {
  return {
    actor: { sub: caller.principal.sub, name: caller.principal.name },
    requestId: caller.requestId,
    now: deps.clock().toISOString(),
    clock: deps.clock,
  };
}

/** A new id made on the app's clock (see `newId`). */
export function mintId(deps: Deps, kind: IdKind): string {
  return newId(kind, deps.clock().getTime());
}

/**
 * Optimistic concurrency from HTTP: `If-Match` names the version the caller
 * last saw. Absent means "whatever is current" (the write is still guarded by
 * the version read just before it, so no update is ever lost).
 */
export type ExpectedVersion = number | undefined;

/**
 * Read-modify-write with optimistic concurrency. With an `If-Match` a stale
 * version is the caller's to resolve (412). Without one, the caller asked to
 * change whatever is current, so a lost race is retried on a fresh read: the
 * patch is reapplied and no writer's change is silently lost.
 */
export async function withFreshRead<T>(expectedVersion: ExpectedVersion, attempt: () => Promise<T>): Promise<T> {
  return retryLostRaces(
    attempt,
    (error) => expectedVersion === undefined && error instanceof PreconditionFailedError,
    () => new ConflictError('concurrent-modification', 'Too many people are changing this at once; try again.'),
  );
}

/**
 * How long the change feed holds back what was just written. An entry's id is
 * the moment its transaction was sent (store's `auditOp`), and a transaction
 * sent has landed, or never will, within the store's longest request (every
 * attempt timed out but the last): until then an entry with an older id may
 * still arrive. A margin more for the clocks of the functions that write.
 * 15 s with the default timeouts.
 */
export function changeFeedSettleMs(store: Store): number {
  return store.longestRequestMs + CLOCK_MARGIN_MS;
}
const CLOCK_MARGIN_MS = 3_000;

/**
 * The data's state as the feeds' and the pack's ETags name it: the newest
 * audit entry (every change writes one). Whether it has settled: an entry
 * sent a moment before the newest may land after it (its id is older, so the
 * newest does not move) until the change feed's window past the newest has
 * gone. Until then, what is read now may lack a change the same mark will
 * name once it lands, so nothing made from it is given that name: no ETag on
 * the answer, no file stored under it. `settlesInMs`: how long until it has
 * (0 once it has), never more than the window: an id further ahead is of a
 * clock that is, and waiting on it would outlast a request (or a job) for
 * nothing the window does not already cover.
 */
export interface DataMark {
  latest: string | null;
  settled: boolean;
  settlesInMs: number;
}

export async function dataMark(deps: Deps): Promise<DataMark> {
  const latest = await deps.store.audit.latestId();
  const window = changeFeedSettleMs(deps.store);
  const settlesAt = latest === null ? 0 : idTimeMs(latest) + window;
  const wait = settlesAt - deps.clock().getTime();
  return { latest, settled: wait <= 0, settlesInMs: Math.min(window, Math.max(0, wait)) };
}
