import { type BenefitSummary, type InvestmentSummary, type Project, summariseBenefit, summariseInvestment, type Benefit, type Investment } from '@bt/core';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { keys } from './keys.ts';
import { collectAll, queryPage, type Page, type PageRequest } from './pagination.ts';
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
  benefits: BenefitSummary[];
  investments: InvestmentSummary[];
}

type ProjectHeader = Pick<Project, 'id' | 'workstreamId' | 'code' | 'name' | 'directorate' | 'startDate'>;

function header(p: ProjectHeader) {
  return { projectId: p.id, workstreamId: p.workstreamId, code: p.code, name: p.name, directorate: p.directorate, startDate: p.startDate };
}

function benefitMeta(s: BenefitSummary) {
  const { baseline: _b, forecast: _f, forecastWrittenOff: _fo, realised: _r, validated: _v, ...meta } = s;
  return JSON.parse(JSON.stringify(meta)) as Record<string, unknown>;
}

export class SummaryRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Every project's summary, in pages (the report reads them all). */
  async list(page: PageRequest): Promise<Page<ProjectSummary>> {
    const result = await queryPage(
      this.doc,
      { TableName: this.tableName, IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': 'SUMMARIES' } },
      ['pk', 'sk', 'gsi1pk', 'gsi1sk'],
      { name: 'gsi1pk', value: 'SUMMARIES' },
      page,
    );
    return { items: result.items.map(fromItem), nextCursor: result.nextCursor };
  }

  async all(): Promise<ProjectSummary[]> {
    return collectAll((page) => this.list(page));
  }

  createOp(project: ProjectHeader): TxOp {
    return {
      item: {
        Put: {
          TableName: this.tableName,
          Item: { ...keys.summary(project.id), ...keys.summaryIndex(project.id), entity: 'summary', ...header(project), benefits: {}, investments: {} },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    };
  }

  projectChangedOp(project: ProjectHeader): TxOp {
    const h = header(project);
    return {
      item: {
        Update: {
          TableName: this.tableName,
          Key: keys.summary(project.id),
          UpdateExpression: 'SET workstreamId = :ws, code = :code, #name = :name, directorate = :dir, startDate = :start',
          ExpressionAttributeNames: { '#name': 'name' },
          ExpressionAttributeValues: { ':ws': h.workstreamId, ':code': h.code, ':name': h.name, ':dir': h.directorate, ':start': h.startDate },
        },
      },
    };
  }

  /** A benefit's descriptive fields, baseline and forecast; on creation, the whole entry. */
  benefitOp(benefit: Benefit, created: boolean): TxOp {
    const s = summariseBenefit(benefit);
    const names = { '#c': 'benefits', '#id': benefit.id };
    if (created) {
      return {
        item: {
          Update: {
            TableName: this.tableName,
            Key: keys.summary(benefit.projectId),
            UpdateExpression: 'SET #c.#id = :entry',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: { ':entry': { m: benefitMeta(s), b: s.baseline, f: s.forecast, fo: s.forecastWrittenOff, r: s.realised, v: s.validated } },
          },
        },
      };
    }
    return {
      item: {
        Update: {
          TableName: this.tableName,
          Key: keys.summary(benefit.projectId),
          UpdateExpression: 'SET #c.#id.m = :m, #c.#id.b = :b, #c.#id.f = :f, #c.#id.fo = :fo',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: { ':m': benefitMeta(s), ':b': s.baseline, ':f': s.forecast, ':fo': s.forecastWrittenOff },
        },
      },
    };
  }

  investmentOp(line: Investment, created: boolean): TxOp {
    const s = summariseInvestment(line);
    const m = { kind: s.kind, fundingSource: s.fundingSource };
    const names = { '#c': 'investments', '#id': line.id };
    return {
      item: {
        Update: {
          TableName: this.tableName,
          Key: keys.summary(line.projectId),
          UpdateExpression: created ? 'SET #c.#id = :entry' : 'SET #c.#id.m = :m, #c.#id.p = :p',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: created ? { ':entry': { m, p: s.planned, a: s.actual } } : { ':m': m, ':p': s.planned },
        },
      },
    };
  }

  /** Adds a ledger amount to the summary's monthly total (realised, validated, or actual spend). */
  addOp(projectId: string, collection: 'benefits' | 'investments', id: string, total: 'r' | 'v' | 'a', month: string, amount: number): TxOp {
    return {
      item: {
        Update: {
          TableName: this.tableName,
          Key: keys.summary(projectId),
          UpdateExpression: 'SET #c.#id.#t.#m = if_not_exists(#c.#id.#t.#m, :zero) + :amount',
          ExpressionAttributeNames: { '#c': collection, '#id': id, '#t': total, '#m': month },
          ExpressionAttributeValues: { ':zero': 0, ':amount': amount },
        },
      },
    };
  }
}

interface StoredEntry {
  m: Record<string, unknown>;
  b?: Record<string, number>;
  f?: Record<string, number>;
  fo?: Record<string, number>;
  r?: Record<string, number>;
  v?: Record<string, number>;
  p?: Record<string, number>;
  a?: Record<string, number>;
}

function fromItem(item: Record<string, unknown>): ProjectSummary {
  const projectId = String(item.projectId);
  const benefits = Object.entries((item.benefits ?? {}) as Record<string, StoredEntry>).map(
    ([id, e]) =>
      ({
        ...(e.m as object),
        id,
        projectId,
        baseline: e.b ?? {},
        forecast: e.f ?? {},
        forecastWrittenOff: e.fo ?? {},
        realised: e.r ?? {},
        validated: e.v ?? {},
      }) as BenefitSummary,
  );
  const investments = Object.entries((item.investments ?? {}) as Record<string, StoredEntry>).map(
    ([id, e]) => ({ ...(e.m as { kind: 'capital' | 'revenue'; fundingSource: string }), id, projectId, planned: e.p ?? {}, actual: e.a ?? {} }),
  );
  return {
    projectId,
    workstreamId: String(item.workstreamId),
    code: String(item.code),
    name: String(item.name),
    directorate: String(item.directorate),
    startDate: String(item.startDate),
    benefits: benefits.sort((a, b) => a.id.localeCompare(b.id)),
    investments: investments.sort((a, b) => a.id.localeCompare(b.id)),
  };
}
