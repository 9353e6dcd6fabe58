import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  ConflictError,
  Milestone,
  NotFoundError,
  Project,
  Risk,
  RiskScoreEntry,
  StoredBenefit,
  StoredInvestment,
  type AppError,
  type Benefit,
  type EntityType,
  type Investment,
} from '@bt/core';
import { partitionItems, queryPartitionPage, type Page, type PageRequest } from './pagination.ts';
import type * as z from 'zod';
import { auditOp, type WriteContext } from './audit.ts';
import { keys, type ChildKind } from './keys.ts';
import { fromStored } from './stored.ts';
import { transact, type TxOp } from './transact.ts';
import type { SummaryRepository } from './summaries.ts';
import { staleVersion } from './workstreams.ts';
import { LEDGER_TOTALS, versionedUpdateOp } from './update.ts';

/** What each child is read back as (benefits and investment lines with their months checked in one loop: `StoredMonthlyPence`). */
const SCHEMAS = { benefit: StoredBenefit, investment: StoredInvestment, risk: () => Risk, milestone: () => Milestone } as const satisfies Record<
  ChildKind,
  () => z.ZodType
>;
export type ChildOf<K extends ChildKind> = z.infer<ReturnType<(typeof SCHEMAS)[K]>>;
type Meta = 'version' | 'createdAt' | 'createdBy' | 'updatedAt' | 'updatedBy';
export type ChildFields<K extends ChildKind> = Omit<ChildOf<K>, Meta>;

/** The whole record of a project: read with one Query of its partition. */
export interface ProjectRecord {
  project: Project;
  benefits: Benefit[];
  investments: Investment[];
  risks: Risk[];
  milestones: Milestone[];
}

/**
 * Benefits, investment lines, risks and milestones: items in their project's
 * partition, each versioned, each change written with its audit entry.
 */
