import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
// @ts-expect-error s3rver ships no types: a fake S3 (path-style, files on disk) for the test alone.
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import {
  EXPORT_JOB_STALE_MS,
  ExportJob,
  FeedExportJob,
  monitoringPackData,
  monitoringPackEtag,
  monitoringPackXlsx,
  PackExportJob,
  packFileKey,
  XLSX_CONTENT_TYPE,
} from '@bt/services';
import { S3ExportStore } from '@bt/services/s3-exports';
import { lambdaContext, loadEvent } from '../support/events.ts';
import { buildFunctionBundles } from '../support/side-modules.ts';
import { createHarness, type Harness } from '../support/harness.ts';
import { startLambdaService } from '../support/lambda-service.ts';

/**
 * A feed past the inline limit in AWS: the API bundle, invoked with a
 * sample event, stores it in the exports bucket (s3rver stands in for S3)
 * and answers 303 with a presigned link; the file behind the link is the
 * feed, byte for byte; asked again, it is linked to without being made
 * again; the ETag and 304 still hold; a small feed is answered inline. A
 * feed too slow to make within a request is handed to the export function's
 * bundle (through the Lambda service's stand-in, asynchronously): 202 until
 * it is stored, one job however often it is asked for, then 303. The
 * monitoring pack the same way: stored and linked to past the limit, handed
 * to the export function when out of time, and the workbook behind the link
 * the one the product makes for the same moment.
 */
const outdir = mkdtempSync(join(tmpdir(), 'bt-exports-bundle-'));
// The export function's bundle in a folder of its own, with only its own side module (exceljs; its S3 client is bundled in), as it is deployed.
const exportsOutdir = mkdtempSync(join(tmpdir(), 'bt-exports-fn-'));
const s3dir = mkdtempSync(join(tmpdir(), 'bt-s3rver-'));
const BUCKET = 'bt-exports';
type Result = { statusCode: number; headers: Record<string, string>; body: string };
let handler: (event: unknown, context: unknown) => Promise<Result>;
let h: Harness;
let s3: { close: () => Promise<void> };
let s3Endpoint: string;
const context = lambdaContext;
const run = promisify(execFile);

beforeAll(async () => {
  h = await createHarness({ demoCopy: true });
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: s3dir, configureBuckets: [{ name: BUCKET }] });
  const { port } = await server.run();
  s3 = server;
  s3Endpoint = `http://127.0.0.1:${port}`;
  await buildFunctionBundles(['api'], outdir);
  Object.assign(process.env, {
    TABLE_NAME: h.store.config.tableName,
    AWS_REGION: 'eu-west-2',
    DYNAMODB_ENDPOINT: h.store.config.endpoint,
    DIGEST_FUNCTION_NAME: 'bt-digest',
    EXPORTS_BUCKET: BUCKET,
    S3_ENDPOINT: s3Endpoint,
    FEED_INLINE_LIMIT_BYTES: '2048',
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
  });
  ({ handler } = await import(pathToFileURL(join(outdir, 'api.mjs')).href));
});

afterAll(async () => {
  await s3?.close();
  await h?.cleanup();
  rmSync(outdir, { recursive: true, force: true });
  rmSync(exportsOutdir, { recursive: true, force: true });
  rmSync(s3dir, { recursive: true, force: true });
});

