import { lazySchema } from './lazy-schema.ts';
import * as z from 'zod';
import type { Benefit } from './benefit.ts';
import { fyOfMonth, IsoDate, todayInLondon } from './fy.ts';
import { formatPounds } from './money.ts';
import type { Investment } from './investment.ts';
import { totalInFy, type MonthlyPence } from './series.ts';
import type { Project } from './project.ts';

/**
 * Figures as at any moment (SPEC 4.4). Every write that changes a project's
 * figures also appends an entry to the project's history, in the same
 * transaction: the new version of what it changed (a benefit's baseline,
 * forecast, confidence and status; an investment line's plan; the project's
 * stage and delivery confidence) or the ledger amount it added. Replaying a
 * project's history up to an instant gives its record as it was known then —
 * without parsing audit text, and without reading any ledger.
 */

// --- the moment asked for ---------------------------------------------------------

export const AsAt = lazySchema(() =>
  z
    .union([IsoDate, z.iso.datetime({ offset: true })], {
      // A value written as a date hears what is wrong with that date (not a real day, outside the calendar); anything else, both forms.
      error: (issue) => {
        if (issue.code !== 'invalid_union') return undefined;
        const asDate = issue.errors[0]?.[0];
        return asDate?.code === 'custom' ? asDate.message : 'must be a date such as 2026-06-30 or an ISO instant such as 2026-06-30T16:00:00Z';
      },
    })
    .meta({
      description: 'A date (the end of that day in Europe/London) or an ISO instant: the figures as they were known then. Default now.',
      example: '2026-06-30',
    }),
);
export type AsAt = string;

/**
 * A moment: what was asked (`asAt`), its instant, the London date that cuts
 * months, whether it had passed when asked (its figures then come from
 * history) and the instant the figures are as known at (the moment, or now
 * if it had not come) — decided once, so one request never mixes the two.
 */
export interface Moment {
  asAt: string;
  instant: string;
  date: IsoDate;
  past: boolean;
  knownAt: string;
}

/** The first instant of a date in Europe/London (the UK is on UTC or UTC+1, and changes at 01:00 UTC, never at midnight). */
export function startOfDayInLondon(date: IsoDate): Date {
  const midnightUtc = Date.parse(`${date}T00:00:00Z`);
  const bst = new Date(midnightUtc - 3_600_000);
  return todayInLondon(bst) === date ? bst : new Date(midnightUtc);
}

/** The last millisecond of a date in Europe/London. */
export function endOfDayInLondon(date: IsoDate): string {
  const next = new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  return new Date(startOfDayInLondon(next).getTime() - 1).toISOString();
}

/** The moment of an `asAt` (a date or an instant; now when absent). */
export function momentOf(asAt: string | undefined, now: Date): Moment {
  const nowIso = now.toISOString();
  const at = (label: string, instant: string, date: IsoDate): Moment => {
    const past = instant < nowIso;
    return { asAt: label, instant, date, past, knownAt: past ? instant : nowIso };
  };
  if (asAt === undefined) return at(todayInLondon(now), nowIso, todayInLondon(now));
  if (/^\d{4}-\d{2}-\d{2}$/.test(asAt)) return at(asAt, endOfDayInLondon(asAt), asAt);
  const instant = new Date(asAt).toISOString();
  return at(instant, instant, todayInLondon(new Date(instant)));
}

// --- what a project's history holds -----------------------------------------------

export type ProjectState = Pick<
  Project,
  'id' | 'workstreamId' | 'code' | 'name' | 'directorate' | 'startDate' | 'stage' | 'stageChangedAt' | 'deliveryConfidence' | 'commentary' | 'version'
> & { createdAt: string };
export type BenefitState = Pick<
  Benefit,
  | 'id'
  | 'projectId'
  | 'title'
  | 'type'
  | 'category'
  | 'recurrence'
  | 'status'
  | 'confidencePct'
  | 'mtfsRef'
  | 'writtenOutAt'
  | 'replacesBenefitId'
  | 'baseline'
  | 'forecast'
  | 'version'
>;
export type InvestmentState = Pick<Investment, 'id' | 'projectId' | 'title' | 'kind' | 'fundingSource' | 'planned' | 'version'>;

