import { SESv2Client } from '@aws-sdk/client-sesv2';
import { createApp, loadLambdaEnv } from '@bt/api';
import { OutboxMailer, SesMailer } from '@bt/email';
import { DigestSettingsFromEnv } from '@bt/services';
import { Store } from '@bt/store';
import { handle } from 'hono/aws-lambda';

// Cold start: settings and the DynamoDB client are made once per container.
const env = loadLambdaEnv(process.env);
const store = new Store({ region: env.AWS_REGION, tableName: env.TABLE_NAME, ...(env.DYNAMODB_ENDPOINT ? { endpoint: env.DYNAMODB_ENDPOINT } : {}) });
const app = createApp(
  { store, clock: () => new Date(), thresholds: env.thresholds },
  {
    auth: { mode: 'apigw-jwt' },
    bodyLimitBytes: env.BODY_LIMIT_BYTES,
    docsAssetsBaseUrl: env.DOCS_ASSETS_BASE_URL,
    digest: {
      settings: DigestSettingsFromEnv.parse(process.env),
      // MAIL_OUTBOX_DIR: a local invoke writes the email to files instead of sending it.
      mailer: process.env.MAIL_OUTBOX_DIR ? new OutboxMailer(process.env.MAIL_OUTBOX_DIR) : new SesMailer(new SESv2Client({ region: env.AWS_REGION })),
    },
  },
);

/** The HTTP API (payload v2) handler: the API Gateway JWT authorizer has verified the caller. */
export const handler = handle(app);
