import {
  assertCan,
  BenefitCategory,
  BenefitType,
  fyOfDate,
  ratio,
  rollUp,
  statusBuckets,
  todayInLondon,
  type BenefitSummary,
  Figures,
  type FinancialYear,
  type InvestmentSummary,
  type IsoDate,
  StatusBuckets,
  type PeriodsState,
  type Thresholds,
  type Workstream,
} from '@bt/core';
import { collectAll, type ProjectSummary } from '@bt/store';
import * as z from 'zod';
import { thresholdsOf, type Caller, type Deps } from './context.ts';

/** The programme report (GET /v1/reports/programme): one definition, the API's schema and the type. */
export const ProgrammeReport = z
  .object({
    financialYear: z.string(),
    asAt: z.string(),
    programme: Figures.extend({
      projectCount: z.int(),
      netBudgetPence: z.int().nullable().meta({ description: 'The net revenue budget for the FY (programme settings); null when not set.' }),
      shareOfNetBudget: z.number().nullable().meta({ description: 'Outturn ÷ net budget, a fraction to 4 places; null without a net budget.' }),
      programmeTarget: z
        .object({ fromFinancialYear: z.string(), toFinancialYear: z.string(), targetPence: z.int() })
        .nullable()
        .meta({ description: 'The programme total target over its years (programme settings).' }),
    }),
    workstreams: z.array(Figures.extend({ id: z.string(), code: z.string(), name: z.string(), projectCount: z.int() })),
    byCategory: z.object({ transformation: Figures, mitigation: Figures }),
    byType: z.record(BenefitType, Figures),
    statusBuckets: StatusBuckets,
  })
  .meta({ id: 'ProgrammeReport' });
export type ProgrammeReport = z.infer<typeof ProgrammeReport>;

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
export async function programmeReport(
  deps: Deps,
  caller: Caller,
  query: { asAt?: IsoDate | undefined; financialYear?: FinancialYear | undefined },
): Promise<ProgrammeReport> {
  assertCan(caller.principal, 'programme:read');
  const { asAt, financialYear: fy } = resolveAsAt(deps, query);
  const t = thresholdsOf(deps);
  const [workstreams, { summaries, periods, settings }] = await Promise.all([collectAll((page) => deps.store.workstreams.list(page)), readableSummaries(deps)]);
  const benefits: BenefitSummary[] = summaries.flatMap((s) => s.benefits);
  const investments: InvestmentSummary[] = summaries.flatMap((s) => s.investments);
  const target = (ws: Workstream) => ws.mtfsTargets[fy] ?? 0;

  const perWorkstream = workstreams.map((ws) => workstreamRow(ws, summaries, fy, asAt, t, periods));
  // By category: MTFS-countable savings of each (transformation and mitigation apart); by type: each type's own figures, the non-countable ones beside the MTFS figures, never added in.
  const only = <K extends 'category' | 'type'>(key: K, value: BenefitSummary[K]) =>
    rollUp(
      benefits.filter((b) => b[key] === value),
      [],
      fy,
      asAt,
      null,
      t,
      periods,
      key === 'type' ? 'all' : 'mtfs',
    );
  const programme = rollUp(
    benefits,
    investments,
    fy,
    asAt,
    workstreams.reduce((a, ws) => a + target(ws), 0),
    t,
    periods,
  );
  const netBudget = settings.netBudgets[fy];
  return {
    financialYear: fy,
    asAt,
    programme: {
      projectCount: summaries.length,
      ...programme,
      netBudgetPence: netBudget ?? null,
      shareOfNetBudget: netBudget ? ratio(programme.outturnPence, netBudget) : null,
      programmeTarget: settings.programmeTarget,
    },
    workstreams: perWorkstream,
    byCategory: Object.fromEntries(BenefitCategory.options.map((c) => [c, only('category', c)])) as Record<BenefitCategory, Figures>,
    byType: Object.fromEntries(BenefitType.options.map((k) => [k, only('type', k)])) as Record<BenefitType, Figures>,
    statusBuckets: statusBuckets(benefits, fy, asAt, t, benefits, periods),
  };
}

/** A workstream's figures for an FY: its projects' summaries against its MTFS target. */
function workstreamRow(ws: Workstream, summaries: ProjectSummary[], fy: FinancialYear, asAt: IsoDate, t: Thresholds, periods: PeriodsState) {
  const projects = summaries.filter((s) => s.workstreamId === ws.id);
  const figures = rollUp(
    projects.flatMap((p) => p.benefits),
    projects.flatMap((p) => p.investments),
    fy,
    asAt,
    ws.mtfsTargets[fy] ?? 0,
    t,
    periods,
  );
  return { id: ws.id, code: ws.code, name: ws.name, projectCount: projects.length, ...figures };
}

/**
 * A workstream and each of its projects' figures for an FY (the workstream
 * page), from the project summaries: the same Query as the report, however
 * many projects, never a read of each project's record.
 */
export async function workstreamReport(
  deps: Deps,
  caller: Caller,
  workstreamId: string,
  query: { asAt?: IsoDate | undefined; financialYear?: FinancialYear | undefined },
) {
  assertCan(caller.principal, 'programme:read');
  const { asAt, financialYear: fy } = resolveAsAt(deps, query);
  const t = thresholdsOf(deps);
  const [workstream, { summaries, periods }, projects] = await Promise.all([
    deps.store.workstreams.getOrThrow(workstreamId),
    readableSummaries(deps),
    collectAll((page) => deps.store.projects.list({ workstreamId }, page)),
  ]);
  const byProject = new Map(summaries.map((s) => [s.projectId, s]));
  return {
    financialYear: fy,
    asAt,
    workstream: workstreamRow(workstream, summaries, fy, asAt, t, periods),
    projects: projects.map((project) => {
      const summary = byProject.get(project.id);
      return { project, figures: rollUp(summary?.benefits ?? [], summary?.investments ?? [], fy, asAt, null, t, periods) };
    }),
  };
}

/**
 * The programme's summaries; any of a layout too old to read (written before
 * an upgrade, in a deployment that has not run `upgradeSummaries`) is rebuilt
 * from its record first, so the report never counts it as empty.
 */
async function readableSummaries(deps: Deps) {
  const read = await deps.store.summaries.programme();
  if (read.unreadable.length === 0) return read;
  await rebuildSummaries(deps, read.unreadable);
  return deps.store.summaries.programme();
}

async function rebuildSummaries(deps: Deps, projectIds: string[]): Promise<void> {
  for (const projectId of projectIds) {
    const record = await deps.store.children.record(projectId);
    if (record) await deps.store.commit([deps.store.summaries.rebuildOp(record)]);
  }
}

/**
 * Rebuilds every project summary of an earlier layout from its record (one
 * Query and one write per such project), so figures never come from a
 * summary that lacks what they need. Run before serving; returns how many.
 */
export async function upgradeSummaries(deps: Deps): Promise<number> {
  const outdated = await deps.store.summaries.outdated();
  await rebuildSummaries(deps, outdated);
  return outdated.length;
}
