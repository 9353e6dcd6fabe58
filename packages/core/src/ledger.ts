import { ConflictError, UnprocessableError, ValidationError } from './errors.ts';
import { fyOfDate, fyStartYear, formatMonth } from './fy.ts';
import { formatPounds } from './money.ts';

/**
 * The sanity rules of a ledger entry (an actual or a spend): realised amounts
 * are for months that have begun, within the life of the project (from the
 * FY of its start to five FYs after the FY of its end, the lead-in and
 * tail of a saving), and no one entry is larger than a cap (a setting, by
 * default £100m) — so a stray entry cannot move a project's appraisal or
 * the programme's figures. A reversal corrects an earlier entry, so it is
 * held to the cap only: correcting the past is always possible.
 */
export interface LedgerSettings {
  /** The largest single entry, in pence. */
  entryCapPence: number;
}

export const DEFAULT_LEDGER_SETTINGS: LedgerSettings = { entryCapPence: 10_000_000_000 };

/** FYs after the FY of a project's end in which its savings may still be realised. */
export const REALISATION_TAIL_FYS = 5;

/** The months a project's ledger entries may fall in. */
export function ledgerWindow(project: { startDate: string; endDate: string }): { first: string; last: string } {
  const first = fyStartYear(fyOfDate(project.startDate));
  const last = fyStartYear(fyOfDate(project.endDate)) + REALISATION_TAIL_FYS;
  return { first: formatMonth(first, 4), last: formatMonth(last + 1, 3) };
}

export function checkLedgerEntry(
  entry: { month: string; amountPence: number; reverses?: string | undefined },
  project: { code: string; startDate: string; endDate: string },
  currentMonth: string,
  settings: LedgerSettings,
): void {
  if (entry.month > currentMonth) {
    throw new UnprocessableError('future-month', `${entry.month} has not begun yet; record realised amounts for months up to ${currentMonth}.`, [
      { path: 'month', message: 'is in the future' },
    ]);
  }
  if (Math.abs(entry.amountPence) > settings.entryCapPence) {
    throw new UnprocessableError(
      'entry-too-large',
      `One entry may be at most ${formatPounds(settings.entryCapPence)} either way; ${formatPounds(entry.amountPence)} is more. Check the amount (it is in pence), or record it as several entries with their evidence.`,
      [{ path: 'amountPence', message: `is beyond the ${formatPounds(settings.entryCapPence)} cap for one entry` }],
    );
  }
  if (entry.reverses) return;
  const { first, last } = ledgerWindow(project);
  if (entry.month < first || entry.month > last) {
    throw new UnprocessableError(
      'month-outside-project',
      `${entry.month} is outside project ${project.code}'s life for realised amounts (${first} to ${last}: from the FY of its start to ${REALISATION_TAIL_FYS} FYs after the FY of its end).`,
      [{ path: 'month', message: `must be from ${first} to ${last}` }],
    );
  }
}

/** A reversal names an entry of the same ledger, not itself a reversal, in its month, for minus its amount. */
export function checkReversal(
  original: { month: string; amountPence: number; reverses?: string | undefined } | undefined,
  input: { month: string; amountPence: number; reverses?: string | undefined },
  what: string,
): void {
  if (!original)
    throw new UnprocessableError('unknown-entry', `There is no ${what} ${input.reverses} here to reverse.`, [
      { path: 'reverses', message: 'does not refer to an entry of this ledger' },
    ]);
  if (original.reverses)
    throw new UnprocessableError('reversal-of-reversal', `That entry is itself a reversal; record a new ${what} instead.`, [
      { path: 'reverses', message: 'is a reversal' },
    ]);
  const errors = [];
  if (input.month !== original.month) errors.push({ path: 'month', message: `must be ${original.month}, the month of the entry reversed` });
  if (input.amountPence !== -original.amountPence) errors.push({ path: 'amountPence', message: `must be ${-original.amountPence}, minus the entry reversed` });
  if (errors.length) throw new ValidationError('A reversal must cancel the entry exactly: same month, opposite amount.', errors);
}

/** The error of a second reversal of one entry. */
export function alreadyReversed(id: string): ConflictError {
  return new ConflictError('already-reversed', `Entry ${id} has already been reversed.`);
}
