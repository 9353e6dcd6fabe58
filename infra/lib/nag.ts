import { Validations, type Stack } from 'aws-cdk-lib';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { CfnBucket } from 'aws-cdk-lib/aws-s3';
import type { ComputeStack } from './compute-stack.ts';

/**
 * Every cdk-nag (AwsSolutions) finding we accept, each with its reason.
 * Anything not listed here fails the synth.
 */
export function acknowledgeFindings(...stacks: Stack[]): void {
  for (const stack of stacks) {
    const v = Validations.of(stack);
    v.acknowledge({
      id: 'AwsSolutions::AwsSolutions-APIG4',
      reason:
        "Public at the gateway by design: /health, /openapi.json, /docs, and the pages (a browser sends a session cookie, which the pages verify against the issuer's keys), with $default, which sends any other address to the pages' 'Page not found'. The whole /v1 API has the JWT authorizer.",
    });
    v.acknowledge({ id: 'AwsSolutions::AwsSolutions-SQS3', reason: 'This queue is itself the dead-letter queue of the schedules.' });
    v.acknowledge({
      id: 'AwsSolutions::AwsSolutions-L1',
      reason: 'Node.js 24 is the newest Lambda runtime at the time of writing; the rule lags new runtimes.',
    });
  }
}

/** The findings of the compute stack that carry evidence (which resource a wildcard is on), each acknowledged exactly. */
export function acknowledgeComputeFindings(stack: ComputeStack, tableName: string): void {
  const v = Validations.of(stack);
  v.acknowledge({
    id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason: 'Lambda execution roles use the AWS-managed AWSLambdaBasicExecutionRole (write to CloudWatch Logs only); a copy of our own would add nothing.',
  });
  v.acknowledge({
    id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
    reason: 'X-Ray tracing (xray:PutTraceSegments, PutTelemetryRecords) has no resource-level permissions.',
  });
  v.acknowledge({
    id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:dynamodb:<AWS::Region>:<AWS::AccountId>:table/${tableName}/index/*]`,
    reason: "The functions query the main table's own indexes (gsi1, gsi2); the wildcard covers only that table's indexes.",
  });
  for (const [prefix, what] of [
    ['feeds', 'the feeds'],
    ['packs', 'the monitoring packs'],
  ] as const)
    v.acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${stack.getLogicalId(stack.exportsBucket.node.defaultChild as CfnBucket)}.Arn>/${prefix}/*]`,
      reason: `The API and the export function store and link ${what} they export under ${prefix}/ of their own exports bucket: any object there, and nothing else.`,
    });
  v.acknowledge({
    id: 'AwsSolutions::AwsSolutions-S1',
    reason:
      'The exports bucket holds short-lived copies of feeds and monitoring packs (deleted after a day), each reachable only by a five-minute presigned link the API hands to a caller it has authorised; who asked is in the API access log.',
  });
  for (const fn of Object.values(stack.functions)) {
    const logicalId = stack.getLogicalId(fn.node.defaultChild as CfnFunction);
    v.acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${logicalId}.Arn>:*]`,
      reason: 'EventBridge Scheduler (and, for the digest function, the API) may invoke any version or alias of this one function.',
    });
  }
}
