/** What the digest desk uses of the SDK's Lambda client: imported on first use (`InvokedDigestDesk`) and built beside the API's bundle (`functions/bundling.ts`), so an API cold start neither parses nor runs it. */
export { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