/** A project's record as far as figures go: what `rollUp`, the feeds and the movement need. */
export interface RecordState {
  project: ProjectState;
  benefits: Array<BenefitState & { realised: MonthlyPence; validated: MonthlyPence }>;
  investments: Array<InvestmentState & { actual: MonthlyPence }>;
}

export type LedgerTotal = 'realised' | 'validated' | 'actual';

export type HistoryChange =
  | { k: 'project'; project: ProjectState }
  /** `restored`: an earlier version put back (an import rolled back), so it wins over the later version it replaces. */
  | { k: 'benefit'; benefit: BenefitState; restored?: true }
  | { k: 'investment'; investment: InvestmentState }
  | { k: 'ledger'; of: 'benefit' | 'investment'; id: string; total: LedgerTotal; month: string; amountPence: number; reversal?: boolean }
  | { k: 'removed'; benefitIds: string[] }
  /** The whole record (a project created with its savings by an import, or history begun for a project recorded before it was kept). */
  | { k: 'snapshot'; record: RecordState };

/** One entry of a project's history: the changes of one transaction, when and by whom. */
export interface HistoryEntry {
  at: string;
  by: string;
  changes: HistoryChange[];
}

export function projectState(p: ProjectState): ProjectState {
  return {
    id: p.id,
    workstreamId: p.workstreamId,
    code: p.code,
    name: p.name,
    directorate: p.directorate,
    startDate: p.startDate,
    stage: p.stage,
    ...(p.stageChangedAt ? { stageChangedAt: p.stageChangedAt } : {}),
    deliveryConfidence: p.deliveryConfidence,
    ...(p.commentary ? { commentary: p.commentary } : {}),
    version: p.version,
    createdAt: p.createdAt,
  };
}

export function benefitState(b: BenefitState): BenefitState {
  return {
    id: b.id,
    projectId: b.projectId,
    title: b.title,
    type: b.type,
    category: b.category,
    recurrence: b.recurrence,
    status: b.status,
    confidencePct: b.confidencePct,
    mtfsRef: b.mtfsRef,
    ...(b.writtenOutAt ? { writtenOutAt: b.writtenOutAt } : {}),
    ...(b.replacesBenefitId ? { replacesBenefitId: b.replacesBenefitId } : {}),
    baseline: { ...b.baseline },
    forecast: { ...b.forecast },
    version: b.version,
  };
}

export function investmentState(i: InvestmentState): InvestmentState {
  return { id: i.id, projectId: i.projectId, title: i.title, kind: i.kind, fundingSource: i.fundingSource, planned: { ...i.planned }, version: i.version };
}

/** A record's facts with its ledger totals (a snapshot). */
export function recordState(record: {
  project: ProjectState;
  benefits: Array<BenefitState & { realised: MonthlyPence; validated: MonthlyPence }>;
  investments: Array<InvestmentState & { actual: MonthlyPence }>;
}): RecordState {
  return {
    project: projectState(record.project),
    benefits: record.benefits.map((b) => ({ ...benefitState(b), realised: { ...b.realised }, validated: { ...b.validated } })),
    investments: record.investments.map((i) => ({ ...investmentState(i), actual: { ...i.actual } })),
  };
}

// --- replaying it ----------------------------------------------------------------

/** The running totals a ledger change adds to: a benefit's realised or validated, an investment line's actual spend. */
function ledgerTotals(state: RecordState, change: { of: 'benefit' | 'investment'; id: string; total: LedgerTotal }): MonthlyPence | undefined {
  if (change.of === 'investment') return change.total === 'actual' ? state.investments.find((x) => x.id === change.id)?.actual : undefined;
  const benefit = state.benefits.find((b) => b.id === change.id);
  return change.total === 'realised' ? benefit?.realised : change.total === 'validated' ? benefit?.validated : undefined;
}

/**
 * Replays a project's history one change at a time: later wins; of two
 * versions of an entity written in the same millisecond (two writers racing)
 * the higher does, unless the lower was put back (`restored`).
 */
class Replay {
  state: RecordState | undefined;
  private readonly seen = new Map<string, { at: string; version: number }>();

  private newer(key: string, at: string, version: number): boolean {
    const last = this.seen.get(key);
    if (last && last.at === at && last.version > version) return false;
    this.seen.set(key, { at, version });
    return true;
  }

