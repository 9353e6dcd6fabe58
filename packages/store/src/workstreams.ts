import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConflictError, NotFoundError, PreconditionFailedError, Workstream, type AppError } from '@bt/core';
import { auditOp, type WriteContext } from './audit.ts';
import { collections, keys, normaliseCode } from './keys.ts';
import { fromStored } from './stored.ts';
import { queryCollection, type Page, type PageRequest } from './pagination.ts';
import { transact, type TxOp } from './transact.ts';

export type WorkstreamFields = Omit<Workstream, 'version' | 'createdAt' | 'createdBy' | 'updatedAt' | 'updatedBy'>;

export class WorkstreamRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(id: string): Promise<Workstream | undefined> {
    const result = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: keys.workstream(id), ConsistentRead: true }));
    return result.Item ? fromStored(Workstream, result.Item) : undefined;
  }

  async getOrThrow(id: string): Promise<Workstream> {
    const ws = await this.get(id);
    if (!ws) throw new NotFoundError(`There is no workstream ${id}.`);
    return ws;
  }

  async list(page: PageRequest): Promise<Page<Workstream>> {
    const result = await queryCollection(this.doc, this.tableName, collections.workstreams(), page);
    return { items: result.items.map((i) => fromStored(Workstream, i)), nextCursor: result.nextCursor };
  }

  /** Creates a workstream, its unique-code guard and its audit entry in one transaction. */
  async create(ctx: WriteContext, fields: WorkstreamFields): Promise<Workstream> {
    const { workstream, ops } = this.createOps(ctx, fields);
    await transact(this.doc, ops);
    return workstream;
  }

  /** The writes that create a workstream (item, code guard, audit entry), for a caller's own transaction. */
  createOps(ctx: WriteContext, fields: WorkstreamFields): { workstream: Workstream; ops: TxOp[] } {
    const ws: Workstream = { ...fields, version: 1, createdAt: ctx.now, createdBy: ctx.actor.sub, updatedAt: ctx.now, updatedBy: ctx.actor.sub };
    return {
      workstream: ws,
      ops: [
        this.putOp(ws, 'attribute_not_exists(pk)', () => new ConflictError('already-exists', `Workstream ${ws.id} already exists.`)),
        codeGuardOp(this.tableName, 'workstream', ws.code, ws.id),
        auditOp(this.tableName, ctx, { entityType: 'workstream', entityId: ws.id, action: 'create', before: null, after: ws }),
      ],
    };
  }

  /**
   * Replaces a workstream with its next version if it is still at `before.version`
   * (412 otherwise); moves the code guard when the code changes; audits the change.
   */
  async update(ctx: WriteContext, before: Workstream, fields: WorkstreamFields): Promise<Workstream> {
    const { workstream, ops } = this.updateOps(ctx, before, fields);
    await transact(this.doc, ops);
    return workstream;
  }

  /** The writes of a workstream's next version (guarded on the version read), for a caller's own transaction. */
  updateOps(ctx: WriteContext, before: Workstream, fields: WorkstreamFields, action = 'update'): { workstream: Workstream; ops: TxOp[] } {
    const next: Workstream = { ...before, ...fields, version: before.version + 1, updatedAt: ctx.now, updatedBy: ctx.actor.sub };
    return {
      workstream: next,
      ops: [
        this.putOp(next, 'version = :expected', () => staleVersion('workstream', before), { ':expected': before.version }),
        ...codeChangeOps(this.tableName, 'workstream', before.code, next.code, next.id),
        auditOp(this.tableName, ctx, { entityType: 'workstream', entityId: next.id, action, before, after: next }),
      ],
    };
  }

  /** A transaction guard that the workstream exists (used when a project refers to it). */
  existsOp(id: string, onMissing: () => AppError): TxOp {
    return {
      item: { ConditionCheck: { TableName: this.tableName, Key: keys.workstream(id), ConditionExpression: 'attribute_exists(pk)' } },
      onConditionFailed: onMissing,
    };
  }

  private putOp(ws: Workstream, condition: string, onConditionFailed: TxOp['onConditionFailed'], values?: Record<string, unknown>): TxOp {
    return {
      item: {
        Put: {
          TableName: this.tableName,
          Item: { ...keys.workstream(ws.id), ...keys.workstreamIndex(ws.code), entity: 'workstream', ...ws },
          ConditionExpression: condition,
          ...(values ? { ExpressionAttributeValues: values } : {}),
        },
      },
      onConditionFailed,
    };
  }
}

export function staleVersion(kind: string, before: { id: string; version: number }): PreconditionFailedError {
  return new PreconditionFailedError(
    `The ${kind} ${before.id} was changed by someone else after version ${before.version}; fetch it again and reapply your change.`,
  );
}

/** Claims a code for an entity: fails with 409 if another entity holds it (regardless of case). */
export function codeGuardOp(tableName: string, kind: 'workstream' | 'project', code: string, entityId: string): TxOp {
  return {
    item: {
      Put: {
        TableName: tableName,
        Item: { ...keys.codeGuard(kind, code), entity: 'code-guard', entityId, code },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    onConditionFailed: () =>
      new ConflictError('duplicate-code', `The ${kind} code ${normaliseCode(code)} is already in use.`, [{ path: 'code', message: 'is already in use' }]),
  };
}

/** When a code changes: release the old guard and claim the new one, in the same transaction. */
export function codeChangeOps(tableName: string, kind: 'workstream' | 'project', oldCode: string, newCode: string, entityId: string): TxOp[] {
  if (normaliseCode(oldCode) === normaliseCode(newCode)) return [];
  return [
    {
      item: {
        Delete: {
          TableName: tableName,
          Key: keys.codeGuard(kind, oldCode),
          ConditionExpression: 'entityId = :id',
          ExpressionAttributeValues: { ':id': entityId },
        },
      },
      onConditionFailed: () => new ConflictError('concurrent-modification', `The ${kind} was changed by someone else; try again.`),
    },
    codeGuardOp(tableName, kind, newCode, entityId),
  ];
}
