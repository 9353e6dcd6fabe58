import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AppError } from '@bt/core';
import type * as z from 'zod';
import { fromStored } from './stored.ts';
import type { TxOp } from './transact.ts';

/**
 * One versioned item the whole programme shares (the period state, the
 * programme settings): read whole, written whole under the version read.
 * Version 0 means "never written", so the first write requires that no item
 * exists yet.
 */
export interface Singleton {
  key: { pk: string; sk: string };
  entity: string;
}

export async function getSingleton<S extends z.ZodType>(
  doc: DynamoDBDocumentClient,
  tableName: string,
  s: Singleton,
  schema: S,
  unset: z.infer<S>,
): Promise<z.infer<S>> {
  const result = await doc.send(new GetCommand({ TableName: tableName, Key: s.key, ConsistentRead: true }));
  return result.Item ? fromStored(schema, result.Item) : unset;
}

/** The condition that the item is still at the version read. */
export function versionCondition(readVersion: number) {
  return readVersion === 0
    ? { ConditionExpression: 'attribute_not_exists(pk)' }
    : { ConditionExpression: '#v = :v', ExpressionAttributeNames: { '#v': 'version' }, ExpressionAttributeValues: { ':v': readVersion } };
}

export function singletonPutOp(tableName: string, s: Singleton, next: object, readVersion: number, onConditionFailed: () => AppError): TxOp {
  return {
    item: {
      Put: { TableName: tableName, Item: { ...s.key, entity: s.entity, ...JSON.parse(JSON.stringify(next)) }, ...versionCondition(readVersion) },
    },
    onConditionFailed,
  };
}
