import { describe, expect, it } from 'vitest';
import { UnprocessableError } from './errors.ts';
import { checkLedgerEntry, checkReversal, DEFAULT_LEDGER_SETTINGS, ledgerWindow } from './ledger.ts';

const project = { code: 'ASC-1', startDate: '2024-09-01', endDate: '2026-06-30' };
const check =
  (month: string, amountPence = 100, reverses?: string) =>
  () =>
    checkLedgerEntry({ month, amountPence, reverses }, project, '2030-11', DEFAULT_LEDGER_SETTINGS);

describe('ledger entry rules', () => {
  it('takes months from the FY of the start to five FYs after the FY of the end', () => {
    expect(ledgerWindow(project)).toEqual({ first: '2024-04', last: '2032-03' });
    expect(check('2024-04')).not.toThrow();
    expect(check('2030-11')).not.toThrow();
    expect(check('2024-03')).toThrow(/outside project ASC-1's life/);
    expect(checkLedgerEntry.bind(null, { month: '2015-04', amountPence: 1 }, project, '2030-11', DEFAULT_LEDGER_SETTINGS)).toThrow(UnprocessableError);
  });
  it('never takes a month that has not begun', () => {
    expect(check('2030-12')).toThrow(/has not begun/);
  });
  it('caps one entry at £100m either way by default, reversals included', () => {
    expect(check('2025-05', 10_000_000_000)).not.toThrow();
    expect(check('2025-05', -10_000_000_000)).not.toThrow();
    expect(check('2025-05', 10_000_000_001)).toThrow(/at most £100,000,000.00/);
    expect(check('2025-05', -10_000_000_001, 'act_x')).toThrow(/at most/);
  });
  it('lets a reversal correct an entry outside the window (the project’s dates may have moved)', () => {
    expect(check('2015-04', -1, 'act_x')).not.toThrow();
  });
});

describe('reversal rules', () => {
  const original = { month: '2025-10', amountPence: 1_500 };
  it('cancels an entry exactly: same month, minus its amount', () => {
    expect(() => checkReversal(original, { month: '2025-10', amountPence: -1_500, reverses: 'act_1' }, 'actual')).not.toThrow();
    expect(() => checkReversal(original, { month: '2025-11', amountPence: -1_500, reverses: 'act_1' }, 'actual')).toThrow(/same month, opposite amount/);
    expect(() => checkReversal(original, { month: '2025-10', amountPence: -1_499, reverses: 'act_1' }, 'actual')).toThrow(/same month, opposite amount/);
  });
  it('names an entry of this ledger that is not itself a reversal', () => {
    expect(() => checkReversal(undefined, { month: '2025-10', amountPence: -1_500, reverses: 'act_1' }, 'actual')).toThrow(/no actual act_1 here/);
    expect(() => checkReversal({ ...original, reverses: 'act_0' }, { month: '2025-10', amountPence: -1_500, reverses: 'act_1' }, 'spend entry')).toThrow(
      /itself a reversal/,
    );
  });
});
