import type { TestProject } from 'vitest/node';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '@bt/store';
import { seedDemo } from '../../packages/local/src/demo.ts';
import { startDynamoDbLocal } from '../../packages/local/src/dynamodb-local.ts';
import { testDigestConfig } from './digest.ts';
import { SHARED_DEMO_TABLE, TEST_NOW } from './test-clock.ts';

/** The demo as the first start seeds it, weekly digests included, as at the tests' clock. */
async function seedSharedDemo(endpoint: string) {
  const store = new Store({ region: 'eu-west-2', endpoint, tableName: SHARED_DEMO_TABLE });
  // Where the seeded digests' mail goes: read by no test, removed once seeded.
  const outbox = mkdtempSync(join(tmpdir(), 'bt-shared-demo-'));
  try {
    if ((await store.ensureTable()) === 'exists') await store.dropTable().then(() => store.ensureTable());
    const offset = TEST_NOW - Date.now();
    const digest = testDigestConfig(outbox);
    await seedDemo({ store, clock: () => new Date(Date.now() + offset) }, { digests: { settings: digest.settings, mailer: digest.mailer } });
  } finally {
    store.destroy();
    rmSync(outbox, { recursive: true, force: true });
  }
}

/**
 * One DynamoDB Local (in memory) for the whole run. Each test file makes its
 * own table and deletes it afterwards; the demo programme is seeded once, into
 * its own table, for the tests that only read it (createHarness({ sharedDemo })).
 * Set DYNAMODB_ENDPOINT to use a DynamoDB Local that is already running instead.
 */
export default async function setup(project: TestProject) {
  const existing = process.env.DYNAMODB_ENDPOINT;
  if (existing) {
    project.provide('dynamoEndpoint', existing);
    await seedSharedDemo(existing);
    return;
  }
  const dynamo = await startDynamoDbLocal();
  project.provide('dynamoEndpoint', dynamo.endpoint);
  await seedSharedDemo(dynamo.endpoint);
  return async () => {
    await dynamo.stop();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
  }
}
