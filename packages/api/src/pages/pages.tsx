import { AsAt, FinancialYear, fyOfDate, PayloadTooLargeError, todayInLondon, type Principal } from '@bt/core';
import type * as svc from '@bt/services';
import { Hono, type Context } from 'hono';
import { serveStatic } from '@hono/node-server/serve-static';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AppEnv } from '../env.ts';
import { logger } from '@bt/services';
import { monitoringPackAnswer } from '../exports.ts';
import type { FeedExports } from '../stream.ts';
import { knownError } from '../problem.ts';
import { Layout } from './layout.tsx';
import type { PageLogin } from './login.tsx';
import { PAGE_CSP, PAGE_FORM_PATHS, PAGE_PATHS } from './paths.ts';
import { csrf } from 'hono/csrf';
import type { PageContext } from './context.ts';
import { changesPage, decideChange } from './changes-page.tsx';
import { movementPage } from './movement-page.tsx';
import { alertsPage } from './alerts-page.tsx';
import { overviewPage } from './overview.tsx';
import { projectPage } from './project.tsx';
import { returnPage, submitReturn } from './return-page.tsx';
import { noteOnEntry, validateTicked, validationPage } from './validation-page.tsx';
import { workstreamPage } from './workstream.tsx';

export { PAGE_CSP };

export interface PagesConfig {
  /** How people sign in: a pasted token locally, the issuer's hosted login in AWS. */
  login: PageLogin;
  /** GOV.UK Frontend's `dist/govuk` folder (stylesheet, fonts, images), served at /assets. */
  assetsDir: string;
  /** In AWS: where a monitoring pack too large to answer inline is stored, and the export function that makes one too slow for a request. */
  exports?: FeedExports | undefined;
}

/**
 * While the export function makes the pack (202): a page that says so, with
 * a button to ask again (the same address: once the pack is stored the
 * answer is the link to it, and the browser downloads it). It does not
 * reload itself: a page that refreshes on a timer fails WCAG 2.2.1 (F41).
 */
function packPreparing(c: Context<AppEnv>, user: string): Response | Promise<Response> {
  const again = c.req.path + (c.req.url.includes('?') ? `?${c.req.url.split('?')[1]}` : '');
  return c.html(
    <Layout title="Preparing the monitoring pack" user={user}>
      <h1 class="govuk-heading-l">The monitoring pack is being prepared</h1>
      <p class="govuk-body" data-testid="pack-preparing">
        The programme is large, so the workbook is being made for you. It usually takes a minute or two. Select the button to download it when it is ready; if
        it is not ready yet, you will come back to this page.
      </p>
      <a href={again} class="govuk-button" data-testid="pack-again">
        Download the monitoring pack
      </a>
      <p class="govuk-body">
        <a class="govuk-link" href="/">
          Back to the programme overview
        </a>
      </p>
    </Layout>,
    202,
  );
}

/**
 * What a browser is shown at an address no page has (a mistyped or outdated
 * link): GOV.UK's "Page not found" pattern, with the way back, not the API's
 * problem+json. It says nothing of the programme, so it needs no sign-in.
 */
export function pageNotFound(c: Context<AppEnv>) {
  c.header('Content-Security-Policy', PAGE_CSP);
  return c.html(
    <Layout title="Page not found">
      <h1 class="govuk-heading-l">Page not found</h1>
      <p class="govuk-body">If you typed the web address, check it is correct.</p>
      <p class="govuk-body">If you pasted the web address, check you copied the entire address.</p>
      <p class="govuk-body">
        <a class="govuk-link" href="/">
          Go to the programme overview
        </a>
        .
      </p>
    </Layout>,
    404,
  );
}

/**
 * Read-only pages over the same use cases as the API: programme overview,
 * workstream, project and alerts. Signed in with the same tokens, kept in an
 * HttpOnly cookie: locally a sign-in page takes a token; in AWS the issuer's
 * hosted login (see login.tsx).
 */
