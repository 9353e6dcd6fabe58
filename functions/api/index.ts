import { createApp, loadLambdaEnv } from '@bt/api';
import { Store } from '@bt/store';
import { handle } from 'hono/aws-lambda';

// Cold start: settings and the DynamoDB client are made once per container.
const env = loadLambdaEnv(process.env);
const store = new Store({ region: env.AWS_REGION, tableName: env.TABLE_NAME, ...(env.DYNAMODB_ENDPOINT ? { endpoint: env.DYNAMODB_ENDPOINT } : {}) });
const app = createApp(
  { store, clock: () => new Date(), thresholds: env.thresholds },
  { auth: { mode: 'apigw-jwt' }, bodyLimitBytes: env.BODY_LIMIT_BYTES, docsAssetsBaseUrl: env.DOCS_ASSETS_BASE_URL },
);

/** The HTTP API (payload v2) handler: the API Gateway JWT authorizer has verified the caller. */
export const handler = handle(app);
