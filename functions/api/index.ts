import { createApiApp, loadLambdaEnv } from '@bt/api';
import { InvokedDigestDesk, InvokedExportDesk, loadedOnFirstUse } from '@bt/services';
import { Store, storeConfig } from '@bt/store';
import { handle } from 'hono/aws-lambda';

// Cold start: settings and the AWS clients are made once per container.
const env = loadLambdaEnv(process.env);
const store = new Store(storeConfig(env));
// Digests on demand are rendered and sent by the digest function: the API carries no mail code and has no right to send email.
const lambda = {
  region: env.AWS_REGION,
  ...(env.LAMBDA_ENDPOINT ? { endpoint: env.LAMBDA_ENDPOINT, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
};
const app = createApiApp(
  { store, clock: () => new Date(), thresholds: env.thresholds, alertSettings: env.alertSettings, ledger: env.ledger },
  {
    auth: { mode: 'apigw-jwt' },
    bodyLimitBytes: env.BODY_LIMIT_BYTES,
    docsAssetsBaseUrl: env.DOCS_ASSETS_BASE_URL,
    // The SDK's Lambda client is loaded with the first digest asked for (built beside the bundle: functions/bundling.ts).
    digests: new InvokedDigestDesk(lambda, env.DIGEST_FUNCTION_NAME, () => import('@bt/services/lambda-client')),
    // A feed past the inline limit is stored in the exports bucket and linked to (303).
    exports: env.EXPORTS_BUCKET
      ? {
          // The S3 client is loaded with the first feed too large to answer inline (built beside the bundle: functions/bundling.ts).
          store: loadedOnFirstUse(async () => {
            const { S3ExportStore } = await import('@bt/services/s3-exports');
            return S3ExportStore.create({ region: env.AWS_REGION, bucket: env.EXPORTS_BUCKET!, endpoint: env.S3_ENDPOINT });
          }),
          inlineLimitBytes: env.FEED_INLINE_LIMIT_BYTES,
          // A feed still being stored after FEED_HAND_OFF_AFTER_MS is made by the export function (an asynchronous invoke), the client told to come back (202).
          handOff: env.FEED_EXPORT_FUNCTION_NAME
            ? {
                desk: new InvokedExportDesk(lambda, env.FEED_EXPORT_FUNCTION_NAME, () => import('@bt/services/lambda-client')),
                afterMs: env.FEED_HAND_OFF_AFTER_MS,
              }
            : undefined,
        }
      : undefined,
  },
);

/** The HTTP API (payload v2) handler: the API Gateway JWT authorizer has verified the caller (the pages are a function of their own: functions/pages). */
export const handler = handle(app);
