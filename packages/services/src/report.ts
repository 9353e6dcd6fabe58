import { lazySchema } from '@bt/core';
import {
  assertCan,
  benefitYears,
  BucketsTally,
  FiguresTally,
  type BenefitYearValue,
  BenefitCategory,
  BenefitType,
  fyOfDate,
  ratio,
  rollUp,
  type Moment,
  type BenefitSummary,
  Figures,
  type FinancialYear,
  type IsoDate,
  StatusBuckets,
  type PeriodsState,
  type Thresholds,
  type Workstream,
  isAmberOrRed,
} from '@bt/core';
import type { ProjectSummary } from '@bt/store';
import * as z from 'zod';
import { allWorkstreams, momentOfRequest, programmeStream, workstreamsAt, type ProgrammeStream } from './as-at.ts';
import { thresholdsOf, type Caller, type Deps } from './context.ts';

/** The programme report (GET /v1/reports/programme): one definition, the API's schema and the type. */
export const ProgrammeReport = lazySchema(() =>
  z
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
    .meta({ id: 'ProgrammeReport' }),
);
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
 * writes happen), never the benefits' monthly profiles, a page of projects
 * at a time: each page is counted into the roll-ups and let go, so memory
 * stays bounded however large the programme.
 */
export async function programmeReport(deps: Deps, caller: Caller, query: AsAtQuery): Promise<ProgrammeReport> {
  assertCan(caller.principal, 'programme:read');
  const { moment, financialYear } = resolveAsAt(deps, query);
  const [all, read] = await Promise.all([allWorkstreams(deps), programmeStream(deps, moment, financialYear)]);
  const tally = new ReportTally(deps, moment, financialYear, all, read);
  for await (const page of read.pages) for (const s of page) tally.project(s);
  return tally.report();
}

/**
 * The programme report's roll-ups, counted a project at a time: each saving's
 * figures worked out once, then added to the programme, its workstream, its
 * category and type, and its status bucket. Only sums are kept (and, for the
 * written-out savings, what their replacements cover), never the summaries.
 * The monitoring pack feeds it the pages it makes its lines from, so the
 * workbook's totals are the report's.
 */
export class ReportTally {
  private readonly asAt: IsoDate;
  private readonly t: Thresholds;
  private readonly periods: PeriodsState;
  /** Each saving's figures for the FY, worked out once (the pack makes its lines with the same). */
  readonly yearOf: (b: BenefitSummary) => BenefitYearValue;
  /** The workstreams that existed at the moment, in their order. */
  private readonly listed: Workstream[];
  private readonly programme: FiguresTally;
  private readonly workstreams = new Map<string, { figures: FiguresTally; projectCount: number }>();
  private readonly byCategory: Record<BenefitCategory, FiguresTally>;
  private readonly byType: Record<BenefitType, FiguresTally>;
  private readonly buckets = new BucketsTally();
  private projectCount = 0;

  constructor(
    deps: Deps,
    private readonly moment: Moment,
    private readonly fy: FinancialYear,
    all: Workstream[],
    private readonly read: Pick<ProgrammeStream, 'periods' | 'settings'>,
  ) {
    this.asAt = moment.date;
    this.t = thresholdsOf(deps);
    this.periods = read.periods;
    this.yearOf = benefitYears(fy, this.asAt, this.t, this.periods);
    this.programme = this.tally();
    this.listed = workstreamsAt(all, moment);
    // By category: MTFS-countable savings of each (transformation and mitigation apart); by type: each type's own figures, the non-countable ones beside the MTFS figures, never added in.
    this.byCategory = Object.fromEntries(BenefitCategory.options.map((c) => [c, this.tally()])) as Record<BenefitCategory, FiguresTally>;
    this.byType = Object.fromEntries(BenefitType.options.map((k) => [k, this.tally('all')])) as Record<BenefitType, FiguresTally>;
  }

  private tally(scope: 'mtfs' | 'all' = 'mtfs') {
    return new FiguresTally(this.fy, this.asAt, this.t, this.periods, scope);
  }

