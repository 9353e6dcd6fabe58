import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { ensureTable, mainTable, Store } from '@bt/store';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { FUNCTION_ENTRIES, lambdaBundling } from '../../functions/bundling.ts';
import { loadEvent } from '../support/events.ts';

/**
 * Each function is bundled with the settings the stack deploys, then its
 * bundle is imported and invoked with the sample events in `events/`, against
 * DynamoDB Local.
 */
const root = join(import.meta.dirname, '..', '..');
const outdir = mkdtempSync(join(tmpdir(), 'bt-bundles-'));
const tableName = `bundle-${randomUUID()}`;
let store: Store;

type Result = { statusCode: number; headers: Record<string, string>; body: string; isBase64Encoded: boolean };
let apiHandler: (event: unknown, context: unknown) => Promise<Result>;

const context = { awsRequestId: 'local-invoke', functionName: 'api', functionVersion: '$LATEST', memoryLimitInMB: '512', getRemainingTimeInMillis: () => 30_000 };

beforeAll(async () => {
  const endpoint = inject('dynamoEndpoint');
  store = new Store({ region: 'eu-west-2', endpoint, tableName });
  await ensureTable(store.client, mainTable, tableName);
  await build({ ...lambdaBundling, entryPoints: { api: join(root, FUNCTION_ENTRIES.api) }, outdir, outExtension: { '.js': '.mjs' }, target: 'node20', logLevel: 'error' });
  Object.assign(process.env, { TABLE_NAME: tableName, AWS_REGION: 'eu-west-2', DYNAMODB_ENDPOINT: endpoint });
  ({ handler: apiHandler } = await import(pathToFileURL(join(outdir, 'api.mjs')).href));
});

afterAll(async () => {
  await store.client.send(new DeleteTableCommand({ TableName: tableName }));
  store.destroy();
  rmSync(outdir, { recursive: true, force: true });
});

async function invoke(name: string) {
  const result = await apiHandler(loadEvent('http-api', name), context);
  return { ...result, json: JSON.parse(result.body) };
}

describe('the API function bundle', () => {
  it('is a single minified file with its source map', () => {
    const size = statSync(join(outdir, 'api.mjs')).size;
    expect(size).toBeGreaterThan(10_000);
    expect(statSync(join(outdir, 'api.mjs.map')).size).toBeGreaterThan(size);
  });

  it('answers health and the OpenAPI document without identity', async () => {
    expect((await invoke('get-health')).statusCode).toBe(200);
    const doc = await invoke('get-openapi');
    expect(doc.json.openapi).toBe('3.1.0');
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
});
