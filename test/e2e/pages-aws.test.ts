/// <reference lib="dom" />
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { formatPounds, todayInLondon } from '@bt/core';
import ExcelJS from 'exceljs';
import * as svc from '@bt/services';
import type { Store } from '@bt/store';
import type { Browser, Page } from 'playwright-core';
import { accessibilityViolations, launchChromium } from '../support/browser.ts';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { bundleAssets } from '../../functions/bundling.ts';
import { buildFunctionBundles } from '../support/side-modules.ts';
import { freePort } from '../../packages/local/src/dynamodb-local.ts';
import { PAGE_CSP } from '../../packages/api/src/pages/pages.tsx';
import { PAGE_FORM_PATHS, PAGE_PATHS } from '../../packages/api/src/pages/paths.ts';
import { loadEvent } from '../support/events.ts';
import { startHttpApiGateway } from '../support/http-api-gateway.ts';
import { PUBLIC_ROUTES } from '../../infra/lib/compute-stack.ts';
import { startOidcProvider } from '../support/oidc-provider.ts';
import { startLambdaService } from '../support/lambda-service.ts';
// @ts-expect-error s3rver ships no types: a fake S3 (path-style, files on disk) for the test alone.
import S3rver from 's3rver';
import { createHarness, type Harness } from '../support/harness.ts';

/**
 * The pages as they run in AWS: the pages' function bundled with the deploy
 * settings and the GOV.UK Frontend files copied beside it (as the CDK's
 * afterBundling hook does), with the API's function, behind a stand-in for
 * API Gateway's HTTP API routing as the stack does, and
 * a real OpenID Connect provider in place of Cognito's hosted login. A person
 * in headless Chromium signs in there, reads the programme, signs out.
 */
const root = join(import.meta.dirname, '..', '..');
const out = join(root, 'test-results');
const outdir = mkdtempSync(join(tmpdir(), 'bt-pages-aws-'));
// A copy of the demo programme the run's global setup seeded once: the forms write to it.
let demo: Harness;
const CLIENT_ID = 'tracker-pages';

type Result = { statusCode: number; headers: Record<string, string>; cookies?: string[]; body: string; isBase64Encoded: boolean };
let handler: (event: unknown, context: unknown) => Promise<Result>;
let store: Store;
let gateway: Awaited<ReturnType<typeof startHttpApiGateway>>;
let idp: Awaited<ReturnType<typeof startOidcProvider>>;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  const endpoint = inject('dynamoEndpoint');
  demo = await createHarness({ demoCopy: true });
  const tableName = demo.tableName;
  store = demo.store;

  await buildFunctionBundles(['pages', 'api'], outdir);
  for (const { from, to } of bundleAssets('pages')) cpSync(from, join(outdir, to), { recursive: true });

  const [idpPort, gatewayPort] = [await freePort(), await freePort()];
  const appUrl = `http://127.0.0.1:${gatewayPort}`;
  idp = await startOidcProvider({
    port: idpPort,
    clientId: CLIENT_ID,
    appUrl,
    accounts: {
      chief: { name: 'Chief Executive', email: 'chief@council.example.gov.uk', groups: ['cmt'] },
      pat: { name: 'Pat Manager', email: 'pat@council.example.gov.uk', groups: ['programme-manager'] },
      'demo-pm': { name: 'Demo programme manager', email: 'pm@council.example.gov.uk', groups: ['programme-manager'] },
    },
  });
  Object.assign(process.env, {
    TABLE_NAME: tableName,
    AWS_REGION: 'eu-west-2',
    DYNAMODB_ENDPOINT: endpoint,
    DIGEST_FUNCTION_NAME: 'bt-digest',
    PAGES_OIDC_ISSUER: idp.issuer,
    PAGES_OIDC_CLIENT_ID: CLIENT_ID,
    PUBLIC_BASE_URL: appUrl,
  });
  ({ handler } = await import(pathToFileURL(join(outdir, 'pages.mjs')).href));
  const { handler: apiHandler } = await import(pathToFileURL(join(outdir, 'api.mjs')).href);
  // As the stack routes: the pages' paths (GET) and forms (POST) to the pages' function; /v1 and the public routes to the API's; any other address ($default) to the pages'.
  const pattern = (p: string) => new RegExp(`^${p.replace(/:\w+/g, '[^/]+').replace(/\/\*$/, '/.+')}$`);
  const pageRoutes = [...PAGE_PATHS.map((p) => ['GET', pattern(p)] as const), ...PAGE_FORM_PATHS.map((p) => ['POST', pattern(p)] as const)];
  const apiRoute = (method: string, path: string) => path.startsWith('/v1/') || (method === 'GET' && (PUBLIC_ROUTES as readonly string[]).includes(path));
  gateway = await startHttpApiGateway((event, ctx) => {
    const { method, path } = (event as { requestContext: { http: { method: string; path: string } } }).requestContext.http;
    const toPages = pageRoutes.some(([m, re]) => m === method && re.test(path)) || !apiRoute(method, path);
    return (toPages ? handler : apiHandler)(event, ctx);
  }, gatewayPort);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  mkdirSync(out, { recursive: true });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await gateway?.close();
  await idp?.close();
  for (const key of ['PAGES_OIDC_ISSUER', 'PAGES_OIDC_CLIENT_ID', 'PUBLIC_BASE_URL']) delete process.env[key];
  await demo?.cleanup();
  rmSync(outdir, { recursive: true, force: true });
});

