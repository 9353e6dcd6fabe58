import { csvText } from './csv.ts';
import { createHash } from 'node:crypto';
import {
  allocateScaled,
  benefitFacts,
  outturnByMonth,
  stopsForecastingFrom,
  assertCan,
  benefitYear,
  monthOfDate,
  monthsOfFy,
  periodOfMonth,
  poundsDecimal,
  rag,
  summariseBenefit,
  periodsAt,
  type AuditEntry,
  type FinancialYear,
  type Moment,
  type RecordState,
} from '@bt/core';
import { collectAll, mapInFlight, type FeedRecord, type ProjectRecord } from '@bt/store';
import { changeFeedSettleMs, dataMark, thresholdsOf, type Caller, type Deps } from './context.ts';
import { projectAt, HISTORY_READS_IN_FLIGHT } from './as-at.ts';
import { resolveAsAt } from './report.ts';

export type Granularity = 'month' | 'year';

export interface FeedQuery {
  financialYear?: FinancialYear | undefined;
  asAt?: string | undefined;
  granularity: Granularity;
}

/** A feed's query once resolved: the moment (its London date cuts months) and the FY. */
export type ResolvedFeedQuery = FeedQuery & { moment: Moment; financialYear: FinancialYear };

/** What every feed row starts with: when, and whose; and the keys that join it to the dimension feeds. */
export interface ProjectRow {
  financialYear: string;
  month?: string;
  period?: string;
  workstreamCode: string;
  projectCode: string;
  projectName: string;
  directorate: string;
  workstreamId: string;
  workstreamName: string;
  projectId: string;
  stage: string;
  deliveryConfidence: string;
}

/** One row of the savings feed (JSON carries pence; CSV shows pounds). */
export interface SavingsRow extends ProjectRow {
  benefitId: string;
  benefitTitle: string;
  type: string;
  category: string;
  recurrence: string;
  mtfsRef: string;
  status: string;
  baselinePence: number;
  forecastPence: number;
  realisedPence: number;
  validatedPence: number;
  variancePence: number;
  rag: string | null;
  confidencePct: number;
  riskAdjustedForecastPence: number;
  outturnPence: number;
  replaces: string | null;
  replacedBy: string | null;
}

export interface InvestmentRow extends ProjectRow {
  investmentId: string;
  investmentTitle: string;
  kind: string;
  fundingSource: string;
  plannedPence: number;
  actualPence: number;
  variancePence: number;
}

export type Column<R> = { header: string; value: (r: R) => string | number | null | undefined; money?: boolean; text?: boolean };

/** The documented, stable CSV columns (docs/feeds.md). Month and Period appear for monthly granularity only. */
/** The columns both feeds start with: when and whose. */
const PROJECT_COLUMNS: Column<ProjectRow>[] = [
  { header: 'Financial year', value: (r) => r.financialYear },
  { header: 'Month', value: (r) => r.month },
  { header: 'Period', value: (r) => r.period },
  { header: 'Workstream', value: (r) => r.workstreamCode, text: true },
  { header: 'Project code', value: (r) => r.projectCode, text: true },
  { header: 'Project name', value: (r) => r.projectName, text: true },
  { header: 'Directorate', value: (r) => r.directorate, text: true },
];

/** Appended to both fact feeds (after the columns of 2026-11, which stay where they were): the keys of the dimension feeds and the project's state. */
const PROJECT_KEY_COLUMNS: Column<ProjectRow>[] = [
  { header: 'Workstream id', value: (r) => r.workstreamId },
  { header: 'Workstream name', value: (r) => r.workstreamName, text: true },
  { header: 'Project id', value: (r) => r.projectId },
  { header: 'Stage', value: (r) => r.stage },
  { header: 'Delivery confidence', value: (r) => r.deliveryConfidence },
];

