import { execFileSync, execSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createApiApp, openApiJson } from '@bt/api';
import { fyOfDate, todayInLondon } from '@bt/core';
import * as svc from '@bt/services';
import { createDynamo, Store } from '@bt/store';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { builtFileCommands, FUNCTION_ENTRIES, OPENAPI_FILE, sideModuleCommands, sideModules } from '../../functions/bundling.ts';
import { lambdaContext, loadEvent } from '../support/events.ts';
import { buildFunctionBundles } from '../support/side-modules.ts';
import { startLambdaService } from '../support/lambda-service.ts';

/**
 * Each function is bundled with the settings the stack deploys, then its
 * bundle is imported and invoked with the sample events in `events/`, against
 * DynamoDB Local.
 */
const root = join(import.meta.dirname, '..', '..');
const outdir = mkdtempSync(join(tmpdir(), 'bt-bundles-'));
const tableName = `bundle-${randomUUID()}`;
let store: Store;
let lambdaService: Awaited<ReturnType<typeof startLambdaService>>;

type Result = { statusCode: number; headers: Record<string, string>; body: string; isBase64Encoded: boolean };
let apiHandler: (event: unknown, context: unknown) => Promise<Result>;
let alertsHandler: (
  event: unknown,
) => Promise<{ asAt: string; raised: number; resolved: number; published: number; preview: boolean; upgradedSummaries: number }>;
const eventsFile = join(outdir, 'events.jsonl');
const mailDir = join(outdir, 'outbox');
let publisherHandler: () => Promise<{ published: number }>;
let digestHandler: (event: unknown) => Promise<{ id: string; slot: string; status: string; sentNow: boolean; published: number }>;

const context = lambdaContext;

beforeAll(async () => {
  const endpoint = inject('dynamoEndpoint');
  store = new Store({ region: 'eu-west-2', endpoint, tableName });
  await store.ensureTable();
  // The deploy target is Node 24; this machine runs Node 20, so the test bundles for 20 with every other setting the same.
  await buildFunctionBundles(Object.keys(FUNCTION_ENTRIES) as (keyof typeof FUNCTION_ENTRIES)[], outdir);
  // The files the stack's afterBundling hook writes beside the bundles (the API's OpenAPI document), by its own commands.
  execSync(builtFileCommands('api', root, outdir).join(' && '), { cwd: root, stdio: 'pipe', shell: '/bin/bash' });
  // The API bundle asks the digest bundle to send digests on demand, through the real Lambda client.
  lambdaService = await startLambdaService({ 'bt-digest': (event) => digestHandler(event) });
  Object.assign(process.env, {
    DIGEST_FUNCTION_NAME: 'bt-digest',
    LAMBDA_ENDPOINT: lambdaService.endpoint,
    TABLE_NAME: tableName,
    AWS_REGION: 'eu-west-2',
    DYNAMODB_ENDPOINT: endpoint,
    EVENTS_FILE: eventsFile,
    MAIL_OUTBOX_DIR: mailDir,
    DIGEST_RECIPIENTS: 'cmt@council.example.gov.uk',
    DIGEST_SENDER: 'benefits-tracker@council.example.gov.uk',
  });
  ({ handler: apiHandler } = await import(pathToFileURL(join(outdir, 'api.mjs')).href));
  ({ handler: alertsHandler } = await import(pathToFileURL(join(outdir, 'alerts.mjs')).href));
  ({ handler: digestHandler } = await import(pathToFileURL(join(outdir, 'digest.mjs')).href));
  ({ handler: publisherHandler } = await import(pathToFileURL(join(outdir, 'publisher.mjs')).href));
});

afterAll(async () => {
  await lambdaService.close();
  await store.dropTable();
  store.destroy();
  rmSync(outdir, { recursive: true, force: true });
});

async function invoke(name: string) {
  const result = await apiHandler(loadEvent('http-api', name), context);
  return { ...result, json: JSON.parse(result.body) };
}

