import { lazySchema } from './lazy-schema.ts';
import * as z from 'zod';
import { AlertRule, Severity, type Alert } from './alerts.ts';
import { isWrittenOut, type Benefit } from './benefit.ts';
import { benefitYear, summariseBenefit, type Figures, type Thresholds } from './figures.ts';
import { Brag, Rag, rag as ragOf } from './rag.ts';
import { isAmberOrRed } from './monthly-return.ts';
import type { PeriodsState } from './periods.ts';
import { formatPercent } from './format.ts';
import { formatPoundsShort } from './money.ts';
import type { FinancialYear, IsoDate } from './fy.ts';
import type { Milestone } from './milestone.ts';
import type { Project } from './project.ts';
import type { Risk } from './risk.ts';
import type { Workstream } from './workstream.ts';

/** The headline figures a digest reports and the next digest compares with. */
export const DigestHeadline = lazySchema(() =>
  z.object({
    mtfsTargetPence: z.int(),
    baselinePence: z.int(),
    forecastPence: z.int(),
    /** Forecast outturn (realised in closed months + forecast in open ones); absent in digests sent before 2026-11-30. */
    outturnPence: z.int().optional(),
    realisedPence: z.int(),
    gapPence: z.int(),
    riskAdjustedGapPence: z.int(),
    deliveryRate: z.number().nullable(),
  }),
);
export type DigestHeadline = z.infer<typeof DigestHeadline>;

const AlertLine = lazySchema(() => z.object({ id: z.string(), rule: AlertRule, severity: Severity, message: z.string() }));

/** A change that moved the figures since the last digest: what, where, by whom, by how much. */
export const DigestCause = lazySchema(() =>
  z.object({
    kind: z.string(),
    at: z.string(),
    by: z.string(),
    project: z.string(),
    benefit: z.string().optional(),
    amountPence: z.number(),
    detail: z.string(),
  }),
);
export type DigestCause = z.infer<typeof DigestCause>;

/** What a digest says (stored with it, and sent between the API and the digest function). */
export const DigestContent = lazySchema(() =>
  z.object({
    slot: z.string(),
    financialYear: z.string(),
    asAt: z.string(),
    headline: DigestHeadline,
    /** Change since the last digest sent (its figures as known when it was sent), or null for the first; `causes`: the changes that moved them most. */
    movement: z
      .object({
        since: z.string(),
        figures: z.record(z.string(), z.number().nullable()),
        causes: z.array(DigestCause).optional(),
      })
      .nullable(),
    workstreams: z.array(
      z.object({
        id: z.string(),
        code: z.string(),
        name: z.string(),
        mtfsTargetPence: z.number(),
        baselinePence: z.number(),
        forecastPence: z.number(),
        outturnPence: z.number(),
        realisedPence: z.number(),
        gapPence: z.number(),
        rag: Brag.nullable(),
        mtfsRag: Rag.nullable(),
      }),
    ),
    slippages: z.array(
      z.object({
        workstream: z.string(),
        project: z.string(),
        benefit: z.string(),
        projectId: z.string(),
        benefitId: z.string(),
        baselinePence: z.number(),
        forecastPence: z.number(),
        outturnPence: z.number(),
        shortfallPence: z.number(),
      }),
    ),
    newAlerts: z.array(AlertLine),
    escalatedAlerts: z.array(AlertLine),
    criticalRisks: z.array(
      z.object({
        project: z.string(),
        projectId: z.string(),
        title: z.string(),
        owner: z.string(),
        score: z.number(),
        savingsAtRiskPence: z.number().nullable(),
      }),
    ),
    milestonesDue: z.array(z.object({ project: z.string(), projectId: z.string(), title: z.string(), dueDate: z.string(), overdue: z.boolean() })),
    /** Amber and red projects with their manager's commentary, worst first (absent in digests sent before 2026-12-01). */
    commentaries: z
      .array(
        z.object({
          workstream: z.string(),
          project: z.string(),
          projectId: z.string(),
          rag: Rag.nullable(),
          deliveryConfidence: z.string(),
          baselinePence: z.number(),
          outturnPence: z.number(),
          commentary: z.string().nullable(),
          commentaryAt: z.string().nullable(),
        }),
      )
      .optional(),
    investment: z.object({
      plannedPence: z.number(),
      actualPence: z.number(),
      byFundingSource: z.array(z.object({ fundingSource: z.string(), plannedPence: z.number(), actualPence: z.number() })),
    }),
    /** The programme against its total target and the net budget (programme settings), when set. */
    context: z
      .object({
        programmeTarget: z.object({ fromFinancialYear: z.string(), toFinancialYear: z.string(), targetPence: z.number() }).nullable(),
        netBudgetPence: z.number().nullable(),
        shareOfNetBudget: z.number().nullable(),
      })
      .optional(),
  }),
);
export type DigestContent = z.infer<typeof DigestContent>;

