import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LambdaEvent } from 'hono/aws-lambda';

const root = join(import.meta.dirname, '..', '..', 'events');

interface EventsBySource {
  'http-api': LambdaEvent;
  /** EventBridge Scheduler's input to a scheduled function. */
  scheduler: Record<string, unknown>;
  /** A direct invoke by another of our functions (the API asking the digest function). */
  invoke: Record<string, unknown>;
}

/** A sample event from `events/<source>/<name>.json`. */
export function loadEvent<S extends keyof EventsBySource>(source: S, name: string): EventsBySource[S] {
  return JSON.parse(readFileSync(join(root, source, `${name}.json`), 'utf8')) as EventsBySource[S];
}

/** The Lambda context a bundle's handler is invoked with in the bundle tests. */
export const lambdaContext = {
  awsRequestId: 'local-invoke',
  functionName: 'api',
  functionVersion: '$LATEST',
  memoryLimitInMB: '512',
  getRemainingTimeInMillis: () => 30_000,
};
