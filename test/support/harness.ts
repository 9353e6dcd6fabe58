import { dataMark, inProcessDigestDesk } from '@bt/services';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testDigestConfig, testDigestDesk } from './digest.ts';
import { AUDIENCE, createApp, type FeedExports, govukFrontendDir, LOCAL_ISSUER, tokenLogin } from '@bt/api';
import type { Role, Thresholds } from '@bt/core';
import { BatchWriteCommand, type BatchWriteCommandOutput, paginateScan } from '@aws-sdk/lib-dynamodb';
import { createDynamo, RequestCounter, Store } from '@bt/store';
import { inject } from 'vitest';
import { makeToken } from '../../packages/local/src/token.ts';

export const TEST_SECRET = 'integration-test-secret-0123456789abcdef';

/** "Now" for the app under test (tokens still use the real time, as verification does). */
import { SHARED_DEMO_TABLE, TEST_NOW } from './test-clock.ts';

export { TEST_NOW };

export interface CallOptions {
  token?: string | undefined;
  body?: unknown;
  /** Sent as-is instead of JSON.stringify(body). */
  rawBody?: string;
  headers?: Record<string, string>;
}

export interface Reply<T = any> {
  status: number;
  headers: Headers;
  body: T;
  contentType: string | null;
}

/**
 * The API over a fresh table in the run's DynamoDB Local, with tokens for
 * each role. Integration tests refuse to run without that endpoint.
 */
/**
 * `sharedDemo`: the demo programme the run's global setup seeded once (for
 * tests that only read it; the table is left for the others). `demoCopy`: a
 * table of one's own holding a copy of it (for tests that change it).
 */
export async function createHarness(
  options: { bodyLimitBytes?: number; pages?: boolean; sharedDemo?: boolean; demoCopy?: boolean; exports?: FeedExports; thresholds?: Thresholds } = {},
) {
  const endpoint = inject('dynamoEndpoint');
  if (!endpoint) throw new Error('Integration tests need DynamoDB Local: run them through vitest (global setup starts it).');
  const tableName = options.sharedDemo ? SHARED_DEMO_TABLE : `test-${randomUUID()}`;
  const counter = new RequestCounter();
  const store = new Store({ region: 'eu-west-2', endpoint, tableName }, counter);
  await store.ensureTable();
  // Straight to the table, for tests that plant or inspect stored items (the product goes through the store's repositories).
  const raw = createDynamo({ region: 'eu-west-2', endpoint }).doc;
  if (options.demoCopy) await copyItems(raw, SHARED_DEMO_TABLE, tableName);
  const outbox = mkdtempSync(join(tmpdir(), 'bt-outbox-'));
  const digest = testDigestConfig(outbox);
  // A clock the test can move forward (e.g. to let the change feed's settling window pass).
  // The app's clock starts at TEST_NOW (default 23 November 2026, when these tests
  // were written) and runs in real time from there, so date-dependent figures
  // and alerts come out the same whenever the suite runs. Tests can move it forward.
  let offsetMs = TEST_NOW - Date.now();
  const clock = () => new Date(Date.now() + offsetMs);
  async function settle() {
    for (let mark = await dataMark({ store, clock }); !mark.settled; mark = await dataMark({ store, clock })) offsetMs += mark.settlesInMs + 1;
  }
  // The demo was written before the test began (the run's global setup): as if its last writes had long landed.
  if (options.sharedDemo || options.demoCopy) await settle();
  const auth = { mode: 'local-hs256', secret: TEST_SECRET, issuer: LOCAL_ISSUER, audience: AUDIENCE } as const;
  const app = createApp(
    { store, clock, ...(options.thresholds ? { thresholds: options.thresholds } : {}) },
    {
      auth,
      bodyLimitBytes: options.bodyLimitBytes ?? 65_536,
      digests: inProcessDigestDesk({ store, clock }, digest.settings, digest.mailer),
      ...(options.pages ? { pages: { login: tokenLogin(auth), assetsDir: govukFrontendDir(), exports: options.exports } } : {}),
      // As in AWS: large files stored and linked to, slow ones handed to the export function (the API's and the pages' alike).
      ...(options.exports ? { exports: options.exports } : {}),
    },
  );

  const token = (roles: Role[], sub: string, extra: { ttlSeconds?: number; now?: number } = {}) =>
    makeToken(TEST_SECRET, { sub, name: `${sub} (test)`, roles }, extra);
  const tokens = {
    admin: await token(['admin'], 'ada'),
    pm: await token(['programme-manager'], 'pat'),
    otherPm: await token(['programme-manager'], 'priya'),
    finance: await token(['finance'], 'fin'),
    cmt: await token(['cmt'], 'chief'),
    feedReader: await token(['feed-reader'], 'powerbi'),
  };

  async function call<T = any>(method: string, path: string, opts: CallOptions = {}): Promise<Reply<T>> {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
    let body: string | undefined;
    if (opts.rawBody !== undefined) body = opts.rawBody;
    else if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['Content-Type'] ??= 'application/json';
    }
    const res = await app.request(path, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await res.text();
    const contentType = res.headers.get('content-type');
    return { status: res.status, headers: res.headers, contentType, body: text && contentType?.includes('json') ? JSON.parse(text) : text };
  }

  return {
    app,
    store,
    /** The same dependencies the app uses, for calling use cases and jobs directly. */
    deps: { store, clock },
    counter,
    tableName,
    raw,
    tokens,
    token,
    call,
    advanceClock(ms: number) {
      offsetMs += ms;
    },
    /**
     * Moves the app's clock past the window in which a write sent a moment
     * before the newest may still land (services' `dataMark`), as if that
     * long had passed: the feeds and the pack then carry their ETag.
     */
    settle,
    /** Sets the app's clock to `at` (ms), running on from there. */
    setClock(at: number) {
      offsetMs = at - Date.now();
    },
    digest,
    outbox,
    async cleanup() {
      rmSync(outbox, { recursive: true, force: true });
      if (!options.sharedDemo) await store.dropTable();
      store.destroy();
      raw.destroy();
    },
  };
}

