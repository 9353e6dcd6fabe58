import type { Deps } from '@bt/services';
import { type ApiAppConfig, createApiApp } from './api-app.ts';
import { pageNotFound, pageRoutes, type PagesConfig } from './pages/pages.tsx';

export interface AppConfig extends ApiAppConfig {
  /** The read-only pages and how people sign in to them; without it the app is the API alone. */
  pages?: PagesConfig | undefined;
}

/**
 * The whole product in one app, the API and the pages: served by the local
 * server and used by the tests. In AWS each half is a function of its own
 * (`createApiApp`, `createPagesApp`), behind the same HTTP API.
 */
export function createApp(deps: Deps, config: AppConfig) {
  const pages = config.pages;
  return createApiApp(deps, config, pages ? { routes: (app) => app.route('/', pageRoutes(deps, pages)), notFoundPage: pageNotFound } : undefined);
}

export type App = ReturnType<typeof createApp>;
