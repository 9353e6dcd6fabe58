import {
  assertCan,
  benefitYears,
  BenefitCategory,
  BenefitType,
  fyOfDate,
  ratio,
  rollUp,
  statusBuckets,
  type Moment,
  type BenefitSummary,
  Figures,
  type FinancialYear,
  type InvestmentSummary,
  type IsoDate,
  StatusBuckets,
  type PeriodsState,
  type Thresholds,
  type Workstream,
  isAmberOrRed,
} from '@bt/core';
import type { ProjectSummary } from '@bt/store';
import * as z from 'zod';
import { allWorkstreams, momentOfRequest, programmeAt, workstreamsAt, type ProgrammeAt } from './as-at.ts';
import { thresholdsOf, type Caller, type Deps } from './context.ts';

/** The programme report (GET /v1/reports/programme): one definition, the API's schema and the type. */
export const ProgrammeReport = z
  .object({
    financialYear: z.string(),
    asAt: z.string().meta({ description: 'The moment asked for: a date (the end of that day in London) or an instant.' }),
    knownAt: z.string().meta({ description: 'The instant the figures are as known at: the moment asked for, or now if it has not come yet.' }),
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

/** A date-dependent request's query: `asAt` a date or an instant (default now), the FY (default the FY of that date). */
export interface AsAtQuery {
  asAt?: string | undefined;
  financialYear?: FinancialYear | undefined;
}

/** The moment, its London date (`asAt`, which cuts months) and the FY of a date-dependent request. */
export function resolveAsAt(deps: Deps, query: AsAtQuery): { moment: Moment; asAt: IsoDate; financialYear: FinancialYear } {
  const moment = momentOfRequest(deps, query.asAt);
  return { moment, asAt: moment.date, financialYear: query.financialYear ?? fyOfDate(moment.date) };
}

/**
 * The programme report for an FY as at a date: programme, workstream,
 * category and type roll-ups and the status buckets.
 * Reads the workstreams and one summary per project (kept up to date as
 * writes happen), never the benefits' monthly profiles.
 */
export async function programmeReport(deps: Deps, caller: Caller, query: AsAtQuery): Promise<ProgrammeReport> {
  assertCan(caller.principal, 'programme:read');
  const { moment, financialYear } = resolveAsAt(deps, query);
  const [all, read] = await Promise.all([allWorkstreams(deps), programmeAt(deps, moment, financialYear)]);
  return reportOf(deps, moment, financialYear, all, read);
}

/** The report from what was read at a moment (the monitoring pack builds its lines from the same read, so its totals are the report's). */
export function reportOf(deps: Deps, moment: Moment, fy: FinancialYear, all: Workstream[], { summaries, periods, settings }: ProgrammeAt): ProgrammeReport {
  const asAt = moment.date;
  const t = thresholdsOf(deps);
  const workstreams = workstreamsAt(all, moment);
  const benefits: BenefitSummary[] = summaries.flatMap((s) => s.benefits);
  const investments: InvestmentSummary[] = summaries.flatMap((s) => s.investments);
  const target = (ws: Workstream) => ws.mtfsTargets[fy] ?? 0;
  // Each saving's figures worked out once, for every roll-up that counts it.
  const yearOf = benefitYears(fy, asAt, t, periods);

  const perWorkstream = workstreams.map((ws) => workstreamRow(ws, summaries, fy, asAt, t, periods, yearOf));
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
      yearOf,
    );
  const programme = rollUp(
    benefits,
    investments,
    fy,
    asAt,
    workstreams.reduce((a, ws) => a + target(ws), 0),
    t,
    periods,
    'mtfs',
    yearOf,
  );
  const netBudget = settings.netBudgets[fy];
  return {
    financialYear: fy,
    asAt: moment.asAt,
    knownAt: moment.knownAt,
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
    statusBuckets: statusBuckets(benefits, fy, asAt, t, benefits, periods, yearOf),
  };
}

/** A workstream's figures for an FY: its projects' summaries against its MTFS target. */
function workstreamRow(
  ws: Workstream,
  summaries: ProjectSummary[],
  fy: FinancialYear,
  asAt: IsoDate,
  t: Thresholds,
  periods: PeriodsState,
  yearOf = benefitYears(fy, asAt, t, periods),
) {
  const projects = summaries.filter((s) => s.workstreamId === ws.id);
  const figures = rollUp(
    projects.flatMap((p) => p.benefits),
    projects.flatMap((p) => p.investments),
    fy,
    asAt,
    ws.mtfsTargets[fy] ?? 0,
    t,
    periods,
    'mtfs',
    yearOf,
  );
  return { id: ws.id, code: ws.code, name: ws.name, projectCount: projects.length, ...figures };
}

/**
 * A workstream and each of its projects' figures for an FY (the workstream
 * page), from the project summaries: the same Query as the report, however
 * many projects, never a read of each project's record.
 */
export async function workstreamReport(deps: Deps, caller: Caller, workstreamId: string, query: AsAtQuery) {
  assertCan(caller.principal, 'programme:read');
  const { moment, asAt, financialYear: fy } = resolveAsAt(deps, query);
  const t = thresholdsOf(deps);
  const [workstream, { summaries, periods }] = await Promise.all([deps.store.workstreams.getOrThrow(workstreamId), programmeAt(deps, moment, fy)]);
  // Its projects as they were then (a project moved between workstreams shows where it was).
  const mine = summaries.filter((s) => s.workstreamId === workstreamId).sort((a, b) => a.code.localeCompare(b.code));
  const yearOf = benefitYears(fy, asAt, t, periods);
  return {
    financialYear: fy,
    asAt: moment.asAt,
    knownAt: moment.knownAt,
    workstream: workstreamRow(workstream, summaries, fy, asAt, t, periods, yearOf),
    projects: mine.map((s) => {
      const figures = rollUp(s.benefits, s.investments, fy, asAt, null, t, periods, 'mtfs', yearOf);
      return {
        project: { id: s.projectId, code: s.code, name: s.name, directorate: s.directorate, stage: s.stage, deliveryConfidence: s.deliveryConfidence ?? null },
        figures,
        // Quoted beside amber and red lines (SPEC 6, the monthly return).
        commentary: isAmberOrRed(figures.rag, s.deliveryConfidence) ? (s.commentary ?? null) : null,
      };
    }),
  };
}
