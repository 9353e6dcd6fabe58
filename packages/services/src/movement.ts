import { lazySchema } from '@bt/core';
import {
  assertCan,
  CAUSE_KINDS,
  causesBetween,
  Figures,
  fyOfDate,
  periodsAt,
  recordAt,
  rollUp,
  UnprocessableError,
  type Cause,
  type FinancialYear,
  type PeriodChange,
  type PeriodsState,
} from '@bt/core';
import { mapInFlight, type ProjectSummary } from '@bt/store';
import * as z from 'zod';
import { allWorkstreams, HISTORY_READS_IN_FLIGHT, momentOfRequest, summaryOf } from './as-at.ts';
import { thresholdsOf, type Caller, type Deps } from './context.ts';

const Moved = lazySchema(() =>
  z.object({
    baselinePence: z.int().meta({ description: 'Agreed baseline.' }),
    outturnPence: z.int(),
    realisedPence: z.int(),
    riskAdjustedOutturnPence: z.int(),
  }),
);
type Moved = z.infer<typeof Moved>;

const MovementCause = lazySchema(() =>
  z
    .object({
      kind: z.enum(CAUSE_KINDS),
      at: z.string(),
      by: z.string().meta({ description: 'Who made the change (user id).' }),
      projectId: z.string().optional(),
      projectCode: z.string().optional(),
      benefitId: z.string().optional(),
      benefitTitle: z.string().optional(),
      month: z.string().optional(),
      amountPence: z.int().nullable().meta({ description: "The change it made to the FY's amount (baseline, forecast or realised), where it has one." }),
      detail: z.string(),
    })
    .meta({ id: 'MovementCause' }),
);
export type MovementCause = z.infer<typeof MovementCause>;

const Row = lazySchema(() => z.object({ before: Moved, after: Moved, change: Moved }));

/** GET /v1/reports/programme/movement: one definition, the API's schema and the type. */
export const ProgrammeMovement = lazySchema(() =>
  z
    .object({
      financialYear: z.string(),
      from: z.string().meta({ description: 'The earlier moment, as asked.' }),
      to: z.string().meta({ description: 'The later moment, as asked (default now).' }),
      fromKnownAt: z.string(),
      toKnownAt: z.string(),
      programme: z.object({ before: Figures, after: Figures, change: Moved }),
      workstreams: z.array(
        Row.extend({
          id: z.string(),
          code: z.string(),
          name: z.string(),
          projects: z.array(Row.extend({ id: z.string(), code: z.string(), name: z.string(), causes: z.array(MovementCause) })),
        }),
      ),
      periods: z.array(MovementCause).meta({ description: 'Periods closed or reopened between the two moments (they turn forecast into realised, or back).' }),
    })
    .meta({ id: 'ProgrammeMovement' }),
);
export type ProgrammeMovement = z.infer<typeof ProgrammeMovement>;

const moved = (f: Figures): Moved => ({
  baselinePence: f.baselinePence,
  outturnPence: f.outturnPence,
  realisedPence: f.realisedPence,
  riskAdjustedOutturnPence: f.riskAdjustedOutturnPence,
});
const minus = (a: Moved, b: Moved): Moved => ({
  baselinePence: a.baselinePence - b.baselinePence,
  outturnPence: a.outturnPence - b.outturnPence,
  realisedPence: a.realisedPence - b.realisedPence,
  riskAdjustedOutturnPence: a.riskAdjustedOutturnPence - b.riskAdjustedOutturnPence,
});

/**
 * What changed between two moments, per workstream and project, and which
 * changes caused it: each project's history read once (one Query per
 * project, up to the later moment) and replayed to both moments; the
 * changes between them described one by one with who and when.
 */
