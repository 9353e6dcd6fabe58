import { lazySchema } from './lazy-schema.ts';
import * as z from 'zod';
import { Text, Timestamp, UserId } from './common.ts';
import { ConflictError, UnprocessableError } from './errors.ts';
import { addMonths, FinancialYear, fyOfMonth, Month, monthsOfFy, periodOfMonth } from './fy.ts';

/**
 * Period close. Finance closes each month once its actuals are in; closing a
 * month closes every earlier month still open. An admin may reopen a closed
 * month, with a reason. Actuals, reversals and spend cannot be recorded
 * against a closed month. Kept as one small state: every month up to
 * `closedThrough` is closed, except those reopened since.
 */
export const Reopening = lazySchema(() => z.object({ at: Timestamp, by: UserId, reason: z.string() }));

/** One close or reopening, kept so the periods closed at any instant can be told (SPEC 4.4). */
export const PeriodChange = lazySchema(() =>
  z.object({
    at: Timestamp,
    by: UserId,
    action: z.enum(['close', 'reopen']),
    month: Month,
    reason: z.string().optional(),
  }),
);
export type PeriodChange = z.infer<typeof PeriodChange>;

export const PeriodsState = lazySchema(() =>
  z
    .object({
      closedThrough: Month.nullable().meta({ description: 'Every month up to and including this one is closed, except those reopened.' }),
      closedAt: Timestamp.optional(),
      closedBy: UserId.optional(),
      reopened: z.record(Month, Reopening),
      version: z.int().nonnegative(),
      log: z.array(PeriodChange).optional().meta({ description: 'Every close and reopening, oldest first.' }),
    })
    .meta({ id: 'PeriodsState' }),
);
export type PeriodsState = z.infer<typeof PeriodsState>;

export const NO_PERIODS_CLOSED: PeriodsState = { closedThrough: null, reopened: {}, version: 0 };

export const Period = lazySchema(() =>
  z
    .object({
      month: Month,
      financialYear: FinancialYear,
      period: z.string().meta({ example: 'P7' }),
      status: z.enum(['open', 'closed']),
      reopened: Reopening.optional().meta({ description: 'Set when an admin reopened this closed month.' }),
    })
    .meta({ id: 'Period' }),
);
export type Period = z.infer<typeof Period>;

export const ReopenPeriod = lazySchema(() =>
  z.strictObject({ reason: Text(500).meta({ description: 'Why the closed month is reopened (kept in the audit trail).' }) }).meta({ id: 'ReopenPeriod' }),
);

export function isPeriodClosed(state: PeriodsState, month: string): boolean {
  return state.closedThrough !== null && month <= state.closedThrough && state.reopened[month] === undefined;
}

function label(month: string): string {
  return `${month} (P${periodOfMonth(month)} of ${fyOfMonth(month)})`;
}

/** The months of an FY with their status. */
export function periodsOfFy(state: PeriodsState, fy: string): Period[] {
  return monthsOfFy(fy).map((month) => ({
    month,
    financialYear: fy,
    period: `P${periodOfMonth(month)}`,
    status: isPeriodClosed(state, month) ? 'closed' : 'open',
    ...(state.reopened[month] ? { reopened: state.reopened[month] } : {}),
  }));
}

/**
 * The state after closing `month` (and every earlier month still open).
 * A month that has not ended cannot be closed; one already closed is a 409.
 */
export function closePeriods(state: PeriodsState, month: string, currentMonth: string, at: string, by: string): PeriodsState {
  if (month >= currentMonth) {
    throw new UnprocessableError('period-not-ended', `${label(month)} has not ended; close months up to ${addMonths(currentMonth, -1)}.`, [
      { path: 'month', message: 'has not ended' },
    ]);
  }
  if (isPeriodClosed(state, month) && !Object.keys(state.reopened).some((m) => m < month)) {
    throw new ConflictError('period-closed', `${label(month)} is already closed.`);
  }
  return { ...applyClose(state, month, at, by), log: [...(state.log ?? []), { at, by, action: 'close', month }] };
}

function applyClose(state: PeriodsState, month: string, at: string, by: string): PeriodsState {
  const reopened = Object.fromEntries(Object.entries(state.reopened).filter(([m]) => m > month));
  const through = state.closedThrough !== null && state.closedThrough > month ? state.closedThrough : month;
  return { ...state, closedThrough: through, closedAt: at, closedBy: by, reopened, version: state.version + 1 };
}

/**
 * The periods as they stood at an instant: the log of closes and reopenings
 * replayed up to it. A state kept before the log began counts as closed
 * from its last close.
 */
export function periodsAt(state: PeriodsState, instant: string): PeriodsState {
  if (!state.log) return state.closedAt !== undefined && state.closedAt <= instant ? state : NO_PERIODS_CLOSED;
  let at: PeriodsState = { ...NO_PERIODS_CLOSED, log: [] };
  for (const change of state.log) {
    if (change.at > instant) break;
    at =
      change.action === 'close'
        ? applyClose(at, change.month, change.at, change.by)
        : { ...at, reopened: { ...at.reopened, [change.month]: { at: change.at, by: change.by, reason: change.reason ?? '' } }, version: at.version + 1 };
    at.log = [...(at.log ?? []), change];
  }
  return at;
}

/** The state after an admin reopens a closed `month`. */
export function reopenPeriod(state: PeriodsState, month: string, at: string, by: string, reason: string): PeriodsState {
  if (!isPeriodClosed(state, month)) throw new ConflictError('period-open', `${label(month)} is open; only a closed month can be reopened.`);
  return {
    ...state,
    reopened: { ...state.reopened, [month]: { at, by, reason } },
    version: state.version + 1,
    log: [...(state.log ?? []), { at, by, action: 'reopen', month, reason }],
  };
}

/** Refuses a ledger entry in a closed month, naming the period. */
export function refuseClosedPeriod(state: PeriodsState, month: string, what: string): void {
  if (isPeriodClosed(state, month)) {
    throw new UnprocessableError(
      'period-closed',
      `${label(month)} is closed: no ${what} can be recorded against it. Record it in an open month, or ask an admin to reopen ${month}.`,
      [{ path: 'month', message: 'is in a closed period' }],
    );
  }
}
