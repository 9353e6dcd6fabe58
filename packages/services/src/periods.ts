import { assertCan, closePeriods, fyOfDate, periodsOfFy, reopenPeriod, todayInLondon, type FinancialYear, type Period, type PeriodsState } from '@bt/core';
import { writeContext, type Caller, type Deps } from './context.ts';

export interface PeriodsView {
  financialYear: FinancialYear;
  closedThrough: string | null;
  closedAt?: string | undefined;
  closedBy?: string | undefined;
  months: Period[];
}

function view(state: PeriodsState, fy: FinancialYear): PeriodsView {
  return { financialYear: fy, closedThrough: state.closedThrough, closedAt: state.closedAt, closedBy: state.closedBy, months: periodsOfFy(state, fy) };
}

/** The months of an FY (default the current one) with their status: anyone who reads the programme. */
export async function listPeriods(deps: Deps, caller: Caller, financialYear: FinancialYear | undefined): Promise<PeriodsView> {
  assertCan(caller.principal, 'programme:read');
  return view(await deps.store.periods.get(), financialYear ?? fyOfDate(todayInLondon(deps.clock())));
}

/**
 * Close a month, and every earlier month still open (finance or admin).
 * Steps: read the periods; apply the rule (an ended month, not already
 * closed); write the new state with its audit entry, if nobody changed the
 * periods meanwhile.
 */
export async function closePeriod(deps: Deps, caller: Caller, month: string): Promise<PeriodsView> {
  assertCan(caller.principal, 'periods:close', 'Only finance (or an admin) closes periods.');
  const ctx = writeContext(deps, caller);
  const before = await deps.store.periods.get();
  const next = closePeriods(before, month, todayInLondon(deps.clock()).slice(0, 7), ctx.now, ctx.actor.sub);
  await deps.store.commit([
    deps.store.periods.putOp(next, before),
    deps.store.audit.entryOp(ctx, { entityType: 'period', entityId: month, action: 'period-closed', before, after: next }),
  ]);
  return view(next, fyOfDate(`${month}-01`));
}

/** Reopen a closed month (admin, with a reason, audited). */
export async function reopenClosedPeriod(deps: Deps, caller: Caller, month: string, reason: string): Promise<PeriodsView> {
  assertCan(caller.principal, 'periods:reopen', 'Only an admin reopens a closed period.');
  const ctx = writeContext(deps, caller);
  const before = await deps.store.periods.get();
  const next = reopenPeriod(before, month, ctx.now, ctx.actor.sub, reason);
  await deps.store.commit([
    deps.store.periods.putOp(next, before),
    deps.store.audit.entryOp(ctx, { entityType: 'period', entityId: month, action: 'period-reopened', before, after: next }),
  ]);
  return view(next, fyOfDate(`${month}-01`));
}

/** Which months are closed now (the figures' outturn depends on it). */
export async function currentPeriods(deps: Deps): Promise<PeriodsState> {
  return deps.store.periods.get();
}