export class ChildRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly summaries: SummaryRepository,
  ) {}

  /** Benefits and investment lines are summarised for the report in the same transaction as their own write. */
  private summaryOps(kind: ChildKind, item: unknown, created: boolean): TxOp[] {
    if (kind === 'benefit') return this.summaries.benefitOp(item as Benefit, created);
    if (kind === 'investment') return this.summaries.investmentOp(item as Investment, created);
    return [];
  }

  async get<K extends ChildKind>(kind: K, projectId: string, id: string): Promise<ChildOf<K> | undefined> {
    const result = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: keys.child(projectId, kind, id), ConsistentRead: true }));
    return result.Item ? (fromStored(SCHEMAS[kind](), result.Item) as ChildOf<K>) : undefined;
  }

  async getOrThrow<K extends ChildKind>(kind: K, projectId: string, id: string): Promise<ChildOf<K>> {
    const item = await this.get(kind, projectId, id);
    if (!item) throw new NotFoundError(`Project ${projectId} has no ${kind} ${id}.`);
    return item;
  }

  /** Which project a benefit belongs to (benefit ids are global; routes and lineage need the project). */
  async projectOfBenefit(benefitId: string): Promise<string | undefined> {
    const result = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: keys.benefitRef(benefitId) }));
    return typeof result.Item?.projectId === 'string' ? result.Item.projectId : undefined;
  }

  /** Written with a new benefit: its id → project reference. */
  benefitRefOp(benefitId: string, projectId: string): TxOp {
    return {
      item: {
        Put: {
          TableName: this.tableName,
          Item: { ...keys.benefitRef(benefitId), entity: 'benefit-ref', projectId },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    };
  }

  /** The project and everything in its partition; the number of requests does not grow with the number of benefits (one Query, more only past 1 MB). */
  async record(projectId: string): Promise<ProjectRecord | undefined> {
    const items = await partitionItems(this.doc, this.tableName, keys.recordOf(projectId));
    const projectItem = items.find((i) => i.entity === 'project');
    if (!projectItem) return undefined;
    const of = <K extends ChildKind>(kind: K) => items.filter((i) => i.entity === kind).map((i) => fromStored(SCHEMAS[kind](), i) as ChildOf<K>);
    return {
      project: fromStored(Project, projectItem),
      benefits: of('benefit'),
      investments: of('investment'),
      risks: of('risk'),
      milestones: of('milestone'),
    };
  }

  /**
   * Who is named on a project: its SRO and each benefit's owner, from the
   * same Query as its record but giving back only those fields (the monitoring
   * pack's columns: parsing whole records cost it about 8 ms of CPU each).
   */
  async people(projectId: string): Promise<{ sro: string; owners: Map<string, string> } | undefined> {
    const items = await partitionItems(this.doc, this.tableName, keys.recordOf(projectId), ['entity', 'id', 'sro', 'owner']);
    const project = items.find((i) => i.entity === 'project');
    if (!project) return undefined;
    const owners = new Map(items.filter((i) => i.entity === 'benefit').map((i) => [String(i.id), typeof i.owner === 'string' ? i.owner : '']));
    return { sro: typeof project.sro === 'string' ? project.sro : '', owners };
  }

  /** Creates a child with its audit entry; `extra` adds writes and guards of the same transaction. */
  async create<K extends ChildKind>(ctx: WriteContext, kind: K, fields: ChildFields<K>, extra: TxOp[] = []): Promise<ChildOf<K>> {
    const { item, ops } = this.createOps(ctx, kind, fields);
    await transact(this.doc, [...ops, ...this.summaryOps(kind, item, true), ...extra]);
    return item;
  }

  /**
   * The writes that create a child (item and audit entry) without its summary
   * entry, for a caller that writes the summary once for many children.
   */
  createOps<K extends ChildKind>(ctx: WriteContext, kind: K, fields: ChildFields<K>): { item: ChildOf<K>; ops: TxOp[] } {
    const item = { ...fields, version: 1, createdAt: ctx.now, createdBy: ctx.actor.sub, updatedAt: ctx.now, updatedBy: ctx.actor.sub } as ChildOf<K>;
    return {
      item,
      ops: [
        this.putOp(kind, item, 'attribute_not_exists(pk)', () => new ConflictError('already-exists', `${kind} ${item.id} already exists.`)),
        auditOp(this.tableName, ctx, {
          entityType: kind as EntityType,
          entityId: item.id,
          projectId: item.projectId,
          action: 'create',
          before: null,
          after: item,
        }),
      ],
    };
  }

  /** Writes the next version if the child is still at `before.version` (412 otherwise), with its audit entry. */
  async update<K extends ChildKind>(
    ctx: WriteContext,
    kind: K,
    before: ChildOf<K>,
    fields: ChildFields<K>,
    extra: TxOp[] = [],
    action = 'update',
  ): Promise<ChildOf<K>> {
    const { item: next, ops } = this.updateOps(ctx, kind, before, fields, action);
    await transact(this.doc, [...ops, ...this.summaryOps(kind, next, false), ...extra]);
    return next;
  }

  /** The writes of a child's next version (guarded update and audit entry) without its summary entry. */
  updateOps<K extends ChildKind>(ctx: WriteContext, kind: K, before: ChildOf<K>, fields: ChildFields<K>, action = 'update'): { item: ChildOf<K>; ops: TxOp[] } {
    // `fields` is the whole next state: a field it lacks is removed, not kept from `before`.
    // Only the fields that changed are written; the ledger totals never are (see LEDGER_TOTALS).
    const next = {
      ...withoutMeta(fields),
      version: before.version + 1,
      createdAt: before.createdAt,
      createdBy: before.createdBy,
      updatedAt: ctx.now,
      updatedBy: ctx.actor.sub,
    } as ChildOf<K>;
    return {
      item: next,
      ops: [
        versionedUpdateOp(this.tableName, keys.child(before.projectId, kind, before.id), before, next, LEDGER_TOTALS[kind], () => staleVersion(kind, before)),
        auditOp(this.tableName, ctx, { entityType: kind as EntityType, entityId: next.id, projectId: next.projectId, action, before, after: next }),
      ],
    };
  }

  /** One scoring of a risk, kept as its own item (written with the risk's change). */
  riskScoreOp(riskId: string, seq: number, entry: RiskScoreEntry): TxOp {
    return {
      item: {
        Put: {
          TableName: this.tableName,
          Item: { ...keys.riskScore(riskId, seq), entity: 'risk-score', riskId, seq, ...JSON.parse(JSON.stringify(entry)) },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    };
  }

  /** A risk's whole score history, oldest first, in pages. */
  async riskScores(riskId: string, page: PageRequest): Promise<Page<RiskScoreEntry>> {
    const result = await queryPartitionPage(this.doc, this.tableName, keys.riskScoresOf(riskId), page);
    return { items: result.items.map((i) => fromStored(RiskScoreEntry, i)), nextCursor: result.nextCursor };
  }

  /** A transaction guard: the child exists in this project. */
  existsOp(kind: ChildKind, projectId: string, id: string, onMissing: () => AppError): TxOp {
    return {
      item: { ConditionCheck: { TableName: this.tableName, Key: keys.child(projectId, kind, id), ConditionExpression: 'attribute_exists(pk)' } },
      onConditionFailed: onMissing,
    };
  }

  private putOp(kind: ChildKind, item: { id: string; projectId: string }, condition: string, onConditionFailed: () => AppError): TxOp {
    // An item with undefined optional fields removed keeps "absent" and "unset" the same.
    const clean = JSON.parse(JSON.stringify(item)) as Record<string, unknown>;
    return {
      item: {
        Put: {
          TableName: this.tableName,
          Item: { ...keys.child(item.projectId, kind, item.id), entity: kind, ...clean },
          ConditionExpression: condition,
        },
      },
      onConditionFailed,
    };
  }
}

function withoutMeta<T extends object>(fields: T): T {
  const { version: _v, createdAt: _ca, createdBy: _cb, updatedAt: _ua, updatedBy: _ub, ...rest } = fields as T & Record<string, unknown>;
  return rest as T;
}
