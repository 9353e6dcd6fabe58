import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ChangeRequest, ConflictError, NotFoundError, type ChangeStatus } from '@bt/core';
import { auditOp, type WriteContext } from './audit.ts';
import { collections, keys } from './keys.ts';
import { queryCollection, type Page, type PageRequest } from './pagination.ts';
import { fromStored } from './stored.ts';
import type { TxOp } from './transact.ts';

/**
 * Change requests: one item each, in the collection of its status (pending
 * first for the approvers' list) and of its project (for the project page).
 */
export class ChangeRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private item(request: ChangeRequest): Record<string, unknown> {
    const order = `${request.requestedAt}#${request.id}`;
    return {
      ...keys.change(request.id),
      ...keys.changeIndex(request.status, request.projectId, order),
      entity: 'change-request',
      ...JSON.parse(JSON.stringify(request)),
    };
  }

  async get(id: string): Promise<ChangeRequest | undefined> {
    const r = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: keys.change(id), ConsistentRead: true }));
    return r.Item ? fromStored(ChangeRequest, r.Item) : undefined;
  }

  async getOrThrow(id: string): Promise<ChangeRequest> {
    const request = await this.get(id);
    if (!request) throw new NotFoundError(`There is no change request ${id}.`);
    return request;
  }

  /** A new request with its audit entry. */
  createOps(ctx: WriteContext, request: ChangeRequest): TxOp[] {
    return [
      { item: { Put: { TableName: this.tableName, Item: this.item(request), ConditionExpression: 'attribute_not_exists(pk)' } } },
      auditOp(this.tableName, ctx, {
        entityType: 'change-request',
        entityId: request.id,
        projectId: request.projectId,
        action: 'change-requested',
        before: null,
        after: request,
      }),
    ];
  }

  /** Its decision (approved, rejected, withdrawn) with its audit entry, only if it is still the pending version read. */
  decideOps(ctx: WriteContext, before: ChangeRequest, after: ChangeRequest): TxOp[] {
    return [
      {
        item: {
          Put: {
            TableName: this.tableName,
            Item: this.item(after),
            ConditionExpression: 'version = :v AND #s = :pending',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: { ':v': before.version, ':pending': 'pending' },
          },
        },
        onConditionFailed: () => new ConflictError('change-decided', `Change request ${before.id} has just been decided or withdrawn by someone else.`),
      },
      auditOp(this.tableName, ctx, {
        entityType: 'change-request',
        entityId: after.id,
        projectId: after.projectId,
        action: `change-${after.status}`,
        before,
        after,
      }),
    ];
  }

  /** Requests of a status (oldest first), or of a project (newest first, any status unless given). */
  async list(filter: { status?: ChangeStatus | undefined; projectId?: string | undefined }, page: PageRequest): Promise<Page<ChangeRequest>> {
    if (filter.projectId) {
      const result = await queryCollection(this.doc, this.tableName, collections.changesOfProject(filter.projectId), page, { newestFirst: true });
      const items = result.items.map((i) => fromStored(ChangeRequest, i)).filter((r) => !filter.status || r.status === filter.status);
      return { items, nextCursor: result.nextCursor };
    }
    const result = await queryCollection(this.doc, this.tableName, collections.changesByStatus(filter.status ?? 'pending'), page);
    return { items: result.items.map((i) => fromStored(ChangeRequest, i)), nextCursor: result.nextCursor };
  }
}
