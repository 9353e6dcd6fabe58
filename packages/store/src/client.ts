import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DEFAULT_DYNAMODB_TIMEOUTS } from '@bt/core';

export interface DynamoConfig {
  region: string;
  /** Set for DynamoDB Local; absent in AWS. */
  endpoint?: string;
  /** Connection and request timeouts (ms); the defaults below. */
  timeouts?: Partial<DynamoTimeouts>;
}

/**
 * How long the store may take before a request is given up (and answered
 * 503): a frozen or unreachable DynamoDB must never hang a request. One retry
 * policy for the whole product: the SDK's standard retries, two attempts in
 * all, so the worst case is about 2 × (connect + request) timeouts.
 */
export interface DynamoTimeouts {
  connectionTimeoutMs: number;
  requestTimeoutMs: number;
}
export const DEFAULT_TIMEOUTS: DynamoTimeouts = DEFAULT_DYNAMODB_TIMEOUTS;
export const MAX_ATTEMPTS = 2;

/** The longest a request can take before the client gives it up: every attempt a connection and a request at most. */
export function longestRequestMs(timeouts: DynamoTimeouts): number {
  return MAX_ATTEMPTS * (timeouts.connectionTimeoutMs + timeouts.requestTimeoutMs);
}

/** Counts the DynamoDB requests made through a client, by command name (tests and benchmarks). */
export class RequestCounter {
  readonly byCommand = new Map<string, number>();
  get total(): number {
    let n = 0;
    for (const v of this.byCommand.values()) n += v;
    return n;
  }
  reset(): void {
    this.byCommand.clear();
  }
  add(command: string): void {
    this.byCommand.set(command, (this.byCommand.get(command) ?? 0) + 1);
  }
}

export interface Dynamo {
  client: DynamoDBClient;
  doc: DynamoDBDocumentClient;
}

/** The one place a DynamoDB client is made. */
export function createDynamo(config: DynamoConfig, counter?: RequestCounter): Dynamo {
  const timeouts = { ...DEFAULT_TIMEOUTS, ...config.timeouts };
  const options: DynamoDBClientConfig = {
    region: config.region,
    maxAttempts: MAX_ATTEMPTS,
    // throwOnRequestTimeout: without it the handler only logs a warning and the request hangs on (a frozen store hung every request).
    requestHandler: { connectionTimeout: timeouts.connectionTimeoutMs, requestTimeout: timeouts.requestTimeoutMs, throwOnRequestTimeout: true },
  };
  if (config.endpoint) {
    options.endpoint = config.endpoint;
    // DynamoDB Local accepts any credentials; fixed ones keep a developer's AWS profile out of it.
    options.credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  }
  const client = new DynamoDBClient(options);
  // No logger is given to the SDK (ours logs requests itself): its logging step would only add a hop, and filter inputs on every error.
  client.middlewareStack.remove('loggerMiddleware');
  if (counter) {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        counter.add(context.commandName ?? 'unknown');
        return next(args);
      },
      { step: 'initialize', name: 'requestCounter' },
    );
  }
  const doc = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
  });
  return { client, doc };
}
