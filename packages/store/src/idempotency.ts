import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AppError } from '@bt/core';
import { keys } from './keys.ts';
import type { TxOp } from './transact.ts';

/** What a first request with an Idempotency-Key produced, replayed for its retries. */
export interface IdempotencyRecord {
  requestHash: string;
  status: number;
  body: unknown;
}

/** Keys are kept a day: long enough for any client's retries. */
const TTL_SECONDS = 24 * 3600;

export class IdempotencyRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(scope: string, key: string): Promise<IdempotencyRecord | undefined> {
    const result = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: keys.idempotency(scope, key), ConsistentRead: true }));
    if (!result.Item) return undefined;
    return { requestHash: String(result.Item.requestHash), status: Number(result.Item.status), body: JSON.parse(String(result.Item.body)) };
  }

  /** Claims the key in the transaction of the write it protects: of concurrent retries, exactly one can commit. */
  claimOp(scope: string, key: string, record: IdempotencyRecord, nowMs: number): TxOp {
    return {
      item: {
        Put: {
          TableName: this.tableName,
          Item: {
            ...keys.idempotency(scope, key),
            entity: 'idempotency',
            requestHash: record.requestHash,
            status: record.status,
            body: JSON.stringify(record.body),
            expiresAt: Math.floor(nowMs / 1000) + TTL_SECONDS,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      onConditionFailed: () => new IdempotencyKeyTakenError(),
    };
  }
}

/** Internal signal (never reaches a client): another request committed with this key first. */
export class IdempotencyKeyTakenError extends AppError {
  readonly status = 409;
  readonly code = 'idempotency-key-taken';
  readonly title = 'Idempotency key already used';
  constructor() {
    super('Another request with this Idempotency-Key was committed first.');
  }
}
