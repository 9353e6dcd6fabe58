import { describe, expect, it } from 'vitest';
import { evaluateAlerts, workingDaysBetween } from './alert-rules.ts';
import { alertFromCondition, DEFAULT_ALERT_SETTINGS, type ProgrammeForAlerts, type ProjectForAlerts } from './alerts.ts';
import type { Benefit } from './benefit.ts';
import { monthsOfFy } from './fy.ts';
import type { Investment } from './investment.ts';
import type { Milestone } from './milestone.ts';
import { NO_PERIODS_CLOSED } from './periods.ts';
import type { Project } from './project.ts';
import type { Risk } from './risk.ts';
import type { Workstream } from './workstream.ts';

/** Each rule on its own, on the smallest programme that shows it: one workstream, one project, what the rule needs. */
const AS_AT = '2025-11-20';
const FY = '2025/26';
const meta = { version: 1, createdAt: '2025-11-01T09:00:00.000Z', createdBy: 'pm', updatedAt: '2025-11-01T09:00:00.000Z', updatedBy: 'pm' };
const workstream: Workstream = { id: 'ws_1', code: 'ASC', name: 'Adults', lead: 'Lead', mtfsTargets: {}, ...meta };
const project: Project = {
  id: 'prj_1',
  code: 'ASC-1',
  name: 'Reablement',
  workstreamId: workstream.id,
  directorate: 'Adults',
  sro: 'SRO',
  manager: 'pm',
  stage: 'delivery',
  deliveryConfidence: 'amber',
  startDate: '2025-04-01',
  endDate: '2027-03-31',
  ...meta,
};
const perMonth = (pence: number) => Object.fromEntries(monthsOfFy(FY).map((m) => [m, pence]));
function benefit(overrides: Partial<Benefit> = {}): Benefit {
  return {
    id: 'ben_1',
    projectId: project.id,
    title: 'Saving',
    type: 'cashable-saving',
    category: 'transformation',
    recurrence: 'recurring',
    mtfsRef: 'M1',
    owner: 'O',
    confidencePct: 100,
    status: 'active',
    replacedByBenefitIds: [],
    baseline: perMonth(1_000_000),
    baselineVersion: 1,
    forecast: perMonth(1_000_000),
    forecastUpdatedAt: '2025-11-10T09:00:00.000Z',
    realised: {},
    validated: {},
    ...meta,
    ...overrides,
  };
}
function programme(p: Partial<ProjectForAlerts> = {}, extra: Partial<ProgrammeForAlerts> = {}): ProgrammeForAlerts {
  return {
    asAt: AS_AT,
    workstreams: [workstream],
    projects: [{ project, workstream, benefits: [], investments: [], risks: [], milestones: [], ...p }],
    periods: NO_PERIODS_CLOSED,
    ...extra,
  };
}
const rules = (prog: ProgrammeForAlerts, settings = DEFAULT_ALERT_SETTINGS) => evaluateAlerts(prog, settings).map((c) => c.rule);
// Realised on plan to the end of October, so under-realisation stays quiet where it is not the subject.
const onPlan = Object.fromEntries(
  monthsOfFy(FY)
    .filter((m) => m <= '2025-10')
    .map((m) => [m, 1_000_000]),
);

