import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { swaggerUI } from '@hono/swagger-ui';
import { NotFoundError, onFirstUse, PayloadTooLargeError, usePlainMessages } from '@bt/core';
import type { Deps, DigestDesk } from '@bt/services';
import { bodyLimit } from 'hono/body-limit';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import type * as z from 'zod';
import { authenticate, type AuthConfig } from './auth.ts';
import type { AppEnv } from './env.ts';
import { notModified } from './exports.ts';
import { requireJsonBody } from './http.ts';
import type { FeedExports } from './stream.ts';
import { logger } from '@bt/services';
import { onError, problemResponse, validationError } from './problem.ts';
import { alertRoutes } from './routes/alerts.ts';
import { auditRoutes } from './routes/audit.ts';
import { periodRoutes } from './routes/periods.ts';
import { changeRoutes } from './routes/changes.ts';
import { validationRoutes } from './routes/validation.ts';
import { programmeRoutes } from './routes/programme.ts';
import { digestRoutes } from './routes/digests.ts';
import { importRoutes } from './routes/imports.ts';
import { projectRecordRoutes } from './routes/project-record.ts';
import { projectRoutes } from './routes/projects.ts';
import { reportRoutes } from './routes/reports.ts';
import { workstreamRoutes } from './routes/workstreams.ts';

export interface ApiAppConfig {
  auth: AuthConfig;
  /** Largest accepted request body. */
  bodyLimitBytes: number;
  /** Where the docs page loads Swagger UI from: a local path when served locally, the public CDN otherwise. */
  docsAssetsBaseUrl?: string | undefined;
  /** The digest on demand: in this process locally, the digest function in AWS. */
  digests: DigestDesk;
  /** In AWS: where a feed too large to answer inline is stored, and past what size (SPEC 6; Lambda's responses are capped at 6 MB). */
  exports?: FeedExports | undefined;
  /** In AWS: the OpenAPI document the build wrote beside the bundle (`openApiJson`), served as it is; locally, made from the routes. */
  openApiFile?: string | undefined;
}

/** The OpenAPI document's own fields: its paths and components come from the routes. */
const OPENAPI_DOCUMENT: Parameters<OpenAPIHono<AppEnv>['getOpenAPI31Document']>[0] = {
  openapi: '3.1.0',
  servers: [{ url: '/', description: 'This deployment' }],
  info: {
    title: 'Transformation programme benefits tracker',
    version: '0.1.0',
    license: { name: 'Open Government Licence v3.0', url: 'https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/' },
    description:
      'Tracks a council transformation programme against its MTFS: workstreams, projects, benefits (planned vs realised savings), investment, risks and milestones. Money is integer pence; financial years are written 2025/26.',
  },
};

/** The OpenAPI document of an app made by `createApiApp`, as `/openapi.json` gives it: what the build writes to a file. */
export function openApiJson(app: OpenAPIHono<AppEnv>): string {
  return JSON.stringify(app.getOpenAPI31Document(OPENAPI_DOCUMENT));
}

/**
 * `/openapi.json` from the file the build wrote beside the bundle: the same
 * bytes every time, read once (making the document takes 80–300 ms of CPU at
 * each request), with an ETag of its content, so a browser revalidates the
 * docs page's copy for nothing. Without the file (a bundle made without the
 * build's step), made from the routes as locally, and said so once.
 */
function servedFile(path: string, make: () => string): MiddlewareHandler<AppEnv> {
  const served = onFirstUse(async () => {
    const body = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
      logger.warn('The OpenAPI document file is not beside the bundle: made from the routes instead', { path });
      return make();
    });
    return { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
  });
  return async (c) => {
    const { body, etag } = await served();
    c.header('ETag', etag);
    c.header('Cache-Control', 'public, max-age=300');
    if (notModified(c, etag)) return c.body(null, 304);
    c.header('Content-Type', 'application/json');
    return c.body(body);
  };
}

const TARGET_NAMES: Record<string, string> = { json: 'request body', query: 'query string', param: 'path', header: 'request headers' };

/** Another app's routes served beside the API's (the pages, locally), and its page for an address it does not have. */
export interface Mounted {
  routes: (app: OpenAPIHono<AppEnv>) => void;
  notFoundPage: NotFoundPage;
}

/**
 * The HTTP API: every /v1 route, validated by zod schemas that also generate
 * the OpenAPI 3.1 document, /health, /openapi.json and /docs. The API Lambda
 * serves it; `createApp` adds the pages for the local server. `mount` adds
 * routes of another app (the pages) before the documentation routes.
 */
