import { DynamoDBServiceException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { retryLostRaces, ServiceUnavailableError, UnprocessableError, type AppError } from '@bt/core';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** One write of a transaction, and the domain error its condition failing means (given the item as it was, when the write asks for it with `ReturnValuesOnConditionCheckFailure: 'ALL_OLD'`). */
export interface TxOp {
  item: TransactItem;
  /** Makes the item afresh each time its transaction is sent (an audit entry: its id is the moment it is written). */
  atSend?: () => TransactItem;
  onConditionFailed?: (old?: Record<string, unknown>) => AppError;
}

/** A transaction cancelled by a conflict with another in flight: worth trying again (its conditions are evaluated afresh). */
class TransactionConflicted extends Error {
  constructor(readonly original: unknown) {
    super('transaction conflict');
  }
}

/**
 * Runs writes as one DynamoDB transaction: all happen or none. A failed
 * condition becomes the domain error of the write it guarded; a conflict with
 * another transaction in flight is retried under the product's one retry
 * policy (core's RACE_RETRY), so a retry never applies a stale write.
 */
export async function transact(doc: DynamoDBDocumentClient, ops: TxOp[]): Promise<void> {
  await retryLostRaces(
    async () => {
      try {
        await doc.send(new TransactWriteCommand({ TransactItems: ops.map((o) => o.atSend?.() ?? o.item) }));
      } catch (error) {
        throw toDomainError(error, ops);
      }
    },
    (error) => error instanceof TransactionConflicted,
    (error) => (error instanceof TransactionConflicted ? error.original : error),
  );
}

/** What a failed transaction means: the guarded write's domain error, a conflict to retry, or the error as it came. */
function toDomainError(error: unknown, ops: TxOp[]): unknown {
  if (isItemTooLarge(error)) return itemTooLarge();
  if (!(error instanceof TransactionCanceledException)) return error;
  const reasons = error.CancellationReasons ?? [];
  if (reasons.some((r) => r.Code === 'ValidationError' && ITEM_TOO_LARGE.test(r.Message ?? ''))) return itemTooLarge();
  const failed = reasons.findIndex((r) => r.Code === 'ConditionalCheckFailed');
  if (failed >= 0) {
    const toError = ops[failed]?.onConditionFailed;
    return toError ? toError(reasons[failed]?.Item as Record<string, unknown> | undefined) : error;
  }
  if (reasons.some((r) => r.Code === 'TransactionConflict')) return new TransactionConflicted(error);
  return error;
}

const ITEM_TOO_LARGE = /Item size (to update )?has exceeded the maximum allowed size/i;

function isItemTooLarge(error: unknown): boolean {
  return error instanceof DynamoDBServiceException && error.name === 'ValidationException' && ITEM_TOO_LARGE.test(error.message);
}

/**
 * A change that would take a stored item past DynamoDB's 400 KB: refused as
 * a whole (the transaction changes nothing), with a 422 that says what to do,
 * never a 500. Ledgers and histories are items of their own, so only a
 * project's record or summary can get there: a project of several hundred
 * savings lines.
 */
function itemTooLarge(): UnprocessableError {
  return new UnprocessableError(
    'item-too-large',
    'This change would make a stored record larger than the store allows (400 KB per item), so nothing was changed. A project this large (several hundred savings lines, or very long profiles) should be split into smaller projects.',
  );
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
