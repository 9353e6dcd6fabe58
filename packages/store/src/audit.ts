import { AuditEntry, changedFields, newId, type EntityType } from '@bt/core';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { keys, stripKeys } from './keys.ts';
import { queryPage, type Page, type PageRequest } from './pagination.ts';
import type { TxOp } from './transact.ts';

/** Who made a change and in which request: stamped on the entity and on its audit entry. */
export interface WriteContext {
  actor: { sub: string; name: string };
  requestId: string;
  /** ISO timestamp of the change. */
  now: string;
}

/** The audit entry of a change, as a write to put in the change's own transaction. */
export function auditOp(
  tableName: string,
  ctx: WriteContext,
  change: { entityType: EntityType; entityId: string; action: string; before: Record<string, unknown> | null; after: Record<string, unknown> | null },
): TxOp {
  const id = newId('audit', Date.parse(ctx.now));
  const entry: AuditEntry = {
    id,
    entityType: change.entityType,
    entityId: change.entityId,
    action: change.action,
    actor: ctx.actor,
    at: ctx.now,
    requestId: ctx.requestId,
    before: change.before,
    after: change.after,
    changes: changedFields(change.before, change.after),
  };
  return {
    item: {
      Put: {
        TableName: tableName,
        Item: { ...keys.audit(change.entityId, id), entity: 'audit', ...entry },
        // Audit entries are never overwritten.
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  };
}

export class AuditRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** The trail of one entity, oldest first; or, without an entity, the whole log in order. */
  async list(entityId: string | undefined, page: PageRequest): Promise<Page<AuditEntry>> {
    const result = entityId
      ? await queryPage(
          this.doc,
          {
            TableName: this.tableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': keys.auditOf(entityId) },
          },
          ['pk', 'sk'],
          { name: 'pk', value: keys.auditOf(entityId) },
          page,
        )
      : await queryPage(
          this.doc,
          {
            TableName: this.tableName,
            IndexName: 'gsi1',
            KeyConditionExpression: 'gsi1pk = :pk',
            ExpressionAttributeValues: { ':pk': 'AUDIT' },
          },
          ['pk', 'sk', 'gsi1pk', 'gsi1sk'],
          { name: 'gsi1pk', value: 'AUDIT' },
          page,
        );
    return { items: result.items.map((i) => AuditEntry.parse(stripKeys(i))), nextCursor: result.nextCursor };
  }
}
