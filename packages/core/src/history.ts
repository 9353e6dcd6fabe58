import * as z from 'zod';
import type { Benefit } from './benefit.ts';
import { IsoDate, todayInLondon } from './fy.ts';
import type { Investment } from './investment.ts';
import type { MonthlyPence } from './series.ts';
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

export const AsAt = z.union([IsoDate, z.iso.datetime({ offset: true })]).meta({
  description: 'A date (the end of that day in Europe/London) or an ISO instant: the figures as they were known then. Default now.',
  example: '2026-06-30',
});
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
  'id' | 'workstreamId' | 'code' | 'name' | 'directorate' | 'startDate' | 'stage' | 'stageChangedAt' | 'deliveryConfidence' | 'version'
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
 * A project's record as it was known at `instant`: its history replayed up
 * to and including that instant (entries in the order of their moment).
 * Undefined when the project was not yet recorded. Two versions of one
 * entity written in the same millisecond are ordered by their version.
 */
export function recordAt(entries: readonly HistoryEntry[], instant: string): RecordState | undefined {
  let state: RecordState | undefined;
  const seen = new Map<string, { at: string; version: number }>();
  // Later wins; a version written in the same millisecond as a higher one (two writers racing) does not.
  const newer = (key: string, at: string, version: number) => {
    const last = seen.get(key);
    if (last && last.at === at && last.version > version) return false;
    seen.set(key, { at, version });
    return true;
  };
  // Stable: entries of one millisecond keep the order they were read in (their keys': the order one process wrote them).
  const ordered = [...entries].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  for (const entry of ordered) {
    if (entry.at > instant) break;
    for (const change of entry.changes) {
      if (change.k === 'snapshot') {
        state = structuredClone(change.record);
        seen.clear();
        continue;
      }
      if (change.k === 'project') {
        if (!newer(`p:${change.project.id}`, entry.at, change.project.version)) continue;
        state = state ? { ...state, project: { ...change.project } } : { project: { ...change.project }, benefits: [], investments: [] };
        continue;
      }
      if (!state) continue;
      if (change.k === 'benefit') {
        if (!newer(`b:${change.benefit.id}`, entry.at, change.restored ? Number.MAX_SAFE_INTEGER : change.benefit.version)) continue;
        const i = state.benefits.findIndex((b) => b.id === change.benefit.id);
        const totals = i >= 0 ? { realised: state.benefits[i]!.realised, validated: state.benefits[i]!.validated } : { realised: {}, validated: {} };
        const next = { ...benefitState(change.benefit), ...totals };
        if (i >= 0) state.benefits[i] = next;
        else state.benefits.push(next);
      } else if (change.k === 'investment') {
        if (!newer(`i:${change.investment.id}`, entry.at, change.investment.version)) continue;
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
  }
  if (state) {
    state.benefits.sort((a, b) => a.id.localeCompare(b.id));
    state.investments.sort((a, b) => a.id.localeCompare(b.id));
  }
  return state;
}
