import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * The paths the pages answer (Hono syntax). In AWS they are public routes of
 * the HTTP API, with no JWT authorizer: a browser sends a session cookie, not
 * a bearer token, and the pages verify that session themselves. Kept apart so
 * the CDK app can read it without loading the API.
 */
export const PAGE_PATHS = [
  '/',
  '/sign-in',
  '/sign-out',
  '/signed-out',
  '/auth/callback',
  '/alerts',
  '/movement',
  '/changes',
  '/workstreams/:id',
  '/projects/:id',
  '/projects/:id/return',
  '/validation',
  '/reports/monitoring-pack',
  '/assets/*',
] as const;

/** The pages' forms (POST, the same session and a CSRF token): public routes of the HTTP API too, for POST. */
export const PAGE_FORM_PATHS = ['/changes/:id', '/projects/:id/return', '/validation', '/validation/:kind/:id/query', '/validation/:kind/:id/answer'] as const;

/**
 * What a page may load: its own stylesheet, fonts and images, its one inline
 * style block; no script at all (the pages need none), no framing, forms only
 * back to the site. The digest preview (HTML email) is served under it too.
 */
export const PAGE_CSP =
  "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/**
 * GOV.UK Frontend's compiled files (`dist/govuk`: the stylesheet and its
 * `assets/` fonts and images), resolved from the installed package. The local
 * run serves them from here; the Lambda bundle gets a copy beside it.
 */
export function govukFrontendDir(): string {
  return join(dirname(createRequire(import.meta.url).resolve('govuk-frontend/package.json')), 'dist', 'govuk');
}