export const SAVINGS_COLUMNS: Column<SavingsRow>[] = [
  ...PROJECT_COLUMNS,
  { header: 'Benefit id', value: (r) => r.benefitId },
  { header: 'Benefit', value: (r) => r.benefitTitle, text: true },
  { header: 'Type', value: (r) => r.type },
  { header: 'Category', value: (r) => r.category },
  { header: 'Recurrence', value: (r) => r.recurrence },
  { header: 'MTFS ref', value: (r) => r.mtfsRef, text: true },
  { header: 'Status', value: (r) => r.status },
  { header: 'Baseline (£)', value: (r) => r.baselinePence, money: true },
  { header: 'Forecast (£)', value: (r) => r.forecastPence, money: true },
  { header: 'Realised (£)', value: (r) => r.realisedPence, money: true },
  { header: 'Validated (£)', value: (r) => r.validatedPence, money: true },
  { header: 'Variance (£)', value: (r) => r.variancePence, money: true },
  { header: 'RAG', value: (r) => r.rag },
  { header: 'Confidence (%)', value: (r) => r.confidencePct },
  { header: 'Risk-adjusted forecast (£)', value: (r) => r.riskAdjustedForecastPence, money: true },
  { header: 'Outturn (£)', value: (r) => r.outturnPence, money: true },
  { header: 'Replaces', value: (r) => r.replaces },
  { header: 'Replaced by', value: (r) => r.replacedBy },
  ...PROJECT_KEY_COLUMNS,
];

export const INVESTMENT_COLUMNS: Column<InvestmentRow>[] = [
  ...PROJECT_COLUMNS,
  { header: 'Investment id', value: (r) => r.investmentId },
  { header: 'Investment', value: (r) => r.investmentTitle, text: true },
  { header: 'Kind', value: (r) => r.kind },
  { header: 'Funding source', value: (r) => r.fundingSource },
  { header: 'Planned (£)', value: (r) => r.plannedPence, money: true },
  { header: 'Actual (£)', value: (r) => r.actualPence, money: true },
  { header: 'Variance (£)', value: (r) => r.variancePence, money: true },
  ...PROJECT_KEY_COLUMNS,
];

/**
 * A cell a spreadsheet would run as a formula (=, +, -, @, tab, CR first) is
 * prefixed with an apostrophe, which Excel shows as text. Applied to text a
 * person typed, never to our numbers, so "-1234.56" stays a number.
 */
export function neutraliseFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

export function csvHeader<R>(columns: Column<R>[], granularity: Granularity): string {
  return `\uFEFF${csvText([visible(columns, granularity).map((c) => c.header)])}`;
}

export function csvRows<R>(columns: Column<R>[], granularity: Granularity, rows: R[]): string {
  if (rows.length === 0) return '';
  const cols = visible(columns, granularity);
  return csvText(
    rows.map((r) =>
      cols.map((c) => {
        const v = c.value(r);
        if (v === null || v === undefined) return '';
        if (c.money) return poundsDecimal(v as number);
        return c.text ? neutraliseFormula(String(v)) : String(v);
      }),
    ),
  );
}

function visible<R>(columns: Column<R>[], granularity: Granularity): Column<R>[] {
  return granularity === 'month' ? columns : columns.filter((c) => c.header !== 'Month' && c.header !== 'Period');
}

/**
 * The feeds' ETag: what they show changes only with a change to the data
 * (every change writes an audit entry), the query, the date and the settings.
 * So a client's If-None-Match is answered with 304 after one small read.
 * `settled`: whether what is read now is the whole of what the ETag names
 * (`dataMark`); until it is, the answer goes without it.
 */
export async function feedEtag(
  deps: Deps,
  caller: Caller,
  feed: string,
  query: FeedQuery & { format: string },
): Promise<{ etag: string; settled: boolean; settlesInMs: number; asAt: string; moment: Moment; financialYear: FinancialYear }> {
  assertCan(caller.principal, 'feeds:read');
  const { moment, financialYear } = resolveAsAt(deps, query);
  const { latest, settled, settlesInMs } = await dataMark(deps);
  const past = moment.past;
  const hash = createHash('sha256')
    .update(JSON.stringify([feed, query.format, latest, moment.asAt, past, financialYear, query.granularity, thresholdsOf(deps)]))
    .digest('base64url');
  return { etag: `"${hash.slice(0, 27)}"`, settled, settlesInMs, asAt: moment.asAt, moment, financialYear };
}

type WorkstreamRef = { id: string; code: string; name: string };

/** What a fact feed reads of a project: its summary and the FY's ledger totals (now), or its record as replayed from its history (a past moment). */
type FeedInput = FeedRecord | RecordState;