const context = { awsRequestId: 'local-invoke', functionName: 'api', getRemainingTimeInMillis: () => 29_000 };

/** The provider's own login and consent pages: any password. */
async function signInAtProvider(login: string) {
  await page.waitForURL((u) => u.origin === idp.issuer);
  await page.fill('input[name=login]', login);
  await page.fill('input[name=password]', 'any password');
  await page.click('button[type=submit]');
  await page.waitForLoadState();
  if (new URL(page.url()).origin === idp.issuer) await page.click('button[type=submit]'); // consent
  await page.waitForURL((u) => u.origin === gateway.url);
}

describe('the API function bundle serving the pages, invoked with sample events', () => {
  it("serves GOV.UK Frontend's stylesheet from the files copied beside the bundle, cached", async () => {
    const css = await handler(loadEvent('http-api', 'get-page-stylesheet'), context);
    expect(css.statusCode).toBe(200);
    expect(css.headers['content-type']).toMatch(/^text\/css/);
    expect(css.headers['cache-control']).toBe('public, max-age=86400');
    expect(css.body).toContain('.govuk-template');
  });

  it('sends a visitor with no session, or a forged one, to sign in; sign-in goes to the issuer with PKCE', async () => {
    for (const name of ['get-page-without-session', 'get-page-forged-session']) {
      const res = await handler(loadEvent('http-api', name), context);
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toMatch(/^\/sign-in\?next=%2F/);
    }
    const signIn = await handler(loadEvent('http-api', 'get-page-sign-in'), context);
    expect(signIn.statusCode).toBe(302);
    const to = new URL(signIn.headers.location!);
    expect(to.origin).toBe(idp.issuer);
    expect(Object.fromEntries(to.searchParams)).toMatchObject({
      client_id: CLIENT_ID,
      response_type: 'code',
      code_challenge_method: 'S256',
      redirect_uri: `${gateway.url}/auth/callback`,
      scope: 'openid email profile',
    });
    expect(to.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    // The sign-in's state rides in an HttpOnly cookie scoped to the callback.
    expect(signIn.cookies?.[0]).toMatch(/^bt_oidc=.*; Max-Age=600; Path=\/auth\/callback; HttpOnly; Secure; SameSite=Lax$/);
    const pending = (cookie: string) => JSON.parse(decodeURIComponent(cookie.split(';')[0]!.slice('bt_oidc='.length))) as { next: string; state: string };
    expect(pending(signIn.cookies![0]!)).toMatchObject({ next: '/alerts', state: to.searchParams.get('state') });
    // Where to go after signing in is a path on this site, never another site.
    for (const next of ['//evil.example/x', 'https://evil.example/', '/\\evil.example']) {
      const event = { ...loadEvent('http-api', 'get-page-sign-in'), rawQueryString: `next=${encodeURIComponent(next)}` };
      expect(pending((await handler(event, context)).cookies![0]!).next).toBe('/');
    }
  });
});

describe('the pages behind the hosted login, in Chromium', () => {
  it('signs a person in through the issuer and shows the programme with the same figures as the API', async () => {
    await page.goto(`${gateway.url}/`);
    await signInAtProvider('chief');
    expect(new URL(page.url()).pathname).toBe('/');
    const cookies = await page.context().cookies(gateway.url);
    expect(cookies.find((c) => c.name === 'bt_session')).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
    expect(await page.textContent('header')).toContain('Sign out (Chief Executive)');

    const caller = { principal: { sub: 'test', name: 'Test', roles: ['cmt' as const] }, requestId: 'test' };
    const report = await svc.programmeReport({ store, clock: () => new Date() }, caller, { asAt: todayInLondon() });
    for (const [label, key] of [
      ['MTFS target', 'mtfsTargetPence'],
      ['Forecast', 'forecastPence'],
      ['Realised to date', 'realisedPence'],
    ] as const) {
      const pence = report.programme[key];
      expect(pence).not.toBeNull();
      expect(await page.textContent(`[data-figure="${label}"]`)).toBe(formatPounds(pence!));
    }
    // The GOV.UK Frontend stylesheet and its font came through the function.
    expect(await page.evaluate(() => getComputedStyle(document.querySelector('h1')!).fontFamily)).toContain('GDS Transport');
    await page.evaluate(() => document.fonts.ready);
    expect(await page.evaluate(() => [...document.fonts].some((f) => f.family.includes('GDS Transport') && f.status === 'loaded'))).toBe(true);
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: join(out, 'page-aws-overview.png'), fullPage: true });
  });

  it('takes the roles from the token: CMT may not read the audit trail, a programme manager may', async () => {
    const report = await svc.programmeReport(
      { store, clock: () => new Date() },
      { principal: { sub: 't', name: 't', roles: ['cmt'] }, requestId: 't' },
      { asAt: todayInLondon() },
    );
    const ws = report.workstreams.find((w) => w.code === 'ICT')!;
    await page.goto(`${gateway.url}/workstreams/${ws.id}`);
    await page.click('a:has-text("ICT-01")');
    expect(await page.textContent('main')).toContain('Your role does not include the audit trail');
    const projectPath = new URL(page.url()).pathname;

    await page.goto(`${gateway.url}/sign-out`);
    await page.waitForURL((u) => u.origin === idp.issuer);
    await page.click('button[type=submit]'); // the provider asks to confirm signing out
    await page.waitForURL(`${gateway.url}/signed-out`);
    expect(await page.textContent('h1')).toBe('You have signed out');
    expect(await accessibilityViolations(page)).toEqual([]);
    expect((await page.context().cookies(gateway.url)).map((c) => c.name)).not.toContain('bt_session');

    await page.goto(`${gateway.url}${projectPath}`);
    await signInAtProvider('pat');
    expect(new URL(page.url()).pathname).toBe(projectPath);
    expect(await page.locator('caption', { hasText: 'The latest changes' }).count()).toBe(1);
  });

  it('refuses a callback it did not start, or one the issuer refused, with a page that says so', async () => {
    const stray = await page.goto(`${gateway.url}/auth/callback?code=abc&state=xyz`);
    expect(stray?.status()).toBe(400);
    expect(stray?.headers()['content-security-policy']).toBe(PAGE_CSP);
    expect(await page.textContent('.govuk-error-summary')).toContain('This sign-in was not started here');
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: join(out, 'page-aws-sign-in-failed.png') });

    const denied = await page.goto(`${gateway.url}/auth/callback?error=access_denied&error_description=The+user+cancelled`);
    expect(denied?.status()).toBe(401);
    expect(await page.textContent('.govuk-error-summary')).toContain('The user cancelled');
  });

  it('serves the fonts as binary, byte for byte, and nothing outside the assets folder', async () => {
    const fontsDir = join(outdir, 'govuk', 'assets', 'fonts');
    const font = readdirSync(fontsDir).find((f) => f.endsWith('.woff2'))!;
    const res = await fetch(`${gateway.url}/assets/fonts/${font}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('font/woff2');
    expect(Buffer.from(await res.arrayBuffer()).equals(readFileSync(join(fontsDir, font)))).toBe(true);
    for (const path of ['/assets/../api.mjs', '/assets/%2e%2e/api.mjs', '/assets/..%2fapi.mjs'])
      expect((await fetch(`${gateway.url}${path}`)).status).toBe(404);
  });

  it("gives the pages' no-script policy to the pages only: the API docs keep theirs", async () => {
    expect((await fetch(`${gateway.url}/signed-out`)).headers.get('content-security-policy')).toBe(PAGE_CSP);
    expect((await fetch(`${gateway.url}/docs`)).headers.get('content-security-policy')).toContain("script-src 'self' 'unsafe-inline'");
    for (const path of ['/health', '/no-such-page']) expect((await fetch(`${gateway.url}${path}`)).headers.get('content-security-policy')).toBeNull();
  });

  it('shows a browser at an address no page has the pages\' "Page not found" (the gateway\'s $default), and an API client problem+json', async () => {
    const lost = await page.goto(`${gateway.url}/approvals`);
    expect(lost?.status()).toBe(404);
    expect(lost?.headers()['content-security-policy']).toBe(PAGE_CSP);
    expect(await page.textContent('h1')).toBe('Page not found');
    expect(await page.getAttribute('a.govuk-link[href="/"]', 'href')).toBe('/');
    expect(await accessibilityViolations(page)).toEqual([]);
    const client = await fetch(`${gateway.url}/approvals`, { headers: { accept: 'application/json' } });
    expect([client.status, client.headers.get('content-type')]).toEqual([404, 'application/problem+json']);
    // Under /v1 the API answers, and only with its authorizer's identity (none here): never a page.
    expect((await fetch(`${gateway.url}/v1/no-such-route`, { headers: { accept: 'text/html' } })).headers.get('content-type')).toBe('application/problem+json');
  });

  it('lets a project’s manager submit the monthly return through the bundled function (CSRF token, error summary, 303), and refuses it without the token', async () => {
    const report = await svc.programmeReport(
      { store, clock: () => new Date() },
      { principal: { sub: 't', name: 't', roles: ['cmt'] }, requestId: 't' },
      { asAt: todayInLondon() },
    );
    const ws = report.workstreams.find((w) => w.code === 'ICT')!;
    const project = (await store.projects.list({ workstreamId: ws.id }, { limit: 10 })).items.find((p) => p.code === 'ICT-01')!;
    await page.goto(`${gateway.url}/sign-out`);
    await page.waitForURL((u) => u.origin === idp.issuer);
    await page.click('button[type=submit]');
    await page.goto(`${gateway.url}/projects/${project.id}`);
    await signInAtProvider('demo-pm');
    await page.click('[data-testid=return-link]');
    expect(new URL(page.url()).pathname).toBe(`/projects/${project.id}/return`);
    // Wrong first: red needs a commentary; the error summary, and what was chosen kept.
    await page.check('#deliveryConfidence-red');
    await page.fill('#commentary', '');
    await page.click('button:has-text("Submit the return")');
    expect(await page.textContent('.govuk-error-summary')).toContain('Enter a commentary: at red');
    expect(await page.isChecked('#deliveryConfidence-red')).toBe(true);
    expect(await accessibilityViolations(page)).toEqual([]);
    // A form without its token, through the gateway: 403, nothing changed.
    const before = await store.projects.getOrThrow(project.id);
    const noToken = await page.request.post(`${gateway.url}/projects/${project.id}/return`, {
      form: { financialYear: report.financialYear, deliveryConfidence: 'green' },
      headers: { Origin: gateway.url },
    });
    expect(noToken.status()).toBe(403);
    expect((await store.projects.getOrThrow(project.id)).version).toBe(before.version);

    await page.fill('#commentary', 'Supplier migration failed testing; dual running continues until the new date.');
    await page.click('button:has-text("Submit the return")');
    expect(new URL(page.url()).pathname).toBe(`/projects/${project.id}`);
    expect(await page.textContent('[data-testid=returned]')).toContain('Monthly return submitted');
    expect(await store.projects.getOrThrow(project.id)).toMatchObject({
      deliveryConfidence: 'red',
      commentary: 'Supplier migration failed testing; dual running continues until the new date.',
      lastReturnBy: 'demo-pm',
    });
    await page.screenshot({ path: join(out, 'page-aws-return.png'), fullPage: true });

    // The overview's monitoring pack, a binary body through the function and API Gateway (base64 both ways), arrives whole.
    const pack = await page.request.get(`${gateway.url}/reports/monitoring-pack`);
    expect(pack.status()).toBe(200);
    expect(pack.headers()['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await pack.body()) as unknown as ArrayBuffer);
    expect(Math.round((wb.getWorksheet('Summary')!.getCell('B5').value as number) * 100)).toBe(report.programme.mtfsTargetPence);
  });
});

describe("a large programme's monitoring pack through the pages, in Chromium", () => {
  // As in AWS with a programme too large for a request: the pages' bundle with the exports bucket (s3rver) and the export
  // function's bundle behind a stand-in for the Lambda service; no time at all within a request, so the pack is always handed off.
  const BUCKET = 'bt-exports';
  const s3dir = mkdtempSync(join(tmpdir(), 'bt-pages-s3-'));
  let s3: { close: () => Promise<void> };
  let lambdaService: Awaited<ReturnType<typeof startLambdaService>>;
  let inlineHandler: typeof handler;
  let openGate: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => {
    openGate = resolve;
  });
  const settings = [
    'EXPORTS_BUCKET',
    'S3_ENDPOINT',
    'FEED_EXPORT_FUNCTION_NAME',
    'FEED_HAND_OFF_AFTER_MS',
    'LAMBDA_ENDPOINT',
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
  ];

  beforeAll(async () => {
    const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: s3dir, configureBuckets: [{ name: BUCKET }] });
    const { port } = await server.run();
    s3 = server;
    await buildFunctionBundles(['exports'], outdir);
    Object.assign(process.env, {
      EXPORTS_BUCKET: BUCKET,
      S3_ENDPOINT: `http://127.0.0.1:${port}`,
      FEED_EXPORT_FUNCTION_NAME: 'bt-exports',
      FEED_HAND_OFF_AFTER_MS: '0',
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
    });
    const { handler: exportsHandler } = await import(pathToFileURL(join(outdir, 'exports.mjs')).href);
    lambdaService = await startLambdaService({
      'bt-exports': async (event) => {
        await gate;
        return exportsHandler(event);
      },
    });
    process.env.LAMBDA_ENDPOINT = lambdaService.endpoint;
    inlineHandler = handler;
    ({ handler } = await import(`${pathToFileURL(join(outdir, 'pages.mjs')).href}?exports`));
  });

  afterAll(async () => {
    openGate();
    handler = inlineHandler ?? handler;
    await lambdaService?.close();
    await s3?.close();
    for (const key of settings) delete process.env[key];
    rmSync(s3dir, { recursive: true, force: true });
  });

  it('says it is being prepared (202, a page that passes axe), then downloads the workbook from the exports bucket when asked again', async () => {
    await page.goto(`${gateway.url}/`);
    if (new URL(page.url()).origin === idp.issuer) await signInAtProvider('chief');
    await page.click('[data-testid=monitoring-pack]');
    await page.waitForURL((u) => u.pathname === '/reports/monitoring-pack');
    expect(await page.textContent('h1')).toBe('The monitoring pack is being prepared');
    expect(await page.textContent('header')).toContain('Sign out (');
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: join(out, 'page-aws-pack-preparing.png'), fullPage: true });
    const jobs = lambdaService.invocations.filter((i) => i.name === 'bt-exports');
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ type: 'Event', payload: { kind: 'monitoring-pack' } });

    // Asked again before it is ready: the same page, no second job.
    await page.click('[data-testid=pack-again]');
    expect(await page.textContent('h1')).toBe('The monitoring pack is being prepared');
    expect(lambdaService.invocations.filter((i) => i.name === 'bt-exports')).toHaveLength(1);

    openGate();
    expect(await lambdaService.settled()).toMatchObject([{ status: 'fulfilled', value: { kind: 'monitoring-pack', outcome: 'stored' } }]);
    // Ready: the button's request is sent on to the stored file (303, a presigned link), which the browser saves; the page stays.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=pack-again]')]);
    expect(download.suggestedFilename()).toMatch(/^monitoring-pack-\d{4}-\d{2}-\d{4}-\d{2}-\d{2}\.xlsx$/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile((await download.path())!);
    const caller = { principal: { sub: 'test', name: 'Test', roles: ['cmt' as const] }, requestId: 'test' };
    const report = await svc.programmeReport({ store, clock: () => new Date() }, caller, { asAt: todayInLondon() });
    expect(Math.round((wb.getWorksheet('Summary')!.getCell('B5').value as number) * 100)).toBe(report.programme.mtfsTargetPence);
    expect(await page.textContent('h1')).toBe('The monitoring pack is being prepared');
  });
});
