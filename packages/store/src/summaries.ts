import {
  ConflictError,
  forecastByFy,
  NotFoundError,
  packMonthly,
  unpackMonthly,
  NO_PERIODS_CLOSED,
  DeliveryConfidence,
  PeriodsState,
  ProgrammeSettings,
  Stage,
  UNSET_PROGRAMME,
  type BenefitSummary,
  type InvestmentSummary,
  type Project,
  summariseBenefit,
  summariseInvestment,
  type Benefit,
  type Investment,
  benefitState,
  recordState,
  investmentState,
  projectState,
  type HistoryChange,
  type HistoryEntry,
  type FinancialYear,
  fyOfMonth,
  type BenefitState,
  type InvestmentState,
  type MonthlyPence,
  type ProjectState,
  FundingSource,
  InvestmentKind,
} from '@bt/core';
import { randomBytes } from 'node:crypto';
import { BatchWriteCommand, GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BATCH_GET_KEYS, batchGet } from './batch.ts';
import { collections, keys, leaveCollection, leavingCollection } from './keys.ts';
import type * as z from 'zod';
import { fromStored, StoredDataError } from './stored.ts';
import { collectionItems, partitionItems } from './pagination.ts';
import type { TxOp } from './transact.ts';

/**
 * What the programme report needs of a project, kept up to date in the same
 * transaction as every write that changes it, in two parts:
 *
 * - **the summary** (one item per project): the project's header and each
 *   benefit's and investment line's descriptive fields, baseline and plan by
 *   FY and forecast (packed);
 * - **its ledger totals by FY** (one item per project and FY, `~Y#<fy>`):
 *   realised, validated and spend by month, added to by the ledgers, never
 *   recomputed.
 *
 * The report for an FY reads the project ids (a Query of the projects'
 * index), then the summaries and that FY's ledger items by key (BatchGetItem,
 * 50 projects a request, up to 16 MB each), never the months of other years:
 * its requests grow with projects only, not with their savings or the years
 * of ledger behind them.
 *
 * Each write touches only its own paths (`benefits.<id>.b` …, one ledger
 * total's attribute), so concurrent writes to different benefits of a project
 * never overwrite one another.
 */
export interface ProjectSummary {
  projectId: string;
  workstreamId: string;
  code: string;
  name: string;
  directorate: string;
  startDate: string;
  stage: Stage;
  stageChangedAt?: string | undefined;
  deliveryConfidence?: DeliveryConfidence | undefined;
  /** The manager's commentary (quoted beside amber and red lines). */
  commentary?: string | undefined;
  benefits: BenefitSummary[];
  investments: InvestmentSummary[];
}

type ProjectHeader = Pick<
  Project,
  | 'id'
  | 'workstreamId'
  | 'code'
  | 'name'
  | 'directorate'
  | 'startDate'
  | 'stage'
  | 'stageChangedAt'
  | 'deliveryConfidence'
  | 'commentary'
  | 'version'
  | 'createdAt'
>;

/** When a change took effect, and who made it (kept with it in the project's history). */
export interface Moment {
  at: string;
  by: string;
}

/**
 * A history entry's id: this process's count of entries (fixed width, so
 * entries written in the same millisecond by one process sort in the order
 * they were written), then random bytes (unique across processes).
 */
let written = 0;
function historyId(): string {
  written = (written + 1) % 36 ** 7;
  return `${written.toString(36).padStart(7, '0')}${randomBytes(4).toString('hex')}`;
}

/** The summary's header: the project as the report lists it (also a replayed project's, for a past moment). */
export function summaryHeader(p: Omit<ProjectHeader, 'version' | 'createdAt'>) {
  return {
    projectId: p.id,
    workstreamId: p.workstreamId,
    code: p.code,
    name: p.name,
    directorate: p.directorate,
    startDate: p.startDate,
    stage: p.stage,
    stageChangedAt: p.stageChangedAt,
    deliveryConfidence: p.deliveryConfidence,
    commentary: p.commentary,
  };
}

/** The summary of a benefit on its own (the project's stage is kept once, in the summary's header). */
function summarise(benefit: Benefit): BenefitSummary {
  return summariseBenefit(benefit, { stage: 'delivery' });
}

/** A benefit's descriptive fields (its id and project are the entry's key and the item's), with the savings found to replace it. */
function benefitMeta(s: BenefitSummary, replacedBy: readonly string[]) {
  const {
    id: _id,
    projectId: _p,
    baseline: _b,
    forecast: _f,
    forecastWrittenOff: _fo,
    realised: _r,
    validated: _v,
    forecastMonths: _fm,
    stage: _s,
    stageChangedAt: _sc,
    ...meta
  } = s;
  return JSON.parse(JSON.stringify({ ...meta, ...(replacedBy.length ? { replacedByBenefitIds: replacedBy } : {}) })) as Record<string, unknown>;
}

/**
 * A benefit's entry in the summary, but for its ledger totals (kept by FY):
 * descriptive fields (`m`); baseline by FY (`b`) and the months of any year
 * of it not phased evenly (`bm`); forecast packed (`fy` a year phased evenly,
 * as its total; `fm` the months of the others).
 */
function benefitEntry(benefit: Benefit): Record<string, unknown> {
  const s = summarise(benefit);
  const forecast = packMonthly(s.forecastMonths);
  return { m: benefitMeta(s, benefit.replacedByBenefitIds), b: s.baseline, bm: packMonthly(benefit.baseline).m, fy: forecast.y, fm: forecast.m };
}

/** An investment line's entry, but for its spend (kept by FY): kind, funding source and title (`m`); plan by FY (`p`) and the months of any year not phased evenly (`pm`). */
function investmentEntry(line: Investment): Record<string, unknown> {
  const s = summariseInvestment(line);
  return { m: { kind: s.kind, fundingSource: s.fundingSource, title: line.title }, p: s.planned, pm: packMonthly(line.planned).m };
}

/**
 * The clause that writes an entry's fields (`#c.<entry>.d`), never the ledger
 * totals an entry of layout 4 or before still holds beside them: one short
 * clause a saving, so a monthly return of many savings stays within an
 * update expression's 4 KB.
 */
