import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import type { KeyDef, TableDef } from '@bt/store';

const attribute = (k: KeyDef): dynamodb.Attribute => ({
  name: k.name,
  type: k.type === 'S' ? dynamodb.AttributeType.STRING : dynamodb.AttributeType.NUMBER,
});

/**
 * A DynamoDB table from the store's shared definition (the same one the local
 * run creates tables from): on demand, point-in-time recovery, deletion
 * protection, encrypted, and retained if the stack is deleted.
 */
export function tableFromDefinition(scope: Construct, def: TableDef, tableName: string): dynamodb.TableV2 {
  return new dynamodb.TableV2(scope, `${def.logicalName}Table`, {
    tableName,
    partitionKey: attribute(def.partitionKey),
    sortKey: attribute(def.sortKey),
    globalSecondaryIndexes: def.globalSecondaryIndexes.map((i) => ({
      indexName: i.indexName,
      partitionKey: attribute(i.partitionKey),
      sortKey: attribute(i.sortKey),
    })),
    billing: dynamodb.Billing.onDemand(),
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    deletionProtection: true,
    removalPolicy: RemovalPolicy.RETAIN,
    encryption: dynamodb.TableEncryptionV2.awsManagedKey(),
    ...(def.timeToLiveAttribute ? { timeToLiveAttribute: def.timeToLiveAttribute } : {}),
  });
}
