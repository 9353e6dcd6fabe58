import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Actual, BaselineVersion, MAX_AMOUNT_PENCE, NotFoundError, Spend, UnprocessableError, type AppError, type EntryQuery } from '@bt/core';
import { collections, keys, leaveCollection, type LedgerKind } from './keys.ts';
import { fromStored } from './stored.ts';
import type { Moment, SummaryRepository } from './summaries.ts';
import { partitionItems, queryCollection, queryPartitionPage, type Page, type PageRequest } from './pagination.ts';
import type { TxOp } from './transact.ts';

const SCHEMAS = { actual: Actual, spend: Spend } as const;
export type EntryOf<K extends LedgerKind> = K extends 'actual' ? Actual : Spend;

/** An entry in finance's validation queue. */
export type QueuedEntry = { kind: 'actual'; projectId: string; entry: Actual } | { kind: 'spend'; projectId: string; entry: Spend };

/**
 * The append-only ledgers (actuals of a benefit, spend of an investment line)
 * and a benefit's baseline history. Entries are only ever added; a correction
 * is a reversing entry. The parent's running totals are updated in the same
 * transaction as the entry, so the two never disagree.
 */
export class LedgerRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly summaries: SummaryRepository,
  ) {}

  /** A new entry of the kind's ledger, checked against its schema. */
  newEntry<K extends LedgerKind>(kind: K, fields: Record<string, unknown>): EntryOf<K> {
    return SCHEMAS[kind].parse(fields) as EntryOf<K>;
  }

  async get<K extends LedgerKind>(kind: K, parentId: string, id: string): Promise<EntryOf<K> | undefined> {
    const result = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: keys.ledgerEntry(kind, parentId, id), ConsistentRead: true }));
    return result.Item ? (fromStored(SCHEMAS[kind], result.Item) as EntryOf<K>) : undefined;
  }

  async list<K extends LedgerKind>(kind: K, parentId: string, page: PageRequest): Promise<Page<EntryOf<K>>> {
    const result = await queryPartitionPage(this.doc, this.tableName, keys.ledgerOf(kind, parentId), page);
    return { items: result.items.map((i) => fromStored(SCHEMAS[kind], i) as EntryOf<K>), nextCursor: result.nextCursor };
  }

  /** The new entry, in finance's validation queue until validated: never overwrites. */
  appendOp<K extends LedgerKind>(kind: K, parentId: string, entry: EntryOf<K>, projectId: string): TxOp {
    return {
      item: {
        Put: {
          TableName: this.tableName,
          Item: {
            ...keys.ledgerEntry(kind, parentId, entry.id),
            ...keys.unvalidatedIndex(entry.recordedAt, entry.id),
            entity: kind,
            projectId,
            ...JSON.parse(JSON.stringify(entry)),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    };
  }

  /** Marks an entry reversed; fails (409) if it already was, so an entry can be reversed once only. */
  markReversedOp(kind: LedgerKind, parentId: string, id: string, reversalId: string, onAlreadyReversed: () => AppError): TxOp {
    return {
      item: {
        Update: {
          TableName: this.tableName,
          Key: keys.ledgerEntry(kind, parentId, id),
          UpdateExpression: 'SET reversedBy = :by',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(reversedBy)',
          ExpressionAttributeValues: { ':by': reversalId },
        },
      },
      onConditionFailed: onAlreadyReversed,
    };
  }

  /** Finance validation of an entry: once only (409 if already validated); it leaves the validation queue. */
  markValidatedOp(kind: LedgerKind, parentId: string, id: string, by: string, at: string, onAlready: () => AppError): TxOp {
    return {
      item: {
        Update: {
          TableName: this.tableName,
          Key: keys.ledgerEntry(kind, parentId, id),
          UpdateExpression: `SET validatedBy = :by, validatedAt = :at ${leaveCollection(collections.unvalidated())}`,
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(validatedAt)',
          ExpressionAttributeValues: { ':by': by, ':at': at },
        },
      },
      onConditionFailed: onAlready,
    };
  }

  /**
   * Adds `amount` to `attribute[month]` of a benefit or investment line (the
   * running totals of its ledger) and to its project's summary, atomically
   * with the entry itself.
   */
  addToTotalOps(
    kind: 'benefit' | 'investment',
    projectId: string,
    id: string,
    attribute: 'realised' | 'validated' | 'actual',
    month: string,
    amount: number,
    when: Moment & { reversal?: boolean },
  ): TxOp[] {
    const total = attribute === 'realised' ? 'r' : attribute === 'validated' ? 'v' : 'a';
    return [
      {
        item: {
          Update: {
            TableName: this.tableName,
            Key: keys.child(projectId, kind, id),
            UpdateExpression: 'SET #a.#m = if_not_exists(#a.#m, :zero) + :amount',
            // The month's total stays within the bound of an amount (so every sum of totals stays exact).
            ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(#a.#m) OR #a.#m BETWEEN :lo AND :hi)',
            ExpressionAttributeNames: { '#a': attribute, '#m': month },
            ExpressionAttributeValues: { ':zero': 0, ':amount': amount, ':lo': -MAX_AMOUNT_PENCE - amount, ':hi': MAX_AMOUNT_PENCE - amount },
            // Which condition failed: the parent's absence (so the caller need not read it first) or the bound.
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
        onConditionFailed: (old) =>
          old
            ? new UnprocessableError('total-out-of-range', `This entry would take the ${month} total of ${kind} ${id} beyond ±£1,000,000,000.00.`, [
                { path: 'amountPence', message: `would take the ${month} total out of range` },
              ])
            : new NotFoundError(`Project ${projectId} has no ${kind} ${id}.`),
      },
      ...this.summaries.addOp(projectId, kind === 'benefit' ? 'benefits' : 'investments', id, total, month, amount, when),
    ];
  }

  /** Raises finance's query on an entry not yet validated, with no query open (409 otherwise). */
  raiseQueryOp(kind: LedgerKind, parentId: string, id: string, query: EntryQuery, onRefused: () => AppError): TxOp {
    return {
      item: {
        Update: {
          TableName: this.tableName,
          Key: keys.ledgerEntry(kind, parentId, id),
          UpdateExpression: 'SET #q = :q',
          ConditionExpression:
            'attribute_exists(pk) AND attribute_not_exists(validatedAt) AND attribute_not_exists(reversedBy) AND (attribute_not_exists(#q) OR attribute_exists(#q.answeredAt))',
          ExpressionAttributeNames: { '#q': 'query' },
          ExpressionAttributeValues: { ':q': JSON.parse(JSON.stringify(query)) },
        },
      },
      onConditionFailed: onRefused,
    };
  }

  /** Answers the entry's open query (409 if none is open). */
  answerQueryOp(kind: LedgerKind, parentId: string, id: string, answer: { note: string; by: string; at: string }, onRefused: () => AppError): TxOp {
    return {
      item: {
        Update: {
          TableName: this.tableName,
          Key: keys.ledgerEntry(kind, parentId, id),
          UpdateExpression: 'SET #q.answer = :note, #q.answeredBy = :by, #q.answeredAt = :at',
          ConditionExpression: 'attribute_exists(#q) AND attribute_not_exists(#q.answeredAt)',
          ExpressionAttributeNames: { '#q': 'query' },
          ExpressionAttributeValues: { ':note': answer.note, ':by': answer.by, ':at': answer.at },
        },
      },
      onConditionFailed: onRefused,
    };
  }

  /**
   * Finance's validation queue: entries awaiting validation, oldest first,
   * each with its kind and project.
   */
  async queue(page: PageRequest): Promise<Page<QueuedEntry>> {
    const result = await queryCollection(this.doc, this.tableName, collections.unvalidated(), page);
    return {
      items: result.items.map((i) =>
        i.entity === 'spend'
          ? { kind: 'spend' as const, projectId: String(i.projectId), entry: fromStored(Spend, i) }
          : { kind: 'actual' as const, projectId: String(i.projectId), entry: fromStored(Actual, i) },
      ),
      nextCursor: result.nextCursor,
    };
  }

  /** Adds validated amounts to a benefit's monthly totals, several months at once (a bulk validation's one write of it). */
  addValidatedOp(projectId: string, benefitId: string, byMonth: Record<string, number>): TxOp {
    const months = Object.entries(byMonth);
    return {
      item: {
        Update: {
          TableName: this.tableName,
          Key: keys.child(projectId, 'benefit', benefitId),
          UpdateExpression: `SET ${months.map((_, i) => `validated.#m${i} = if_not_exists(validated.#m${i}, :zero) + :a${i}`).join(', ')}`,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: Object.fromEntries(months.map(([m], i) => [`#m${i}`, m])),
          ExpressionAttributeValues: { ':zero': 0, ...Object.fromEntries(months.map(([, a], i) => [`:a${i}`, a])) },
        },
      },
      onConditionFailed: () => new NotFoundError(`Project ${projectId} has no benefit ${benefitId}.`),
    };
  }

  // --- baseline history -------------------------------------------------------

  async baselines(benefitId: string): Promise<BaselineVersion[]> {
    return (await partitionItems(this.doc, this.tableName, keys.baselinesOf(benefitId))).map((i) => fromStored(BaselineVersion, i));
  }

  baselineVersionOp(version: BaselineVersion): TxOp {
    return {
      item: {
        Put: {
          TableName: this.tableName,
          Item: { ...keys.baselineVersion(version.benefitId, version.version), entity: 'baseline', ...JSON.parse(JSON.stringify(version)) },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    };
  }
}
