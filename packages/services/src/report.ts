import {
  assertCan,
  BenefitCategory,
  BenefitType,
  fyOfDate,
  rollUp,
  statusBuckets,
  todayInLondon,
  type BenefitSummary,
  type Figures,
  type FinancialYear,
  type InvestmentSummary,
  type IsoDate,
  type StatusBuckets,
  type Workstream,
} from '@bt/core';
import { collectAll } from '@bt/store';
import { thresholdsOf, type Caller, type Deps } from './context.ts';

export interface ProgrammeReport {
  financialYear: FinancialYear;
  asAt: IsoDate;
  programme: Figures & { projectCount: number };
  workstreams: (Figures & { id: string; code: string; name: string; projectCount: number })[];
  byCategory: Record<BenefitCategory, Figures>;
  byType: Record<BenefitType, Figures>;
  statusBuckets: StatusBuckets;
}

/** The as-at date (default today in London) and FY (default the FY of that date) of a date-dependent request. */
export function resolveAsAt(deps: Deps, query: { asAt?: IsoDate | undefined; financialYear?: FinancialYear | undefined }) {
  const asAt = query.asAt ?? todayInLondon(deps.clock());
  return { asAt, financialYear: query.financialYear ?? fyOfDate(asAt) };
}

/**
 * The programme report for an FY as at a date: programme, workstream,
 * category and type roll-ups and the status buckets.
 * Reads the workstreams and one summary per project (kept up to date as
 * writes happen), never the benefits' monthly profiles.
 */
export async function programmeReport(deps: Deps, caller: Caller, query: { asAt?: IsoDate | undefined; financialYear?: FinancialYear | undefined }): Promise<ProgrammeReport> {
  assertCan(caller.principal, 'programme:read');
  const { asAt, financialYear: fy } = resolveAsAt(deps, query);
  const t = thresholdsOf(deps);
  const [workstreams, summaries] = await Promise.all([collectAll((page) => deps.store.workstreams.list(page)), deps.store.summaries.all()]);
  const benefits: BenefitSummary[] = summaries.flatMap((s) => s.benefits);
  const investments: InvestmentSummary[] = summaries.flatMap((s) => s.investments);
  const target = (ws: Workstream) => ws.mtfsTargets[fy] ?? 0;

  const perWorkstream = workstreams.map((ws) => {
    const projects = summaries.filter((s) => s.workstreamId === ws.id);
    return {
      id: ws.id,
      code: ws.code,
      name: ws.name,
      projectCount: projects.length,
      ...rollUp(projects.flatMap((p) => p.benefits), projects.flatMap((p) => p.investments), fy, asAt, target(ws), t),
    };
  });
  const only = <K extends 'category' | 'type'>(key: K, value: BenefitSummary[K]) => rollUp(benefits.filter((b) => b[key] === value), [], fy, asAt, null, t);
  return {
    financialYear: fy,
    asAt,
    programme: { projectCount: summaries.length, ...rollUp(benefits, investments, fy, asAt, workstreams.reduce((a, ws) => a + target(ws), 0), t) },
    workstreams: perWorkstream,
    byCategory: Object.fromEntries(BenefitCategory.options.map((c) => [c, only('category', c)])) as Record<BenefitCategory, Figures>,
    byType: Object.fromEntries(BenefitType.options.map((k) => [k, only('type', k)])) as Record<BenefitType, Figures>,
    statusBuckets: statusBuckets(benefits, fy, asAt, t),
  };
}
