import { describe, expect, it } from 'vitest';
import { endOfDayInLondon, momentOf, recordAt, type BenefitState, type HistoryEntry, type ProjectState } from './history.ts';
import { closePeriods, isPeriodClosed, NO_PERIODS_CLOSED, periodsAt, reopenPeriod } from './periods.ts';

const project: ProjectState = {
  id: 'prj_1',
  workstreamId: 'ws_1',
  code: 'P1',
  name: 'P',
  directorate: 'Adults',
  startDate: '2025-04-01',
  stage: 'business-case',
  deliveryConfidence: 'amber',
  version: 1,
  createdAt: '2025-04-01T09:00:00.000Z',
};
const benefit = (version: number, forecast: number): BenefitState => ({
  id: 'ben_1',
  projectId: 'prj_1',
  title: 'B',
  type: 'cashable-saving',
  category: 'transformation',
  recurrence: 'recurring',
  status: 'active',
  confidencePct: 80,
  mtfsRef: 'R',
  baseline: { '2025-06': 1000 },
  forecast: { '2025-06': forecast },
  version,
});

describe('a moment', () => {
  it('takes a date as the end of that day in London, in summer time and in winter', () => {
    expect(endOfDayInLondon('2025-06-30')).toBe('2025-06-30T22:59:59.999Z');
    expect(endOfDayInLondon('2025-12-31')).toBe('2025-12-31T23:59:59.999Z');
    // The last Sunday of March: the day ends in summer time.
    expect(endOfDayInLondon('2025-03-30')).toBe('2025-03-30T22:59:59.999Z');
    expect(endOfDayInLondon('2025-10-26')).toBe('2025-10-26T23:59:59.999Z');
  });

  it('is past only once it has gone by, and says when its figures are as known at', () => {
    const now = new Date('2025-07-01T10:00:00Z');
    expect(momentOf('2025-06-30', now)).toMatchObject({ past: true, knownAt: '2025-06-30T22:59:59.999Z', date: '2025-06-30' });
    expect(momentOf('2025-07-01', now)).toMatchObject({ past: false, knownAt: '2025-07-01T10:00:00.000Z', date: '2025-07-01' });
    expect(momentOf(undefined, now)).toMatchObject({ past: false, asAt: '2025-07-01' });
    // An instant with an offset is normalised to UTC; its date is London's.
    expect(momentOf('2025-06-30T23:30:00+00:00', now)).toMatchObject({ asAt: '2025-06-30T23:30:00.000Z', date: '2025-07-01', past: true });
  });
});

