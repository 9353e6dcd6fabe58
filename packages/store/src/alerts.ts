import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Alert, AlertHistoryEntry, ConflictError, type AppError } from '@bt/core';
import { collections, keys } from './keys.ts';
import { fromStored } from './stored.ts';
import { collectAll, equalsFilter, partitionItems, queryCollection, type Page, type PageRequest } from './pagination.ts';
import type { TxOp } from './transact.ts';

/** Internal: another evaluation wrote this alert first; the caller re-reads and carries on. */
export class AlertRaceLost extends ConflictError {
  constructor(id: string) {
    super('alert-race', `Alert ${id} was written by a concurrent evaluation.`);
  }
}

export interface AlertFilter {
  status?: 'open' | 'acknowledged' | 'resolved' | undefined;
  rule?: string | undefined;
  severity?: string | undefined;
  workstreamId?: string | undefined;
  projectId?: string | undefined;
}

function indexKeys(a: Alert) {
  return keys.alertIndex(a.status, a.firstRaisedAt, a.id);
}

/**
 * Alerts are keyed by a deterministic id from rule + subject + FY, so a
 * condition is one item however often, or however concurrently, it is
 * evaluated. Every write is conditional on the version read.
 */
export class AlertRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(id: string): Promise<Alert | undefined> {
    const r = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: keys.alert(id), ConsistentRead: true }));
    return r.Item ? fromStored(Alert, r.Item) : undefined;
  }

  /** Newest first; by status on its own index partition, otherwise all. Rule, severity, workstream and project filter. */
  async list(filter: AlertFilter, page: PageRequest): Promise<Page<Alert>> {
    const where = equalsFilter({
      rule: filter.rule,
      severity: filter.severity,
      'subject.workstreamId': filter.workstreamId,
      'subject.projectId': filter.projectId,
    });
    const collection = filter.status ? collections.alertsByStatus(filter.status) : collections.alerts();
    const result = await queryCollection(this.doc, this.tableName, collection, page, { filter: where, newestFirst: true });
    return { items: result.items.map((i) => fromStored(Alert, i)), nextCursor: result.nextCursor };
  }

  /** All open and acknowledged alerts (what an evaluation may refresh or resolve). */
  async live(): Promise<Alert[]> {
    const [open, acknowledged] = await Promise.all([
      collectAll((page) => this.list({ status: 'open' }, page)),
      collectAll((page) => this.list({ status: 'acknowledged' }, page)),
    ]);
    return [...open, ...acknowledged];
  }

  /** Writes the alert in its next state if it is still at `expectedVersion` (absent: if it does not exist yet). */
  /** A step of an alert's life, kept for good, in the transaction of the write that made it. */
  historyOp(alertId: string, entry: AlertHistoryEntry): TxOp {
    return {
      item: {
        Put: {
          TableName: this.tableName,
          Item: { ...keys.alertHistory(alertId, entry.version), entity: 'alert-history', ...JSON.parse(JSON.stringify(entry)) },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      onConditionFailed: () => new AlertRaceLost(alertId),
    };
  }

  /** An alert's history, oldest first. */
  async history(alertId: string): Promise<AlertHistoryEntry[]> {
    return (await partitionItems(this.doc, this.tableName, keys.alertHistoryOf(alertId))).map((i) => fromStored(AlertHistoryEntry, i));
  }

  putOp(alert: Alert, expectedVersion: number | undefined, onLost: () => AppError = () => new AlertRaceLost(alert.id)): TxOp {
    return {
      item: {
        Put: {
          TableName: this.tableName,
          Item: { ...keys.alert(alert.id), ...indexKeys(alert), entity: 'alert', ...JSON.parse(JSON.stringify(alert)) },
          ConditionExpression: expectedVersion === undefined ? 'attribute_not_exists(pk)' : 'version = :v',
          ...(expectedVersion === undefined ? {} : { ExpressionAttributeValues: { ':v': expectedVersion } }),
        },
      },
      onConditionFailed: onLost,
    };
  }
}
