import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface DynamoConfig {
  region: string;
  /** Set for DynamoDB Local; absent in AWS. */
  endpoint?: string;
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
  const options: DynamoDBClientConfig = { region: config.region, maxAttempts: 3 };
  if (config.endpoint) {
    options.endpoint = config.endpoint;
    // DynamoDB Local accepts any credentials; fixed ones keep a developer's AWS profile out of it.
    options.credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  }
  const client = new DynamoDBClient(options);
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
