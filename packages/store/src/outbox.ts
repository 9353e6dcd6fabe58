import { lazySchema } from '@bt/core';
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { collectionQuery, collections, keys, leaveCollection } from './keys.ts';
import { createDynamo, type DynamoConfig } from './client.ts';
import { transact, type TxOp } from './transact.ts';
import { DomainEvent } from '@bt/core';
import * as z from 'zod';

/**
 * An outbox item holds the events of one write of at most this many bytes of
 * JSON: well inside DynamoDB's 400 KB an item, its keys and attributes
 * beside them.
 */
export const OUTBOX_ITEM_BYTES = 350_000;

const DomainEvents = lazySchema(() => z.array(DomainEvent));

/** A page of the outbox: each item's key and the events it holds (one, or the many of one write). */
export interface OutboxEntry {
  key: { pk: string; sk: string };
  events: DomainEvent[];
}

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

  /**
   * The events of one write in as few items as hold them: one event is an
   * item of its own (`enqueueOp`); many share one (or, past `itemBytes` of
   * JSON, more), named by their first event and conditional
   * on that name. A write that reports many changes at once (the alert run:
   * up to 49 raises a transaction) then costs one outbox item, not one an
   * event: DynamoDB's time and price go by items. Each event is still written
   * at most once: in the same transaction as the change it reports, which is
   * conditional itself.
   */
  enqueueAllOps(events: DomainEvent[], itemBytes = OUTBOX_ITEM_BYTES): TxOp[] {
    if (events.length <= 1) return events.map((e) => this.enqueueOp(e));
    const ops: TxOp[] = [];
    let held: string[] = [];
    let first: DomainEvent | undefined;
    let bytes = 2;
    const flush = () => {
      if (!first) return;
      ops.push({
        item: {
          Put: {
            TableName: this.tableName,
            Item: { ...keys.events(first.id), ...keys.eventIndex(first.time, first.id), entity: 'events', events: `[${held.join(',')}]` },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
      });
      held = [];
      first = undefined;
      bytes = 2;
    };
    for (const event of events) {
      const json = JSON.stringify(event);
      // DynamoDB counts UTF-8 bytes: a note in another script takes up to three a character.
      const size = Buffer.byteLength(json) + 1;
      if (first && bytes + size > itemBytes) flush();
      first ??= event;
      held.push(json);
      bytes += size;
    }
    flush();
    return ops;
  }

  /** The first `limit` items of the outbox, oldest first: each item's key and its events. */
  async page(limit = 100): Promise<OutboxEntry[]> {
    const r = await this.doc.send(new QueryCommand({ TableName: this.tableName, ...collectionQuery(collections.outbox()), Limit: limit }));
    return (r.Items ?? []).map((i) => ({
      key: { pk: String(i.pk), sk: String(i.sk) },
      events: i.events === undefined ? [DomainEvent.parse(JSON.parse(String(i.event)))] : DomainEvents.parse(JSON.parse(String(i.events))),
    }));
  }

  /** The events of the first `limit` items of the outbox, oldest first. */
  async pending(limit = 100): Promise<DomainEvent[]> {
    return (await this.page(limit)).flatMap((e) => e.events);
  }

  /**
   * Marks items published (they leave the outbox's collection), in one
   * transaction of up to 100: a page of the outbox is one write request, not
   * one per event. Unconditional: a second publisher marking the same events
   * (at-least-once) only loses a race, which the transaction's retry absorbs.
   */
  markPublishedOps(entries: OutboxEntry[], at: string): TxOp[] {
    return entries.map(({ key }) => ({
      item: {
        Update: {
          TableName: this.tableName,
          Key: key,
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
