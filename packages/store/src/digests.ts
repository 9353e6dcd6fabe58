import { lazySchema } from '@bt/core';
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '@bt/core';
import * as z from 'zod';
import { collections, keys } from './keys.ts';
import { fromStored } from './stored.ts';
import { queryCollection, type Page, type PageRequest } from './pagination.ts';
import type { TxOp } from './transact.ts';

/** A digest as stored: what it said (its figures, for the next digest's movement) and the message sent. */
export const StoredDigest = lazySchema(() =>
  z.object({
    id: z.string(),
    /** The schedule slot (the Monday's date) or `manual:<request id>`: one digest per slot. */
    slot: z.string(),
    status: z.enum(['sending', 'sent', 'failed']),
    financialYear: z.string(),
    asAt: z.string(),
    subject: z.string(),
    recipients: z.array(z.string()),
    sender: z.string(),
    createdAt: z.string(),
    sentAt: z.string().optional(),
    messageId: z.string().optional(),
    failure: z.string().optional(),
    /** The files attached (the monthly monitoring pack, when the settings say so), by name. */
    attachments: z.array(z.string()).optional(),
    /** The DigestContent it reported, as sent (kept as JSON: digests of earlier layouts stay readable). */
    content: z.record(z.string(), z.unknown()),
    html: z.string(),
    text: z.string(),
  }),
);
export type StoredDigest = z.infer<typeof StoredDigest>;

export class DigestSlotTaken extends ConflictError {
  constructor(slot: string) {
    super('digest-slot-taken', `A digest for ${slot} has already been started.`);
  }
}

export class DigestRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(id: string): Promise<StoredDigest | undefined> {
    const r = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: keys.digest(id), ConsistentRead: true }));
    return r.Item ? fromStored(StoredDigest, r.Item) : undefined;
  }

  async bySlot(slot: string): Promise<StoredDigest | undefined> {
    const r = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: keys.digestSlot(slot), ConsistentRead: true }));
    return r.Item ? this.get(String(r.Item.digestId)) : undefined;
  }

  /** Newest first. */
  async list(page: PageRequest): Promise<Page<StoredDigest>> {
    const result = await queryCollection(this.doc, this.tableName, collections.digests(), page, { newestFirst: true });
    return { items: result.items.map((i) => fromStored(StoredDigest, i)), nextCursor: result.nextCursor };
  }

  /** The most recent digest actually sent (the baseline for "movement since"). */
  async lastSent(): Promise<StoredDigest | undefined> {
    let cursor: string | undefined;
    do {
      const page = await this.list({ limit: 20, cursor });
      const sent = page.items.find((d) => d.status === 'sent');
      if (sent) return sent;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return undefined;
  }

  /** Claims the slot and stores the digest as `sending`, in one transaction: a second claim of the slot fails. */
  claimOps(digest: StoredDigest): TxOp[] {
    return [
      {
        item: {
          Put: {
            TableName: this.tableName,
            Item: { ...keys.digestSlot(digest.slot), entity: 'digest-slot', digestId: digest.id },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        onConditionFailed: () => new DigestSlotTaken(digest.slot),
      },
      {
        item: {
          Put: {
            TableName: this.tableName,
            Item: { ...keys.digest(digest.id), ...keys.digestIndex(digest.createdAt, digest.id), entity: 'digest', ...JSON.parse(JSON.stringify(digest)) },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
      },
    ];
  }

  markSentOp(id: string, sentAt: string, messageId: string): TxOp {
    return {
      item: {
        Update: {
          TableName: this.tableName,
          Key: keys.digest(id),
          UpdateExpression: 'SET #s = :sent, sentAt = :at, messageId = :mid REMOVE failure',
          ConditionExpression: '#s <> :sent',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':sent': 'sent', ':at': sentAt, ':mid': messageId },
        },
      },
      onConditionFailed: () => new ConflictError('already-sent', `Digest ${id} was already sent.`),
    };
  }

  async markFailed(id: string, failure: string): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.digest(id),
        UpdateExpression: 'SET #s = :failed, failure = :f',
        ConditionExpression: '#s = :sending',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':failed': 'failed', ':sending': 'sending', ':f': failure.slice(0, 1000) },
      }),
    );
  }

  /** A failed digest is retried: back to `sending` if it still is `failed` (one retry wins). */
  async reclaimFailed(id: string): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.digest(id),
          UpdateExpression: 'SET #s = :sending',
          ConditionExpression: '#s = :failed',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':failed': 'failed', ':sending': 'sending' },
        }),
      );
      return true;
    } catch {
      return false;
    }
  }
}
