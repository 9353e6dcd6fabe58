import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConflictError, UnprocessableError } from './errors.ts';
import { addMonths } from './fy.ts';
import { closePeriods, isPeriodClosed, NO_PERIODS_CLOSED, periodsOfFy, refuseClosedPeriod, reopenPeriod } from './periods.ts';

const AT = '2026-11-30T10:00:00.000Z';
const NOW = '2026-11';

describe('period close', () => {
  it('closes a month and every earlier month still open, never one that has not ended', () => {
    const s = closePeriods(NO_PERIODS_CLOSED, '2026-09', NOW, AT, 'fin');
    expect(isPeriodClosed(s, '2026-09')).toBe(true);
    expect(isPeriodClosed(s, '2024-01')).toBe(true);
    expect(isPeriodClosed(s, '2026-10')).toBe(false);
    expect(() => closePeriods(s, '2026-11', NOW, AT, 'fin')).toThrow(UnprocessableError);
    expect(() => closePeriods(s, '2026-08', NOW, AT, 'fin')).toThrow(ConflictError);
    expect(periodsOfFy(s, '2026/27').map((p) => `${p.period}:${p.status}`)).toEqual([
      'P1:closed',
      'P2:closed',
      'P3:closed',
      'P4:closed',
      'P5:closed',
      'P6:closed',
      'P7:open',
      'P8:open',
      'P9:open',
      'P10:open',
      'P11:open',
      'P12:open',
    ]);
  });

  it('reopens a closed month with its reason, and closing again (that month or a later one) closes it', () => {
    const closed = closePeriods(NO_PERIODS_CLOSED, '2026-09', NOW, AT, 'fin');
    const reopened = reopenPeriod(closed, '2026-05', AT, 'ada', 'Late invoice from the provider');
    expect(isPeriodClosed(reopened, '2026-05')).toBe(false);
    expect(isPeriodClosed(reopened, '2026-06')).toBe(true);
    expect(periodsOfFy(reopened, '2026/27')[1]).toMatchObject({
      month: '2026-05',
      status: 'open',
      reopened: { by: 'ada', reason: 'Late invoice from the provider' },
    });
    expect(() => reopenPeriod(reopened, '2026-05', AT, 'ada', 'again')).toThrow(ConflictError);
    expect(() => reopenPeriod(closed, '2026-10', AT, 'ada', 'never closed')).toThrow(ConflictError);
    expect(isPeriodClosed(closePeriods(reopened, '2026-05', NOW, AT, 'fin'), '2026-05')).toBe(true);
    // Closing a later month closes the earlier reopened one too.
    const later = closePeriods(reopened, '2026-06', NOW, AT, 'fin');
    expect(isPeriodClosed(later, '2026-05')).toBe(true);
    expect(later.closedThrough).toBe('2026-09');
  });

  it('refuses a ledger entry in a closed month, naming the period', () => {
    const s = closePeriods(NO_PERIODS_CLOSED, '2026-09', NOW, AT, 'fin');
    expect(() => refuseClosedPeriod(s, '2026-07', 'actual')).toThrow(/2026-07 \(P4 of 2026\/27\) is closed/);
    expect(() => refuseClosedPeriod(s, '2026-10', 'actual')).not.toThrow();
  });

  it('after any sequence of closes and reopens, a month is closed exactly when its last event closed it', () => {
    const months = Array.from({ length: 18 }, (_, i) => addMonths('2025-04', i));
    const event = fc.record({ kind: fc.constantFrom('close', 'reopen'), month: fc.constantFrom(...months) });
    fc.assert(
      fc.property(fc.array(event, { maxLength: 30 }), (events) => {
        let state = NO_PERIODS_CLOSED;
        const model = new Map<string, boolean>();
        for (const e of events) {
          try {
            state = e.kind === 'close' ? closePeriods(state, e.month, NOW, AT, 'fin') : reopenPeriod(state, e.month, AT, 'ada', 'why');
          } catch {
            continue;
          }
          if (e.kind === 'close') for (const m of months) if (m <= e.month) model.set(m, true);
          if (e.kind === 'reopen') model.set(e.month, false);
        }
        for (const m of months) expect(isPeriodClosed(state, m), m).toBe(model.get(m) ?? false);
      }),
    );
  });
});
