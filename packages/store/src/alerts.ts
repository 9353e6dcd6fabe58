import { lazySchema } from '@bt/core';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Alert, AlertHistoryEntry, alertStepOfAudit, AuditEntry, ConflictError, isAlertStep, mergedAlertHistory, Timestamp, type AppError } from '@bt/core';
import * as z from 'zod';
import { batchGet } from './batch.ts';
import { collections, keys } from './keys.ts';
import { fromStored, StoredDataError } from './stored.ts';
import { collectionItems, equalsFilter, partitionItems, queryCollection, type Page, type PageRequest } from './pagination.ts';
import type { TxOp } from './transact.ts';

/**
 * The last evaluation that ran to its end: when, and the projects it could
 * not read. A live alert it did not write was seen by it (every live alert is
 * either still holding, resolved, or of a project it could not read), so an
 * alert's `lastSeenAt` is moved once per run here rather than by a write of
 * every alert.
 */
export const AlertRun = lazySchema(() => z.object({ at: Timestamp, skippedProjectIds: z.array(z.string()) }));
export type AlertRun = z.infer<typeof AlertRun>;

/** An alert as last seen: a live alert the last complete run held is seen then, unless its project could not be read. */
export function seenBy(alert: Alert, run: AlertRun | undefined): Alert {
  if (!run || alert.status === 'resolved' || run.at <= alert.lastSeenAt) return alert;
  if (alert.subject.projectId && run.skippedProjectIds.includes(alert.subject.projectId)) return alert;
  return { ...alert, lastSeenAt: run.at };
}

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
    const [r, run] = await Promise.all([
      this.doc.send(new GetCommand({ TableName: this.tableName, Key: keys.alert(id), ConsistentRead: true })),
      this.lastRun(),
    ]);
    return r.Item ? seenBy(fromStored(Alert, r.Item), run) : undefined;
  }

  /** The alert as stored (its `lastSeenAt` as last written): what an evaluation's conditional write compares. */
  async getStored(id: string): Promise<Alert | undefined> {
    const r = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: keys.alert(id), ConsistentRead: true }));
    return r.Item ? fromStored(Alert, r.Item) : undefined;
  }

  /**
   * Every open and acknowledged alert as stored (one Query per MB of each,
   * from the index, so eventually consistent: an evaluation's writes are
   * conditional on the version read, and a stale read only costs a re-read).
   */
  async liveStored(): Promise<Alert[]> {
    const out: Alert[] = [];
    for (const status of ['open', 'acknowledged'])
      for await (const item of collectionItems(this.doc, this.tableName, collections.alertsByStatus(status))) out.push(fromStored(Alert, item));
    return out;
  }

  /**
   * These alerts as stored, consistently read, 100 a request (ids with no
   * alert are left out): the earlier occurrences of conditions not live, so
   * an evaluation reads what changed, never every alert ever resolved.
   */
  async manyStored(ids: readonly string[]): Promise<Alert[]> {
    // Four requests at once, as `batchGet` reads: they come after the evaluation's record reads, never beside them (beside them, at
    // ten times the benchmark programme, they kept DynamoDB Local past the 5 s request timeout).
    const items = await batchGet(
      this.doc,
      this.tableName,
      ids.map((id) => keys.alert(id)),
      { consistent: true },
    );
    return items.map((item) => fromStored(Alert, item));
  }

  /** The last evaluation that ran to its end (none before the first). */
  async lastRun(): Promise<AlertRun | undefined> {
    const r = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: keys.alertRun(), ConsistentRead: true }));
    return r.Item ? fromStored(AlertRun, r.Item) : undefined;
  }

  /** Records a run that reached its end, unless a later one already has. */
  async recordRun(run: AlertRun): Promise<void> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.alertRun(), entity: 'alert-run', ...run },
          ConditionExpression: 'attribute_not_exists(pk) OR #at < :at',
          ExpressionAttributeNames: { '#at': 'at' },
          ExpressionAttributeValues: { ':at': run.at },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
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
    const [result, run] = await Promise.all([
      queryCollection(this.doc, this.tableName, collection, page, { filter: where, newestFirst: true }),
      this.lastRun(),
    ]);
    return { items: result.items.map((i) => seenBy(fromStored(Alert, i), run)), nextCursor: result.nextCursor };
  }

  /** All open and acknowledged alerts (what an evaluation may refresh or resolve). */
  async live(): Promise<Alert[]> {
    const [stored, run] = await Promise.all([this.liveStored(), this.lastRun()]);
    return stored.map((a) => seenBy(a, run));
  }

  /**
   * An alert's history, oldest first: its audit trail (each raise,
   * escalation, acknowledgement and resolution is an audit entry holding the
   * alert as the step left it), with the history entries stored on their own
   * before the trail was the history. Two Queries, side by side.
   */
  async history(alertId: string): Promise<AlertHistoryEntry[]> {
    const [trail, stored] = await Promise.all([
      partitionItems(this.doc, this.tableName, { pk: keys.auditOf(alertId) }),
      partitionItems(this.doc, this.tableName, keys.alertHistoryOf(alertId)),
    ]);
    const steps: AlertHistoryEntry[] = [];
    for (const item of trail) {
      const entry = fromStored(AuditEntry, item);
      if (!isAlertStep(entry.action)) continue;
      const after = Alert.safeParse(entry.after);
      if (!after.success) throw new StoredDataError({ pk: item.pk, sk: item.sk }, after.error.issues);
      const step = alertStepOfAudit(entry, after.data);
      if (step) steps.push(step);
    }
    return mergedAlertHistory(
      steps,
      stored.map((i) => fromStored(AlertHistoryEntry, i)),
    );
  }

  /** Writes the alert in its next state if it is still at `expectedVersion` (absent: if it does not exist yet). */
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
