import {
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
  type RecordState,
  type HistoryChange,
  type HistoryEntry,
} from '@bt/core';
import { randomBytes } from 'node:crypto';
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { collections, keys } from './keys.ts';
import { fromStored } from './stored.ts';
import { collectAll, partitionItems, queryCollection, type Page, type PageRequest } from './pagination.ts';
import type { TxOp } from './transact.ts';

/**
 * One summary item per project: what the programme report needs of its
 * benefits and investment lines (totals by FY; ledger totals by month), kept
 * up to date in the same transaction as every write that changes them. The
 * report reads these, so its cost grows with projects, not months × benefits.
 *
 * Each write touches only its own paths (`benefits.<id>.b`, `….r.<month>` …),
 * so concurrent writes to different benefits of a project never overwrite one
 * another, and ledger totals are added, never recomputed.
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

function benefitMeta(s: BenefitSummary) {
  const { baseline: _b, forecast: _f, forecastWrittenOff: _fo, realised: _r, validated: _v, forecastMonths: _fm, stage: _s, stageChangedAt: _sc, ...meta } = s;
  return JSON.parse(JSON.stringify(meta)) as Record<string, unknown>;
}

/** A benefit's whole entry in the summary; its forecast packed (evenly phased years kept as one total). */
function benefitEntry(s: BenefitSummary) {
  const forecast = packMonthly(s.forecastMonths);
  return { m: benefitMeta(s), b: s.baseline, fy: forecast.y, fm: forecast.m, r: s.realised, v: s.validated };
}

/**
 * The layout of a summary item. 2 (2026-11-30): each benefit also keeps its
 * forecast by month (`fm`) and the header the project's stage, for the
 * forecast outturn. 3: the forecast packed — a year phased evenly kept as its
 * total (`fy`), other years as months (`fm`) — so the summary is no larger
 * than layout 1's annual forecast for the usual annual savings. 4: the same
 * item, and the project's history is kept beside it (a project upgraded to 4
 * begins its history with a snapshot of its record).
 * Layouts 2 and 3 read as 4 (all its years as months). Summaries of an earlier
 * layout are rebuilt from their records: all at the local run's start
 * (`outdated`), and any the report meets that it cannot read (`unreadable`).
 */
export const SUMMARY_FORMAT = 4;
/** The earliest layout this code reads correctly. */
const READABLE_FROM = 2;