  /** Counts a project's savings and investment lines. */
  project(s: ProjectSummary): void {
    this.projectCount += 1;
    let ws = this.workstreams.get(s.workstreamId);
    if (!ws) {
      ws = { figures: this.tally(), projectCount: 0 };
      this.workstreams.set(s.workstreamId, ws);
    }
    ws.projectCount += 1;
    for (const b of s.benefits) {
      const y = this.yearOf(b);
      this.programme.benefit(b, y);
      ws.figures.benefit(b, y);
      this.byCategory[b.category].benefit(b, y);
      this.byType[b.type].benefit(b, y);
      this.buckets.benefit(b, y);
      this.buckets.replacement(b, y);
    }
    for (const i of s.investments) {
      this.programme.investment(i);
      ws.figures.investment(i);
    }
  }

  report(): ProgrammeReport {
    const { fy, moment, read } = this;
    const target = (ws: Workstream) => ws.mtfsTargets[fy] ?? 0;
    const programme = this.programme.figures(this.listed.reduce((a, ws) => a + target(ws), 0));
    const netBudget = read.settings.netBudgets[fy];
    return {
      financialYear: fy,
      asAt: moment.asAt,
      knownAt: moment.knownAt,
      programme: {
        projectCount: this.projectCount,
        ...programme,
        netBudgetPence: netBudget ?? null,
        shareOfNetBudget: netBudget ? ratio(programme.outturnPence, netBudget) : null,
        programmeTarget: read.settings.programmeTarget,
      },
      workstreams: this.listed.map((ws) => {
        const counted = this.workstreams.get(ws.id);
        return {
          id: ws.id,
          code: ws.code,
          name: ws.name,
          projectCount: counted?.projectCount ?? 0,
          ...(counted?.figures ?? this.tally()).figures(target(ws)),
        };
      }),
      byCategory: Object.fromEntries(BenefitCategory.options.map((c) => [c, this.byCategory[c].figures(null)])) as Record<BenefitCategory, Figures>,
      byType: Object.fromEntries(BenefitType.options.map((k) => [k, this.byType[k].figures(null)])) as Record<BenefitType, Figures>,
      statusBuckets: this.buckets.buckets(),
    };
  }
}

/**
 * A workstream and each of its projects' figures for an FY (the workstream
 * page), from the project summaries: the same Query as the report, however
 * many projects, never a read of each project's record; a page of projects
 * at a time, only this workstream's kept.
 */
export async function workstreamReport(deps: Deps, caller: Caller, workstreamId: string, query: AsAtQuery) {
  assertCan(caller.principal, 'programme:read');
  const { moment, asAt, financialYear: fy } = resolveAsAt(deps, query);
  const t = thresholdsOf(deps);
  const [workstream, { pages, periods }] = await Promise.all([deps.store.workstreams.getOrThrow(workstreamId), programmeStream(deps, moment, fy)]);
  const yearOf = benefitYears(fy, asAt, t, periods);
  const tally = new FiguresTally(fy, asAt, t, periods);
  const projects = [];
  let projectCount = 0;
  for await (const page of pages) {
    // Its projects as they were then (a project moved between workstreams shows where it was).
    for (const s of page) {
      if (s.workstreamId !== workstreamId) continue;
      projectCount += 1;
      for (const b of s.benefits) tally.benefit(b, yearOf(b));
      for (const i of s.investments) tally.investment(i);
      const figures = rollUp(s.benefits, s.investments, fy, asAt, null, t, periods, 'mtfs', yearOf);
      projects.push({
        project: { id: s.projectId, code: s.code, name: s.name, directorate: s.directorate, stage: s.stage, deliveryConfidence: s.deliveryConfidence ?? null },
        figures,
        // Quoted beside amber and red lines (SPEC 6, the monthly return).
        commentary: isAmberOrRed(figures.rag, s.deliveryConfidence) ? (s.commentary ?? null) : null,
      });
    }
  }
  return {
    financialYear: fy,
    asAt: moment.asAt,
    knownAt: moment.knownAt,
    workstream: { id: workstream.id, code: workstream.code, name: workstream.name, projectCount, ...tally.figures(workstream.mtfsTargets[fy] ?? 0) },
    projects: projects.sort((a, b) => a.project.code.localeCompare(b.project.code)),
  };
}