describe('alert rules, one at a time', () => {
  it('change-request-pending: a change request undecided for more than 10 working days (Monday to Friday)', () => {
    // 2025-11-20 is a Thursday. Requested on Thursday 6 November: 10 working days to the 20th; on Wednesday the 5th: 11.
    expect(workingDaysBetween('2025-11-06T09:00:00.000Z', AS_AT)).toBe(10);
    expect(workingDaysBetween('2025-11-05T09:00:00.000Z', AS_AT)).toBe(11);
    const request = (id: string, requestedAt: string) => ({ id, kind: 're-baseline' as const, requestedAt, requestedBy: 'pat' });
    expect(rules(programme({ pendingChanges: [request('chg_1', '2025-11-06T09:00:00.000Z')] }))).not.toContain('change-request-pending');
    const c = evaluateAlerts(programme({ pendingChanges: [request('chg_1', '2025-11-06T09:00:00.000Z'), request('chg_2', '2025-11-03T09:00:00.000Z')] })).find(
      (x) => x.rule === 'change-request-pending',
    )!;
    expect(c).toMatchObject({ severity: 'warning', subject: { type: 'project', id: project.id } });
    expect(c.figures).toMatchObject({ pendingRequests: 1, oldestWorkingDays: 13, requestIds: 'chg_2' });
    expect(
      rules(programme({ pendingChanges: [request('chg_2', '2025-11-03T09:00:00.000Z')] }), { ...DEFAULT_ALERT_SETTINGS, changeRequestPendingWorkingDays: 15 }),
    ).not.toContain('change-request-pending');
  });

  it('forecast-slippage: the outturn of an agreed saving short of its baseline beyond the tolerance', () => {
    const short = benefit({ forecast: perMonth(900_000), realised: onPlan, validated: onPlan });
    const c = evaluateAlerts(programme({ benefits: [short] })).find((x) => x.rule === 'forecast-slippage')!;
    // No month closed: the outturn is the forecast, £108k against £120k.
    expect(c.figures).toMatchObject({ baselinePence: 12_000_000, outturnPence: 10_800_000, shortfallPence: 1_200_000, shortfallPct: 10 });
    // Within the 5% tolerance: nothing.
    expect(rules(programme({ benefits: [benefit({ forecast: perMonth(960_000), realised: onPlan, validated: onPlan })] }))).not.toContain('forecast-slippage');
    // Pipeline projects and non-cashable types are not MTFS delivery.
    expect(rules(programme({ project: { ...project, stage: 'business-case' }, benefits: [short] }))).not.toContain('forecast-slippage');
    expect(rules(programme({ benefits: [{ ...short, type: 'cost-avoidance' }] }))).not.toContain('forecast-slippage');
  });

  it('dis-benefit-overrun: a cost forecast above its baseline cost', () => {
    const cost = benefit({ baseline: perMonth(-1_000_000), forecast: perMonth(-1_200_000) });
    expect(rules(programme({ benefits: [cost] }))).toContain('dis-benefit-overrun');
    expect(rules(programme({ benefits: [benefit({ baseline: perMonth(-1_000_000), forecast: perMonth(-1_000_000) })] }))).not.toContain('dis-benefit-overrun');
  });

  it('realised-before-milestone: savings recorded while a milestone they hang on is open', () => {
    const b = benefit({ realised: onPlan, validated: onPlan });
    const gate: Milestone = { id: 'mst_1', projectId: project.id, title: 'Go live', dueDate: '2026-01-31', benefitIds: [b.id], ...meta };
    expect(rules(programme({ benefits: [b], milestones: [gate] }))).toContain('realised-before-milestone');
    expect(rules(programme({ benefits: [b], milestones: [{ ...gate, completedDate: '2025-04-01' }] }))).not.toContain('realised-before-milestone');
  });

  it('under-realisation: realised to the last completed month behind the phased baseline', () => {
    const behind = Object.fromEntries(Object.keys(onPlan).map((m) => [m, 500_000]));
    expect(rules(programme({ benefits: [benefit({ realised: behind, validated: behind })] }))).toContain('under-realisation');
    expect(rules(programme({ benefits: [benefit({ realised: onPlan, validated: onPlan })] }))).not.toContain('under-realisation');
  });

  it('stale-forecast: not updated for longer than the setting', () => {
    expect(rules(programme({ benefits: [benefit({ realised: onPlan, validated: onPlan, forecastUpdatedAt: '2025-09-01T09:00:00.000Z' })] }))).toContain(
      'stale-forecast',
    );
    expect(rules(programme({ benefits: [benefit({ realised: onPlan, validated: onPlan })] }))).not.toContain('stale-forecast');
  });

  it('unvalidated-actuals: realised in months long ended still awaiting finance', () => {
    const c = evaluateAlerts(programme({ benefits: [benefit({ realised: onPlan, validated: { '2025-04': 1_000_000 } })] })).find(
      (x) => x.rule === 'unvalidated-actuals',
    )!;
    // April validated; May to September ended over 30 days ago (October's end is 20 days before).
    expect(c.figures).toMatchObject({ unvalidatedPence: 5_000_000, oldestMonth: '2025-05' });
  });

  it('investment-overrun: spend to date above plan beyond the tolerance', () => {
    const line: Investment = {
      id: 'inv_1',
      projectId: project.id,
      title: 'Kit',
      kind: 'capital',
      fundingSource: 'reserves',
      planned: { '2025-06': 10_000_000 },
      actual: { '2025-06': 12_000_000 },
      ...meta,
    };
    expect(rules(programme({ investments: [line] }))).toContain('investment-overrun');
    expect(rules(programme({ investments: [{ ...line, actual: { '2025-06': 10_500_000 } }] }))).not.toContain('investment-overrun');
  });

  it('milestone-overdue: past due, open, with savings hanging on it; critical after 30 days', () => {
    const ms: Milestone = { id: 'mst_1', projectId: project.id, title: 'Restructure', dueDate: '2025-11-01', benefitIds: ['ben_1'], ...meta };
    expect(evaluateAlerts(programme({ milestones: [ms] })).find((c) => c.rule === 'milestone-overdue')?.severity).toBe('warning');
    expect(evaluateAlerts(programme({ milestones: [{ ...ms, dueDate: '2025-09-01' }] })).find((c) => c.rule === 'milestone-overdue')?.severity).toBe(
      'critical',
    );
    expect(rules(programme({ milestones: [{ ...ms, benefitIds: [] }] }))).not.toContain('milestone-overdue');
  });

  it('high-risk: an open high or critical risk on a project with material savings', () => {
    const risk: Risk = {
      id: 'rsk_1',
      projectId: project.id,
      title: 'Market',
      owner: 'O',
      likelihood: 4,
      impact: 5,
      mitigation: 'm',
      status: 'open',
      score: 20,
      band: 'critical',
      history: [],
      ...meta,
    } as Risk;
    const b = benefit({ realised: onPlan, validated: onPlan });
    expect(rules(programme({ benefits: [b], risks: [risk] }))).toContain('high-risk');
    expect(rules(programme({ benefits: [b], risks: [{ ...risk, status: 'closed' }] }))).not.toContain('high-risk');
  });

  it('confidence-deteriorated: delivery confidence fell', () => {
    expect(rules(programme({ project: { ...project, deliveryConfidence: 'red', previousDeliveryConfidence: 'amber' } }))).toContain('confidence-deteriorated');
    expect(rules(programme({ project: { ...project, deliveryConfidence: 'green', previousDeliveryConfidence: 'amber' } }))).not.toContain(
      'confidence-deteriorated',
    );
  });

  it('mtfs-gap: a workstream and the programme short of their targets (the programme always critical)', () => {
    const targeted = { ...workstream, mtfsTargets: { [FY]: 13_000_000 } };
    const conditions = evaluateAlerts(
      programme({ workstream: targeted, benefits: [benefit({ realised: onPlan, validated: onPlan })] }, { workstreams: [targeted] }),
    ).filter((c) => c.rule === 'mtfs-gap');
    expect(conditions.map((c) => [c.subject.type, c.severity])).toEqual([
      ['workstream', 'warning'],
      ['programme', 'critical'],
    ]);
    expect(conditions[0]!.figures).toMatchObject({ mtfsTargetPence: 13_000_000, gapPence: 1_000_000 });
  });

  it('one-off-fallout: one-off savings that fall out next year', () => {
    expect(rules(programme({ benefits: [benefit({ recurrence: 'one-off', realised: onPlan, validated: onPlan })] }))).toContain('one-off-fallout');
  });

  it('double-count-risk: two live savings claim one MTFS line (grouped by line)', () => {
    const a = benefit({ realised: onPlan, validated: onPlan });
    const b = benefit({ id: 'ben_2', title: 'Other', mtfsRef: ' m1 ', realised: onPlan, validated: onPlan });
    const c = evaluateAlerts(programme({ benefits: [a, b] })).find((x) => x.rule === 'double-count-risk')!;
    expect(c.figures).toMatchObject({ mtfsRef: 'M1', claims: 2 });
    expect(rules(programme({ benefits: [a, { ...b, status: 'withdrawn', writtenOutAt: '2025-06-01T00:00:00.000Z' }] }))).not.toContain('double-count-risk');
  });

  it('unreplaced-write-out: a saving written out with its baseline not replaced', () => {
    const out = benefit({ status: 'unachievable', writtenOutAt: '2025-06-01T00:00:00.000Z' });
    expect(rules(programme({ benefits: [out] }))).toContain('unreplaced-write-out');
  });

  it('evaluates nothing on a project that is cancelled or closed, beyond its write-outs', () => {
    const closed = { ...project, stage: 'closed' as const, deliveryConfidence: 'red' as const, previousDeliveryConfidence: 'amber' as const };
    expect(rules(programme({ project: closed, benefits: [benefit({ forecast: perMonth(0) })] }))).toEqual([]);
  });
});