describe('modules loaded on first use, beside the bundles', () => {
  it('exceljs, csv-parse, the S3 exports and the Lambda client are left out of the bundles and built beside them by the stack’s own commands, where their import finds them', async () => {
    // (includes(), not toContain: a failure should not print a megabyte of bundle.)
    for (const name of ['api', 'digest'])
      expect(readFileSync(join(outdir, `${name}.mjs`), 'utf8').includes('schemas.openxmlformats.org/spreadsheetml/2006/main'), name).toBe(false);
    // Nor are the S3 and Lambda clients in the API's bundle (each SDK client carries its own package name); the DynamoDB client is.
    const api = readFileSync(join(outdir, 'api.mjs'), 'utf8');
    expect(api.includes('name:"@aws-sdk/client-s3"')).toBe(false);
    expect(api.includes('name:"@aws-sdk/client-lambda"')).toBe(false);
    expect(api.includes('name:"@aws-sdk/client-dynamodb"')).toBe(true);
    // The export function writes every file to S3: its client is bundled in, not loaded beside the bundle with a second copy of the SDK's core.
    expect(readFileSync(join(outdir, 'exports.mjs'), 'utf8').includes('name:"@aws-sdk/client-s3"')).toBe(true);
    expect(sideModules('exports')).not.toContain('@bt/services/s3-exports');
    // The afterBundling commands the CDK runs (shell), into a directory of their own.
    const dir = mkdtempSync(join(tmpdir(), 'bt-side-'));
    try {
      execSync(sideModuleCommands('api', root, dir).join(' && '), { cwd: root, stdio: 'pipe', shell: '/bin/bash' });
      const { default: ExcelJS } = await import(pathToFileURL(join(dir, 'node_modules', 'exceljs', 'index.mjs')).href);
      const workbook = new ExcelJS.Workbook();
      workbook.addWorksheet('Summary').addRow(['Gap', 1234.5]);
      expect((await workbook.xlsx.writeBuffer()).byteLength).toBeGreaterThan(1000);
      expect(JSON.parse(readFileSync(join(dir, 'node_modules', 'exceljs', 'package.json'), 'utf8'))).toEqual({
        name: 'exceljs',
        type: 'module',
        exports: { '.': './index.mjs' },
      });
      // The S3 exports and the Lambda client beside the API, by their own specifiers.
      const { S3ExportStore } = await import(pathToFileURL(join(dir, 'node_modules', '@bt', 'services', 's3-exports.mjs')).href);
      expect(typeof S3ExportStore.create).toBe('function');
      const { LambdaClient, InvokeCommand } = await import(pathToFileURL(join(dir, 'node_modules', '@bt', 'services', 'lambda-client.mjs')).href);
      expect([typeof LambdaClient, typeof InvokeCommand]).toEqual(['function', 'function']);
      const { parse } = await import(pathToFileURL(join(dir, 'node_modules', 'csv-parse', 'sync.mjs')).href);
      expect(parse('a,b\n1,2\n')).toEqual([
        ['a', 'b'],
        ['1', '2'],
      ]);
      expect(JSON.parse(readFileSync(join(dir, 'node_modules', 'csv-parse', 'package.json'), 'utf8')).exports).toEqual({ './sync': './sync.mjs' });
      expect(JSON.parse(readFileSync(join(dir, 'node_modules', '@bt', 'services', 'package.json'), 'utf8')).exports).toEqual({
        './s3-exports': './s3-exports.mjs',
        './lambda-client': './lambda-client.mjs',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(sideModuleCommands('alerts', root, '/x')).toEqual([]);
  });
});

/** A bundle imported in a node process of its own (a cold start): the lazy schemas it declared and built (packages/core/src/lazy-schema.ts). */
function schemasAtImport(name: string, env: NodeJS.ProcessEnv = {}): { declared: number; built: number } {
  const script = `await import(${JSON.stringify(pathToFileURL(join(outdir, `${name}.mjs`)).href)});const c=globalThis[Symbol.for('benefits-tracker.lazy-schemas')];process.stdout.write(JSON.stringify({declared:c.declared,built:c.built}));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: {
      ...process.env,
      EXPORTS_BUCKET: 'bundle-exports',
      FEED_EXPORT_FUNCTION_NAME: 'bundle-exports',
      PAGES_OIDC_ISSUER: 'https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_bundle',
      PAGES_OIDC_CLIENT_ID: 'bundle-client',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      ...env,
    },
  });
  return JSON.parse(out);
}

describe('schemas built on first use', () => {
  it('each function declares the schemas it carries at its cold start and builds only those it reads there (its settings; the API, the header checks its routes register)', () => {
    const counts = Object.fromEntries(Object.keys(FUNCTION_ENTRIES).map((name) => [name, schemasAtImport(name)]));
    for (const [name, { declared, built }] of Object.entries(counts)) {
      expect(built, name).toBeLessThanOrEqual(name === 'api' ? 20 : 10);
      expect(declared, name).toBeGreaterThan(name === 'publisher' ? 3 : 100);
    }
    // Built eagerly (BT_EAGER_SCHEMAS=1), as zod alone would: every one of them at the cold start.
    const eager = schemasAtImport('api', { BT_EAGER_SCHEMAS: '1' });
    expect(eager).toEqual({ declared: counts.api!.declared, built: counts.api!.declared });
  });

  it("carries none of the store's documentation: the access-pattern table is built for `pnpm docs:store` only", () => {
    for (const name of Object.keys(FUNCTION_ENTRIES))
      expect(readFileSync(join(outdir, `${name}.mjs`), 'utf8').includes('imports in flight (to roll back when abandoned)'), name).toBe(false);
  });

  it('the OpenAPI document made from lazy schemas is the one made from eager ones', () => {
    const eagerFile = join(outdir, 'openapi-eager.json');
    execSync(`pnpm exec tsx functions/api/openapi-file.ts "${eagerFile}"`, {
      cwd: root,
      stdio: 'pipe',
      env: { ...process.env, BT_EAGER_SCHEMAS: '1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    const lazyFile = join(outdir, 'openapi-lazy.json');
    execSync(`pnpm exec tsx functions/api/openapi-file.ts "${lazyFile}"`, {
      cwd: root,
      stdio: 'pipe',
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    const lazy = readFileSync(lazyFile, 'utf8');
    // A document of every component, with the ids their schemas registered ($ref to them), not one inlined in another.
    expect(Object.keys(JSON.parse(lazy).components.schemas).length).toBeGreaterThan(60);
    expect(lazy).toContain('"$ref":"#/components/schemas/Benefit"');
    expect(lazy === readFileSync(eagerFile, 'utf8')).toBe(true);
  });
});

/**
 * Each bundle's size, minified, within about 8 % of what it was when last
 * measured (docs/benchmarks.md): a cold start compiles every byte, so a
 * bundle that grows by a library no one meant to add (zod's locales once
 * added 250 KiB to every bundle through one namespace) fails here, and one
 * that grows on purpose raises its budget in the same change.
 */
const BUDGET_KIB = { api: 890, pages: 870, digest: 710, alerts: 660, exports: 820, publisher: 520 } satisfies Record<keyof typeof FUNCTION_ENTRIES, number>;

describe('bundle sizes', () => {
  it('each bundle stays within its budget', () => {
    const sizes = Object.fromEntries(Object.keys(BUDGET_KIB).map((name) => [name, Math.round(statSync(join(outdir, `${name}.mjs`)).size / 1024)]));
    for (const [name, budget] of Object.entries(BUDGET_KIB)) expect(sizes[name], `${name}: ${sizes[name]} KiB`).toBeLessThanOrEqual(budget);
  });
});

describe('settings at a cold start', () => {
  it("carry zod's English messages alone: no bundle carries its other locales (about 250 KiB)", () => {
    // Dutch "Invalid input", ASCII, from zod's nl locale. (includes(), not toContain: a failure should not print a megabyte of bundle.)
    for (const name of Object.keys(FUNCTION_ENTRIES)) expect(readFileSync(join(outdir, `${name}.mjs`), 'utf8').includes('Ongeldige invoer'), name).toBe(false);
  });

  it('stop each function with every setting at fault named, in words, before zod has built anything else', () => {
    const env = { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT', RAG_GREEN_PCT: '500', ALERT_STALE_FORECAST_DAYS: 'soon', DYNAMODB_REQUEST_TIMEOUT_MS: '5' };
    for (const name of ['api', 'alerts', 'publisher']) {
      const script = `await import(${JSON.stringify(pathToFileURL(join(outdir, `${name}.mjs`)).href)});`;
      const run = () => execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', stdio: 'pipe', env });
      expect(run, name).toThrow(/DYNAMODB_REQUEST_TIMEOUT_MS: must be at least 100/);
    }
    const alerts = () =>
      execFileSync(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(pathToFileURL(join(outdir, 'alerts.mjs')).href)});`], {
        encoding: 'utf8',
        stdio: 'pipe',
        env: { ...env, DYNAMODB_REQUEST_TIMEOUT_MS: '5000' },
      });
    expect(alerts).toThrow(/RAG_GREEN_PCT: must be at most 100/);
  });
});

