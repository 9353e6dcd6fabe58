import type { ExportDesk, ExportJob } from '../export-jobs.ts';
import { InvokesFunction } from './lambda-on-first-use.ts';

/**
 * In the API (AWS): a feed or the monitoring pack too slow to make within a request is made by the
 * export function, invoked asynchronously (the Lambda service queues the
 * event and answers 202 at once).
 */
export class InvokedExportDesk extends InvokesFunction implements ExportDesk {
  async handOff(job: ExportJob): Promise<void> {
    const { client, InvokeCommand } = await this.lambda();
    const result = await client.send(
      new InvokeCommand({ FunctionName: this.functionName, InvocationType: 'Event', Payload: new TextEncoder().encode(JSON.stringify(job)) }),
    );
    if (result.StatusCode !== 202) throw new Error(`The export function did not take the job (status ${result.StatusCode}).`);
  }
}