export function pageRoutes(deps: svc.Deps, config: PagesConfig) {
  const pages = new Hono<AppEnv>();

  // On the pages' own paths only: mounted at '/', a path-less middleware would run for the whole app (and override /docs' policy).
  for (const path of new Set<string>([...PAGE_PATHS, ...PAGE_FORM_PATHS])) {
    pages.use(path, async (c, next) => {
      await next();
      c.res.headers.set('Content-Security-Policy', PAGE_CSP);
    });
    // A form posted from another site (login CSRF, or any page form) is refused: the browser's Origin / Sec-Fetch-Site must say this site.
    pages.use(path, csrf());
  }
  // GOV.UK Frontend's stylesheet, fonts and images, from the package (no CDN); they change only with a release.
  pages.use('/assets/*', async (c, next) => {
    await next();
    if (c.res.status === 200) c.res.headers.set('Cache-Control', 'public, max-age=86400');
  });
  pages.use(
    '/assets/*',
    serveStatic({ root: config.assetsDir, rewriteRequestPath: (p) => (p === '/assets/govuk-frontend.min.css' ? '/govuk-frontend.min.css' : p) }),
  );
  config.login.routes(pages);

  // A page's errors are pages too: the same problems as the API, for a person to read.
  pages.onError((error, c) => {
    const known = knownError(error, c);
    if (!known) logger.error('unhandled error', { requestId: c.get('requestId'), path: c.req.path, error });
    const status = (known?.status ?? 500) as ContentfulStatusCode;
    if (known instanceof PayloadTooLargeError) c.header('Connection', 'close');
    return c.html(
      <Layout title={known?.title ?? 'Something went wrong'}>
        <h1 class="govuk-heading-l">{known?.title ?? 'Sorry, something went wrong'}</h1>
        <p class="govuk-body">{known?.message ?? 'It has been logged. Try again later.'}</p>
        <p class="govuk-body-s">
          Request id: <code>{c.get('requestId')}</code> (quote it if you report this).
        </p>
        <p class="govuk-body">
          <a class="govuk-link" href="/">
            Go to the programme overview
          </a>{' '}
          or{' '}
          <a class="govuk-link" href="/sign-out">
            sign in as someone else
          </a>
          .
        </p>
      </Layout>,
      status,
    );
  });

  const page = (handler: (c: Context<AppEnv>, caller: svc.Caller, who: Principal) => Promise<Response>) => async (c: Context<AppEnv>) => {
    const principal = await config.login.principal(c);
    if (!principal) return c.redirect(`/sign-in?next=${encodeURIComponent(c.req.path)}`, 303);
    return handler(c, { principal, requestId: c.get('requestId') }, principal);
  };
  const today = () => todayInLondon(deps.clock());
  const fyFrom = (c: Context<AppEnv>) => {
    const fy = c.req.query('financialYear');
    return fy && FinancialYear.safeParse(fy).success ? fy : fyOfDate(today());
  };
  const asAtFrom = (c: Context<AppEnv>) => {
    const asAt = c.req.query('asAt');
    return asAt && AsAt.safeParse(asAt).success ? asAt : undefined;
  };
  const context: PageContext = { deps, today, fyFrom, asAtFrom };

  pages.get(
    '/',
    page((c, caller, who) => overviewPage(context, c, caller, who)),
  );

  pages.get(
    '/workstreams/:id',
    page((c, caller, who) => workstreamPage(context, c, caller, who)),
  );

  pages.get(
    '/projects/:id',
    page((c, caller, who) => projectPage(context, c, caller, who)),
  );

  pages.get(
    '/projects/:id/return',
    page((c, caller, who) => returnPage(context, c, caller, who)),
  );
  pages.post(
    '/projects/:id/return',
    page((c, caller, who) => submitReturn(context, c, caller, who)),
  );

  pages.get(
    '/validation',
    page((c, caller, who) => validationPage(context, c, caller, who)),
  );
  pages.post(
    '/validation',
    page((c, caller, who) => validateTicked(context, c, caller, who)),
  );
  pages.post(
    '/validation/:kind/:id/query',
    page((c, caller, who) => noteOnEntry(context, c, caller, who, 'query')),
  );
  pages.post(
    '/validation/:kind/:id/answer',
    page((c, caller, who) => noteOnEntry(context, c, caller, who, 'answer')),
  );

  pages.get(
    '/alerts',
    page((c, caller, who) => alertsPage(context, c, caller, who)),
  );

  pages.get(
    '/movement',
    page((c, caller, who) => movementPage(context, c, caller, who)),
  );

  // The monitoring pack, as the overview's button downloads it (the same workbook as GET /v1/reports/monitoring-pack).
  // In AWS, a large programme's pack is stored and linked to, or made by the export function while the page says so and asks again.
  pages.get(
    '/reports/monitoring-pack',
    page((c, caller, who) =>
      monitoringPackAnswer(c, deps, caller, { financialYear: fyFrom(c), asAt: asAtFrom(c) }, config.exports, (c) => packPreparing(c, who.name)),
    ),
  );

  pages.get(
    '/changes',
    page((c, caller, who) => changesPage(context, c, caller, who)),
  );
  pages.post(
    '/changes/:id',
    page((c, caller, who) => decideChange(context, c, caller, who)),
  );

  return pages;
}