export async function programmeMovement(
  deps: Deps,
  caller: Caller,
  query: { financialYear?: FinancialYear | undefined; from: string; to?: string | undefined },
): Promise<ProgrammeMovement> {
  assertCan(caller.principal, 'programme:read');
  const from = momentOfRequest(deps, query.from);
  const to = momentOfRequest(deps, query.to);
  if (from.knownAt >= to.knownAt) {
    throw new UnprocessableError('movement-order', `from (${from.asAt}) must be before to (${to.asAt}).`, [{ path: 'from', message: 'must be before to' }]);
  }
  const fy = query.financialYear ?? fyOfDate(to.date);
  const t = thresholdsOf(deps);
  const [workstreams, { summaries, periods }] = await Promise.all([allWorkstreams(deps), deps.store.summaries.listing()]);
  const histories = await mapInFlight(summaries, HISTORY_READS_IN_FLIGHT, async (s) => ({
    projectId: s.projectId,
    entries: await deps.store.summaries.history(s.projectId, to.knownAt),
  }));
  const periodsFrom = periodsAt(periods, from.knownAt);
  const periodsTo = periodsAt(periods, to.knownAt);
  const projects = histories.map(({ projectId, entries }) => {
    const before = recordAt(entries, from.knownAt);
    const after = recordAt(entries, to.knownAt);
    return {
      projectId,
      before: before ? summaryOf(before) : undefined,
      after: after ? summaryOf(after) : undefined,
      causes: causesBetween(entries, from.knownAt, to.knownAt, fy),
    };
  });
  const figures = (list: Array<ProjectSummary | undefined>, target: number | null, closed: PeriodsState, date: string) =>
    rollUp(
      list.flatMap((s) => s?.benefits ?? []),
      list.flatMap((s) => s?.investments ?? []),
      fy,
      date,
      target,
      t,
      closed,
    );
  const target = (ws: { mtfsTargets: Record<string, number> }) => ws.mtfsTargets[fy] ?? 0;
  const programmeBefore = figures(
    projects.map((p) => p.before),
    workstreams.filter((ws) => ws.createdAt <= from.knownAt).reduce((a, ws) => a + target(ws), 0),
    periodsFrom,
    from.date,
  );
  const programmeAfter = figures(
    projects.map((p) => p.after),
    workstreams.filter((ws) => ws.createdAt <= to.knownAt).reduce((a, ws) => a + target(ws), 0),
    periodsTo,
    to.date,
  );
  const row = (before: Figures, after: Figures) => ({ before: moved(before), after: moved(after), change: minus(moved(after), moved(before)) });
  const projectRow = (p: (typeof projects)[number]) => {
    const shown = p.after ?? p.before!;
    return {
      id: p.projectId,
      code: shown.code,
      name: shown.name,
      ...row(figures([p.before], null, periodsFrom, from.date), figures([p.after], null, periodsTo, to.date)),
      causes: p.causes.map((c: Cause) => ({ ...c, projectId: p.projectId, projectCode: shown.code })),
    };
  };
  return {
    financialYear: fy,
    from: from.asAt,
    to: query.to === undefined ? to.knownAt : to.asAt,
    fromKnownAt: from.knownAt,
    toKnownAt: to.knownAt,
    programme: { before: programmeBefore, after: programmeAfter, change: minus(moved(programmeAfter), moved(programmeBefore)) },
    workstreams: workstreams
      .filter((ws) => ws.createdAt <= to.knownAt)
      .map((ws) => {
        const mine = projects
          .filter((p) => (p.after ?? p.before)?.workstreamId === ws.id)
          .sort((a, b) => (a.after ?? a.before)!.code.localeCompare((b.after ?? b.before)!.code));
        const before = figures(
          projects.filter((p) => p.before?.workstreamId === ws.id).map((p) => p.before),
          ws.createdAt <= from.knownAt ? target(ws) : 0,
          periodsFrom,
          from.date,
        );
        const after = figures(
          projects.filter((p) => p.after?.workstreamId === ws.id).map((p) => p.after),
          target(ws),
          periodsTo,
          to.date,
        );
        return { id: ws.id, code: ws.code, name: ws.name, ...row(before, after), projects: mine.filter((p) => p.before || p.after).map(projectRow) };
      }),
    periods: (periods.log ?? []).filter((c) => c.at > from.knownAt && c.at <= to.knownAt).map(periodCause),
  };
}

function periodCause(c: PeriodChange): MovementCause {
  return {
    kind: c.action === 'close' ? 'period-close' : 'period-reopen',
    at: c.at,
    by: c.by,
    month: c.month,
    amountPence: null,
    detail: c.action === 'close' ? `Closed up to ${c.month}` : `Reopened ${c.month}: ${c.reason ?? ''}`.trim(),
  };
}

/** The causes with the largest amounts first (for the digest): ties by time. */
export function largestCauses(movement: ProgrammeMovement, count: number): MovementCause[] {
  return movement.workstreams
    .flatMap((ws) => ws.projects.flatMap((p) => p.causes))
    .filter((c) => c.amountPence !== null && c.amountPence !== 0)
    .sort((a, b) => Math.abs(b.amountPence!) - Math.abs(a.amountPence!) || a.at.localeCompare(b.at))
    .slice(0, count);
}
