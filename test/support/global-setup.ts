import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../packages/local/src/dynamodb-local.ts';

/**
 * One DynamoDB Local (in memory) for the integration run. Each test file makes
 * its own table and deletes it afterwards. Set DYNAMODB_ENDPOINT to use a
 * DynamoDB Local that is already running instead.
 */
export default async function setup(project: TestProject) {
  const existing = process.env.DYNAMODB_ENDPOINT;
  if (existing) {
    project.provide('dynamoEndpoint', existing);
    return;
  }
  const dynamo = await startDynamoDbLocal();
  project.provide('dynamoEndpoint', dynamo.endpoint);
  return async () => {
    await dynamo.stop();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
  }
}
