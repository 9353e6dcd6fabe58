import { LambdaClient } from '@aws-sdk/client-lambda';
import { createApp, loadLambdaEnv } from '@bt/api';
import { InvokedDigestDesk } from '@bt/services';
import { Store } from '@bt/store';
import { handle } from 'hono/aws-lambda';

// Cold start: settings and the AWS clients are made once per container.
const env = loadLambdaEnv(process.env);
const store = new Store({ region: env.AWS_REGION, tableName: env.TABLE_NAME, ...(env.DYNAMODB_ENDPOINT ? { endpoint: env.DYNAMODB_ENDPOINT } : {}) });
// Digests on demand are rendered and sent by the digest function: the API carries no mail code and has no right to send email.
const lambda = new LambdaClient({ region: env.AWS_REGION, ...(env.LAMBDA_ENDPOINT ? { endpoint: env.LAMBDA_ENDPOINT, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}) });
const app = createApp(
  { store, clock: () => new Date(), thresholds: env.thresholds },
  {
    auth: { mode: 'apigw-jwt' },
    bodyLimitBytes: env.BODY_LIMIT_BYTES,
    docsAssetsBaseUrl: env.DOCS_ASSETS_BASE_URL,
    digests: new InvokedDigestDesk(lambda, env.DIGEST_FUNCTION_NAME),
  },
);

/** The HTTP API (payload v2) handler: the API Gateway JWT authorizer has verified the caller. */
export const handler = handle(app);