export function createApiApp(deps: Deps, config: ApiAppConfig, mount?: Mounted) {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.error as z.ZodError, TARGET_NAMES[result.target] ?? result.target);
    },
  });
  commonMiddleware(app, deps, config.bodyLimitBytes);
  app.use('/v1/*', requireJsonBody);
  app.use('/v1/*', authenticate(config.auth));

  workstreamRoutes(deps, app);
  projectRoutes(deps, app);
  projectRecordRoutes(deps, app);
  reportRoutes(deps, app, config.exports);
  alertRoutes(deps, app);
  digestRoutes(deps, config.digests, app);
  importRoutes(deps, app);
  auditRoutes(deps, app);
  periodRoutes(deps, app);
  programmeRoutes(deps, app);
  changeRoutes(deps, app);
  validationRoutes(deps, app);

  mount?.routes(app);

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  if (config.openApiFile)
    app.get(
      '/openapi.json',
      servedFile(config.openApiFile, () => openApiJson(app)),
    );
  else app.doc31('/openapi.json', OPENAPI_DOCUMENT);
  app.use('/docs', async (c, next) => {
    await next();
    c.header(
      'Content-Security-Policy',
      "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data:",
    );
  });
  app.get('/docs', swaggerUI({ url: '/openapi.json', ...(config.docsAssetsBaseUrl ? { baseUrl: config.docsAssetsBaseUrl } : {}) }));

  finish(app, mount?.notFoundPage);
  return app;
}

/**
 * What every app of ours does for every request (the API's, the pages'):
 * a request id (API Gateway's in Lambda), a log line, security headers, the
 * body limit, and /health.
 */
export function commonMiddleware(app: Hono<AppEnv>, deps: Deps, bodyLimitBytes: number): void {
  // A problem names a failing field in plain English ("limit must be at most 200"), whoever made the app (a process also does it when it reads its settings).
  usePlainMessages();
  app.use(
    requestId({
      // In Lambda, API Gateway's request id ties our logs to its access logs.
      generator: (c) => lambdaRequestId(c.env as AppEnv['Bindings'] | undefined) ?? crypto.randomUUID(),
    }),
  );
  app.use(async (c, next) => {
    const started = performance.now();
    await next();
    logger.info('request', {
      requestId: c.get('requestId'),
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      durationMs: Math.round(performance.now() - started),
    });
  });
  app.use(secureHeaders({ crossOriginResourcePolicy: 'same-origin', referrerPolicy: 'no-referrer' }));
  // Every route, not only the API: a page's form or /sign-in is bounded too.
  app.use(
    '*',
    bodyLimit({
      maxSize: bodyLimitBytes,
      onError: () => {
        throw new PayloadTooLargeError(`The request body is larger than ${bodyLimitBytes} bytes.`);
      },
    }),
  );
  // Health says whether the product can do its work: the store must answer (one small read, bounded by the client's timeouts).
  app.get('/health', async (c) => {
    const store = await deps.store.ping();
    c.header('Cache-Control', 'no-store');
    return store ? c.json({ status: 'ok', store: 'ok' }, 200) : c.json({ status: 'unavailable', store: 'unreachable' }, 503);
  });
}

/** A page saying an address has no page, for a person in a browser. */
export type NotFoundPage = (c: Context<AppEnv>) => Response | Promise<Response>;

/**
 * Problems for routes that do not exist and for errors: problem+json; with a
 * `notFoundPage` (an app with pages), a browser asking for a page at an
 * address outside the API that no page has is shown that page instead.
 */
export function finish(app: Hono<AppEnv>, notFoundPage?: NotFoundPage): void {
  app.notFound((c) => (notFoundPage && asksForPage(c) ? notFoundPage(c) : problemResponse(c, new NotFoundError(`There is no ${c.req.method} ${c.req.path}.`))));
  app.onError(onError);
}

/** A browser's request for a page: outside /v1, and HTML among what it accepts (a client of the API asks for JSON). */
function asksForPage(c: Context<AppEnv>): boolean {
  return c.req.path !== '/v1' && !c.req.path.startsWith('/v1/') && (c.req.header('accept') ?? '').includes('text/html');
}

export type ApiApp = ReturnType<typeof createApiApp>;

function lambdaRequestId(bindings: AppEnv['Bindings'] | undefined): string | undefined {
  const context = bindings?.event?.requestContext;
  return context && 'requestId' in context && typeof context.requestId === 'string' ? context.requestId : undefined;
}