function entryFields(entry: Record<string, unknown>, path: string, tag: string, values: Record<string, unknown>): string[] {
  values[`:${tag}d`] = entry;
  return [`#c.${path}.d = :${tag}d`];
}

/** Which ledger total: realised or validated (a benefit's), actual spend (an investment line's). */
type LedgerTotal = 'r' | 'v' | 'a';
/** An amount added to a ledger total's month. */
interface LedgerAdd {
  total: LedgerTotal;
  id: string;
  month: string;
  amountPence: number;
}

/**
 * A ledger total's month is one top-level number of its FY's item, named
 * total + month + id (`r2025-07ben_01J…`): DynamoDB's `ADD` creates it (and
 * the item) when first added to, so a write never needs a path to exist
 * first, and concurrent adds to the same month sum.
 */
const LEDGER_ATTRIBUTE = /^([rva])(\d{4}-\d{2})(.+)$/;
function ledgerAttribute(a: Pick<LedgerAdd, 'total' | 'month' | 'id'>): string {
  return `${a.total}${a.month}${a.id}`;
}

/** The monthly ledger totals of a summary's entries, by entry id. */
type Ledgers = Map<string, Partial<Record<LedgerTotal, Record<string, number>>>>;

/** Reads ledger totals from FY items (orphans of a saving taken away are read but never asked for). */
function ledgersOf(items: Iterable<Record<string, unknown>>, into: Ledgers = new Map()): Ledgers {
  for (const item of items) {
    for (const [name, value] of Object.entries(item)) {
      const m = LEDGER_ATTRIBUTE.exec(name);
      if (!m || typeof value !== 'number') continue;
      const total = m[1] as LedgerTotal;
      const month = m[2]!;
      const id = m[3]!;
      const entry = into.get(id) ?? {};
      into.set(id, entry);
      const series = entry[total] ?? {};
      entry[total] = series;
      series[month] = (series[month] ?? 0) + value;
    }
  }
  return into;
}

/** The adds of a benefit's or investment line's whole ledger totals (a rebuild, a saving created with its actuals). */
function ledgerAdds(record: { benefits: Benefit[]; investments: Investment[] }): LedgerAdd[] {
  const out: LedgerAdd[] = [];
  const each = (total: LedgerTotal, id: string, series: Record<string, number>) => {
    for (const [month, amountPence] of Object.entries(series)) if (amountPence !== 0) out.push({ total, id, month, amountPence });
  };
  for (const b of record.benefits) {
    each('r', b.id, b.realised);
    each('v', b.id, b.validated);
  }
  for (const i of record.investments) each('a', i.id, i.actual);
  return out;
}

/**
 * The layout of a summary item. 2 (2026-11-30): each benefit also keeps its
 * forecast by month (`fm`) and the header the project's stage, for the
 * forecast outturn. 3: the forecast packed — a year phased evenly kept as its
 * total (`fy`), other years as months (`fm`) — so the summary is no larger
 * than layout 1's annual forecast for the usual annual savings. 4: the same
 * item, and the project's history is kept beside it (a project upgraded to 4
 * begins its history with a snapshot of its record). 5 (2026-12-01): the
 * ledger totals by month move out of the summary into one item per FY. 6:
 * an entry's fields are written as one (`d`), with what a feed needs besides
 * the figures (baseline and plan by month, a line's title, a saving's
 * replacements), so the feeds read the summaries, not each record.
 * Layouts 2 to 4 read as 5: the ledger totals they still hold are added to
 * those of the FY items (which every ledger write since has gone to).
 * Summaries of an earlier layout are rebuilt from their records: all at the
 * local run's start (`outdated`), and any the report meets that it cannot
 * read (`unreadable`).
 */
export const SUMMARY_FORMAT = 6;
/** DynamoDB's limit on the items of one transaction. */
const MAX_TRANSACTION_ITEMS = 100;
/** BatchGetItems of summaries in flight at once for the report (each up to 16 MB). */
const BATCHES_IN_FLIGHT = 4;
/** Projects in a page of the programme's summaries: a request's worth (50 projects) for each of the batches in flight. */
const PROGRAMME_PAGE_PROJECTS = (BATCH_GET_KEYS / 2) * BATCHES_IN_FLIGHT;
/** The earliest layout this code reads correctly. */
const READABLE_FROM = 2;
/** The first layout with the project's history kept beside it: rebuilding one before it begins the history with a snapshot. */
const HISTORY_FROM = 4;

/** A summary of an earlier layout, to rebuild from its record. */
export interface Outdated {
  projectId: string;
  format: number | undefined;
}

/** Whether a rebuild of a summary of this layout begins its project's history (one of layout 4 on already has it). */
export function beginsHistory(format: number | undefined): boolean {
  return !(Number(format) >= HISTORY_FROM);
}

/** A project's summary without its ledger totals (names, titles, stages: what a list needs). */
export type ProjectListing = Omit<ProjectSummary, 'benefits' | 'investments'> & {
  benefits: Omit<BenefitSummary, 'realised' | 'validated'>[];
  investments: Omit<InvestmentSummary, 'actual'>[];
};

/** A page of the programme's summaries, and those in it too old to read. */
export interface SummaryPage {
  summaries: ProjectSummary[];
  unreadable: Outdated[];
}

/** The programme read a page at a time: the period state and the settings, then the pages (read as they are asked for). */
export interface ProgrammePages {
  periods: PeriodsState;
  settings: ProgrammeSettings;
  pages: AsyncIterable<SummaryPage>;
}

interface ProgrammeRead<S> {
  summaries: S[];
  periods: PeriodsState;
  settings: ProgrammeSettings;
  unreadable: Outdated[];
}

