import { createHash } from 'node:crypto';
import { UnprocessableError } from '@bt/core';
import { IdempotencyKeyTakenError, type TxOp } from '@bt/store';
import type { Caller, Deps } from './context.ts';

/** The client's `Idempotency-Key`: a retried POST with the same key returns the first result and records nothing new. */
export interface Idempotency {
  key: string;
}

export interface Replayable<T> {
  value: T;
  /** True when this is the stored result of an earlier request with the same key. */
  replayed: boolean;
}

/**
 * Runs a ledger write at most once per (caller, key).
 * Steps: a stored result for the key is replayed (if the request is the same;
 * a different request with the same key is refused); otherwise the write
 * runs with the key's claim in its own transaction, so of concurrent retries
 * exactly one commits and the others replay its result.
 */
export async function recordIdempotently<E>(
  deps: Deps,
  caller: Caller,
  idempotency: Idempotency | undefined,
  request: { path: string; body: unknown },
  prepare: () => Promise<{ entry: E; ops: TxOp[] }>,
): Promise<Replayable<E>> {
  if (!idempotency) {
    const { entry, ops } = await prepare();
    await deps.store.commit(ops);
    return { value: entry, replayed: false };
  }
  const scope = caller.principal.sub;
  const requestHash = createHash('sha256').update(JSON.stringify(request)).digest('base64url');
  const stored = await deps.store.idempotency.get(scope, idempotency.key);
  if (stored) return replay<E>(stored, requestHash);
  const { entry, ops } = await prepare();
  try {
    await deps.store.commit([
      ...ops,
      deps.store.idempotency.claimOp(scope, idempotency.key, { requestHash, status: 201, body: entry }, deps.clock().getTime()),
    ]);
  } catch (error) {
    if (error instanceof IdempotencyKeyTakenError) {
      const winner = await deps.store.idempotency.get(scope, idempotency.key);
      if (winner) return replay<E>(winner, requestHash);
    }
    throw error;
  }
  return { value: entry, replayed: false };
}

function replay<E>(stored: { requestHash: string; body: unknown }, requestHash: string): Replayable<E> {
  if (stored.requestHash !== requestHash) {
    throw new UnprocessableError('idempotency-key-reused', 'This Idempotency-Key was already used for a different request; use a new key for a new entry.', [
      { path: 'Idempotency-Key', message: 'was used for a different request' },
    ]);
  }
  return { value: stored.body as E, replayed: true };
}
