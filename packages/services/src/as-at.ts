import {
  momentOf,
  periodsAt,
  recordAt,
  summariseBenefit,
  summariseInvestment,
  type RecordState,
  type Moment,
  type PeriodsState,
  type ProgrammeSettings,
  type Workstream,
  type FinancialYear,
  ConflictError,
} from '@bt/core';
import { beginsHistory, collectAll, mapInFlight, summaryHeader, type Outdated, type ProjectSummary } from '@bt/store';
import type { Deps } from './context.ts';

/** How many projects' histories are read at once for a past moment (DynamoDB takes far more; the Lambda's sockets and memory set the bound). */
export const HISTORY_READS_IN_FLIGHT = 16;
/** Projects replayed in a page of the programme at a past moment. */
const HISTORY_PAGE_PROJECTS = 200;

/** The moment of a request's `asAt` (a date or an instant; now when absent). */
export function momentOfRequest(deps: Deps, asAt: string | undefined): Moment {
  return momentOf(asAt, deps.clock());
}

/** The programme's figures' inputs at a moment, the summaries a page at a time. */
export interface ProgrammeStream {
  periods: PeriodsState;
  settings: ProgrammeSettings;
  pages: AsyncIterable<ProjectSummary[]>;
}

/**
 * The programme as it was known at a moment, for the figures of an FY, a
 * page of projects at a time (each let go once worked on, so memory is
 * bounded however large the programme). Now (or a moment not yet come): the
 * projects' summaries and their ledger totals in that FY, read by key after
 * a Query of the project ids. A past moment: the project ids, the periods and
 * the settings, then one Query per project of its history up to the moment
 * (never its ledgers), replayed; a project not yet recorded then is left out.
 */
export async function programmeStream(deps: Deps, moment: Moment, fy: FinancialYear): Promise<ProgrammeStream> {
  if (!moment.past) return readableSummaries(deps, fy);
  const { ids, periods, settings } = await deps.store.summaries.programmeIds();
  async function* pages(): AsyncGenerator<ProjectSummary[]> {
    for (let start = 0; start < ids.length; start += HISTORY_PAGE_PROJECTS) {
      const records = await mapInFlight(ids.slice(start, start + HISTORY_PAGE_PROJECTS), HISTORY_READS_IN_FLIGHT, (id) => projectAt(deps, id, moment.instant));
      yield records.flatMap((r) => (r ? [summaryOf(r)] : []));
    }
  }
  return { periods: periodsAt(periods, moment.instant), settings, pages: pages() };
}

/** A project's record as known at an instant (one Query of its history), or undefined if it was not yet recorded. */
export async function projectAt(deps: Deps, projectId: string, instant: string): Promise<RecordState | undefined> {
  return recordAt(await deps.store.summaries.history(projectId, instant), instant);
}

/** The workstreams that existed at a moment. */
export function workstreamsAt(workstreams: Workstream[], moment: Moment): Workstream[] {
  return moment.past ? workstreams.filter((ws) => ws.createdAt <= moment.instant) : workstreams;
}

/** A replayed record as the report's per-project summary. */
export function summaryOf(record: RecordState): ProjectSummary {
  return {
    ...summaryHeader(record.project),
    benefits: record.benefits.map((b) => summariseBenefit(b, record.project)),
    investments: record.investments.map(summariseInvestment),
  };
}

/**
 * The programme's summaries for an FY, a page at a time; any of a layout
 * too old to read (written before an upgrade, in a deployment that has not
 * run `upgradeSummaries`) is rebuilt from its record once the others are
 * given, then read and given too, so the report never counts it as empty.
 */
export async function readableSummaries(deps: Deps, fy: FinancialYear): Promise<ProgrammeStream> {
  const read = await deps.store.summaries.programmePages(fy);
  async function* pages(): AsyncGenerator<ProjectSummary[]> {
    const unreadable: Outdated[] = [];
    for await (const page of read.pages) {
      unreadable.push(...page.unreadable);
      yield page.summaries;
    }
    if (unreadable.length === 0) return;
    await rebuildSummaries(deps, unreadable, { evenIfTooLarge: true });
    const rebuilt = await deps.store.summaries.pagesOf(
      fy,
      unreadable.map((u) => u.projectId),
    );
    for await (const page of rebuilt.pages) yield page.summaries;
  }
  return { periods: read.periods, settings: read.settings, pages: pages() };
}

/**
 * Rebuilds summaries of earlier layouts from their records (one begun before
 * history was kept begins it with a snapshot), each guarded on its record
 * being as read: one that changed meanwhile is read again and rebuilt (up to
 * three tries), so a write that lands during an upgrade is never lost.
 * Returns how many were rebuilt. One too large to guard in a transaction
 * stays as it is (its layout is still read), unless it cannot be read at
 * all (`evenIfTooLarge`): then it is rebuilt unguarded, as before.
 */
export async function rebuildSummaries(deps: Deps, outdated: Outdated[], { evenIfTooLarge = false } = {}): Promise<number> {
  let rebuilt = 0;
  for (const { projectId, format } of outdated) {
    for (let attempt = 1; ; attempt++) {
      const record = await deps.store.children.record(projectId);
      const history = beginsHistory(format);
      const ops =
        record &&
        (deps.store.summaries.upgradeOp(record, { history }) ?? (evenIfTooLarge ? deps.store.summaries.rebuildOp(record, 'upgrade', { history }) : undefined));
      if (!ops) break;
      try {
        await deps.store.commit(ops);
        rebuilt += 1;
        break;
      } catch (error) {
        if (!(error instanceof ConflictError) || attempt === 3) throw error;
      }
    }
  }
  return rebuilt;
}

/**
 * Rebuilds every project summary of an earlier layout from its record (one
 * Query and one write per such project), so the report and the feeds read
 * the layout of today; a project recorded before history was kept begins its
 * history there. Run at every local start, and in AWS at the start of each
 * daily alert run (the first after a deployment does the work); returns how
 * many it rebuilt.
 */
export async function upgradeSummaries(deps: Deps): Promise<number> {
  return rebuildSummaries(deps, await deps.store.summaries.outdated());
}

/** Collects every workstream (a handful). */
export async function allWorkstreams(deps: Deps): Promise<Workstream[]> {
  return collectAll((page) => deps.store.workstreams.list(page));
}
