import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { collectionQuery, collections, keys, leaveCollection } from './keys.ts';
import { createDynamo, type DynamoConfig } from './client.ts';
import { transact, type TxOp } from './transact.ts';
import { DomainEvent } from '@bt/core';

/**
 * The transactional outbox: an event is written in the same transaction as
 * the change it reports (conditional on its id, so at most once), then
 * published and marked. Publishing is at-least-once; the id lets a sink or
 * consumer drop a repeat.
 */
export class OutboxRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  enqueueOp(event: DomainEvent): TxOp {
    return {
      item: {
        Put: {
          TableName: this.tableName,
          Item: { ...keys.event(event.id), ...keys.eventIndex(event.time, event.id), entity: 'event', event: JSON.stringify(event) },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    };
  }

  async pending(limit = 100): Promise<DomainEvent[]> {
    const r = await this.doc.send(new QueryCommand({ TableName: this.tableName, ...collectionQuery(collections.outbox()), Limit: limit }));
    return (r.Items ?? []).map((i) => DomainEvent.parse(JSON.parse(String(i.event))));
  }

  /**
   * Marks events published (they leave the outbox's collection), in one
   * transaction of up to 100: a page of the outbox is one write request, not
   * one per event. Unconditional: a second publisher marking the same events
   * (at-least-once) only loses a race, which the transaction's retry absorbs.
   */
  markPublishedOps(ids: string[], at: string): TxOp[] {
    return ids.map((id) => ({
      item: {
        Update: {
          TableName: this.tableName,
          Key: keys.event(id),
          UpdateExpression: `${leaveCollection(collections.outbox())} SET publishedAt = :at`,
          ExpressionAttributeValues: { ':at': at },
        },
      },
    }));
  }
}

/** What publishing the outbox needs of the store: the outbox, and a transaction to mark what went out. */
export interface OutboxStore {
  outbox: OutboxRepository;
  commit(ops: TxOp[]): Promise<void>;
}

/**
 * The outbox alone over the table: the publisher's whole store. It loads
 * nothing of the other repositories (nor the schemas they parse with), so
 * the function that runs every few minutes starts faster (`Store` gives the
 * same two to everything else).
 */
export function outboxStore(config: DynamoConfig & { tableName: string }): OutboxStore {
  const { doc } = createDynamo(config);
  return { outbox: new OutboxRepository(doc, config.tableName), commit: (ops) => transact(doc, ops) };
}