describe('an alert’s life from its conditions', () => {
  const condition = evaluateAlerts(
    programme({ milestones: [{ id: 'mst_1', projectId: project.id, title: 'Go live', dueDate: '2025-11-01', benefitIds: ['ben_1'], ...meta }] }),
  )[0]!;
  it('raises a new alert, refreshes a live one (keeping its acknowledgement), marks an escalation, and raises a resolved one again as its next occurrence', () => {
    const raised = alertFromCondition('alr_1', condition, undefined, '2025-11-20T06:00:00.000Z');
    expect(raised).toMatchObject({ raised: true, alert: { status: 'open', occurrence: 1, version: 1, firstRaisedAt: '2025-11-20T06:00:00.000Z' } });
    const acknowledged = { ...raised.alert, status: 'acknowledged' as const, acknowledgedBy: 'fin' };
    const seen = alertFromCondition('alr_1', condition, acknowledged, '2025-11-21T06:00:00.000Z');
    expect(seen).toMatchObject({ raised: false, alert: { status: 'acknowledged', acknowledgedBy: 'fin', lastSeenAt: '2025-11-21T06:00:00.000Z', version: 2 } });
    expect(seen.alert.escalatedAt).toBeUndefined();
    expect(alertFromCondition('alr_1', { ...condition, severity: 'critical' }, acknowledged, '2025-11-22T06:00:00.000Z').alert.escalatedAt).toBe(
      '2025-11-22T06:00:00.000Z',
    );
    const again = alertFromCondition('alr_1', condition, { ...raised.alert, status: 'resolved', version: 4 }, '2025-12-01T06:00:00.000Z');
    expect(again).toMatchObject({ raised: true, alert: { status: 'open', occurrence: 2, version: 5 } });
  });
});
