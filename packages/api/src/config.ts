import { lazySchema } from '@bt/core';
import { intSetting, readRuleSettings, readSettings, StoreSettings, type RuleSettings } from '@bt/core';
import type * as z from 'zod';
import * as zm from 'zod/mini';

/**
 * Where a feed or monitoring pack too large to answer inline is stored, and
 * the export function that makes one too slow for a request: the API's and
 * the pages' settings alike. (They are named for the feeds, which came first.)
 */
const ExportSettings = lazySchema(() =>
  zm.object({
    /** Only for tests that invoke the bundle with a local stand-in for the Lambda service. */
    LAMBDA_ENDPOINT: zm.optional(zm.url()),
    /** The bucket a feed or pack too large to answer inline is stored in (and linked to); without it every one is answered inline. */
    EXPORTS_BUCKET: zm.optional(zm.string().check(zm.minLength(3))),
    /** A feed or pack larger than this is stored in EXPORTS_BUCKET and answered 303 with a link (a Lambda response is capped at 6 MB). */
    FEED_INLINE_LIMIT_BYTES: intSetting({ min: 1024, max: 5_500_000, fallback: 5_000_000 }),
    /** Only for tests that invoke the bundle with a local stand-in for S3. */
    S3_ENDPOINT: zm.optional(zm.url()),
    /** The export function, which makes a feed or pack too slow to make within a request; without it a request makes and stores it whatever it takes. */
    FEED_EXPORT_FUNCTION_NAME: zm.optional(zm.string().check(zm.minLength(1))),
    /** How long a request may spend making a feed or pack before it hands it to the export function and answers 202 (API Gateway gives a request 30 s). */
    FEED_HAND_OFF_AFTER_MS: intSetting({ min: 0, max: 28_000, fallback: 20_000 }),
  }),
);
export type ExportSettings = z.infer<typeof ExportSettings>;

/**
 * Settings of the API Lambda, read once at cold start. A missing required
 * setting stops the function with a clear message rather than running half-configured.
 */
const LambdaEnv = lazySchema(() =>
  zm.extend(
    zm.extend(StoreSettings, {
      BODY_LIMIT_BYTES: intSetting({ min: 1024, fallback: 1_048_576 }),
      DOCS_ASSETS_BASE_URL: zm.optional(zm.url()),
      /** The digest function, which renders and sends digests on demand for the API. */
      DIGEST_FUNCTION_NAME: zm.string().check(zm.minLength(1)),
    }),
    ExportSettings.shape,
  ),
);
export type LambdaEnv = z.infer<typeof LambdaEnv> & RuleSettings;

export function loadLambdaEnv(env: NodeJS.ProcessEnv): LambdaEnv {
  return { ...readSettings(LambdaEnv, env), ...readRuleSettings(env) };
}

/** Settings of the pages' Lambda: the store, the body limit, the hosted login (required: the pages cannot sign anyone in without it), and the exports (the monitoring pack's download). */
const PagesEnv = lazySchema(() =>
  zm.extend(
    zm.extend(StoreSettings, {
      BODY_LIMIT_BYTES: intSetting({ min: 1024, fallback: 1_048_576 }),
      /** The pages' hosted login: the OpenID Connect issuer and the client registered for the pages. */
      PAGES_OIDC_ISSUER: zm.url(),
      PAGES_OIDC_CLIENT_ID: zm.string().check(zm.minLength(1)),
      /** This site's public address (a custom domain), for the sign-in redirect; default: the address the request came to. */
      PUBLIC_BASE_URL: zm.optional(zm.url()),
    }),
    ExportSettings.shape,
  ),
);
export type PagesEnv = z.infer<typeof PagesEnv> & RuleSettings;

export function loadPagesEnv(env: NodeJS.ProcessEnv): PagesEnv {
  return { ...readSettings(PagesEnv, env), ...readRuleSettings(env) };
}
