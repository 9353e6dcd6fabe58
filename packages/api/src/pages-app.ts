import type { Deps } from '@bt/services';
import { Hono } from 'hono';
import { commonMiddleware, finish } from './api-app.ts';
import type { AppEnv } from './env.ts';
import { pageNotFound, pageRoutes, type PagesConfig } from './pages/pages.tsx';

/**
 * The pages on their own, for the pages' Lambda function: the cookie-signed-in
 * routes (pages, their forms, sign-in and the GOV.UK assets) behind the same
 * HTTP API as the API, without the API's routes, schemas and clients.
 */
export function createPagesApp(deps: Deps, config: { bodyLimitBytes: number; pages: PagesConfig }) {
  const app = new Hono<AppEnv>();
  commonMiddleware(app, deps, config.bodyLimitBytes);
  app.route('/', pageRoutes(deps, config.pages));
  finish(app, pageNotFound);
  return app;
}
