import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { mainTable, toCreateTableInput } from '@bt/store';
import { describe, expect, it } from 'vitest';
import { DataStack } from '../../infra/lib/data-stack.ts';

describe('the data stack', () => {
  const template = Template.fromStack(new DataStack(new App(), 'Data'));

  it('keeps the table safe: retained, deletion-protected, point-in-time recovery, encrypted, on demand', () => {
    template.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: Match.objectLike({ SSEEnabled: true }),
        Replicas: [Match.objectLike({ DeletionProtectionEnabled: true, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })],
      }),
    });
  });

  it('creates the table from the same definition the local run uses', () => {
    const local = toCreateTableInput(mainTable, 'x');
    const [table] = Object.values(template.findResources('AWS::DynamoDB::GlobalTable')) as { Properties: Record<string, any> }[];
    const props = table!.Properties;
    expect(props.KeySchema).toEqual(local.KeySchema);
    expect(new Set(props.AttributeDefinitions)).toEqual(new Set(local.AttributeDefinitions));
    expect(props.GlobalSecondaryIndexes.map((i: any) => ({ IndexName: i.IndexName, KeySchema: i.KeySchema }))).toEqual(
      local.GlobalSecondaryIndexes!.map((i) => ({ IndexName: i.IndexName, KeySchema: i.KeySchema })),
    );
    expect(props.TimeToLiveSpecification).toEqual({ AttributeName: mainTable.timeToLiveAttribute, Enabled: true });
  });
});