export interface DigestInput {
  slot: string;
  asAt: IsoDate;
  financialYear: FinancialYear;
  programme: Figures;
  workstreams: (Figures & { id: string; code: string; name: string })[];
  projects: {
    project: Project;
    workstream: Workstream;
    benefits: Benefit[];
    risks: Risk[];
    milestones: Milestone[];
    investments: { fundingSource: string; planned: Record<string, number>; actual: Record<string, number> }[];
  }[];
  liveAlerts: Alert[];
  /** The last digest sent: when, its figures as known then, and the largest changes since. */
  previous: { sentAt: string; headline: DigestHeadline; causes?: DigestCause[] } | null;
  thresholds: Thresholds;
  periods: PeriodsState;
  /** From the report's programme: its total target and the net budget. */
  context?: DigestContent['context'];
}

function addDays(date: IsoDate, days: number): IsoDate {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** The digest's headline figures from the programme's. */
export function headlineOf(p: Figures): DigestHeadline {
  return {
    mtfsTargetPence: p.mtfsTargetPence ?? 0,
    baselinePence: p.baselinePence,
    forecastPence: p.forecastPence,
    outturnPence: p.outturnPence,
    realisedPence: p.realisedPence,
    gapPence: p.gapPence ?? 0,
    riskAdjustedGapPence: p.riskAdjustedGapPence ?? 0,
    deliveryRate: p.deliveryRate,
  };
}

/**
 * What the weekly digest to CMT says, as a pure function of the programme:
 * headline figures for the FY and their movement since the last digest, the
 * workstream table, the five largest slippages, alerts raised or escalated
 * since the last digest, critical risks, milestones due in the next 30 days
 * (and any overdue), and investment against plan.
 */
export function buildDigest(input: DigestInput): DigestContent {
  const { programme: p, financialYear: fy, asAt } = input;
  const headline = headlineOf(p);
  const movement = input.previous
    ? {
        since: input.previous.sentAt,
        figures: Object.fromEntries(
          (Object.keys(headline) as (keyof DigestHeadline)[]).map((k) => {
            const now = headline[k];
            const before = input.previous!.headline[k];
            return [
              k,
              now === null || now === undefined || before === null || before === undefined
                ? null
                : k === 'deliveryRate'
                  ? Math.round((now - before) * 10_000) / 10_000
                  : now - before,
            ];
          }),
        ) as Record<keyof DigestHeadline, number | null>,
        ...(input.previous.causes ? { causes: input.previous.causes } : {}),
      }
    : null;
  const slippages = input.projects
    .flatMap(({ project, workstream, benefits }) =>
      benefits
        .filter((b) => !isWrittenOut(b.status))
        .map((b) => ({ b, y: benefitYear(summariseBenefit(b, project), fy, asAt, input.thresholds, input.periods) }))
        .filter(({ y }) => y.countsTowardsMtfs && !y.pipeline && !y.writtenOut)
        .map(({ b, y }) => ({
          workstream: workstream.name,
          project: project.name,
          benefit: b.title,
          projectId: project.id,
          benefitId: b.id,
          baselinePence: y.baselinePence,
          forecastPence: y.forecastPence,
          outturnPence: y.outturnPence,
          shortfallPence: y.baselinePence - y.outturnPence,
        })),
    )
    .filter((s) => s.shortfallPence > 0)
    .sort((a, b) => b.shortfallPence - a.shortfallPence || a.benefit.localeCompare(b.benefit))
    .slice(0, 5);
  const since = input.previous?.sentAt ?? '';
  const brief = (a: Alert) => ({ id: a.id, rule: a.rule, severity: a.severity, message: a.message });
  const bySeverity = (a: Alert, b: Alert) =>
    ['critical', 'warning', 'info'].indexOf(a.severity) - ['critical', 'warning', 'info'].indexOf(b.severity) || a.message.localeCompare(b.message);
  const horizon = addDays(asAt, 30);
  const byFunding = new Map<string, { plannedPence: number; actualPence: number }>();
  for (const { investments } of input.projects) {
    for (const i of investments) {
      const entry = byFunding.get(i.fundingSource) ?? { plannedPence: 0, actualPence: 0 };
      for (const [m, v] of Object.entries(i.planned)) if (m >= fyStart(fy) && m <= fyEnd(fy)) entry.plannedPence += v;
      for (const [m, v] of Object.entries(i.actual)) if (m >= fyStart(fy) && m <= asAt.slice(0, 7)) entry.actualPence += v;
      byFunding.set(i.fundingSource, entry);
    }
  }
  const funding = [...byFunding.entries()]
    .map(([fundingSource, v]) => ({ fundingSource, ...v }))
    .filter((f) => f.plannedPence || f.actualPence)
    .sort((a, b) => a.fundingSource.localeCompare(b.fundingSource));
  return {
    slot: input.slot,
    financialYear: fy,
    asAt,
    headline,
    movement,
    workstreams: input.workstreams.map((w) => ({
      id: w.id,
      code: w.code,
      name: w.name,
      mtfsTargetPence: w.mtfsTargetPence ?? 0,
      baselinePence: w.baselinePence,
      forecastPence: w.forecastPence,
      outturnPence: w.outturnPence,
      realisedPence: w.realisedPence,
      gapPence: w.gapPence ?? 0,
      rag: w.rag,
      mtfsRag: w.mtfsRag,
    })),
    slippages,
    newAlerts: input.liveAlerts
      .filter((a) => a.status === 'open' && a.firstRaisedAt > since)
      .sort(bySeverity)
      .map(brief),
    escalatedAlerts: input.liveAlerts
      .filter((a) => a.escalatedAt !== undefined && a.escalatedAt > since && a.firstRaisedAt <= since)
      .sort(bySeverity)
      .map(brief),
    criticalRisks: input.projects
      .flatMap(({ project, risks }) =>
        risks
          .filter((r) => r.status === 'open' && r.band === 'critical')
          .map((r) => ({
            project: project.name,
            projectId: project.id,
            title: r.title,
            owner: r.owner,
            score: r.score,
            savingsAtRiskPence: r.savingsAtRiskPence ?? null,
          })),
      )
      .sort((a, b) => b.score - a.score || a.title.localeCompare(b.title)),
    milestonesDue: input.projects
      .flatMap(({ project, milestones }) =>
        milestones
          .filter((m) => !m.completedDate && m.dueDate <= horizon)
          .map((m) => ({ project: project.name, projectId: project.id, title: m.title, dueDate: m.dueDate, overdue: m.dueDate < asAt })),
      )
      .sort((a, b) => a.dueDate.localeCompare(b.dueDate)),
    commentaries: commentaries(input),
    investment: {
      plannedPence: funding.reduce((a, f) => a + f.plannedPence, 0),
      actualPence: funding.reduce((a, f) => a + f.actualPence, 0),
      byFundingSource: funding,
    },
    ...(input.context ? { context: input.context } : {}),
  };
}

/**
 * The amber and red lines of the programme (a project whose savings this FY
 * are amber or red against their agreed baseline, or whose delivery
 * confidence is amber or worse), each with its manager's commentary (null
 * when none has been written: CMT sees that too). Red before amber, then the
 * largest shortfall.
 */
function commentaries(input: DigestInput): NonNullable<DigestContent['commentaries']> {
  const { financialYear: fy, asAt } = input;
  const order = (r: Rag | null) => (r === 'red' ? 0 : r === 'amber' ? 1 : 2);
  return input.projects
    .filter(({ project }) => project.stage !== 'cancelled' && project.stage !== 'closed')
    .map(({ project, workstream, benefits }) => {
      let baselinePence = 0;
      let outturnPence = 0;
      for (const b of benefits) {
        const y = benefitYear(summariseBenefit(b, project), fy, asAt, input.thresholds, input.periods);
        if (!y.countsTowardsMtfs || y.pipeline) continue;
        baselinePence += y.baselinePence;
        outturnPence += y.outturnPence;
      }
      const r = ragOf(baselinePence, outturnPence, input.thresholds);
      return { project, workstream, r, baselinePence, outturnPence };
    })
    .filter(({ project, r }) => isAmberOrRed(r, project.deliveryConfidence))
    .sort(
      (a, b) =>
        order(a.r) - order(b.r) || b.baselinePence - b.outturnPence - (a.baselinePence - a.outturnPence) || a.project.name.localeCompare(b.project.name),
    )
    .map(({ project, workstream, r, baselinePence, outturnPence }) => ({
      workstream: workstream.name,
      project: project.name,
      projectId: project.id,
      rag: r,
      deliveryConfidence: project.deliveryConfidence,
      baselinePence,
      outturnPence,
      commentary: project.commentary ?? null,
      commentaryAt: project.commentaryUpdatedAt ?? null,
    }));
}

function fyStart(fy: FinancialYear): string {
  return `${fy.slice(0, 4)}-04`;
}
function fyEnd(fy: FinancialYear): string {
  return `${Number(fy.slice(0, 4)) + 1}-03`;
}

/** The programme against its total target and the net budget, in a sentence (programme settings), or nothing when not set. */
export function contextLine(d: DigestContent): string {
  const c = d.context;
  if (!c) return '';
  const parts: string[] = [];
  if (c.programmeTarget)
    parts.push(
      `The programme's target is ${formatPoundsShort(c.programmeTarget.targetPence)} over ${c.programmeTarget.fromFinancialYear} to ${c.programmeTarget.toFinancialYear}.`,
    );
  if (c.netBudgetPence !== null && c.shareOfNetBudget !== null)
    parts.push(`This year's outturn is ${formatPercent(c.shareOfNetBudget, 2)} of the ${formatPoundsShort(c.netBudgetPence)} net revenue budget.`);
  return parts.join(' ');
}
