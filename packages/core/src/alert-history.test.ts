import { describe, expect, it } from 'vitest';
import { ALERT_STEP_ACTIONS, alertStepOfAudit, isAlertStep, mergedAlertHistory, type Alert, type AlertHistoryEntry } from './alerts.ts';

const alert: Alert = {
  id: 'alr_1',
  rule: 'forecast-slippage',
  severity: 'critical',
  subject: { type: 'benefit', id: 'ben_1', label: 'Adults: Reablement', projectId: 'prj_1', workstreamId: 'ws_1' },
  financialYear: '2025/26',
  figures: {},
  message: 'Short',
  status: 'acknowledged',
  occurrence: 2,
  firstRaisedAt: '2025-12-01T06:00:00.000Z',
  lastSeenAt: '2025-12-02T06:00:00.000Z',
  acknowledgedAt: '2025-12-02T09:00:00.000Z',
  acknowledgedBy: 'pat',
  acknowledgementNote: 'Watching it',
  version: 4,
};
const step = (action: string, sub = 'system:alerts') => ({ action, at: '2025-12-02T09:00:00.000Z', actor: { sub } });

describe('an alert’s history from its audit trail', () => {
  it('reads each step from the audit entry that recorded it, the alert as the step left it', () => {
    expect(alertStepOfAudit(step('acknowledge', 'pat'), alert)).toEqual({
      action: 'acknowledged',
      at: '2025-12-02T09:00:00.000Z',
      by: 'pat',
      occurrence: 2,
      severity: 'critical',
      message: 'Short',
      note: 'Watching it',
      version: 4,
    });
    // Only an acknowledgement names who did it, and carries the note: the other steps are the evaluation's.
    expect(alertStepOfAudit(step('escalate'), alert)).toEqual({
      action: 'escalated',
      at: '2025-12-02T09:00:00.000Z',
      occurrence: 2,
      severity: 'critical',
      message: 'Short',
      version: 4,
    });
    for (const [name, action] of Object.entries(ALERT_STEP_ACTIONS)) expect(alertStepOfAudit(step(action), alert)?.action).toBe(name);
  });

  it('is not a step for any other action (not even one named like a property of every object)', () => {
    for (const action of ['update', 'raised', 'constructor', 'toString', '__proto__']) {
      expect(isAlertStep(action)).toBe(false);
      expect(alertStepOfAudit(step(action), alert)).toBeUndefined();
    }
  });

  it('merges the steps stored on their own before with those of the trail: a step in both once (the stored one), oldest first', () => {
    const entry = (action: AlertHistoryEntry['action'], version: number, at: string): AlertHistoryEntry => ({
      action,
      at,
      occurrence: 1,
      severity: 'warning',
      message: 'm',
      version,
    });
    const stored = [entry('raised', 1, 'stored'), entry('escalated', 2, 'stored')];
    const trail = [entry('resolved', 3, 'trail'), entry('raised', 1, 'trail')];
    expect(mergedAlertHistory(trail, stored).map((e) => [e.action, e.version, e.at])).toEqual([
      ['raised', 1, 'stored'],
      ['escalated', 2, 'stored'],
      ['resolved', 3, 'trail'],
    ]);
    expect(mergedAlertHistory(trail, [])).toHaveLength(2);
  });
});
