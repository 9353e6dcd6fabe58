import { Stack, type StackProps } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { mainTable } from '@bt/store';
import { tableFromDefinition } from './tables.ts';

/**
 * The stateful stack: what must outlive any deployment of the code. Kept apart
 * from the compute so that replacing functions can never replace data.
 */
export class DataStack extends Stack {
  readonly mainTable: dynamodb.TableV2;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.mainTable = tableFromDefinition(this, mainTable);
  }
}