async function workstreamRefs(deps: Deps): Promise<(id: string) => WorkstreamRef> {
  const workstreams = new Map((await collectAll((page) => deps.store.workstreams.list(page))).map((ws) => [ws.id, ws]));
  return (id) => workstreams.get(id) ?? { id, code: '', name: '' };
}

/**
 * Every project as a fact feed reads it for an FY, with its workstream. Now:
 * the summaries and their ledger totals in the FY, a page at a time (two
 * Queries a page, in project id order), never a project's record but for one
 * whose summary is of a layout before 6. A past moment: each project as it was
 * known then, from its history (one Query each, a page of projects at once).
 */
async function* feedInputs(deps: Deps, moment: Moment, fy: FinancialYear): AsyncGenerator<{ record: FeedInput; workstream: WorkstreamRef }> {
  const of = await workstreamRefs(deps);
  if (moment.past) {
    // In the order of the summaries (of the projects' ids), as now.
    const { ids } = await deps.store.summaries.programmeIds();
    for (let i = 0; i < ids.length; i += 100) {
      const records = await mapInFlight(ids.slice(i, i + 100), HISTORY_READS_IN_FLIGHT, (id) => projectAt(deps, id, moment.instant));
      for (const record of records) if (record) yield { record, workstream: of(record.project.workstreamId) };
    }
    return;
  }
  for await (const entry of deps.store.summaries.feedRecords(fy)) {
    const record = 'project' in entry ? entry : await deps.store.children.record(entry.projectId);
    if (record) yield { record, workstream: of(record.project.workstreamId) };
  }
}

/**
 * Every project's current record with its workstream, a page of projects at
 * a time (by code), up to RECORD_READS_IN_FLIGHT records read ahead and each
 * given out, in order, as soon as it is in: the first rows go out at once,
 * memory stays bounded, and a record that cannot be read fails the feed where
 * it falls. For the benefit dimension, which shows what only records hold.
 */