export type Harness = Awaited<ReturnType<typeof createHarness>>;

let seq = 0;
/** A code no other test uses. */
export function uniqueCode(prefix: string): string {
  seq += 1;
  return `${prefix}${process.pid % 1000}${seq}`;
}

export function workstreamBody(overrides: Record<string, unknown> = {}) {
  return { code: uniqueCode('WS'), name: 'Adult Social Care', lead: 'Director of Adult Services', mtfsTargets: { '2025/26': 1_200_000_00 }, ...overrides };
}

export function projectBody(workstreamId: string, overrides: Record<string, unknown> = {}) {
  return {
    code: uniqueCode('PRJ'),
    name: 'Reablement at home',
    workstreamId,
    directorate: 'Adults',
    sro: 'Director of Adult Services',
    startDate: '2025-04-01',
    endDate: '2027-03-31',
    ...overrides,
  };
}

/** Asserts an RFC 9457 problem+json reply with the given status and, optionally, code. */
export function expectProblem(reply: Reply, status: number, code?: string) {
  const context = `${reply.status} ${JSON.stringify(reply.body)}`;
  if (reply.status !== status) throw new Error(`expected ${status}, got ${context}`);
  if (!reply.contentType?.startsWith('application/problem+json')) throw new Error(`expected problem+json, got ${reply.contentType}: ${context}`);
  const p = reply.body as { status: number; title: string; detail: string; type: string; code: string };
  if (p.status !== status || !p.title || !p.detail || !p.type || !p.code) throw new Error(`incomplete problem: ${context}`);
  if (code && p.code !== code) throw new Error(`expected code ${code}: ${context}`);
  return reply.body as { status: number; detail: string; code: string; errors?: { path: string; message: string }[] };
}

export { testDigestConfig, testDigestDesk };

/** Every item of one table written into another (the seeded demo, copied for a test that changes it). */
async function copyItems(doc: ReturnType<typeof createDynamo>['doc'], from: string, to: string): Promise<void> {
  for await (const page of paginateScan({ client: doc }, { TableName: from, ConsistentRead: true })) {
    const items = page.Items ?? [];
    for (let i = 0; i < items.length; i += 25) {
      let batch: Record<string, unknown>[] | undefined = items.slice(i, i + 25);
      while (batch?.length) {
        const result: BatchWriteCommandOutput = await doc.send(
          new BatchWriteCommand({ RequestItems: { [to]: batch.map((Item) => ({ PutRequest: { Item } })) } }),
        );
        batch = result.UnprocessedItems?.[to]?.map((r) => r.PutRequest!.Item as Record<string, unknown>);
      }
    }
  }
}
