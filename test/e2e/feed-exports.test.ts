import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { build } from 'esbuild';
// @ts-expect-error s3rver ships no types: a fake S3 (path-style, files on disk) for the test alone.
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3ExportStore } from '@bt/services/s3-exports';
import { FUNCTION_ENTRIES, lambdaBundling } from '../../functions/bundling.ts';
import { lambdaContext, loadEvent } from '../support/events.ts';
import { buildSideModules } from '../support/side-modules.ts';
import { createHarness, type Harness } from '../support/harness.ts';

/**
 * A feed past the inline limit in AWS: the API bundle, invoked with a
 * sample event, stores it in the exports bucket (s3rver stands in for S3)
 * and answers 303 with a presigned link; the file behind the link is the
 * feed, byte for byte; asked again, it is linked to without being made
 * again; the ETag and 304 still hold; a small feed is answered inline.
 */
const root = join(import.meta.dirname, '..', '..');
const outdir = mkdtempSync(join(tmpdir(), 'bt-exports-bundle-'));
const s3dir = mkdtempSync(join(tmpdir(), 'bt-s3rver-'));
const BUCKET = 'bt-exports';
type Result = { statusCode: number; headers: Record<string, string>; body: string };
let handler: (event: unknown, context: unknown) => Promise<Result>;
let h: Harness;
let s3: { close: () => Promise<void> };
let s3Endpoint: string;
const context = lambdaContext;

beforeAll(async () => {
  h = await createHarness({ demoCopy: true });
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: s3dir, configureBuckets: [{ name: BUCKET }] });
  const { port } = await server.run();
  s3 = server;
  s3Endpoint = `http://127.0.0.1:${port}`;
  await build({
    ...lambdaBundling,
    entryPoints: { api: join(root, FUNCTION_ENTRIES.api) },
    outdir,
    outExtension: { '.js': '.mjs' },
    target: 'node20',
    logLevel: 'error',
  });
  await buildSideModules(['api'], outdir);
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

    // Asked again: linked to at once, not made again.
    const before = await storedObjects();
    expect(before).toHaveLength(1);
    const again = await handler(event, context);
    expect(again.statusCode).toBe(303);
    expect(again.headers.location!.split('?')[0]).toBe(location.split('?')[0]);
    expect(await storedObjects()).toEqual(before);

    // The ETag still answers 304, before anything is read or stored.
    const notModified = await handler({ ...event, headers: { ...event.headers, 'if-none-match': first.headers.etag } }, context);
    expect(notModified.statusCode).toBe(304);
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