async function* currentRecords(deps: Deps): AsyncGenerator<ProjectRecord> {
  let cursor: string | undefined;
  do {
    const page = await deps.store.projects.list({}, { limit: 100, cursor });
    const ahead: Promise<ProjectRecord | undefined>[] = [];
    let next = 0;
    for (;;) {
      while (ahead.length < RECORD_READS_IN_FLIGHT && next < page.items.length) {
        const read = deps.store.children.record(page.items[next++]!.id);
        // Its failure is met when its turn comes (awaited below), not reported as unhandled while an earlier one is awaited.
        read.catch(() => undefined);
        ahead.push(read);
      }
      const read = ahead.shift();
      if (!read) break;
      const record = await read;
      if (record) yield record;
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}

/** Project records a feed reads at once: enough to keep DynamoDB busy, few enough not to flood it. */
const RECORD_READS_IN_FLIGHT = 8;

function projectColumns(p: FeedInput['project'], ws: WorkstreamRef): Omit<ProjectRow, 'financialYear' | 'month' | 'period'> {
  return {
    workstreamCode: ws.code,
    projectCode: p.code,
    projectName: p.name,
    directorate: p.directorate,
    workstreamId: ws.id,
    workstreamName: ws.name,
    projectId: p.id,
    stage: p.stage,
    deliveryConfidence: p.deliveryConfidence,
  };
}

/** The savings feed, a project's rows at a time: a row per benefit (per month, for monthly granularity) with any amount in the FY. */
export async function* savingsRows(deps: Deps, query: ResolvedFeedQuery): AsyncGenerator<SavingsRow[]> {
  const t = thresholdsOf(deps);
  const fy = query.financialYear;
  const asAt = query.moment.date;
  const lastMonth = monthOfDate(asAt);
  const current = await deps.store.periods.get();
  const periods = query.moment.past ? periodsAt(current, query.moment.instant) : current;
  const months = monthsOfFy(fy);
  const periodNames = months.map((month) => `P${periodOfMonth(month)}`);
  for await (const { record, workstream } of feedInputs(deps, query.moment, fy)) {
    const rows: SavingsRow[] = [];
    const replacedBy = replacements(record.benefits);
    for (const b of record.benefits) {
      const s = summariseBenefit(b, record.project);
      const year = benefitYear(s, fy, asAt, t, periods);
      if (!hasAmounts(year)) continue;
      const common = {
        financialYear: fy,
        ...projectColumns(record.project, workstream),
        benefitId: b.id,
        benefitTitle: b.title,
        type: b.type,
        category: b.category,
        recurrence: b.recurrence,
        mtfsRef: b.mtfsRef,
        status: b.status,
        confidencePct: b.confidencePct,
        replaces: b.replacesBenefitId ?? null,
        // Now: the saving's own list (replacements in other projects too); a past moment: the replacements in its project's history.
        replacedBy: (('replacedByBenefitIds' in b ? (b.replacedByBenefitIds as string[]) : replacedBy.get(b.id)) ?? []).join(' ') || null,
      };
      if (query.granularity === 'year') {
        rows.push({ ...common, ...pick(year) });
        continue;
      }
      const facts = benefitFacts(s, asAt);
      const stop = stopsForecastingFrom(facts);
      const forecasts = months.map((month) => (stop && month >= stop ? 0 : (b.forecast[month] ?? 0)));
      const outturns = outturnByMonth(facts, fy, periods);
      // The months' risk-adjusted forecasts add up exactly to the annual row's (rounded once per benefit and year).
      const riskAdjustedByMonth = allocateScaled(forecasts, b.confidencePct, 100, year.riskAdjustedForecastPence);
      for (const [i, month] of months.entries()) {
        const baselinePence = b.baseline[month] ?? 0;
        const upToDate = month <= lastMonth;
        rows.push(
          savingsMonthRow(common, month, periodNames[i]!, {
            baselinePence,
            forecastPence: forecasts[i]!,
            realisedPence: upToDate ? (b.realised[month] ?? 0) : 0,
            validatedPence: upToDate ? (b.validated[month] ?? 0) : 0,
            // Outturn − baseline month by month (realised in a closed month, forecast in an open one): the months add up to the year.
            variancePence: outturns[i]!.amountPence - baselinePence,
            rag: rag(baselinePence, outturns[i]!.amountPence, t),
            riskAdjustedForecastPence: riskAdjustedByMonth[i]!,
            outturnPence: outturns[i]!.amountPence,
          }),
        );
      }
    }
    if (rows.length) yield rows;
  }
}

type SavingsAmounts = Pick<
  SavingsRow,
  'baselinePence' | 'forecastPence' | 'realisedPence' | 'validatedPence' | 'variancePence' | 'rag' | 'riskAdjustedForecastPence' | 'outturnPence'
>;

/**
 * A month's row, every field named (a literal of one shape for every row,
 * which V8 builds far faster than spreading the saving's fields into each of
 * a million rows).
 */
function savingsMonthRow(c: Omit<SavingsRow, keyof SavingsAmounts | 'month' | 'period'>, month: string, period: string, a: SavingsAmounts): SavingsRow {
  return {
    financialYear: c.financialYear,
    month,
    period,
    workstreamCode: c.workstreamCode,
    projectCode: c.projectCode,
    projectName: c.projectName,
    directorate: c.directorate,
    workstreamId: c.workstreamId,
    workstreamName: c.workstreamName,
    projectId: c.projectId,
    stage: c.stage,
    deliveryConfidence: c.deliveryConfidence,
    benefitId: c.benefitId,
    benefitTitle: c.benefitTitle,
    type: c.type,
    category: c.category,
    recurrence: c.recurrence,
    mtfsRef: c.mtfsRef,
    status: c.status,
    confidencePct: c.confidencePct,
    replaces: c.replaces,
    replacedBy: c.replacedBy,
    baselinePence: a.baselinePence,
    forecastPence: a.forecastPence,
    realisedPence: a.realisedPence,
    validatedPence: a.validatedPence,
    variancePence: a.variancePence,
    rag: a.rag,
    riskAdjustedForecastPence: a.riskAdjustedForecastPence,
    outturnPence: a.outturnPence,
  };
}

function hasAmounts(y: { baselinePence: number; pipelinePence: number; forecastPence: number; realisedPence: number; validatedPence: number }): boolean {
  return y.baselinePence !== 0 || y.pipelinePence !== 0 || y.forecastPence !== 0 || y.realisedPence !== 0 || y.validatedPence !== 0;
}

/** A benefit's yearly row: its own baseline (agreed, or pipeline before approval), forecast, outturn − baseline. */
function pick(y: ReturnType<typeof benefitYear>) {
  const baselinePence = y.baselinePence + y.pipelinePence;
  return {
    baselinePence,
    forecastPence: y.forecastPence,
    realisedPence: y.realisedPence,
    validatedPence: y.validatedPence,
    variancePence: y.outturnPence - baselinePence,
    rag: y.rag,
    riskAdjustedForecastPence: y.riskAdjustedForecastPence,
    outturnPence: y.outturnPence,
  };
}

/** Which savings replace each written-out one (from the replacements' own link, so it holds at any moment). */
function replacements(benefits: ReadonlyArray<{ id: string; replacesBenefitId?: string | undefined }>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const b of benefits) if (b.replacesBenefitId) out.set(b.replacesBenefitId, [...(out.get(b.replacesBenefitId) ?? []), b.id]);
  return out;
}

/** The investment feed: a row per investment line (per month) with planned or actual spend in the FY. */
export async function* investmentRows(deps: Deps, query: ResolvedFeedQuery): AsyncGenerator<InvestmentRow[]> {
  const fy = query.financialYear;
  const lastMonth = monthOfDate(query.moment.date);
  const months = monthsOfFy(fy);
  for await (const { record, workstream } of feedInputs(deps, query.moment, fy)) {
    const rows: InvestmentRow[] = [];
    for (const i of record.investments) {
      const perMonth = months.map((month) => ({ month, planned: i.planned[month] ?? 0, actual: month <= lastMonth ? (i.actual[month] ?? 0) : 0 }));
      const planned = perMonth.reduce((a, m) => a + m.planned, 0);
      const actual = perMonth.reduce((a, m) => a + m.actual, 0);
      if (planned === 0 && actual === 0) continue;
      const common = {
        financialYear: fy,
        ...projectColumns(record.project, workstream),
        investmentId: i.id,
        investmentTitle: i.title,
        kind: i.kind,
        fundingSource: i.fundingSource,
      };
      if (query.granularity === 'year') rows.push({ ...common, plannedPence: planned, actualPence: actual, variancePence: actual - planned });
      else
        for (const m of perMonth)
          rows.push({
            ...common,
            month: m.month,
            period: `P${periodOfMonth(m.month)}`,
            plannedPence: m.planned,
            actualPence: m.actual,
            variancePence: m.actual - m.planned,
          });
    }
    if (rows.length) yield rows;
  }
}

/**
 * Every change since a cursor, oldest first, with the cursor to ask from
 * next time (given even when there is nothing new, so a client can poll).
 */
export async function changesSince(
  deps: Deps,
  caller: Caller,
  cursor: string | undefined,
  limit: number,
): Promise<{ items: AuditEntry[]; nextCursor: string; hasMore: boolean }> {
  assertCan(caller.principal, 'feeds:read');
  // The change feed is the audit trail (before/after, actors): readable only by those who may read the audit trail.
  assertCan(caller.principal, 'audit:read', 'The change feed carries the audit trail (who changed what); your roles may not read it.');
  const settledBefore = deps.clock().getTime() - changeFeedSettleMs(deps.store);
  const result = await deps.store.audit.since(cursor, settledBefore, limit);
  return { items: result.items, nextCursor: result.nextCursor, hasMore: result.hasMore };
}

/*
 * The dimension feeds (SPEC 6, "Star schema for Power BI"): workstreams with
 * their MTFS target for the FY, projects, benefits. They describe things as
 * they are now (the fact feeds carry the figures as at any moment); their
 * ids are the keys the fact feeds carry.
 */

export interface WorkstreamDimensionRow {
  workstreamId: string;
  workstreamCode: string;
  workstreamName: string;
  financialYear: string;
  mtfsTargetPence: number;
}

export const WORKSTREAM_DIMENSION_COLUMNS: Column<WorkstreamDimensionRow>[] = [
  { header: 'Workstream id', value: (r) => r.workstreamId },
  { header: 'Workstream', value: (r) => r.workstreamCode, text: true },
  { header: 'Workstream name', value: (r) => r.workstreamName, text: true },
  { header: 'Financial year', value: (r) => r.financialYear },
  { header: 'MTFS target (£)', value: (r) => r.mtfsTargetPence, money: true },
];

/** Every workstream with its MTFS target for the FY (0 when none is set): one row each, so the id is a key. */
export async function* workstreamDimension(deps: Deps, query: ResolvedFeedQuery): AsyncGenerator<WorkstreamDimensionRow[]> {
  const all = await collectAll((page) => deps.store.workstreams.list(page));
  yield all
    .sort((a, b) => a.code.localeCompare(b.code))
    .map((ws) => ({
      workstreamId: ws.id,
      workstreamCode: ws.code,
      workstreamName: ws.name,
      financialYear: query.financialYear,
      mtfsTargetPence: ws.mtfsTargets[query.financialYear] ?? 0,
    }));
}

export interface ProjectDimensionRow {
  projectId: string;
  projectCode: string;
  projectName: string;
  workstreamId: string;
  directorate: string;
  sro: string;
  manager: string;
  stage: string;
  deliveryConfidence: string;
  startDate: string;
  endDate: string;
  commentary: string | null;
}

export const PROJECT_DIMENSION_COLUMNS: Column<ProjectDimensionRow>[] = [
  { header: 'Project id', value: (r) => r.projectId },
  { header: 'Project code', value: (r) => r.projectCode, text: true },
  { header: 'Project name', value: (r) => r.projectName, text: true },
  { header: 'Workstream id', value: (r) => r.workstreamId },
  { header: 'Directorate', value: (r) => r.directorate, text: true },
  { header: 'SRO', value: (r) => r.sro, text: true },
  { header: 'Manager', value: (r) => r.manager, text: true },
  { header: 'Stage', value: (r) => r.stage },
  { header: 'Delivery confidence', value: (r) => r.deliveryConfidence },
  { header: 'Start date', value: (r) => r.startDate },
  { header: 'End date', value: (r) => r.endDate },
  { header: 'Commentary', value: (r) => r.commentary, text: true },
];

/** Every project, a page at a time (its own items only: no record is read). */
export async function* projectDimension(deps: Deps): AsyncGenerator<ProjectDimensionRow[]> {
  let cursor: string | undefined;
  do {
    const page = await deps.store.projects.list({}, { limit: 100, cursor });
    yield page.items.map((p) => ({
      projectId: p.id,
      projectCode: p.code,
      projectName: p.name,
      workstreamId: p.workstreamId,
      directorate: p.directorate,
      sro: p.sro,
      manager: p.manager,
      stage: p.stage,
      deliveryConfidence: p.deliveryConfidence,
      startDate: p.startDate,
      endDate: p.endDate,
      commentary: p.commentary ?? null,
    }));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}

export interface BenefitDimensionRow {
  benefitId: string;
  projectId: string;
  benefitTitle: string;
  type: string;
  category: string;
  recurrence: string;
  mtfsRef: string;
  owner: string;
  status: string;
  confidencePct: number;
  replaces: string | null;
  replacedBy: string | null;
}

export const BENEFIT_DIMENSION_COLUMNS: Column<BenefitDimensionRow>[] = [
  { header: 'Benefit id', value: (r) => r.benefitId },
  { header: 'Project id', value: (r) => r.projectId },
  { header: 'Benefit', value: (r) => r.benefitTitle, text: true },
  { header: 'Type', value: (r) => r.type },
  { header: 'Category', value: (r) => r.category },
  { header: 'Recurrence', value: (r) => r.recurrence },
  { header: 'MTFS ref', value: (r) => r.mtfsRef, text: true },
  { header: 'Owner', value: (r) => r.owner, text: true },
  { header: 'Status', value: (r) => r.status },
  { header: 'Confidence (%)', value: (r) => r.confidencePct },
  { header: 'Replaces', value: (r) => r.replaces },
  { header: 'Replaced by', value: (r) => r.replacedBy },
];

/** Every benefit with its lineage both ways (replaced-by ids space-separated), a project at a time. */
export async function* benefitDimension(deps: Deps, _query: ResolvedFeedQuery): AsyncGenerator<BenefitDimensionRow[]> {
  for await (const record of currentRecords(deps)) {
    yield record.benefits.map((b) => ({
      benefitId: b.id,
      projectId: b.projectId,
      benefitTitle: b.title,
      type: b.type,
      category: b.category,
      recurrence: b.recurrence,
      mtfsRef: b.mtfsRef,
      owner: b.owner,
      status: b.status,
      confidencePct: b.confidencePct,
      replaces: b.replacesBenefitId ?? null,
      replacedBy: b.replacedByBenefitIds.join(' ') || null,
    }));
  }
}
