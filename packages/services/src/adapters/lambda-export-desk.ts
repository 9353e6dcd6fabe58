import type { LambdaClientConfig } from '@aws-sdk/client-lambda';
import type { ExportDesk, FeedExportJob } from '../feed-export.ts';
import { lambdaOnFirstUse, type LambdaSdk } from './lambda-on-first-use.ts';

/**
 * In the API (AWS): a feed too large to make within a request is made by the
 * export function, invoked asynchronously (the Lambda service queues the
 * event and answers 202 at once).
 */
export class InvokedExportDesk implements ExportDesk {
  private readonly lambda: ReturnType<typeof lambdaOnFirstUse>;

  /** The SDK's Lambda client is loaded with the first job (`lambdaOnFirstUse`), not at every cold start of the API. */
  constructor(
    config: LambdaClientConfig,
    private readonly functionName: string,
    loadSdk: () => Promise<LambdaSdk>,
  ) {
    this.lambda = lambdaOnFirstUse(config, loadSdk);
  }

  async handOff(job: FeedExportJob): Promise<void> {
    const { client, InvokeCommand } = await this.lambda();
    const result = await client.send(
      new InvokeCommand({ FunctionName: this.functionName, InvocationType: 'Event', Payload: new TextEncoder().encode(JSON.stringify(job)) }),
    );
    if (result.StatusCode !== 202) throw new Error(`The export function did not take the job (status ${result.StatusCode}).`);
  }
}
