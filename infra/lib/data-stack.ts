import { Stack, type StackProps } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import type { Construct } from 'constructs';
import { mainTable } from '@bt/store';
import { tableFromDefinition } from './tables.ts';

/**
 * The stateful stack: what must outlive any deployment of the code — the
 * table (retained, deletion-protected, point-in-time recovery) and the event
 * bus others subscribe to. Kept apart so replacing compute never replaces data.
 */
export class DataStack extends Stack {
  readonly mainTable: dynamodb.TableV2;
  readonly bus: events.EventBus;

  constructor(scope: Construct, id: string, props: StackProps & { tableName: string }) {
    super(scope, id, props);
    // A fixed name: the compute stack finds the table by it, so the two stacks share no CloudFormation exports.
    this.mainTable = tableFromDefinition(this, mainTable, props.tableName);
    this.bus = new events.EventBus(this, 'Bus', { description: 'benefits-tracker: alert raised/resolved, digest sent, actual recorded' });
  }
}
