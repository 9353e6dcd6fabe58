import type { LambdaClientConfig } from '@aws-sdk/client-lambda';
import type { ExportDesk, FeedExportJob } from '../feed-export.ts';

/** The SDK's Lambda client as the export desk uses it (`adapters/lambda-client.ts`). */
type LambdaSdk = typeof import('./lambda-client.ts');

/**
 * In the API (AWS): a feed too large to make within a request is made by the
 * export function, invoked asynchronously (the Lambda service queues the
 * event, answers 202 at once, and retries a failed run twice).
 */
export class InvokedExportDesk implements ExportDesk {
  private lambda?: Promise<LambdaSdk & { client: import('./lambda-client.ts').LambdaClient }>;

  /** The SDK's Lambda client is loaded with the first job (built beside the API's bundle), not at every cold start. */
  constructor(
    private readonly config: LambdaClientConfig,
    private readonly functionName: string,
    private readonly loadSdk: () => Promise<LambdaSdk>,
  ) {}

  async handOff(job: FeedExportJob): Promise<void> {
    this.lambda ??= this.loadSdk().then((sdk) => ({ ...sdk, client: new sdk.LambdaClient(this.config) }));
    const { client, InvokeCommand } = await this.lambda;
    const result = await client.send(
      new InvokeCommand({ FunctionName: this.functionName, InvocationType: 'Event', Payload: new TextEncoder().encode(JSON.stringify(job)) }),
    );
    if (result.StatusCode !== 202) throw new Error(`The export function did not take the job (status ${result.StatusCode}).`);
  }
}