async function storedObjects() {
  const client = new S3Client({
    region: 'eu-west-2',
    endpoint: s3Endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  const listed = await client.send(new ListObjectsV2Command({ Bucket: BUCKET }));
  client.destroy();
  return (listed.Contents ?? []).map((o) => ({ key: o.Key!, modified: o.LastModified?.toISOString() }));
}

/** Asked again, a stored file is linked to at once (the same object, nothing made again); with its ETag, 304 before anything is read or stored. */
async function expectLinkedAgainAnd304(event: ReturnType<typeof loadEvent<'http-api'>>, first: Result) {
  const before = await storedObjects();
  const again = await handler(event, context);
  expect(again.statusCode).toBe(303);
  expect(again.headers.location!.split('?')[0]).toBe(first.headers.location!.split('?')[0]);
  expect(await storedObjects()).toEqual(before);
  const notModified = await handler({ ...event, headers: { ...event.headers, 'if-none-match': first.headers.etag } }, context);
  expect(notModified.statusCode).toBe(304);
}

describe('a feed larger than the inline limit, in AWS', () => {
  it('is stored once and linked to (303), the link gives the feed byte for byte, and the ETag and 304 still hold', async () => {
    const event = loadEvent('http-api', 'get-feed-savings-machine-client');
    const first = await handler(event, context);
    expect(first.statusCode, first.body).toBe(303);
    const location = first.headers.location!;
    expect(location).toMatch(new RegExp(`^${s3Endpoint}/${BUCKET}/feeds/`));
    expect(location).toContain('X-Amz-Expires=300');
    expect(first.headers.etag).toMatch(/^"[\w-]{27}"$/);
    expect(first.headers['content-disposition']).toBeUndefined();

    // Followed as a client should: without the API's Authorization header.
    const download = await fetch(location);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(download.headers.get('content-disposition')).toBe('attachment; filename="savings-2026-27-month.csv"');
    const stored = await download.text();
    // The same feed answered inline by the product (the local server's way), for the same moment.
    const inline = await h.call('GET', '/v1/feeds/savings?financialYear=2026/27&asAt=2026-11-23&format=csv&granularity=month', { token: h.tokens.feedReader });
    expect(inline.status).toBe(200);
    expect(stored.length).toBeGreaterThan(2048);
    expect(stored).toBe(inline.body);

    expect(await storedObjects()).toHaveLength(1);
    await expectLinkedAgainAnd304(event, first);
  });

  it('answers a feed under the limit inline, storing nothing', async () => {
    const before = await storedObjects();
    const small = await handler(loadEvent('http-api', 'get-feed-machine-client'), context);
    expect(small.statusCode).toBe(200);
    expect(JSON.parse(small.body).rows.length).toBeGreaterThan(0);
    expect(await storedObjects()).toEqual(before);
  });

  it('stores a file of any size as it is produced (a multipart upload past 5 MB): 12 MB in 1,200 chunks comes back whole', async () => {
    const exportsStore = S3ExportStore.create({ region: 'eu-west-2', bucket: BUCKET, endpoint: s3Endpoint });
    const line = `${'x'.repeat(99)}\n`;
    const chunks = async function* () {
      for (let i = 0; i < 1200; i++) yield new TextEncoder().encode(line.repeat(100));
    };
    await exportsStore.save('feeds/test/large.csv', chunks(), 'text/csv; charset=utf-8');
    const link = await exportsStore.link('feeds/test/large.csv', { filename: 'large.csv', contentType: 'text/csv; charset=utf-8' });
    const body = await (await fetch(link!)).text();
    expect(body.length).toBe(12_000_000);
    expect(body.split('\n')).toHaveLength(120_001);
    expect(await exportsStore.link('feeds/test/absent.csv', { filename: 'x.csv', contentType: 'text/csv' })).toBeUndefined();
  });
});

/** Every sheet's cells (address, value, number format) and layout: what a reader of the workbook sees. */
async function workbookOf(bytes: Uint8Array) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  return wb.worksheets.map((ws) => {
    const cells: unknown[] = [];
    ws.eachRow((row) => row.eachCell((cell) => cells.push([cell.address, cell.value, cell.numFmt])));
    return { name: ws.name, views: ws.views, autoFilter: ws.autoFilter, cells };
  });
}

/** The pack the product makes for a moment (the sample event's: as at 23 November 2026, known then), with the bundle's clock: the real one. */
async function packAsMade(asAt = '2026-11-23'): Promise<Uint8Array> {
  const caller = { principal: { sub: 'chief-exec', name: 'Chief Executive', roles: ['cmt' as const] }, requestId: 'test' };
  return monitoringPackXlsx(await monitoringPackData({ store: h.store, clock: () => new Date() }, caller, { financialYear: '2026/27', asAt }));
}

/** The sample request for the pack, as at another date (a file not yet stored). */
function packEventAsAt(asAt: string) {
  const event = loadEvent('http-api', 'get-monitoring-pack-cmt');
  const query = `financialYear=2026%2F27&asAt=${asAt}`;
  return { ...event, rawQueryString: query, queryStringParameters: Object.fromEntries(new URLSearchParams(query)) };
}

describe('the monitoring pack larger than the inline limit, in AWS', () => {
  it('is stored once and linked to (303), the link gives the workbook the product makes, and the ETag and 304 hold', async () => {
    const event = loadEvent('http-api', 'get-monitoring-pack-cmt');
    const first = await handler(event, context);
    expect(first.statusCode, first.body).toBe(303);
    const location = first.headers.location!;
    expect(location).toMatch(new RegExp(`^${s3Endpoint}/${BUCKET}/packs/`));
    expect(first.headers.etag).toMatch(/^"[\w-]{27}"$/);
    const download = await fetch(location);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe(XLSX_CONTENT_TYPE);
    expect(download.headers.get('content-disposition')).toBe('attachment; filename="monitoring-pack-2026-27-2026-11-23.xlsx"');
    const stored = await workbookOf(new Uint8Array(await download.arrayBuffer()));
    expect(stored.map((s) => s.name)).toContain('Summary');
    expect(stored).toEqual(await workbookOf(await packAsMade()));

    await expectLinkedAgainAnd304(event, first);
  });

  it('is not for the feed reader (403), and nothing is stored', async () => {
    const before = await storedObjects();
    const event = loadEvent('http-api', 'get-feed-savings-machine-client');
    const denied = await handler({ ...loadEvent('http-api', 'get-monitoring-pack-cmt'), requestContext: event.requestContext }, context);
    expect(denied.statusCode).toBe(403);
    expect(denied.headers['content-type']).toBe('application/problem+json');
    expect(await storedObjects()).toEqual(before);
  });
});

describe('a feed too slow to make within a request, in AWS', () => {
  // A second instance of the API bundle, told to hand off any feed still being stored after 0 ms; and the export function's bundle.
  let handOffHandler: (event: unknown, context: unknown) => Promise<Result>;
  let exportsHandler: (event: unknown) => Promise<{ key: string; outcome: string; seconds: number }>;
  let lambdaService: Awaited<ReturnType<typeof startLambdaService>>;
  let openGate: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => {
    openGate = resolve;
  });

  beforeAll(async () => {
    await buildFunctionBundles(['exports'], exportsOutdir);
    // The export function's runs wait at the gate, so a test can ask for the feed while its job is running.
    lambdaService = await startLambdaService({
      'bt-exports': async (event) => {
        await gate;
        return exportsHandler(event);
      },
    });
    Object.assign(process.env, { FEED_EXPORT_FUNCTION_NAME: 'bt-exports', FEED_HAND_OFF_AFTER_MS: '0', LAMBDA_ENDPOINT: lambdaService.endpoint });
    ({ handler: handOffHandler } = await import(`${pathToFileURL(join(outdir, 'api.mjs')).href}?hand-off`));
    ({ handler: exportsHandler } = await import(pathToFileURL(join(exportsOutdir, 'exports.mjs')).href));
  });

  afterAll(async () => {
    openGate();
    await lambdaService?.close();
    for (const name of ['FEED_EXPORT_FUNCTION_NAME', 'FEED_HAND_OFF_AFTER_MS', 'LAMBDA_ENDPOINT']) delete process.env[name];
  });

  const query = 'financialYear=2026/27&asAt=2026-11-23&format=json&granularity=month';
  const savingsJson = () => {
    const event = loadEvent('http-api', 'get-feed-savings-machine-client');
    return { ...event, rawQueryString: query, queryStringParameters: Object.fromEntries(new URLSearchParams(query)) };
  };
  const jobs = () => lambdaService.invocations.filter((i) => i.name === 'bt-exports');
  const staleBefore = () => new Date(Date.now() - EXPORT_JOB_STALE_MS).toISOString();

  it('is handed to the export function (202, come back), made once however often it is asked for, then linked to (303): the feed byte for byte', async () => {
    const first = await handOffHandler(savingsJson(), context);
    expect(first.statusCode, first.body).toBe(202);
    expect(first.headers['retry-after']).toBe('30');
    expect(first.headers.location).toBe(`https://api.example.gov.uk/v1/feeds/savings?${query}`);
    expect(first.headers['content-disposition']).toBeUndefined();
    expect(JSON.parse(first.body)).toMatchObject({ status: 'preparing', retryAfterSeconds: 30 });
    // One job, handed over asynchronously, for the file the API will link to; nothing stored meanwhile (the request's own upload abandoned).
    expect(jobs()).toHaveLength(1);
    expect(jobs()[0]!.type).toBe('Event');
    const job = FeedExportJob.parse(jobs()[0]!.payload);
    expect(job).toMatchObject({ request: { feed: 'savings', format: 'json', granularity: 'month' } });
    expect(job.key).toBe(`feeds/${job.etag.replaceAll('"', '')}/savings-2026-27-month.json`);
    // The 202 is never stored and carries no ETag (a client holding one would be told 304 for a file it never got).
    expect(first.headers['cache-control']).toBe('no-store');
    expect(first.headers.etag).toBeUndefined();
    expect((await storedObjects()).map((o) => o.key)).not.toContain(job.key);
    expect(await h.store.exportJobs.running(job.key, staleBefore())).toBe(true);

    // Asked again while it runs: come back, and no second job.
    const second = await handOffHandler(savingsJson(), context);
    expect(second.statusCode).toBe(202);
    expect(jobs()).toHaveLength(1);

    openGate();
    const [run] = await lambdaService.settled();
    expect(run).toMatchObject({ status: 'fulfilled', value: { key: job.key, outcome: 'stored' } });
    expect(await h.store.exportJobs.running(job.key, staleBefore())).toBe(false);

    const done = await handOffHandler(savingsJson(), context);
    expect(done.statusCode).toBe(303);
    expect(done.headers.etag).toBe(job.etag);
    expect(done.headers['cache-control']).toBe('no-store');
    const download = await fetch(done.headers.location!);
    expect(download.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(download.headers.get('content-disposition')).toBe('attachment; filename="savings-2026-27-month.json"');
    const inline = await h.call('GET', `/v1/feeds/savings?${query}`, { token: h.tokens.feedReader });
    expect(JSON.parse(await download.text())).toEqual(inline.body);
    expect(jobs()).toHaveLength(1);
  });

  it('makes nothing for a job whose data has since changed (its sample event), and lets the next request start again', async () => {
    const event = loadEvent('invoke', 'feed-export');
    const job = FeedExportJob.parse(event);
    // A job from before the pack's jobs had a kind (an API deployed a moment before the function) is still a feed's.
    const { kind: _kind, ...withoutKind } = event as { kind: string };
    expect(ExportJob.parse(withoutKind)).toMatchObject({ kind: 'feed', key: job.key });
    expect(await h.store.exportJobs.claim(job.key, new Date(), staleBefore())).toBe(true);
    // Claimed: a second claim for the same file is refused until it ends.
    expect(await h.store.exportJobs.claim(job.key, new Date(), staleBefore())).toBe(false);
    expect(await exportsHandler(event)).toMatchObject({ key: job.key, outcome: 'stale' });
    expect((await storedObjects()).map((o) => o.key)).not.toContain(job.key);
    expect(await h.store.exportJobs.running(job.key, staleBefore())).toBe(false);
    await h.store.exportJobs.release(job.key);
    // Requests racing for the same file: exactly one claims it.
    const claims = await Promise.all(Array.from({ length: 6 }, () => h.store.exportJobs.claim(job.key, new Date(), staleBefore())));
    expect(claims.filter(Boolean)).toHaveLength(1);
    // One left running past the export function's timeout no longer holds the file.
    expect(await h.store.exportJobs.claim(job.key, new Date(Date.now() + EXPORT_JOB_STALE_MS + 1000), new Date(Date.now() + 1000).toISOString())).toBe(true);
    await h.store.exportJobs.release(job.key);
  });

  it('hands the monitoring pack over the same way (202), and the job stores the workbook the product makes (303)', async () => {
    openGate();
    await lambdaService.settled();
    const ran = jobs().length;
    const event = packEventAsAt('2026-11-20');
    const first = await handOffHandler(event, context);
    expect(first.statusCode, first.body).toBe(202);
    expect(first.headers['retry-after']).toBe('30');
    expect(first.headers['content-disposition']).toBeUndefined();
    expect(jobs()).toHaveLength(ran + 1);
    const job = PackExportJob.parse(jobs()[ran]!.payload);
    expect(job).toMatchObject({ kind: 'monitoring-pack', query: { financialYear: '2026/27', asAt: '2026-11-20' } });
    expect(job.key).toBe(`packs/${job.etag.replaceAll('"', '')}/monitoring-pack-2026-27-2026-11-20.xlsx`);
    expect((await storedObjects()).map((o) => o.key)).not.toContain(job.key);
    const runs = await lambdaService.settled();
    expect(runs[ran]).toMatchObject({ status: 'fulfilled', value: { kind: 'monitoring-pack', key: job.key, outcome: 'stored' } });
    expect(await h.store.exportJobs.running(job.key, staleBefore())).toBe(false);

    const done = await handOffHandler(event, context);
    expect(done.statusCode).toBe(303);
    const download = await fetch(done.headers.location!);
    expect(download.headers.get('content-disposition')).toBe('attachment; filename="monitoring-pack-2026-27-2026-11-20.xlsx"');
    expect(await workbookOf(new Uint8Array(await download.arrayBuffer()))).toEqual(await workbookOf(await packAsMade('2026-11-20')));
    expect(jobs()).toHaveLength(ran + 1);
  });

  it('makes no pack for a job whose data has since changed (its sample event)', async () => {
    const event = loadEvent('invoke', 'pack-export');
    const job = PackExportJob.parse(event);
    expect(await exportsHandler(event)).toMatchObject({ kind: 'monitoring-pack', key: job.key, outcome: 'stale' });
    expect((await storedObjects()).map((o) => o.key)).not.toContain(job.key);
  });

  it('makes the pack in a process of its own, with only its own side module beside it (as deployed: exceljs; its S3 client is bundled in)', async () => {
    const caller = { principal: { sub: 'chief-exec', name: 'Chief Executive', roles: ['cmt' as const] }, requestId: 'req-own-process' };
    const query = { financialYear: '2026/27', asAt: '2026-11-19' };
    const { etag, filename } = await monitoringPackEtag({ store: h.store, clock: () => new Date() }, caller, query);
    const job = { kind: 'monitoring-pack', query, caller, etag, key: packFileKey(etag, filename) };
    // A plain Node process (not the test runner, which would resolve exceljs from the repository): only what is beside the bundle is found.
    const script = `const { handler } = await import(${JSON.stringify(pathToFileURL(join(exportsOutdir, 'exports.mjs')).href)}); process.stdout.write(JSON.stringify(await handler(${JSON.stringify(job)})));`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      cwd: exportsOutdir,
      env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT' },
    });
    expect(JSON.parse(stdout)).toMatchObject({ kind: 'monitoring-pack', key: job.key, outcome: 'stored' });
    const stored = await fetch(
      (await S3ExportStore.create({ region: 'eu-west-2', bucket: BUCKET, endpoint: s3Endpoint }).link(job.key, { filename, contentType: XLSX_CONTENT_TYPE }))!,
    );
    expect(await workbookOf(new Uint8Array(await stored.arrayBuffer()))).toEqual(await workbookOf(await packAsMade('2026-11-19')));
  });

  it('refuses a job that is not one (the function fails, nothing is made)', async () => {
    await expect(exportsHandler({ request: { feed: 'everything' } })).rejects.toThrow(/Unexpected job from the API/);
  });
});
