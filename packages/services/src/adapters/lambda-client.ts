/** What the digest desk uses of the SDK's Lambda client: imported on first use (`InvokedDigestDesk`), so an API cold start does not evaluate it. */
export { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
