import { AuditEntry, BadRequestError, changedFields, newId, type EntityType } from '@bt/core';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { encodeTime } from 'ulid';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { collectionAttributes, collectionQuery, collections, keys } from './keys.ts';

/** The audit log's index attributes (its sort key is the audit id, a ULID: time order). */
const AUDIT = collectionAttributes(collections.audit());
import { fromStored } from './stored.ts';
import { queryCollection, queryPartitionPage, type Page, type PageRequest } from './pagination.ts';
import type { TxOp } from './transact.ts';

/** Who made a change and in which request: stamped on the entity and on its audit entry. */
export interface WriteContext {
  actor: { sub: string; name: string };
  requestId: string;
  /** ISO timestamp of the change. */
  now: string;
  /** The app's clock: an audit entry's id is taken from it as its transaction is sent (see `auditOp`). */
  clock: () => Date;
}

/** The audit entry of a change, as a write to put in the change's own transaction. */
export function auditOp(
  tableName: string,
  ctx: WriteContext,
  change: {
    entityType: EntityType;
    entityId: string;
    /** The project the change belongs to, so a project's whole trail can be read. */
    projectId?: string | undefined;
    action: string;
    before: Record<string, unknown> | null;
    after: Record<string, unknown> | null;
  },
): TxOp {
  const entry: Omit<AuditEntry, 'id'> = {
    entityType: change.entityType,
    entityId: change.entityId,
    ...(change.projectId ? { projectId: change.projectId } : {}),
    action: change.action,
    actor: ctx.actor,
    at: ctx.now,
    requestId: ctx.requestId,
    before: change.before,
    after: change.after,
    changes: changedFields(change.before, change.after),
  };
  const item = () => {
    const id = newId('audit', ctx.clock().getTime());
    return {
      Put: {
        TableName: tableName,
        Item: { ...keys.audit(change.entityId, id, change.projectId), entity: 'audit', id, ...entry },
        // Audit entries are never overwritten.
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  };
  // The id is the entry's place in the change feed, which gives out what is older than its settling window: so it is the
  // moment the entry is sent, not when the change began (`at`). A write built early and sent late — a run of minutes, its
  // transactions side by side — would otherwise land behind entries a client had already been given, and never reach it.
  return { item: item(), atSend: item };
}

export class AuditRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** The audit entry of a change, for the change's own transaction. */
  entryOp(ctx: WriteContext, change: Parameters<typeof auditOp>[2]): TxOp {
    return auditOp(this.tableName, ctx, change);
  }

  /** The trail of one entity, or of a project and everything in it, or (neither) the whole log; oldest first. */
  async list(filter: { entityId?: string | undefined; projectId?: string | undefined }, page: PageRequest): Promise<Page<AuditEntry>> {
    const result = filter.entityId
      ? await queryPartitionPage(this.doc, this.tableName, { pk: keys.auditOf(filter.entityId) }, page)
      : await queryCollection(this.doc, this.tableName, filter.projectId ? collections.auditOfProject(filter.projectId) : collections.audit(), page);
    return { items: result.items.map((i) => fromStored(AuditEntry, i)), nextCursor: result.nextCursor };
  }

  /** The newest audit id: every change writes one, so it marks the data's state (for feed ETags). */
  async latestId(): Promise<string | null> {
    const result = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        ...collectionQuery(collections.audit()),
        ScanIndexForward: false,
        Limit: 1,
        ProjectionExpression: 'id',
      }),
    );
    return (result.Items?.[0]?.id as string | undefined) ?? null;
  }

  /**
   * Entries after the cursor's position and written before `settledBeforeMs`,
   * oldest first. The cursor names the last entry given out; it is returned
   * unchanged when nothing new has settled, so a client can keep polling.
   */
  async since(cursor: string | undefined, settledBeforeMs: number, limit: number): Promise<{ items: AuditEntry[]; nextCursor: string; hasMore: boolean }> {
    const after = cursor === undefined ? 'aud_' : decodeChangeCursor(cursor);
    const bound = `aud_${encodeTime(settledBeforeMs, 10)}`;
    // Only a cursor from the future (tampered, or a clock set back) is past the settled bound: nothing has settled after it yet.
    if (after > bound) return { items: [], nextCursor: cursor!, hasMore: false };
    const items: AuditEntry[] = [];
    let startKey: Record<string, unknown> | undefined;
    let hasMore = false;
    while (items.length <= limit) {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: collections.audit().index,
          KeyConditionExpression: `${AUDIT.pk} = :pk AND ${AUDIT.sk} BETWEEN :from AND :to`,
          ExpressionAttributeValues: { ':pk': collections.audit().pk, ':from': after, ':to': bound },
          Limit: limit + 1,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) if (item[AUDIT.sk] !== after) items.push(fromStored(AuditEntry, item));
      startKey = page.LastEvaluatedKey;
      if (!startKey) break;
    }
    if (items.length > limit) {
      hasMore = true;
      items.length = limit;
    } else if (startKey) hasMore = true;
    const last = items.at(-1)?.id ?? after;
    return { items, nextCursor: Buffer.from(last, 'utf8').toString('base64url'), hasMore };
  }
}

function decodeChangeCursor(cursor: string): string {
  const value = Buffer.from(cursor, 'base64url').toString('utf8');
  if (value !== 'aud_' && !/^aud_[0-9A-HJKMNP-TV-Z]{26}$/.test(value)) {
    throw new BadRequestError('The cursor is not a cursor of the change feed. Use the nextCursor you were given, unchanged.', [
      { path: 'cursor', message: 'not a change-feed cursor' },
    ]);
  }
  return value;
}