  apply(at: string, change: HistoryChange): void {
    if (change.k === 'snapshot') {
      this.state = structuredClone(change.record);
      this.seen.clear();
      return;
    }
    if (change.k === 'project') {
      if (!this.newer(`p:${change.project.id}`, at, change.project.version)) return;
      this.state = this.state ? { ...this.state, project: { ...change.project } } : { project: { ...change.project }, benefits: [], investments: [] };
      return;
    }
    const state = this.state;
    if (!state) return;
    if (change.k === 'benefit') {
      if (!this.newer(`b:${change.benefit.id}`, at, change.restored ? Number.MAX_SAFE_INTEGER : change.benefit.version)) return;
      const i = state.benefits.findIndex((b) => b.id === change.benefit.id);
      const totals = i >= 0 ? { realised: state.benefits[i]!.realised, validated: state.benefits[i]!.validated } : { realised: {}, validated: {} };
      const next = { ...benefitState(change.benefit), ...totals };
      if (i >= 0) state.benefits[i] = next;
      else state.benefits.push(next);
    } else if (change.k === 'investment') {
      if (!this.newer(`i:${change.investment.id}`, at, change.investment.version)) return;
      const i = state.investments.findIndex((x) => x.id === change.investment.id);
      const next = { ...investmentState(change.investment), actual: i >= 0 ? state.investments[i]!.actual : {} };
      if (i >= 0) state.investments[i] = next;
      else state.investments.push(next);
    } else if (change.k === 'ledger') {
      const totals = ledgerTotals(state, change);
      if (totals) totals[change.month] = (totals[change.month] ?? 0) + change.amountPence;
    } else if (change.k === 'removed') {
      const gone = new Set(change.benefitIds);
      state.benefits = state.benefits.filter((b) => !gone.has(b.id));
    }
  }

  result(): RecordState | undefined {
    if (!this.state) return undefined;
    this.state.benefits.sort((a, b) => a.id.localeCompare(b.id));
    this.state.investments.sort((a, b) => a.id.localeCompare(b.id));
    return this.state;
  }
}

/** Entries in the order of their moment; entries of one millisecond keep the order they were read in (their keys': the order one process wrote them). */
function inOrder(entries: readonly HistoryEntry[]): HistoryEntry[] {
  return [...entries].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
}

/**
 * A project's record as it was known at `instant`: its history replayed up
 * to and including that instant. Undefined when the project was not yet
 * recorded.
 */
export function recordAt(entries: readonly HistoryEntry[], instant: string): RecordState | undefined {
  const replay = new Replay();
  for (const entry of inOrder(entries)) {
    if (entry.at > instant) break;
    for (const change of entry.changes) replay.apply(entry.at, change);
  }
  return replay.result();
}

// --- what moved the figures between two moments ---------------------------------------

export const CAUSE_KINDS = [
  'project-added',
  'stage-change',
  'cancellation',
  'delivery-confidence-change',
  'benefit-added',
  'benefit-removed',
  'baseline-set',
  're-baseline',
  'forecast-change',
  'confidence-change',
  'write-out',
  'status-change',
  'actual',
  'reversal',
  'period-close',
  'period-reopen',
] as const;
export type CauseKind = (typeof CAUSE_KINDS)[number];

/** One change that moved (or may have moved) a project's figures for an FY between two moments: what, when, by whom, by how much. */
export interface Cause {
  kind: CauseKind;
  at: string;
  by: string;
  benefitId?: string;
  benefitTitle?: string;
  month?: string;
  /** The change in the FY's amount it made (baseline, forecast, realised), where it has one. */
  amountPence: number | null;
  detail: string;
}

const WRITTEN_OUT = new Set(['unachievable', 'withdrawn']);

/**
 * The changes to a project recorded after `from` and up to `to` that bear on
 * its figures for `fy` (agreed baseline, outturn, realised, risk-adjusted
 * outturn), oldest first, each compared with the state just before it.
 */
export function causesBetween(entries: readonly HistoryEntry[], from: string, to: string, fy: string): Cause[] {
  const replay = new Replay();
  const causes: Cause[] = [];
  for (const entry of inOrder(entries)) {
    if (entry.at > to) break;
    for (const change of entry.changes) {
      if (entry.at <= from) {
        replay.apply(entry.at, change);
        continue;
      }
      const before = replay.state ? structuredClone(replay.state) : undefined;
      replay.apply(entry.at, change);
      causes.push(...describe(change, before, replay.state, fy).map((c) => ({ ...c, at: entry.at, by: entry.by })));
    }
  }
  return causes;
}

