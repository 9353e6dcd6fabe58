import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * The paths the pages answer (Hono syntax). In AWS they are public routes of
 * the HTTP API, with no JWT authorizer: a browser sends a session cookie, not
 * a bearer token, and the pages verify that session themselves. Kept apart so
 * the CDK app can read it without loading the API.
 */
export const PAGE_PATHS = ['/', '/sign-in', '/sign-out', '/signed-out', '/auth/callback', '/alerts', '/workstreams/:id', '/projects/:id', '/assets/*'] as const;

/**
 * GOV.UK Frontend's compiled files (`dist/govuk`: the stylesheet and its
 * `assets/` fonts and images), resolved from the installed package. The local
 * run serves them from here; the Lambda bundle gets a copy beside it.
 */
export function govukFrontendDir(): string {
  return join(dirname(createRequire(import.meta.url).resolve('govuk-frontend/package.json')), 'dist', 'govuk');
}
