import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConflictError, NO_PERIODS_CLOSED, PeriodsState } from '@bt/core';
import { keys } from './keys.ts';
import { getSingleton, singletonPutOp, versionCondition, type Singleton } from './singleton.ts';
import type { TxOp } from './transact.ts';

// Also in the summaries' index partition, so the report reads it with the summaries (no request of its own).
const PERIODS: Singleton = { key: keys.periods(), entity: 'periods' };

/** Which months are closed: one small item, versioned, read by every ledger write and checked unchanged in its transaction. */
export class PeriodRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(): Promise<PeriodsState> {
    return getSingleton(this.doc, this.tableName, PERIODS, PeriodsState, NO_PERIODS_CLOSED);
  }

  /** The next state, if the periods are still as read (a concurrent close or reopen is a 409: read again). */
  putOp(next: PeriodsState, read: PeriodsState): TxOp {
    return singletonPutOp(
      this.tableName,
      PERIODS,
      next,
      read.version,
      () => new ConflictError('concurrent-modification', 'The periods changed while you were closing or reopening one; look again and retry.'),
    );
  }

  /**
   * A ledger write's guard: the periods are as read when the write checked its
   * month was open, so an entry can never land in a month closed meanwhile.
   */
  unchangedOp(read: PeriodsState): TxOp {
    return {
      item: { ConditionCheck: { TableName: this.tableName, Key: PERIODS.key, ...versionCondition(read.version) } },
      onConditionFailed: () =>
        new ConflictError('period-changed', 'A period was closed or reopened while this was being recorded; nothing was recorded. Try again.'),
    };
  }
}
