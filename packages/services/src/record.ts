import {
  assertCan,
  fyOfDate,
  NotFoundError,
  projectFinancials,
  rollUp,
  summariseBenefit,
  summariseInvestment,
  yearsCovered,
  periodsAt,
  type Moment,
  type PeriodsState,
  type RecordState,
} from '@bt/core';
import type { ProjectRecord } from '@bt/store';
import { projectAt } from './as-at.ts';
import { thresholdsOf, type Caller, type Deps } from './context.ts';

/** The whole project: the project with its benefits, investment lines, risks and milestones, from one Query. */
export async function getProjectRecord(deps: Deps, caller: Caller, projectId: string): Promise<ProjectRecord> {
  assertCan(caller.principal, 'programme:read');
  const record = await deps.store.children.record(projectId);
  if (!record) throw new NotFoundError(`There is no project ${projectId}.`);
  return record;
}

export async function getBenefit(deps: Deps, caller: Caller, projectId: string, benefitId: string) {
  assertCan(caller.principal, 'programme:read');
  return deps.store.children.getOrThrow('benefit', projectId, benefitId);
}

/**
 * A project's figures as at a moment: per FY (every FY it has any amount in,
 * and its start FY), and payback, NPV and ROI over the horizon from the FY of
 * its start date — never moved by a stray or reversed entry (SPEC 4.3). Now:
 * from its record; a past moment: from its history up to then (one more
 * Query), with the periods closed by then.
 */
export async function projectFigures(deps: Deps, record: ProjectRecord, moment: Moment, periods?: PeriodsState) {
  const t = thresholdsOf(deps);
  const past = moment.past;
  const current = periods ?? (await deps.store.periods.get());
  const state: Pick<RecordState, 'benefits' | 'investments'> & { project: Pick<RecordState['project'], 'startDate' | 'stage' | 'stageChangedAt'> } = past
    ? ((await projectAt(deps, record.project.id, moment.instant)) ?? { project: record.project, benefits: [], investments: [] })
    : record;
  const closed = past ? periodsAt(current, moment.instant) : current;
  const asAt = moment.date;
  const benefits = state.benefits.map((b) => summariseBenefit(b, state.project));
  const investments = state.investments.map(summariseInvestment);
  const startFy = fyOfDate(state.project.startDate);
  const years = [...new Set([startFy, ...yearsCovered(benefits, investments)])].sort();
  return {
    asAt: moment.asAt,
    knownAt: moment.knownAt,
    byYear: Object.fromEntries(years.map((fy) => [fy, rollUp(benefits, investments, fy, asAt, null, t, closed)])),
    ...projectFinancials(benefits, investments, startFy, asAt, t),
  };
}
