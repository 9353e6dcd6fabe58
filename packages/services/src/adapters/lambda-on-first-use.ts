import { onFirstUse } from '@bt/core';
import type { LambdaClientConfig } from '@aws-sdk/client-lambda';

/** The SDK's Lambda client module (`adapters/lambda-client.ts`, built beside the API's bundle). */
export type LambdaSdk = typeof import('./lambda-client.ts');

/**
 * The SDK's Lambda client, loaded (`loadSdk`: the API's bundle imports
 * `@bt/services/lambda-client`, built beside it) and made on first use, not
 * at every cold start of the API; the same client for every call after (a
 * load that fails is tried again).
 */
export function lambdaOnFirstUse(
  config: LambdaClientConfig,
  loadSdk: () => Promise<LambdaSdk>,
): () => Promise<LambdaSdk & { client: import('./lambda-client.ts').LambdaClient }> {
  return onFirstUse(async () => {
    const sdk = await loadSdk();
    return { ...sdk, client: new sdk.LambdaClient(config) };
  });
}

/** What a desk that asks another of our functions holds: that function's name and the Lambda client, made on first use. */
export abstract class InvokesFunction {
  protected readonly lambda: ReturnType<typeof lambdaOnFirstUse>;

  constructor(
    config: LambdaClientConfig,
    protected readonly functionName: string,
    loadSdk: () => Promise<LambdaSdk>,
  ) {
    this.lambda = lambdaOnFirstUse(config, loadSdk);
  }
}
