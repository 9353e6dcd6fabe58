import { indexPurpose } from './keys.ts';
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * The table definitions, written once. The local runner and the tests create
 * tables from them (`toCreateTableInput`); the CDK stack maps the same
 * definition to `dynamodb.TableV2`.
 */
export interface KeyDef {
  name: string;
  type: 'S' | 'N';
}
export interface IndexDef {
  indexName: string;
  partitionKey: KeyDef;
  sortKey: KeyDef;
  /** The access pattern the index serves (documented in the store README). */
  purpose: string;
}
export interface TableDef {
  /** Stable logical name; the physical name comes from configuration. */
  logicalName: string;
  partitionKey: KeyDef;
  sortKey: KeyDef;
  globalSecondaryIndexes: IndexDef[];
  timeToLiveAttribute?: string;
}

/** The single table for the programme's entities, their unique-code guards and the audit trail. */
export const mainTable: TableDef = {
  logicalName: 'Main',
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  globalSecondaryIndexes: [
    {
      indexName: 'gsi1',
      partitionKey: { name: 'gsi1pk', type: 'S' },
      sortKey: { name: 'gsi1sk', type: 'S' },
      purpose: indexPurpose('gsi1'),
    },
    {
      indexName: 'gsi2',
      partitionKey: { name: 'gsi2pk', type: 'S' },
      sortKey: { name: 'gsi2sk', type: 'S' },
      purpose: indexPurpose('gsi2'),
    },
  ],
  timeToLiveAttribute: 'expiresAt',
};

export const TABLES = [mainTable] as const;

export function toCreateTableInput(def: TableDef, tableName: string): CreateTableCommandInput {
  const attributes = new Map<string, KeyDef>();
  for (const k of [def.partitionKey, def.sortKey, ...def.globalSecondaryIndexes.flatMap((i) => [i.partitionKey, i.sortKey])]) {
    attributes.set(k.name, k);
  }
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...attributes.values()].map((k) => ({ AttributeName: k.name, AttributeType: k.type })),
    KeySchema: [
      { AttributeName: def.partitionKey.name, KeyType: 'HASH' },
      { AttributeName: def.sortKey.name, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: def.globalSecondaryIndexes.map((i) => ({
      IndexName: i.indexName,
      KeySchema: [
        { AttributeName: i.partitionKey.name, KeyType: 'HASH' },
        { AttributeName: i.sortKey.name, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    })),
  };
}
