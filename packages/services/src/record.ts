import {
  assertCan,
  fyOfDate,
  NotFoundError,
  projectFinancials,
  rollUp,
  summariseBenefit,
  summariseInvestment,
  yearsCovered,
  type IsoDate,
  type PeriodsState,
} from '@bt/core';
import type { ProjectRecord } from '@bt/store';
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
 * A project's figures as at a date: per FY (every FY it has any amount in,
 * and its start FY), and payback, NPV and ROI over the horizon from the FY of
 * its start date — never moved by a stray or reversed entry (SPEC 4.3).
 */
export async function projectFigures(deps: Deps, record: ProjectRecord, asAt: IsoDate, periods?: PeriodsState) {
  const t = thresholdsOf(deps);
  const closed = periods ?? (await deps.store.periods.get());
  const benefits = record.benefits.map((b) => summariseBenefit(b, record.project));
  const investments = record.investments.map(summariseInvestment);
  const startFy = fyOfDate(record.project.startDate);
  const years = [...new Set([startFy, ...yearsCovered(benefits, investments)])].sort();
  return {
    asAt,
    byYear: Object.fromEntries(years.map((fy) => [fy, rollUp(benefits, investments, fy, asAt, null, t, closed)])),
    ...projectFinancials(benefits, investments, startFy, asAt, t),
  };
}
