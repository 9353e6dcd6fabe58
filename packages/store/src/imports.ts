import { lazySchema } from '@bt/core';
import { GetCommand, PutCommand, UpdateCommand, paginateQuery, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { ConflictError, type EntityType } from '@bt/core';
import { auditOp, type WriteContext } from './audit.ts';
import { collections, keys, leaveCollection } from './keys.ts';
import { collectionItems } from './pagination.ts';
import { fromStored } from './stored.ts';
import { transact, type TxOp } from './transact.ts';
import * as z from 'zod';

/** A stored item to take away again, and what must still hold for that to be safe. */
export interface UndoWrite {
  key: { pk: string; sk: string };
  /** The item is still the version the import wrote (nobody has changed it since). */
  version?: number;
  /** No ledger total has been moved on it (a benefit nobody has recorded an actual against). */
  noLedger?: boolean;
  /** Its realised totals are still only what the import recorded, and nothing is validated (else someone has worked on it: it stays). */
  ledgerAsImported?: Record<string, number>;
  /** A code guard still belongs to this entity. */
  guardOf?: string;
  /** Put this item back (the state before the import) instead of deleting. */
  restore?: Record<string, unknown>;
}

/** One entity the import created or changed, and the writes that undo it. */
export interface UndoEntity {
  entityType: EntityType;
  entityId: string;
  projectId?: string | undefined;
  /** A workstream's project, or a project's benefit: undone first, and its parent kept if it cannot be. */
  parentId?: string | undefined;
  writes: UndoWrite[];
}

/** What one committed step of an import would take back. */
export interface ImportStep {
  entities: UndoEntity[];
  /** Projects that existed before the import, whose summary is rebuilt from their record once the step is undone. */
  touchedProjects: string[];
}

export const ImportStatus = lazySchema(() => z.enum(['applying', 'applied', 'rolling-back', 'rolled-back']));
export type ImportStatus = z.infer<typeof ImportStatus>;

export const ImportHead = lazySchema(() =>
  z.object({
    id: z.string(),
    status: ImportStatus,
    startedAt: z.string(),
    startedBy: z.string(),
    /** After this moment an import still `applying` has died part-way, and is rolled back. */
    deadline: z.string(),
    steps: z.number().int(),
    /** Entities a rollback had to leave (changed by someone since the import wrote them). */
    leftBehind: z.array(z.string()).optional(),
  }),
);
export type ImportHead = z.infer<typeof ImportHead>;

/**
 * The journal of an import that needs more than one transaction. Each step
 * (one transaction of the import's writes) records, in that same transaction,
 * how to undo itself, and is refused unless the import is still `applying`.
 * So an import either finishes (`applied`) or is undone step by step
 * (`rolled-back`): when one of its steps fails, or, if the process died part-way,
 * by the next import once its deadline has passed. No step can land after a
 * rollback has begun.
 */
export class ImportRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async begin(head: Omit<ImportHead, 'status' | 'steps'>): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...keys.importHead(head.id), ...keys.importInFlightIndex(head.startedAt, head.id), entity: 'import', ...head, status: 'applying', steps: 0 },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async head(id: string): Promise<ImportHead | undefined> {
    const result = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: keys.importHead(id), ConsistentRead: true }));
    return result.Item ? fromStored(ImportHead, result.Item) : undefined;
  }

  /** Written in a step's own transaction: the step's undo record, on condition that the import is still applying. */
  stepOps(id: string, seq: number, step: ImportStep): TxOp[] {
    return [
      {
        item: {
          Update: {
            TableName: this.tableName,
            Key: keys.importHead(id),
            UpdateExpression: 'SET steps = :seq',
            ConditionExpression: '#status = :applying',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':seq': seq, ':applying': 'applying' },
          },
        },
        onConditionFailed: () =>
          new ConflictError('import-abandoned', 'This import took too long and was rolled back; nothing of it remains. Import the file again.'),
      },
      {
        item: {
          Put: {
            TableName: this.tableName,
            Item: { ...keys.importStep(id, seq), entity: 'import-step', ...JSON.parse(JSON.stringify(step)) },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
      },
    ];
  }

  /** Marks the import applied, unless a rollback has begun (then false). */
  async finish(id: string): Promise<boolean> {
    return this.move(id, ['applying'], 'applied');
  }

  /** Claims the import for rollback: true if it was applying (or a rollback was under way and is taken over). */
  async claimRollback(id: string): Promise<boolean> {
    return this.move(id, ['applying', 'rolling-back'], 'rolling-back');
  }

  async rolledBack(id: string, leftBehind: string[]): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.importHead(id),
        UpdateExpression: `SET #status = :done, leftBehind = :left ${leaveCollection(collections.importsInFlight())}`,
        ConditionExpression: '#status = :rolling',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':done': 'rolled-back', ':rolling': 'rolling-back', ':left': leftBehind },
      }),
    );
  }

  private async move(id: string, from: ImportStatus[], to: ImportStatus): Promise<boolean> {
    const values: Record<string, unknown> = { ':to': to };
    for (const [i, s] of from.entries()) values[`:from${i}`] = s;
    const leavesIndex = to === 'applied';
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.importHead(id),
          UpdateExpression: `SET #status = :to${leavesIndex ? ` ${leaveCollection(collections.importsInFlight())}` : ''}`,
          ConditionExpression: `#status IN (${from.map((_, i) => `:from${i}`).join(', ')})`,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** Imports still applying or rolling back whose deadline has passed (died part-way). */
  async abandoned(now: string): Promise<string[]> {
    const ids: string[] = [];
    for await (const item of collectionItems(this.doc, this.tableName, collections.importsInFlight()))
      if (String(item.deadline) < now) ids.push(String(item.id));
    return ids;
  }

  /** The steps that committed, latest first (the order to undo them in). */
  async steps(id: string): Promise<ImportStep[]> {
    const steps: ImportStep[] = [];
    const { pk, skPrefix } = keys.importStepsOf(id);
    const pages = paginateQuery(
      { client: this.doc },
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': pk, ':prefix': skPrefix },
        ConsistentRead: true,
        ScanIndexForward: false,
      },
    );
    for await (const page of pages)
      for (const item of page.Items ?? []) steps.push({ entities: item.entities as UndoEntity[], touchedProjects: item.touchedProjects as string[] });
    return steps;
  }

  /** How to undo the creation of a workstream: the item (unchanged since) and its code guard. */
  undoWorkstream(ws: { id: string; code: string }): UndoEntity {
    return {
      entityType: 'workstream',
      entityId: ws.id,
      writes: [
        { key: keys.workstream(ws.id), version: 1 },
        { key: keys.codeGuard('workstream', ws.code), guardOf: ws.id },
      ],
    };
  }

  /** How to undo the creation of a project: the item, its code guard and its summary; kept (with its workstream) if anything of it must stay. */
  undoProject(project: { id: string; code: string; workstreamId: string }): UndoEntity {
    return {
      entityType: 'project',
      entityId: project.id,
      projectId: project.id,
      parentId: project.workstreamId,
      writes: [
        { key: keys.project(project.id), version: 1 },
        { key: keys.codeGuard('project', project.code), guardOf: project.id },
        { key: keys.summary(project.id) },
      ],
    };
  }

  /**
   * How to undo a new benefit: the item (unchanged, no ledger totals but the
   * realised the import recorded), its id → project reference, its first
   * baseline version, and the actuals the import recorded for it.
   */
  undoNewBenefit(benefit: { id: string; projectId: string; baselineVersion: number; realised: Record<string, number> }, actualIds: string[] = []): UndoEntity {
    const ledger = actualIds.length ? { ledgerAsImported: benefit.realised } : { noLedger: true };
    return {
      entityType: 'benefit',
      entityId: benefit.id,
      projectId: benefit.projectId,
      parentId: benefit.projectId,
      writes: [
        { key: keys.child(benefit.projectId, 'benefit', benefit.id), version: 1, ...ledger },
        { key: keys.benefitRef(benefit.id) },
        ...(benefit.baselineVersion > 0 ? [{ key: keys.baselineVersion(benefit.id, 1) }] : []),
        ...actualIds.map((id) => ({ key: keys.ledgerEntry('actual', benefit.id, id) })),
      ],
    };
  }

  /** How to undo a workstream's new targets: put back the version before, if nobody has changed it since. */
  undoChangedWorkstream(before: Record<string, unknown> & { id: string; code: string }, after: { version: number }): UndoEntity {
    const restore = JSON.parse(
      JSON.stringify({ ...keys.workstream(before.id), ...keys.workstreamIndex(before.code), entity: 'workstream', ...before }),
    ) as Record<string, unknown>;
    return { entityType: 'workstream', entityId: before.id, writes: [{ key: keys.workstream(before.id), version: after.version, restore }] };
  }

  /** How to undo a benefit's next version: put back the version before (if nobody changed it since) and remove the baseline version added. */
  undoChangedBenefit(before: { id: string; projectId: string } & Record<string, unknown>, after: { version: number; baselineVersion: number }): UndoEntity {
    const restore = JSON.parse(JSON.stringify({ ...keys.child(before.projectId, 'benefit', before.id), entity: 'benefit', ...before })) as Record<
      string,
      unknown
    >;
    return {
      entityType: 'benefit',
      entityId: before.id,
      projectId: before.projectId,
      writes: [
        { key: keys.child(before.projectId, 'benefit', before.id), version: after.version, noLedger: true, restore },
        { key: keys.baselineVersion(before.id, after.baselineVersion) },
      ],
    };
  }

  /** The writes that undo one entity, with its audit entry. */
  undoOps(ctx: WriteContext, entity: UndoEntity, importId: string): TxOp[] {
    const ops: TxOp[] = entity.writes.map((w) => {
      const conditions: string[] = [];
      const names: Record<string, string> = {};
      const values: Record<string, unknown> = {};
      if (w.version !== undefined) {
        conditions.push('version = :version');
        values[':version'] = w.version;
      }
      if (w.noLedger) {
        conditions.push('(attribute_not_exists(realised) OR size(realised) = :zero) AND (attribute_not_exists(validated) OR size(validated) = :zero)');
        values[':zero'] = 0;
      }
      if (w.ledgerAsImported) {
        conditions.push('realised = :imported AND (attribute_not_exists(validated) OR size(validated) = :zero)');
        values[':imported'] = w.ledgerAsImported;
        values[':zero'] = 0;
      }
      if (w.guardOf !== undefined) {
        conditions.push('entityId = :owner');
        values[':owner'] = w.guardOf;
      }
      const condition = conditions.length
        ? {
            ConditionExpression: conditions.join(' AND '),
            ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
            ExpressionAttributeValues: values,
          }
        : {};
      return w.restore
        ? { item: { Put: { TableName: this.tableName, Item: w.restore, ...condition } } }
        : { item: { Delete: { TableName: this.tableName, Key: w.key, ...condition } } };
    });
    ops.push(
      auditOp(this.tableName, ctx, {
        entityType: entity.entityType,
        entityId: entity.entityId,
        projectId: entity.projectId,
        action: 'import-rolled-back',
        before: { importId },
        after: null,
      }),
    );
    return ops;
  }

  /** Runs undo writes as one transaction; false if a condition no longer holds (someone changed the item since). */
  async tryUndo(ops: TxOp[]): Promise<boolean> {
    try {
      await transact(this.doc, ops);
      return true;
    } catch (error) {
      if (error instanceof Error && error.name === 'TransactionCanceledException') return false;
      throw error;
    }
  }
}
