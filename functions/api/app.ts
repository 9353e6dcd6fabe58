import { createApiApp, exportsFromSettings, type LambdaEnv } from '@bt/api';
import { InvokedDigestDesk } from '@bt/services';
import { Store, storeConfig } from '@bt/store';

/**
 * The API function's app from its settings: what the function serves, and
 * what the build writes the OpenAPI document of (`openapi-file.ts`), so the
 * document served is the deployed app's. `openApiFile`: that document,
 * served as it is.
 */
export function apiFunctionApp(env: LambdaEnv, openApiFile?: string) {
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
      // A feed or pack past the inline limit is stored in the exports bucket and linked to (303); one too slow for a request is made by the export function (202).
      exports: exportsFromSettings(env),
      openApiFile,
    },
  );
  return { app, store };
}