describe('node:http at a cold start', () => {
  it('no bundle or module beside one imports it as an ES module (on Node 24 that loads undici, about 20 ms, for nothing: functions/node-http.cjs)', () => {
    const files = readdirSync(outdir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.mjs'));
    expect(files.filter((f) => f.includes('node_modules/')).length).toBeGreaterThan(0);
    const esmImports = files.filter((f) => /\bfrom\s*["'](node:)?http["']|\bimport\s*["'](node:)?http["']/.test(readFileSync(join(outdir, f), 'utf8')));
    expect(esmImports).toEqual([]);
  });
});

describe('the API function bundle', () => {
  it('is a single minified file with its source map', () => {
    const size = statSync(join(outdir, 'api.mjs')).size;
    expect(size).toBeGreaterThan(10_000);
    expect(statSync(join(outdir, 'api.mjs.map')).size).toBeGreaterThan(size);
  });

  it('is ASCII, as every bundle is: one other character anywhere has V8 decode the whole file to two-byte source before it parses it', () => {
    for (const name of Object.keys(FUNCTION_ENTRIES)) {
      const bytes = readFileSync(join(outdir, `${name}.mjs`));
      const at = bytes.findIndex((byte) => byte > 0x7f);
      expect(at === -1 ? '' : `${name}.mjs: ${bytes.subarray(Math.max(0, at - 60), at + 20).toString()}`).toBe('');
    }
  });

  it('answers health, and the OpenAPI document its build wrote beside it, without identity', async () => {
    expect((await invoke('get-health')).statusCode).toBe(200);
    // The document the build wrote is the API's: every route the app has, and nothing else.
    const file = join(outdir, OPENAPI_FILE);
    const built = JSON.parse(readFileSync(file, 'utf8'));
    expect(built.openapi).toBe('3.1.0');
    const app = createApiApp(
      { store, clock: () => new Date() },
      { auth: { mode: 'apigw-jwt' }, bodyLimitBytes: 65_536, digests: { preview: () => Promise.reject(), sendNow: () => Promise.reject() } },
    );
    expect(Object.keys(built.paths).sort()).toEqual(Object.keys(JSON.parse(openApiJson(app)).paths).sort());
    // Served as it is (a mark put in the file comes back), not made again at each request; with an ETag of it, and 304.
    const marked = JSON.stringify({ ...built, 'x-served-from': 'the file beside the bundle' });
    writeFileSync(file, marked);
    const doc = await invoke('get-openapi');
    expect(doc.statusCode).toBe(200);
    expect(doc.body).toBe(marked);
    expect(doc.json['x-served-from']).toBe('the file beside the bundle');
    expect(doc.headers['cache-control']).toBe('public, max-age=300');
    const again = await apiHandler({ ...loadEvent('http-api', 'get-openapi'), headers: { 'if-none-match': doc.headers.etag } }, context);
    expect(again.statusCode).toBe(304);
    expect(builtFileCommands('alerts', root, '/x')).toEqual([]);
  });

  it('creates a workstream for an admin identified by the authorizer, using its request id', async () => {
    const created = await invoke('post-workstream-admin');
    expect(created.statusCode).toBe(201);
    expect(created.json).toMatchObject({ code: 'ICT', createdBy: '0f1e2d3c-admin', version: 1 });
    expect(created.headers['x-request-id']).toBe('req-create-ws');
    const audit = await store.audit.list({ entityId: created.json.id }, { limit: 10 });
    expect(audit.items[0]).toMatchObject({ action: 'create', requestId: 'req-create-ws', actor: { sub: '0f1e2d3c-admin', name: 'Ada Admin' } });
  });

  it('lists for CMT, refuses a programme manager, and refuses bad input with problem+json', async () => {
    const list = await invoke('get-workstreams-cmt');
    expect(list.statusCode).toBe(200);
    expect(list.json.items.map((w: { code: string }) => w.code)).toContain('ICT');

    const forbidden = await invoke('post-workstream-programme-manager');
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.headers['content-type']).toBe('application/problem+json');

    const invalid = await invoke('post-workstream-invalid');
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json.errors.map((e: { path: string }) => e.path)).toEqual(expect.arrayContaining(['name', 'mtfsTargets.2025/26']));

    const anonymous = await invoke('get-workstreams-no-identity');
    expect(anonymous.statusCode).toBe(401);
  });

  it('reads a CSV import with csv-parse loaded from beside the bundle (a dry run: every problem by row and column, nothing written)', async () => {
    expect(readFileSync(join(outdir, 'api.mjs'), 'utf8').includes('Invalid Record Length')).toBe(false);
    const res = await invoke('post-import-csv-finance');
    expect(res.statusCode).toBe(200);
    // The header row was read: the template columns it lacks are named.
    expect(res.json).toMatchObject({ dryRun: true, created: { workstreams: 0, projects: 0, benefits: 0 } });
    expect(res.json.problems.map((p: { path: string }) => p.path)).toEqual(expect.arrayContaining(['mtfsRef', 'category', 'type', 'recurrence', 'owner']));
  });

  it('serves no pages: they are a function of their own (the gateway sends their routes there)', async () => {
    const page = await invoke('get-page-sign-in');
    expect(page.statusCode).toBe(404);
    expect(page.headers['content-type']).toBe('application/problem+json');
  });

  it("reads a machine client's token (client credentials, scope feeds/read) as feed-reader: the feeds, and nothing else", async () => {
    const feed = await invoke('get-feed-machine-client');
    expect(feed.statusCode).toBe(200);
    expect(feed.json.rows.map((r: { workstreamCode: string }) => r.workstreamCode)).toContain('ICT');
    const other = await invoke('get-workstreams-machine-client');
    expect(other.statusCode).toBe(403);
  });
});

describe('the API and digest bundles together', () => {
  it('previews and sends a digest on demand through the digest function, and relays its refusal as problem+json', async () => {
    const preview = await invoke('get-digest-preview-cmt');
    expect(preview.statusCode).toBe(200);
    expect(preview.json.subject).toContain('Transformation benefits digest, 2026-11-23');
    expect(preview.json.html).toContain('<table');

    const sent = await invoke('post-digest-admin');
    expect(sent.statusCode).toBe(201);
    expect(sent.json).toMatchObject({ status: 'sent', slot: 'manual:req-send-digest', recipients: ['cmt@council.example.gov.uk'] });
    expect(readdirSync(mailDir)).toContain(`${sent.json.id}.eml`);
    // The digest function audits the send as the admin who asked, in the API's request.
    const audit = await store.audit.list({ entityId: sent.json.id }, { limit: 10 });
    expect(audit.items.map((a) => [a.action, a.actor.sub, a.requestId])).toEqual([
      ['create', '0f1e2d3c-admin', 'req-send-digest'],
      ['sent', '0f1e2d3c-admin', 'req-send-digest'],
    ]);

    const refused = await invoke('post-digest-programme-manager');
    expect(refused.statusCode).toBe(403);
    expect(refused.headers['content-type']).toBe('application/problem+json');
    expect(refused.json.detail).toBe('Only an admin can send the digest on demand.');
    expect(lambdaService.invocations.map((i) => (i.payload as { action: string }).action)).toEqual(['preview', 'send', 'send']);
  });
});

describe('the alerts function bundle', () => {
  it('evaluates as at today: raises, publishes once, and is safe to run again', async () => {
    // The workstream the API test created gets a target for this FY, with no savings: an MTFS gap for it and the programme.
    const [ws] = (await store.workstreams.list({ limit: 1 })).items;
    const fy = fyOfDate(todayInLondon());
    await svc.updateWorkstream(
      { store, clock: () => new Date() },
      { principal: { sub: 'test', name: 'Test', roles: ['finance'] }, requestId: 'test' },
      ws!.id,
      { mtfsTargets: { [fy]: 150_000_000 } },
      undefined,
    );
    const first = await alertsHandler(loadEvent('scheduler', 'alerts-daily'));
    expect(first).toMatchObject({ asAt: todayInLondon(), preview: false, raised: 2, resolved: 0, published: 2 });
    const again = await alertsHandler(loadEvent('scheduler', 'alerts-daily'));
    expect(again).toMatchObject({ raised: 0, resolved: 0, published: 0 });
    // (The digest sent on demand above published its DigestSent first.)
    const lines = readFileSync(eventsFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .filter((e) => e.detailType !== 'DigestSent');
    expect(lines.map((e) => e.detailType)).toEqual(['AlertRaised', 'AlertRaised']);
    expect(lines.every((e) => e.detail.alert.rule === 'mtfs-gap')).toBe(true);
  });

  it('as at another day (the scheduler input names one) previews what would have been raised, changing and publishing nothing', async () => {
    const alerts = (await store.alerts.list({}, { limit: 200 })).items;
    const preview = await alertsHandler(loadEvent('scheduler', 'alerts-as-at'));
    expect(preview).toMatchObject({ asAt: '2025-12-15', preview: true, published: 0 });
    expect((await store.alerts.list({}, { limit: 200 })).items).toEqual(alerts);
  });

  it("defaults to today in London with the daily schedule's empty input", async () => {
    const today = await alertsHandler(loadEvent('scheduler', 'alerts-daily'));
    expect(today.asAt).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});

describe('the digest function bundle', () => {
  it("previews without the mail stack, and sends with nodemailer's message composer (not its transports) and the SDK's SES client, loaded beside the bundle", () => {
    const digest = readFileSync(join(outdir, 'digest.mjs'), 'utf8');
    const send = readFileSync(join(outdir, 'node_modules', '@bt', 'email', 'send.mjs'), 'utf8');
    // nodemailer's MIME builder (the boundary prefix of every multipart message it writes) and the SES client: beside the bundle, not in it.
    for (const [mark, inBundle, beside] of [
      ['_NmP', false, true],
      ['name:"@aws-sdk/client-sesv2"', false, true],
    ] as const) {
      expect(digest.includes(mark), mark).toBe(inBundle);
      expect(send.includes(mark), mark).toBe(beside);
    }
    // A message of nodemailer's SMTP connection, which its transports bring in: in neither.
    expect(digest.includes('Greeting never received') || send.includes('Greeting never received')).toBe(false);
    expect(JSON.parse(readFileSync(join(outdir, 'node_modules', '@bt', 'email', 'package.json'), 'utf8')).exports).toEqual({ './send': './send.mjs' });
  });

  it('sends the digest for the scheduled slot once, however often it is invoked', async () => {
    const emails = () =>
      readdirSync(mailDir)
        .filter((f) => f.endsWith('.eml'))
        .sort();
    const before = emails();
    const first = await digestHandler(loadEvent('scheduler', 'digest-slot'));
    expect(first).toMatchObject({ slot: '2026-11-23', status: 'sent', sentNow: true, published: 1 });
    const retry = await digestHandler(loadEvent('scheduler', 'digest-slot'));
    expect(retry).toMatchObject({ id: first.id, sentNow: false, published: 0 });
    expect(emails()).toEqual([...before, `${first.id}.eml`].sort());
    const weekly = await digestHandler(loadEvent('scheduler', 'digest-weekly'));
    expect(weekly.slot).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it("answers a direct request from the API: the digest, or the caller's refusal as data; a malformed request fails the invoke", async () => {
    const sent = (await digestHandler(loadEvent('invoke', 'digest-send-from-api'))) as unknown as { ok: boolean; digest: { slot: string; status: string } };
    expect(sent).toMatchObject({ ok: true, digest: { slot: 'manual:req-send-digest-direct', status: 'sent' } });
    const refused = await digestHandler(loadEvent('invoke', 'digest-send-from-api-cmt'));
    expect(refused).toEqual({
      ok: false,
      problem: { status: 403, code: 'forbidden', title: 'Not allowed', detail: 'Only an admin can send the digest on demand.' },
    });
    await expect(digestHandler({ action: 'send', caller: { principal: { sub: 'x', name: 'x', roles: ['root'] }, requestId: 'r' } })).rejects.toThrow(
      /Unexpected request from the API/,
    );
  });
});

describe('the publisher function bundle', () => {
  it('carries the outbox alone of the store: no other repository (nor the schemas it parses with) is loaded at its frequent cold starts', () => {
    // A message of the summaries' repository, which every other function carries.
    const marker = 'changed while its summary was being rebuilt';
    const carries = (name: string) => readFileSync(join(outdir, `${name}.mjs`), 'utf8').includes(marker);
    expect(carries('alerts')).toBe(true);
    expect(carries('publisher')).toBe(false);
    // Nor the domain's schemas: the outbox's event record is read without those of benefits, alerts and change requests.
    const benefitSchema = 'Sum of finance-validated actuals by month.';
    expect(readFileSync(join(outdir, 'alerts.mjs'), 'utf8').includes(benefitSchema)).toBe(true);
    expect(readFileSync(join(outdir, 'publisher.mjs'), 'utf8').includes(benefitSchema)).toBe(false);
  });

  it('publishes what API calls left in the outbox, once', async () => {
    // Record an actual through the use cases (as the API would): it leaves an ActualRecorded event in the outbox.
    const deps = { store, clock: () => new Date() };
    const admin = { principal: { sub: 'ada', name: 'Ada', roles: ['admin' as const] }, requestId: 'r1' };
    const ws = (await store.workstreams.list({ limit: 1 })).items[0]!;
    const project = await svc.createProject(deps, admin, {
      code: 'PUB1',
      name: 'Publisher test',
      workstreamId: ws.id,
      directorate: 'Resources',
      sro: 'SRO',
      manager: 'ada',
      stage: 'delivery',
      deliveryConfidence: 'amber',
      startDate: '2025-04-01',
      endDate: '2026-03-31',
    });
    const benefit = await svc.createBenefit(deps, admin, project.id, {
      title: 'b',
      type: 'income',
      category: 'transformation',
      recurrence: 'recurring',
      mtfsRef: 'PUB-1',
      owner: 'o',
      confidencePct: 100,
      status: 'active',
    });
    const { value } = await svc.recordActual(deps, admin, project.id, benefit.id, { month: '2025-10', amountPence: 100, note: 'n' }, undefined);
    expect(await publisherHandler()).toEqual({ published: 1 });
    expect(await publisherHandler()).toEqual({ published: 0 });
    const events = readFileSync(eventsFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    expect(events.filter((e) => e.detailType === 'ActualRecorded').map((e) => e.detail.actual.id)).toEqual([value.id]);
  });
});

describe('the alerts function bundle after a deployment', () => {
  it('rebuilds the summaries of an earlier layout before it evaluates', async () => {
    const { GetCommand, UpdateCommand } = await import('@aws-sdk/lib-dynamodb');
    const { doc } = createDynamo({ region: 'eu-west-2', endpoint: inject('dynamoEndpoint') });
    const project = (await store.projects.list({}, { limit: 200 })).items.find((p) => p.code === 'PUB1')!;
    const Key = { pk: `PRJ#${project.id}`, sk: 'SUMMARY' };
    await doc.send(
      new UpdateCommand({
        TableName: tableName,
        Key,
        UpdateExpression: 'SET #f = :five',
        ExpressionAttributeNames: { '#f': 'format' },
        ExpressionAttributeValues: { ':five': 5 },
      }),
    );
    const run = await alertsHandler(loadEvent('scheduler', 'alerts-daily'));
    expect(run).toMatchObject({ upgradedSummaries: 1 });
    expect((await doc.send(new GetCommand({ TableName: tableName, Key }))).Item!.format).toBe(6);
    expect(await alertsHandler(loadEvent('scheduler', 'alerts-daily'))).toMatchObject({ upgradedSummaries: 0 });
  });
});
