import { DynamoDBServiceException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { ServiceUnavailableError, type AppError } from '@bt/core';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** One write of a transaction, and the domain error its condition failing means. */
export interface TxOp {
  item: TransactItem;
  onConditionFailed?: () => AppError;
}

const MAX_CONFLICT_RETRIES = 4;

/**
 * Runs writes as one DynamoDB transaction: all happen or none. A failed
 * condition becomes the domain error of the write it guarded; a conflict with
 * another transaction in flight is retried (conditions are evaluated afresh,
 * so a retry never applies a stale write).
 */
export async function transact(doc: DynamoDBDocumentClient, ops: TxOp[]): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await doc.send(new TransactWriteCommand({ TransactItems: ops.map((o) => o.item) }));
      return;
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reasons = error.CancellationReasons ?? [];
      const failed = reasons.findIndex((r) => r.Code === 'ConditionalCheckFailed');
      if (failed >= 0) {
        const toError = ops[failed]?.onConditionFailed;
        if (toError) throw toError();
        throw error;
      }
      const conflicted = reasons.some((r) => r.Code === 'TransactionConflict');
      if (conflicted && attempt < MAX_CONFLICT_RETRIES) {
        await sleep(20 * 2 ** attempt + Math.floor(Math.random() * 20));
        continue;
      }
      throw error;
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_SOCKET']);

/**
 * True when the store could not be reached or is overloaded: the request may
 * succeed later, and the caller should say 503, not 500.
 */
export function isStoreUnavailable(error: unknown): boolean {
  if (error instanceof DynamoDBServiceException) {
    return error.$fault === 'server' || error.$retryable !== undefined;
  }
  if (error instanceof Error) {
    const code = (error as Error & { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
    if (error.cause instanceof Error) return isStoreUnavailable(error.cause);
    // The SDK wraps socket failures from its HTTP handler in plain errors named for their cause.
    return error.name === 'TimeoutError';
  }
  return false;
}

export function toUnavailable(): ServiceUnavailableError {
  return new ServiceUnavailableError('The data store is not reachable at the moment. Nothing was changed; try again shortly.');
}
