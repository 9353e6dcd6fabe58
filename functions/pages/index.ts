import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPagesApp, exportsFromSettings, loadPagesEnv, oidcLogin } from '@bt/api';
import { Store, storeConfig } from '@bt/store';
import { handle } from 'hono/aws-lambda';
import { PAGE_ASSETS_FOLDER } from '../bundling.ts';

// Cold start: settings and the store client are made once per container.
const env = loadPagesEnv(process.env);
const store = new Store(storeConfig(env));
const app = createPagesApp(
  { store, clock: () => new Date(), thresholds: env.thresholds, alertSettings: env.alertSettings, ledger: env.ledger },
  {
    bodyLimitBytes: env.BODY_LIMIT_BYTES,
    // People sign in through the issuer's hosted login; GOV.UK Frontend's files are copied beside this bundle.
    pages: {
      login: oidcLogin({ issuer: env.PAGES_OIDC_ISSUER, clientId: env.PAGES_OIDC_CLIENT_ID, publicBaseUrl: env.PUBLIC_BASE_URL }),
      assetsDir: join(dirname(fileURLToPath(import.meta.url)), PAGE_ASSETS_FOLDER),
      // The monitoring pack's download: as the API's, stored and linked to when large, made by the export function when slow.
      exports: exportsFromSettings(env),
    },
  },
);

/** The pages' handler (HTTP API payload v2): routes without a JWT authorizer; the pages verify their own session cookie. */
export const handler = handle(app);