export class SummaryRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private async page(page: PageRequest): Promise<Page<Record<string, unknown>>> {
    return queryCollection(this.doc, this.tableName, collections.summaries(), page);
  }

  /**
   * Every project's summary, with the period state and the programme
   * settings, which sit in the same index partition (after the summaries):
   * the report reads all it needs in the one Query (one per MB).
   */
  async programme(): Promise<{ summaries: ProjectSummary[]; periods: PeriodsState; settings: ProgrammeSettings; unreadable: string[] }> {
    const items = await collectAll((page) => this.page(page));
    const summaries: ProjectSummary[] = [];
    const unreadable: string[] = [];
    let periods = NO_PERIODS_CLOSED;
    let settings = UNSET_PROGRAMME;
    for (const item of items) {
      if (item.entity === 'periods') periods = fromStored(PeriodsState, item);
      else if (item.entity === 'programme') settings = fromStored(ProgrammeSettings, item);
      else if (!(Number(item.format) >= READABLE_FROM)) unreadable.push(String(item.projectId));
      else summaries.push(fromItem(item));
    }
    return { summaries, periods, settings, unreadable };
  }

  /** Projects whose summary is of an earlier layout (to rebuild before serving figures from them). */
  async outdated(): Promise<string[]> {
    const items = await collectAll((page) => this.page(page));
    return items.filter((i) => i.entity === 'summary' && i.format !== SUMMARY_FORMAT).map((i) => String(i.projectId));
  }

  /**
   * The whole summary of a project rebuilt from its record, replacing
   * whatever was there, and a snapshot of the record in its history, as of
   * the project's creation: exact for a project created whole (an import),
   * and where history begins for a project recorded before it was kept.
   */
  rebuildOp(record: { project: ProjectHeader; benefits: Benefit[]; investments: Investment[] }, by: string): TxOp[] {
    const benefits = Object.fromEntries(
      record.benefits.map((b) => {
        const s = summarise(b);
        return [b.id, benefitEntry(s)];
      }),
    );
    const investments = Object.fromEntries(
      record.investments.map((i) => {
        const s = summariseInvestment(i);
        return [i.id, { m: { kind: s.kind, fundingSource: s.fundingSource }, p: s.planned, a: s.actual }];
      }),
    );
    const snapshot: RecordState = recordState(record);
    return [
      {
        item: {
          Put: {
            TableName: this.tableName,
            Item: JSON.parse(
              JSON.stringify({
                ...keys.summary(record.project.id),
                ...keys.summaryIndex(record.project.id),
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
      this.historyOp(record.project.id, { at: record.project.createdAt, by }, [{ k: 'snapshot', record: snapshot }]),
    ];
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

  /** Deletes a project's whole history (a project an import created, taken back whole: nothing of it stays). */
  async dropHistory(projectId: string): Promise<void> {
    const items = await partitionItems(this.doc, this.tableName, keys.historyUntil(projectId, '~'));
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

  async all(): Promise<ProjectSummary[]> {
    return (await this.programme()).summaries;
  }

  createOp(project: ProjectHeader & { createdBy: string }): TxOp[] {
    const created = {
      item: {
        Put: {
          TableName: this.tableName,
          Item: {
            ...keys.summary(project.id),
            ...keys.summaryIndex(project.id),
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
      const s = summarise(benefit);
      const forecast = packMonthly(s.forecastMonths);
      names[`#b${i}`] = benefit.id;
      Object.assign(values, { [`:m${i}`]: benefitMeta(s), [`:b${i}`]: s.baseline, [`:fy${i}`]: forecast.y, [`:fm${i}`]: forecast.m });
      sets.push(`#c.#b${i}.m = :m${i}`, `#c.#b${i}.b = :b${i}`, `#c.#b${i}.fy = :fy${i}`, `#c.#b${i}.fm = :fm${i}`);
    });
    const changed = {
      item: {
        Update: {
          TableName: this.tableName,
          Key: keys.summary(project.id),
          UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        },
      },
    };
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
      this.historyOp(benefit.projectId, { at: benefit.updatedAt, by: benefit.updatedBy }, [{ k: 'benefit', benefit: benefitState(benefit) }]),
    ];
  }

  private benefitUpdate(benefit: Benefit, created: boolean): TxOp {
    const s = summarise(benefit);
    const names = { '#c': 'benefits', '#id': benefit.id };
    if (created) {
      return {
        item: {
          Update: {
            TableName: this.tableName,
            Key: keys.summary(benefit.projectId),
            UpdateExpression: 'SET #c.#id = :entry',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: { ':entry': benefitEntry(s) },
          },
        },
      };
    }
    return {
      item: {
        Update: {
          TableName: this.tableName,
          Key: keys.summary(benefit.projectId),
          UpdateExpression: 'SET #c.#id.m = :m, #c.#id.b = :b, #c.#id.fy = :fy, #c.#id.fm = :fm REMOVE #c.#id.f, #c.#id.fo',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: { ':m': benefitMeta(s), ':b': s.baseline, ':fy': packMonthly(s.forecastMonths).y, ':fm': packMonthly(s.forecastMonths).m },
        },
      },
    };
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
    changes.forEach(({ benefit, created }, i) => {
      const s = summarise(benefit);
      names[`#b${i}`] = benefit.id;
      if (created) {
        values[`:b${i}`] = benefitEntry(s);
        sets.push(`#c.#b${i} = :b${i}`);
      } else {
        const forecast = packMonthly(s.forecastMonths);
        Object.assign(values, { [`:m${i}`]: benefitMeta(s), [`:b${i}`]: s.baseline, [`:fy${i}`]: forecast.y, [`:fm${i}`]: forecast.m });
        sets.push(`#c.#b${i}.m = :m${i}`, `#c.#b${i}.b = :b${i}`, `#c.#b${i}.fy = :fy${i}`, `#c.#b${i}.fm = :fm${i}`);
      }
    });
    return [
      {
        item: {
          Update: {
            TableName: this.tableName,
            Key: keys.summary(projectId),
            UpdateExpression: `SET ${sets.join(', ')}`,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          },
        },
      },
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
      {
        item: {
          Update: {
            TableName: this.tableName,
            Key: keys.summary(projectId),
            UpdateExpression: `REMOVE ${benefitIds.map((_, i) => `#c.#b${i}`).join(', ')}`,
            ExpressionAttributeNames: names,
          },
        },
      },
      this.historyOp(projectId, when, [{ k: 'removed', benefitIds }]),
    ];
  }

  investmentOp(line: Investment, created: boolean): TxOp[] {
    const s = summariseInvestment(line);
    const m = { kind: s.kind, fundingSource: s.fundingSource };
    const names = { '#c': 'investments', '#id': line.id };
    return [
      {
        item: {
          Update: {
            TableName: this.tableName,
            Key: keys.summary(line.projectId),
            UpdateExpression: created ? 'SET #c.#id = :entry' : 'SET #c.#id.m = :m, #c.#id.p = :p',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: created ? { ':entry': { m, p: s.planned, a: s.actual } } : { ':m': m, ':p': s.planned },
          },
        },
      },
      this.historyOp(line.projectId, { at: line.updatedAt, by: line.updatedBy }, [{ k: 'investment', investment: investmentState(line) }]),
    ];
  }

  /**
   * Adds validated amounts of several benefits of a project to its summary in
   * one write (a bulk validation: a transaction may write the summary once),
   * and their ledger changes to the project's history.
   */
  addValidatedOp(projectId: string, adds: Array<{ benefitId: string; month: string; amountPence: number }>, when: Moment): TxOp[] {
    const names: Record<string, string> = { '#c': 'benefits', '#v': 'v' };
    const values: Record<string, unknown> = { ':zero': 0 };
    const sets: string[] = [];
    const benefits = [...new Set(adds.map((a) => a.benefitId))];
    benefits.forEach((id, i) => {
      names[`#b${i}`] = id;
    });
    adds.forEach((a, i) => {
      const b = `#b${benefits.indexOf(a.benefitId)}`;
      names[`#m${i}`] = a.month;
      values[`:a${i}`] = a.amountPence;
      sets.push(`#c.${b}.#v.#m${i} = if_not_exists(#c.${b}.#v.#m${i}, :zero) + :a${i}`);
    });
    return [
      {
        item: {
          Update: {
            TableName: this.tableName,
            Key: keys.summary(projectId),
            UpdateExpression: `SET ${sets.join(', ')}`,
            ConditionExpression: benefits.map((_, i) => `attribute_exists(#c.#b${i})`).join(' AND '),
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          },
        },
        onConditionFailed: () => new NotFoundError(`Project ${projectId} is missing one of the benefits validated.`),
      },
      this.historyOp(
        projectId,
        when,
        adds.map((a) => ({ k: 'ledger', of: 'benefit', id: a.benefitId, total: 'validated', month: a.month, amountPence: a.amountPence })),
      ),
    ];
  }

  /** Adds a ledger amount to the summary's monthly total (realised, validated, or actual spend), and to the project's history. */
  addOp(
    projectId: string,
    collection: 'benefits' | 'investments',
    id: string,
    total: 'r' | 'v' | 'a',
    month: string,
    amount: number,
    when: Moment & { reversal?: boolean },
  ): TxOp[] {
    const add = {
      item: {
        Update: {
          TableName: this.tableName,
          Key: keys.summary(projectId),
          UpdateExpression: 'SET #c.#id.#t.#m = if_not_exists(#c.#id.#t.#m, :zero) + :amount',
          // Refused (not an invalid-path error) when the project has no such entry: the parent's own update says why.
          ConditionExpression: 'attribute_exists(#c.#id)',
          ExpressionAttributeNames: { '#c': collection, '#id': id, '#t': total, '#m': month },
          ExpressionAttributeValues: { ':zero': 0, ':amount': amount },
        },
      },
      onConditionFailed: () => new NotFoundError(`Project ${projectId} has no ${collection === 'benefits' ? 'benefit' : 'investment'} ${id}.`),
    };
    const change: HistoryChange = {
      k: 'ledger',
      of: collection === 'benefits' ? 'benefit' : 'investment',
      id,
      total: total === 'r' ? 'realised' : total === 'v' ? 'validated' : 'actual',
      month,
      amountPence: amount,
      ...(when.reversal ? { reversal: true } : {}),
    };
    return [add, this.historyOp(projectId, when, [change])];
  }
}

interface StoredEntry {
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

function fromItem(item: Record<string, unknown>): ProjectSummary {
  const projectId = String(item.projectId);
  const stage = Stage.parse(item.stage ?? 'delivery');
  const stageChangedAt = typeof item.stageChangedAt === 'string' ? item.stageChangedAt : undefined;
  const benefits = Object.entries((item.benefits ?? {}) as Record<string, StoredEntry>).map(([id, e]) => {
    const forecastMonths = unpackMonthly({ y: e.fy, m: e.fm });
    return {
      ...(e.m as object),
      id,
      projectId,
      baseline: e.b ?? {},
      // The forecast by FY (and the part written off) follow from the monthly forecast: kept once, as months.
      ...forecastByFy(forecastMonths, typeof e.m.writtenOutAt === 'string' ? e.m.writtenOutAt : undefined),
      realised: e.r ?? {},
      validated: e.v ?? {},
      forecastMonths,
      stage,
      ...(stageChangedAt ? { stageChangedAt } : {}),
    } as BenefitSummary;
  });
  const investments = Object.entries((item.investments ?? {}) as Record<string, StoredEntry>).map(([id, e]) => ({
    ...(e.m as { kind: 'capital' | 'revenue'; fundingSource: string }),
    id,
    projectId,
    planned: e.p ?? {},
    actual: e.a ?? {},
  }));
  return {
    projectId,
    workstreamId: String(item.workstreamId),
    code: String(item.code),
    name: String(item.name),
    directorate: String(item.directorate),
    startDate: String(item.startDate),
    stage,
    ...(stageChangedAt ? { stageChangedAt } : {}),
    ...(typeof item.deliveryConfidence === 'string' ? { deliveryConfidence: DeliveryConfidence.parse(item.deliveryConfidence) } : {}),
    ...(typeof item.commentary === 'string' ? { commentary: item.commentary } : {}),
    benefits: benefits.sort((a, b) => a.id.localeCompare(b.id)),
    investments: investments.sort((a, b) => a.id.localeCompare(b.id)),
  };
}