type Described = Omit<Cause, 'at' | 'by'>;

function describe(change: HistoryChange, before: RecordState | undefined, after: RecordState | undefined, fy: string): Described[] {
  const pounds = (p: number) => formatPounds(p);
  if (change.k === 'snapshot')
    return [{ kind: 'project-added', amountPence: null, detail: `${change.record.project.code} recorded with ${change.record.benefits.length} savings` }];
  if (change.k === 'project') {
    const was = before?.project;
    const now = change.project;
    if (!was) return [{ kind: 'project-added', amountPence: null, detail: `${now.code} ${now.name} created at ${now.stage}` }];
    const out: Described[] = [];
    if (was.stage !== now.stage) {
      out.push({ kind: now.stage === 'cancelled' ? 'cancellation' : 'stage-change', amountPence: null, detail: `${was.stage} → ${now.stage}` });
    }
    if (was.deliveryConfidence !== now.deliveryConfidence) {
      out.push({ kind: 'delivery-confidence-change', amountPence: null, detail: `Delivery confidence ${was.deliveryConfidence} → ${now.deliveryConfidence}` });
    }
    return out;
  }
  if (change.k === 'benefit') {
    const was = before?.benefits.find((b) => b.id === change.benefit.id);
    const now = after?.benefits.find((b) => b.id === change.benefit.id);
    if (!now) return [];
    const ids = { benefitId: now.id, benefitTitle: now.title };
    const baseline = totalInFy(now.baseline, fy);
    const forecast = totalInFy(now.forecast, fy);
    if (!was) return [{ kind: 'benefit-added', ...ids, amountPence: baseline, detail: `Added with a ${fy} baseline of ${pounds(baseline)}` }];
    const out: Described[] = [];
    const wasBaseline = totalInFy(was.baseline, fy);
    if (wasBaseline !== baseline) {
      const set = Object.keys(was.baseline).length === 0;
      out.push({
        kind: set ? 'baseline-set' : 're-baseline',
        ...ids,
        amountPence: baseline - wasBaseline,
        detail: `${fy} baseline ${pounds(wasBaseline)} → ${pounds(baseline)}`,
      });
    }
    const wasForecast = totalInFy(was.forecast, fy);
    if (wasForecast !== forecast) {
      out.push({ kind: 'forecast-change', ...ids, amountPence: forecast - wasForecast, detail: `${fy} forecast ${pounds(wasForecast)} → ${pounds(forecast)}` });
    }
    if (was.status !== now.status) {
      const writeOut = WRITTEN_OUT.has(now.status) && !WRITTEN_OUT.has(was.status);
      out.push({
        kind: writeOut ? 'write-out' : 'status-change',
        ...ids,
        amountPence: writeOut ? -baseline : null,
        detail: `Status ${was.status} → ${now.status}`,
      });
    }
    if (was.confidencePct !== now.confidencePct) {
      out.push({ kind: 'confidence-change', ...ids, amountPence: null, detail: `Confidence ${was.confidencePct}% → ${now.confidencePct}%` });
    }
    return out;
  }
  if (change.k === 'ledger') {
    if (change.of !== 'benefit' || change.total !== 'realised' || fyOfMonth(change.month) !== fy) return [];
    const benefit = after?.benefits.find((b) => b.id === change.id);
    return [
      {
        kind: change.reversal ? 'reversal' : 'actual',
        benefitId: change.id,
        ...(benefit ? { benefitTitle: benefit.title } : {}),
        month: change.month,
        amountPence: change.amountPence,
        detail: `${change.reversal ? 'Reversal' : 'Actual'} of ${pounds(change.amountPence)} for ${change.month}`,
      },
    ];
  }
  if (change.k === 'removed') {
    return change.benefitIds.map((id) => {
      const was = before?.benefits.find((b) => b.id === id);
      return {
        kind: 'benefit-removed' as const,
        benefitId: id,
        ...(was ? { benefitTitle: was.title } : {}),
        amountPence: was ? -totalInFy(was.baseline, fy) : null,
        detail: 'Taken out (an import rolled back)',
      };
    });
  }
  return [];
}