describe("a project's record at an instant", () => {
  const entries: HistoryEntry[] = [
    { at: '2025-04-01T09:00:00.000Z', by: 'a', changes: [{ k: 'project', project }] },
    { at: '2025-04-02T09:00:00.000Z', by: 'a', changes: [{ k: 'benefit', benefit: benefit(1, 900) }] },
    { at: '2025-07-02T09:00:00.000Z', by: 'f', changes: [{ k: 'ledger', of: 'benefit', id: 'ben_1', total: 'realised', month: '2025-06', amountPence: 500 }] },
    { at: '2025-07-09T09:00:00.000Z', by: 'a', changes: [{ k: 'benefit', benefit: benefit(2, 700) }] },
    {
      at: '2025-07-10T09:00:00.000Z',
      by: 'f',
      changes: [{ k: 'ledger', of: 'benefit', id: 'ben_1', total: 'realised', month: '2025-06', amountPence: -500, reversal: true }],
    },
  ];

  it('is unknown before the project was recorded, and replays what was known by then', () => {
    expect(recordAt(entries, '2025-03-31T23:59:59.999Z')).toBeUndefined();
    expect(recordAt(entries, '2025-04-01T09:00:00.000Z')).toMatchObject({ project: { code: 'P1' }, benefits: [] });
    expect(recordAt(entries, '2025-07-05T00:00:00.000Z')?.benefits[0]).toMatchObject({ forecast: { '2025-06': 900 }, realised: { '2025-06': 500 } });
    // The later forecast keeps the realised total; the reversal takes it back.
    expect(recordAt(entries, '2025-07-09T12:00:00.000Z')?.benefits[0]).toMatchObject({ forecast: { '2025-06': 700 }, realised: { '2025-06': 500 } });
    expect(recordAt(entries, '2025-08-01T00:00:00.000Z')?.benefits[0]).toMatchObject({ realised: { '2025-06': 0 } });
  });

  it('keeps the higher version of two written in one millisecond, unless the lower one was put back', () => {
    const at = '2025-07-09T09:00:00.000Z';
    const raced: HistoryEntry[] = [
      entries[0]!,
      { at, by: 'a', changes: [{ k: 'benefit', benefit: benefit(3, 300) }] },
      { at, by: 'b', changes: [{ k: 'benefit', benefit: benefit(2, 200) }] },
    ];
    expect(recordAt(raced, at)?.benefits[0]?.forecast).toEqual({ '2025-06': 300 });
    const restored: HistoryEntry[] = [raced[0]!, raced[1]!, { at, by: 'import', changes: [{ k: 'benefit', benefit: benefit(2, 200), restored: true }] }];
    expect(recordAt(restored, at)?.benefits[0]?.forecast).toEqual({ '2025-06': 200 });
  });

  it('starts again from a snapshot, and drops removed benefits', () => {
    const snapshot: HistoryEntry = {
      at: '2025-04-01T09:00:00.000Z',
      by: 'import',
      changes: [{ k: 'snapshot', record: { project, benefits: [{ ...benefit(1, 100), realised: { '2025-05': 10 }, validated: {} }], investments: [] } }],
    };
    const removed: HistoryEntry = { at: '2025-04-01T09:00:01.000Z', by: 'import', changes: [{ k: 'removed', benefitIds: ['ben_1'] }] };
    expect(recordAt([snapshot], '2025-04-01T09:00:00.000Z')?.benefits[0]?.realised).toEqual({ '2025-05': 10 });
    expect(recordAt([snapshot, removed], '2025-04-02T00:00:00.000Z')?.benefits).toEqual([]);
  });
});

describe('the periods at an instant', () => {
  it('replays the closes and reopenings made by then', () => {
    const closed = closePeriods(NO_PERIODS_CLOSED, '2025-05', '2025-07', '2025-06-10T09:00:00.000Z', 'fin');
    const reopened = reopenPeriod(closed, '2025-05', '2025-06-20T09:00:00.000Z', 'admin', 'Late invoice');
    const again = closePeriods(reopened, '2025-06', '2025-07', '2025-07-08T09:00:00.000Z', 'fin');
    expect(isPeriodClosed(periodsAt(again, '2025-06-09T00:00:00.000Z'), '2025-05')).toBe(false);
    expect(isPeriodClosed(periodsAt(again, '2025-06-15T00:00:00.000Z'), '2025-05')).toBe(true);
    expect(isPeriodClosed(periodsAt(again, '2025-06-25T00:00:00.000Z'), '2025-05')).toBe(false);
    expect(isPeriodClosed(periodsAt(again, '2025-07-09T00:00:00.000Z'), '2025-05')).toBe(true);
    expect(isPeriodClosed(periodsAt(again, '2025-07-09T00:00:00.000Z'), '2025-06')).toBe(true);
    expect(periodsAt(again, '2030-01-01T00:00:00.000Z')).toMatchObject({ closedThrough: again.closedThrough, reopened: again.reopened });
  });

  it('counts a state kept before the log began as closed from its last close', () => {
    const legacy = { closedThrough: '2025-05', closedAt: '2025-06-10T09:00:00.000Z', closedBy: 'fin', reopened: {}, version: 1 };
    expect(periodsAt(legacy, '2025-06-01T00:00:00.000Z')).toEqual(NO_PERIODS_CLOSED);
    expect(periodsAt(legacy, '2025-06-11T00:00:00.000Z')).toBe(legacy);
  });
});