export class SummaryRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Every project's id, in id order: a Query of the projects' index
   * partition that gives back only the ids (one per MB of projects, whatever
   * their savings), so the summaries can then be read by key.
   */
  private async projectIds(): Promise<string[]> {
    const ids: string[] = [];
    for await (const item of collectionItems(this.doc, this.tableName, collections.projects(), 'id')) ids.push(String(item.id));
    return ids.sort(byCodePoint);
  }

  /** The period state, the programme settings and these keys, read by key (100 a request, up to 16 MB each). */
  private async withSingletons(keyed: Record<string, unknown>[]): Promise<Record<string, unknown>[]> {
    return batchGet(this.doc, this.tableName, [keys.periods(), keys.programme(), ...keyed], { inFlight: BATCHES_IN_FLIGHT });
  }

  /**
   * Every project's summary with its ledger totals in the months of one FY
   * (the report's figures for that FY need no other months), the period
   * state and the programme settings, all in memory: `programmePages` read
   * whole. The monitoring pack, which lists every saving, reads it so.
   */
  async programme(fy: FinancialYear): Promise<ProgrammeRead<ProjectSummary>> {
    const { pages, ...read } = await this.programmePages(fy);
    const summaries: ProjectSummary[] = [];
    const unreadable: Outdated[] = [];
    for await (const page of pages) {
      for (const s of page.summaries) summaries.push(s);
      unreadable.push(...page.unreadable);
    }
    return { ...read, summaries, unreadable };
  }

  /**
   * Every project's summary with its ledger totals in the months of one FY,
   * in project id order, a page of 200 projects at a time, the next page read
   * while one is worked on; the period state and the programme settings
   * first, read with the first page. The projects' ids come from their
   * index (a Query per MB of projects), then each summary and its FY item
   * are read by key, 50 projects a request: the requests grow with projects,
   * never with their savings or months, and so does memory only as far as a
   * page (the report at 10,000 projects held them all: 593 MiB). A summary
   * of a layout too old to read is given in its page's `unreadable`.
   */
  async programmePages(fy: FinancialYear): Promise<ProgrammePages> {
    return this.pagesOf(fy, await this.projectIds());
  }

  /** These projects' summaries for an FY, a page at a time (as `programmePages`). */
  async pagesOf(fy: FinancialYear, ids: readonly string[]): Promise<ProgrammePages> {
    const size = PROGRAMME_PAGE_PROJECTS;
    const first = await this.summaryPage(fy, ids.slice(0, size), true);
    const self = this;
    async function* pages(): AsyncGenerator<SummaryPage> {
      let next: Promise<SummaryPage> | undefined = Promise.resolve(first);
      for (let start = 0; next; start += size) {
        const page: SummaryPage = await next;
        next = start + size < ids.length ? self.summaryPage(fy, ids.slice(start + size, start + 2 * size), false) : undefined;
        // Its failure is met when it is awaited, not reported as unhandled while this page is worked on.
        next?.catch(() => undefined);
        yield page;
      }
    }
    return { periods: first.periods, settings: first.settings, pages: pages() };
  }

  /** These projects' summaries and FY items by key (with the period state and settings, for the first page). */
  private async summaryPage(
    fy: FinancialYear,
    ids: readonly string[],
    singletons: boolean,
  ): Promise<SummaryPage & Pick<ProgrammeRead<ProjectSummary>, 'periods' | 'settings'>> {
    const keyed = ids.flatMap((id) => [keys.summary(id), keys.summaryYear(id, fy)]);
    const items = singletons ? await this.withSingletons(keyed) : await batchGet(this.doc, this.tableName, keyed, { inFlight: BATCHES_IN_FLIGHT });
    const ledgers = new Map(items.filter((i) => i.entity === 'summary-year').map((item) => [String(item.projectId), ledgersOf([item])]));
    const { items: summaryItems, ...read } = this.sorted(items.filter((i) => i.entity !== 'summary-year'));
    return { ...read, summaries: summaryItems.map((item) => fromItem(item, ledgers.get(String(item.projectId)))) };
  }

  /**
   * Every project's id (in id order), the period state and the programme
   * settings, without their summaries: what a figure as at a past moment
   * needs before it replays each project's history (a Query of the ids and
   * one read by key, whatever the programme's size).
   */
  async programmeIds(): Promise<{ ids: string[]; periods: PeriodsState; settings: ProgrammeSettings }> {
    const [ids, singletons] = await Promise.all([this.projectIds(), this.withSingletons([])]);
    const { periods, settings } = this.sorted(singletons);
    return { ids, periods, settings };
  }

  /** Every project's summary without ledger totals (a list of projects and their savings' names), the period state and the settings: read as the report reads them, without the FY items. */
  async listing(): Promise<ProgrammeRead<ProjectListing>> {
    const ids = await this.projectIds();
    const { items, ...read } = this.sorted(await this.withSingletons(ids.map((id) => keys.summary(id))));
    return { ...read, summaries: items.map((item) => fromItem(item, undefined)) };
  }

  /** Summaries in project id order, apart from the period state and the settings, and from those too old to read. */
  private sorted(all: Record<string, unknown>[]) {
    const items: Record<string, unknown>[] = [];
    const unreadable: Outdated[] = [];
    let periods = NO_PERIODS_CLOSED;
    let settings = UNSET_PROGRAMME;
    for (const item of all) {
      if (item.entity === 'periods') periods = fromStored(PeriodsState, item);
      else if (item.entity === 'programme') settings = fromStored(ProgrammeSettings, item);
      else if (!(Number(item.format) >= READABLE_FROM)) unreadable.push(outdatedOf(item));
      else items.push(item);
    }
    items.sort((a, b) => byCodePoint(String(a.projectId), String(b.projectId)));
    unreadable.sort((a, b) => byCodePoint(a.projectId, b.projectId));
    return { items, periods, settings, unreadable };
  }

  /** Projects whose summary is of an earlier layout (to rebuild before serving figures from them). */
  async outdated(): Promise<Outdated[]> {
    const ids = await this.projectIds();
    const items = await batchGet(
      this.doc,
      this.tableName,
      ids.map((id) => keys.summary(id)),
      { inFlight: BATCHES_IN_FLIGHT, attributes: ['entity', 'projectId', 'format'] },
    );
    return items
      .filter((i) => i.entity === 'summary' && i.format !== SUMMARY_FORMAT)
      .map(outdatedOf)
      .sort((a, b) => byCodePoint(a.projectId, b.projectId));
  }

  /**
   * The whole summary of a project rebuilt from its record, and its ledger
   * totals by FY, replacing whatever was there, for a project that has no FY
   * items yet (one created whole by an import, one of a layout before 5);
   * with `history`, a snapshot of the record in its history, as of the
   * project's creation: exact for a project created whole, and where history
   * begins for a project recorded before it was kept.
   */
  rebuildOp(record: { project: ProjectHeader; benefits: Benefit[]; investments: Investment[] }, by: string, { history = true } = {}): TxOp[] {
    return this.rebuild(record, by, history);
  }

  /**
   * The rebuild of a stored project's summary (an upgrade of its layout),
   * guarded on its record being as it was read: the project and each saving
   * and line at the version read, with the ledger totals read. A write that
   * lands between the read and the rebuild fails it (409) rather than being
   * overwritten, so nothing added meanwhile is lost. Undefined for a project
   * too large to guard in one transaction (it stays at its layout, which the
   * report and the feeds still read).
   */
  upgradeOp(record: { project: ProjectHeader; benefits: Benefit[]; investments: Investment[] }, { history }: { history: boolean }): TxOp[] | undefined {
    const ops = this.rebuild(record, 'upgrade', history);
    const guards = [
      this.unchangedOp(keys.project(record.project.id), record.project.version, {}),
      ...record.benefits.map((b) => this.unchangedOp(keys.child(b.projectId, 'benefit', b.id), b.version, { realised: b.realised, validated: b.validated })),
      ...record.investments.map((i) => this.unchangedOp(keys.child(i.projectId, 'investment', i.id), i.version, { actual: i.actual })),
    ];
    return ops.length + guards.length <= MAX_TRANSACTION_ITEMS ? [...ops, ...guards] : undefined;
  }

  /** A guard that an item is at a version, with these maps as given (an empty map: empty or absent). */
  private unchangedOp(key: { pk: string; sk: string }, version: number, maps: Record<string, Record<string, number>>): TxOp {
    const names: Record<string, string> = { '#version': 'version' };
    const values: Record<string, unknown> = { ':version': version };
    const conditions = ['#version = :version'];
    Object.entries(maps).forEach(([attribute, map], i) => {
      names[`#m${i}`] = attribute;
      values[`:m${i}`] = map;
      conditions.push(Object.keys(map).length ? `#m${i} = :m${i}` : `(attribute_not_exists(#m${i}) OR #m${i} = :m${i})`);
    });
    return {
      item: {
        ConditionCheck: {
          TableName: this.tableName,
          Key: key,
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        },
      },
      onConditionFailed: () =>
        new ConflictError('concurrent-modification', `${key.pk} changed while its summary was being rebuilt; it is rebuilt on the next try.`),
    };
  }

  private rebuild(record: { project: ProjectHeader; benefits: Benefit[]; investments: Investment[] }, by: string, history: boolean): TxOp[] {
    const benefits = Object.fromEntries(record.benefits.map((b) => [b.id, { d: benefitEntry(b) }]));
    const investments = Object.fromEntries(record.investments.map((i) => [i.id, { d: investmentEntry(i) }]));
    const years = new Map<FinancialYear, Record<string, number>>();
    for (const add of ledgerAdds(record)) {
      const fy = fyOfMonth(add.month);
      const item = years.get(fy) ?? {};
      years.set(fy, item);
      item[ledgerAttribute(add)] = add.amountPence;
    }
    const yearPuts: TxOp[] = [...years].map(([fy, totals]) => ({
      item: { Put: { TableName: this.tableName, Item: { ...this.yearItemHead(record.project.id, fy), ...totals } } },
    }));
    return [
      {
        item: {
          Put: {
            TableName: this.tableName,
            Item: JSON.parse(
              JSON.stringify({
                ...keys.summary(record.project.id),
                entity: 'summary',
                format: SUMMARY_FORMAT,
                ...summaryHeader(record.project),
                benefits,
                investments,
              }),
            ),
          },
        },
      },
      ...yearPuts,
      ...(history ? [this.historyOp(record.project.id, { at: record.project.createdAt, by }, [{ k: 'snapshot', record: recordState(record) }])] : []),
    ];
  }

  /** The keys and labels of a project's FY item of ledger totals. */
  private yearItemHead(projectId: string, fy: FinancialYear): Record<string, unknown> {
    return { ...keys.summaryYear(projectId, fy), entity: 'summary-year', projectId, financialYear: fy };
  }

  /**
   * Adds amounts to ledger totals: one update of each FY item touched (a
   * transaction may touch an item once), amounts to the same month of the
   * same total summed first (an update may name an attribute once).
   */
  private ledgerOps(projectId: string, adds: LedgerAdd[]): TxOp[] {
    const byYear = new Map<FinancialYear, Map<string, number>>();
    for (const add of adds) {
      const fy = fyOfMonth(add.month);
      const sums = byYear.get(fy) ?? new Map<string, number>();
      byYear.set(fy, sums);
      const name = ledgerAttribute(add);
      sums.set(name, (sums.get(name) ?? 0) + add.amountPence);
    }
    return [...byYear].map(([fy, sums]) => {
      const names: Record<string, string> = {};
      const values: Record<string, unknown> = {};
      const sets: string[] = [];
      const { pk: _pk, sk: _sk, ...head } = this.yearItemHead(projectId, fy);
      Object.entries(head).forEach(([attribute, value], i) => {
        names[`#h${i}`] = attribute;
        values[`:h${i}`] = value;
        sets.push(`#h${i} = :h${i}`);
      });
      const added = [...sums].map(([name, amount], i) => {
        names[`#t${i}`] = name;
        values[`:t${i}`] = amount;
        return `#t${i} :t${i}`;
      });
      return {
        item: {
          Update: {
            TableName: this.tableName,
            Key: keys.summaryYear(projectId, fy),
            // An FY item written while they were listed in an index leaves it (nothing reads it there; each write to it would be paid twice).
            UpdateExpression: `SET ${sets.join(', ')} ADD ${added.join(', ')} ${leaveCollection(collections.formerSummaryYear(fy))}`,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          },
        },
      };
    });
  }

  /**
   * Every project's feed record for an FY, in project id order, 50 projects
   * at a time: their summaries and FY items read by key (one BatchGetItem),
   * the next 50 read while these are given out. Memory stays bounded however
   * large the programme, and the requests grow with projects only. Each is
   * made as its turn comes, so one that cannot be read fails a feed where it
   * falls. A project whose summary is of a layout before 6 is given by its
   * id only, for the caller to read its record.
   */
  async *feedRecords(fy: FinancialYear): AsyncGenerator<FeedRecord | { projectId: string }> {
    const ids = await this.projectIds();
    const chunk = BATCH_GET_KEYS / 2;
    let next: Promise<FeedPage> | undefined = this.feedPage(fy, ids.slice(0, chunk));
    for (let start = 0; next; start += chunk) {
      const page: FeedPage = await next;
      next = start + chunk < ids.length ? this.feedPage(fy, ids.slice(start + chunk, start + 2 * chunk)) : undefined;
      // Its failure is met when it is awaited, not reported as unhandled while this page is given out.
      next?.catch(() => undefined);
      for (const item of page.items) yield feedRecordOf(item, page.ledgers.get(String(item.projectId)));
    }
  }

  /** These projects' summaries and FY items (one BatchGetItem), the summaries in id order. */
  private async feedPage(fy: FinancialYear, ids: string[]): Promise<FeedPage> {
    const got = await batchGet(
      this.doc,
      this.tableName,
      ids.flatMap((id) => [keys.summary(id), keys.summaryYear(id, fy)]),
    );
    const items = got.filter((i) => i.entity === 'summary').sort((a, b) => byCodePoint(String(a.projectId), String(b.projectId)));
    const ledgers = new Map(got.filter((i) => i.entity === 'summary-year').map((item) => [String(item.projectId), ledgersOf([item])]));
    return { items, ledgers };
  }

  /** A project's summary with its ledger totals in every FY (a Query for the summary and one for the FY items). */
  async of(projectId: string): Promise<ProjectSummary | undefined> {
    const [head, years] = await Promise.all([
      this.doc.send(new GetCommand({ TableName: this.tableName, Key: keys.summary(projectId), ConsistentRead: true })),
      partitionItems(this.doc, this.tableName, keys.summaryYearsOf(projectId)),
    ]);
    return head.Item ? fromItem(head.Item, ledgersOf(years)) : undefined;
  }

  /** An entry of a project's history: written with the summary's change, in its transaction. */
  historyOp(projectId: string, when: Moment, changes: HistoryChange[]): TxOp {
    return {
      item: {
        Put: {
          TableName: this.tableName,
          Item: { ...keys.history(projectId, when.at, historyId()), entity: 'history', at: when.at, by: when.by, c: JSON.stringify(changes) },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    };
  }

  /** Deletes a project's whole history and its ledger totals by FY (a project an import created, taken back whole: nothing of it stays). */
  async dropHistory(projectId: string): Promise<void> {
    const items = [
      ...(await partitionItems(this.doc, this.tableName, keys.historyUntil(projectId, '~'))),
      ...(await partitionItems(this.doc, this.tableName, keys.summaryYearsOf(projectId))),
    ];
    for (let i = 0; i < items.length; i += 25) {
      let batch: Record<string, unknown>[] | undefined = items.slice(i, i + 25).map((item) => ({ pk: item.pk, sk: item.sk }));
      while (batch?.length) {
        const result = await this.doc.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: batch.map((Key) => ({ DeleteRequest: { Key } })) } }));
        batch = result.UnprocessedItems?.[this.tableName]?.map((r) => r.DeleteRequest!.Key!) as Record<string, unknown>[] | undefined;
      }
    }
  }

  /** A project's history up to and including an instant, in order (one Query; more pages only past 1 MB). */
  async history(projectId: string, until: string): Promise<HistoryEntry[]> {
    const items = await partitionItems(this.doc, this.tableName, keys.historyUntil(projectId, until));
    return items.map((i) => ({ at: String(i.at), by: String(i.by), changes: JSON.parse(String(i.c)) as HistoryChange[] }));
  }

  /** Every project's summary with its ledger totals in every FY: a Query per project (for checks and tools; the report reads one FY). */
  async all(): Promise<ProjectSummary[]> {
    const { summaries } = await this.listing();
    const out: ProjectSummary[] = [];
    for (const s of summaries) {
      const whole = await this.of(s.projectId);
      if (whole) out.push(whole);
    }
    return out;
  }

  createOp(project: ProjectHeader & { createdBy: string }): TxOp[] {
    const created = {
      item: {
        Put: {
          TableName: this.tableName,
          Item: {
            ...keys.summary(project.id),
            entity: 'summary',
            format: SUMMARY_FORMAT,
            ...summaryHeader(project),
            benefits: {},
            investments: {},
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    };
    return [created, this.historyOp(project.id, { at: project.createdAt, by: project.createdBy }, [{ k: 'project', project: projectState(project) }])];
  }

  projectChangedOp(project: ProjectHeader & { updatedAt: string; updatedBy: string }): TxOp[] {
    return this.projectAndBenefitsOp(project, []);
  }

  /**
   * A project's header and several of its benefits changed together (the
   * monthly return) in one write of its summary (a transaction may touch an
   * item only once) and one history entry. A changed benefit's descriptive
   * fields, baseline and forecast are written; its ledger totals never are.
   */
  projectAndBenefitsOp(project: ProjectHeader & { updatedAt: string; updatedBy: string }, benefits: Benefit[]): TxOp[] {
    const h = summaryHeader(project);
    const names: Record<string, string> = { '#name': 'name' };
    const values: Record<string, unknown> = {
      ':ws': h.workstreamId,
      ':code': h.code,
      ':name': h.name,
      ':dir': h.directorate,
      ':start': h.startDate,
      ':stage': h.stage,
      ':conf': h.deliveryConfidence,
    };
    const sets = [
      'workstreamId = :ws',
      'code = :code',
      '#name = :name',
      'directorate = :dir',
      'startDate = :start',
      'stage = :stage',
      'deliveryConfidence = :conf',
    ];
    const removes: string[] = [];
    if (h.stageChangedAt) {
      sets.push('stageChangedAt = :stageAt');
      values[':stageAt'] = h.stageChangedAt;
    }
    if (h.commentary) {
      sets.push('commentary = :comm');
      values[':comm'] = h.commentary;
    } else removes.push('commentary');
    if (benefits.length) names['#c'] = 'benefits';
    benefits.forEach((benefit, i) => {
      names[`#b${i}`] = benefit.id;
      sets.push(...entryFields(benefitEntry(benefit), `#b${i}`, `b${i}`, values));
    });
    const changed = this.summaryUpdate(project.id, `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`, names, values);
    const changes: HistoryChange[] = [
      { k: 'project', project: projectState(project) },
      ...benefits.map((b) => ({ k: 'benefit' as const, benefit: benefitState(b) })),
    ];
    return [changed, this.historyOp(project.id, { at: project.updatedAt, by: project.updatedBy }, changes)];
  }

  /** A benefit's descriptive fields, baseline and forecast; on creation, the whole entry. */
  benefitOp(benefit: Benefit, created: boolean): TxOp[] {
    return [
      this.benefitUpdate(benefit, created),
      ...(created ? this.ledgerOps(benefit.projectId, ledgerAdds({ benefits: [benefit], investments: [] })) : []),
      this.historyOp(benefit.projectId, { at: benefit.updatedAt, by: benefit.updatedBy }, [{ k: 'benefit', benefit: benefitState(benefit) }]),
    ];
  }

  /**
   * A new saving that replaces a written-out one: its entry (and history),
   * and the original's entry naming it (not a change to any figure, so not in
   * the history) — one write of a summary the two share (a transaction may
   * touch an item once), or one of each.
   */
  replacementOps(replacement: Benefit, original: Benefit): TxOp[] {
    const history = this.historyOp(replacement.projectId, { at: replacement.updatedAt, by: replacement.updatedBy }, [
      { k: 'benefit', benefit: benefitState(replacement) },
    ]);
    if (original.projectId !== replacement.projectId) return [this.benefitUpdate(replacement, true), history, this.benefitUpdate(original, false)];
    const values: Record<string, unknown> = { ':entry': { d: benefitEntry(replacement) } };
    const sets = ['#c.#new = :entry', ...entryFields(benefitEntry(original), '#old', 'o', values)];
    return [this.summarySet(replacement.projectId, sets, { '#c': 'benefits', '#new': replacement.id, '#old': original.id }, values), history];
  }

  /** An update of a project's summary that sets the paths given. */
  private summarySet(projectId: string, sets: string[], names: Record<string, string>, values: Record<string, unknown>): TxOp {
    return this.summaryUpdate(projectId, `SET ${sets.join(', ')}`, names, values);
  }

  /**
   * Every update of a project's summary: it also takes the summary out of
   * the index partition where summaries were once listed (they are read by
   * key now; each write to an indexed item is paid twice, once for the index).
   */
  private summaryUpdate(projectId: string, expression: string, names: Record<string, string>, values?: Record<string, unknown>): TxOp {
    return {
      item: {
        Update: {
          TableName: this.tableName,
          Key: keys.summary(projectId),
          UpdateExpression: leavingCollection(collections.summaries(), expression),
          ExpressionAttributeNames: names,
          ...(values ? { ExpressionAttributeValues: values } : {}),
        },
      },
    };
  }

  private benefitUpdate(benefit: Benefit, created: boolean): TxOp {
    const names = { '#c': 'benefits', '#id': benefit.id };
    if (created) return this.summaryUpdate(benefit.projectId, 'SET #c.#id = :entry', names, { ':entry': { d: benefitEntry(benefit) } });
    const values: Record<string, unknown> = {};
    const sets = entryFields(benefitEntry(benefit), '#id', '', values);
    // A layout 1 summary's annual forecast (`f`, `fo`) goes: the forecast is kept packed.
    return this.summaryUpdate(benefit.projectId, `SET ${sets.join(', ')} REMOVE #c.#id.f, #c.#id.fo`, names, values);
  }

  /**
   * Several benefits of one project, new or changed, in one write of its
   * summary (a transaction may touch an item only once). A new benefit's
   * entry is written whole; a changed one's descriptive fields, baseline and
   * forecast only (its ledger totals are moved only by the ledger).
   */
  benefitsOp(
    projectId: string,
    changes: Array<{ benefit: Benefit; created: boolean }>,
    when: Moment & { restored?: boolean; actuals?: Array<{ benefitId: string; month: string; amountPence: number }> },
  ): TxOp[] {
    const names: Record<string, string> = { '#c': 'benefits' };
    const values: Record<string, unknown> = {};
    const sets: string[] = [];
    const ledger: LedgerAdd[] = [];
    changes.forEach(({ benefit, created }, i) => {
      names[`#b${i}`] = benefit.id;
      if (created) {
        values[`:b${i}`] = { d: benefitEntry(benefit) };
        sets.push(`#c.#b${i} = :b${i}`);
        // Recorded with it (an import's realised to date): its ledger totals.
        ledger.push(...ledgerAdds({ benefits: [benefit], investments: [] }));
      } else sets.push(...entryFields(benefitEntry(benefit), `#b${i}`, `b${i}`, values));
    });
    return [
      this.summarySet(projectId, sets, names, values),
      ...this.ledgerOps(projectId, ledger),
      this.historyOp(projectId, when, [
        ...changes.map(({ benefit }) => ({ k: 'benefit' as const, benefit: benefitState(benefit), ...(when.restored ? { restored: true as const } : {}) })),
        // Actuals recorded with new savings (an import's realised to date): their ledger amounts, after the savings.
        ...(when.actuals ?? []).map((a) => ({
          k: 'ledger' as const,
          of: 'benefit' as const,
          id: a.benefitId,
          total: 'realised' as const,
          month: a.month,
          amountPence: a.amountPence,
        })),
      ]),
    ];
  }

  /** Takes benefits out of a project's summary (an import rolled back). */
  benefitsRemovedOp(projectId: string, benefitIds: string[], when: Moment): TxOp[] {
    const names: Record<string, string> = { '#c': 'benefits' };
    for (const [i, id] of benefitIds.entries()) names[`#b${i}`] = id;
    return [
      this.summaryUpdate(projectId, `REMOVE ${benefitIds.map((_, i) => `#c.#b${i}`).join(', ')}`, names),
      this.historyOp(projectId, when, [{ k: 'removed', benefitIds }]),
    ];
  }

  /**
   * Takes the ledger totals of savings taken away (an import rolled back) out
   * of their FY items, up to 100 totals an update, each update to be written
   * on its own: a total of a saving its summary no longer has is never read,
   * so this only tidies, after the summary's own write.
   */
  ledgerRemovedOps(projectId: string, removed: Array<{ id: string; months: string[] }>): TxOp[] {
    const byYear = new Map<FinancialYear, string[]>();
    for (const { id, months } of removed) {
      for (const month of months) {
        const names = byYear.get(fyOfMonth(month)) ?? [];
        byYear.set(fyOfMonth(month), names);
        names.push(...(['r', 'v'] as const).map((total) => ledgerAttribute({ total, month, id })));
      }
    }
    return [...byYear].flatMap(([fy, names]) => {
      const ops: TxOp[] = [];
      for (let i = 0; i < names.length; i += 100) {
        const part = names.slice(i, i + 100);
        ops.push({
          item: {
            Update: {
              TableName: this.tableName,
              Key: keys.summaryYear(projectId, fy),
              UpdateExpression: `REMOVE ${part.map((_, j) => `#t${j}`).join(', ')}`,
              // Never creates an empty item where there was none.
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeNames: Object.fromEntries(part.map((name, j) => [`#t${j}`, name])),
            },
          },
          onConditionFailed: () => new NotFoundError(`Project ${projectId} has no ledger totals in ${fy}.`),
        });
      }
      return ops;
    });
  }

  investmentOp(line: Investment, created: boolean): TxOp[] {
    const names = { '#c': 'investments', '#id': line.id };
    const values: Record<string, unknown> = {};
    const sets = created ? ['#c.#id = :entry'] : entryFields(investmentEntry(line), '#id', '', values);
    if (created) values[':entry'] = { d: investmentEntry(line) };
    return [
      this.summarySet(line.projectId, sets, names, values),
      ...(created ? this.ledgerOps(line.projectId, ledgerAdds({ benefits: [], investments: [line] })) : []),
      this.historyOp(line.projectId, { at: line.updatedAt, by: line.updatedBy }, [{ k: 'investment', investment: investmentState(line) }]),
    ];
  }

  /**
   * Adds validated amounts of several benefits of a project to their FY
   * items in one write each (a bulk validation: a transaction may write an
   * item once), and their ledger changes to the project's history. Each
   * benefit's own conditional update, in the same transaction, refuses a
   * benefit that is not there.
   */
  addValidatedOp(projectId: string, adds: Array<{ benefitId: string; month: string; amountPence: number }>, when: Moment): TxOp[] {
    return [
      ...this.ledgerOps(
        projectId,
        adds.map((a) => ({ total: 'v', id: a.benefitId, month: a.month, amountPence: a.amountPence })),
      ),
      this.historyOp(
        projectId,
        when,
        adds.map((a) => ({ k: 'ledger', of: 'benefit', id: a.benefitId, total: 'validated', month: a.month, amountPence: a.amountPence })),
      ),
    ];
  }

  /**
   * Adds a ledger amount to its month's total (realised, validated, or actual
   * spend) in the FY item, and to the project's history. The parent's own
   * conditional update, in the same transaction, refuses a parent that is not
   * there (so nothing is added for it).
   */
  addOp(
    projectId: string,
    collection: 'benefits' | 'investments',
    id: string,
    total: LedgerTotal,
    month: string,
    amount: number,
    when: Moment & { reversal?: boolean },
  ): TxOp[] {
    const change: HistoryChange = {
      k: 'ledger',
      of: collection === 'benefits' ? 'benefit' : 'investment',
      id,
      total: total === 'r' ? 'realised' : total === 'v' ? 'validated' : 'actual',
      month,
      amountPence: amount,
      ...(when.reversal ? { reversal: true } : {}),
    };
    return [...this.ledgerOps(projectId, [{ total, id, month, amountPence: amount }]), this.historyOp(projectId, when, [change])];
  }
}

interface StoredEntry {
  /** Layout 6 on: the entry's fields (below them, those an earlier layout wrote). */
  d?: Omit<StoredEntry, 'd'>;
  bm?: Record<string, number>;
  pm?: Record<string, number>;
  m: Record<string, unknown>;
  b?: Record<string, number>;
  f?: Record<string, number>;
  fo?: Record<string, number>;
  fy?: Record<string, number>;
  fm?: Record<string, number>;
  r?: Record<string, number>;
  v?: Record<string, number>;
  p?: Record<string, number>;
  a?: Record<string, number>;
}

/** A field of a stored summary checked against its schema: a mismatch is the server's fault (a 500 naming the item), never the request's. */
function stored<S extends z.ZodType>(schema: S, item: Record<string, unknown>, value: unknown): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new StoredDataError({ pk: item.pk, sk: item.sk }, parsed.error.issues);
  return parsed.data;
}

/** The sum of two monthly series (a layout before 5 still holds totals of its own, to which the FY items' are added). */
function plus(a: Record<string, number> | undefined, b: Record<string, number> | undefined): Record<string, number> {
  if (!a) return b ?? {};
  if (!b) return a;
  const out = { ...a };
  for (const [month, amount] of Object.entries(b)) out[month] = (out[month] ?? 0) + amount;
  return out;
}

function outdatedOf(item: Record<string, unknown>): Outdated {
  return { projectId: String(item.projectId), format: typeof item.format === 'number' ? item.format : undefined };
}

/** Strings in code-point order: DynamoDB's order of keys, and for ids and months the order they read in (and far cheaper than a collation). */
function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** In the order of their ids (ASCII: compared as they are, not by the locale's collation, which costs a tenth of a report). */
function byId(a: { id: string }, b: { id: string }): number {
  return byCodePoint(a.id, b.id);
}

/** A summary as the figures take it, its ledger totals those of the FY items read (none: none of them read). */
function fromItem(item: Record<string, unknown>, ledgers: Ledgers | undefined): ProjectSummary {
  const projectId = String(item.projectId);
  const stage = stored(Stage, item, item.stage ?? 'delivery');
  const stageChangedAt = typeof item.stageChangedAt === 'string' ? item.stageChangedAt : undefined;
  const benefits = Object.entries((item.benefits ?? {}) as Record<string, StoredEntry>).map(([id, raw]) => {
    const e = { ...raw, ...raw.d };
    const forecastMonths = unpackMonthly({ y: e.fy, m: e.fm });
    const { replacedByBenefitIds: _replacedBy, ...meta } = e.m;
    return {
      ...meta,
      id,
      projectId,
      baseline: e.b ?? {},
      // The forecast by FY (and the part written off) follow from the monthly forecast: kept once, as months.
      ...forecastByFy(forecastMonths, typeof e.m.writtenOutAt === 'string' ? e.m.writtenOutAt : undefined),
      realised: plus(e.r, ledgers?.get(id)?.r),
      validated: plus(e.v, ledgers?.get(id)?.v),
      forecastMonths,
      stage,
      ...(stageChangedAt ? { stageChangedAt } : {}),
    } as BenefitSummary;
  });
  const investments = Object.entries((item.investments ?? {}) as Record<string, StoredEntry>).map(([id, raw]) => {
    const e = { ...raw, ...raw.d };
    return {
      kind: e.m.kind as 'capital' | 'revenue',
      fundingSource: String(e.m.fundingSource),
      id,
      projectId,
      planned: e.p ?? {},
      actual: plus(e.a, ledgers?.get(id)?.a),
    };
  });
  return {
    projectId,
    workstreamId: String(item.workstreamId),
    code: String(item.code),
    name: String(item.name),
    directorate: String(item.directorate),
    startDate: String(item.startDate),
    stage,
    ...(stageChangedAt ? { stageChangedAt } : {}),
    ...(typeof item.deliveryConfidence === 'string' ? { deliveryConfidence: stored(DeliveryConfidence, item, item.deliveryConfidence) } : {}),
    ...(typeof item.commentary === 'string' ? { commentary: item.commentary } : {}),
    benefits: benefits.sort(byId),
    investments: investments.sort(byId),
  };
}

/** A page of summaries with the ledger totals of their projects in an FY. */
interface FeedPage {
  items: Record<string, unknown>[];
  ledgers: Map<string, Ledgers>;
}

/** What a finance feed needs of a project for an FY: its summary (layout 6 on) with that FY's ledger totals, as the record would give it. */
export interface FeedRecord {
  project: Omit<ProjectState, 'version' | 'createdAt'>;
  benefits: Array<Omit<BenefitState, 'version'> & { replacedByBenefitIds: string[]; realised: MonthlyPence; validated: MonthlyPence }>;
  investments: Array<Omit<InvestmentState, 'version'> & { actual: MonthlyPence }>;
}

/** The first layout that holds all a feed needs (baseline and plan by month, titles, replacements). */
const FEEDS_FROM = 6;

/** A series kept as totals by FY with the months of the years not phased evenly: whole again. */
function monthsOf(byFy: Record<string, number> | undefined, months: Record<string, number> | undefined): MonthlyPence {
  const uneven = new Set(Object.keys(months ?? {}).map(fyOfMonth));
  return unpackMonthly({ y: Object.fromEntries(Object.entries(byFy ?? {}).filter(([fy]) => !uneven.has(fy))), m: months });
}

/** A summary of layout 6 on, with its FY's ledger totals, as a feed record; one of an earlier layout by its id only (its record is read instead). */
function feedRecordOf(item: Record<string, unknown>, ledgers: Ledgers | undefined): FeedRecord | { projectId: string } {
  const projectId = String(item.projectId);
  const entries = (collection: unknown) => Object.entries((collection ?? {}) as Record<string, StoredEntry>).sort(([a], [b]) => byId({ id: a }, { id: b }));
  // Every entry written whole (`d`) by today's writers; any other (a write of older code) and the record is read instead.
  const benefits = entries(item.benefits);
  const investments = entries(item.investments);
  const whole = [...benefits, ...investments].every(([, e]) => e.d !== undefined);
  if (!(Number(item.format) >= FEEDS_FROM) || !whole) return { projectId };
  return {
    project: {
      id: projectId,
      workstreamId: String(item.workstreamId),
      code: String(item.code),
      name: String(item.name),
      directorate: String(item.directorate),
      startDate: String(item.startDate),
      stage: stored(Stage, item, item.stage),
      stageChangedAt: typeof item.stageChangedAt === 'string' ? item.stageChangedAt : undefined,
      deliveryConfidence: stored(DeliveryConfidence, item, item.deliveryConfidence),
      commentary: typeof item.commentary === 'string' ? item.commentary : undefined,
    },
    benefits: benefits.map(([benefitId, raw]) => {
      const e = raw.d!;
      const m = e.m as Omit<BenefitState, 'id' | 'projectId' | 'baseline' | 'forecast' | 'version'> & { replacedByBenefitIds?: string[] };
      return {
        ...m,
        id: benefitId,
        projectId,
        replacedByBenefitIds: m.replacedByBenefitIds ?? [],
        baseline: monthsOf(e.b, e.bm),
        forecast: unpackMonthly({ y: e.fy, m: e.fm }),
        realised: ledgers?.get(benefitId)?.r ?? {},
        validated: ledgers?.get(benefitId)?.v ?? {},
      };
    }),
    investments: investments.map(([lineId, raw]) => {
      const e = raw.d!;
      return {
        id: lineId,
        projectId,
        title: String(e.m.title),
        kind: stored(InvestmentKind, item, e.m.kind),
        fundingSource: stored(FundingSource, item, e.m.fundingSource),
        planned: monthsOf(e.p, e.pm),
        actual: ledgers?.get(lineId)?.a ?? {},
      };
    }),
  };
}
