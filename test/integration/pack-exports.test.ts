import ExcelJS from 'exceljs';
import * as svc from '@bt/services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idTimeMs } from '@bt/core';
import type { Store } from '@bt/store';
import { createHarness, type Harness } from '../support/harness.ts';
import { landBehindNewest } from '../support/late-write.ts';

/**
 * The monitoring pack of a programme too large or too slow for a request, as
 * in AWS, through the API and the pages alike: past the inline limit it is
 * stored and linked to (303); out of time it is handed to the export
 * function, one job however often it is asked for, and the asker told to
 * come back (the API: 202 JSON; the pages: a page that says so, with a
 * button to ask again); once the job has run, the link. The jobs' markers are DynamoDB's;
 * the exports bucket is a map here (S3 itself: test/e2e/exports.test.ts).
 */
let h: Harness;
const files = new Map<string, Uint8Array>();
const jobs: svc.ExportJob[] = [];
const ORIGIN = 'http://localhost';
const exportStore: svc.ExportStore = {
  link: async (key) => (files.has(key) ? `https://exports.example/${key}?X-Amz-Expires=300` : undefined),
  save: async (key, chunks) => {
    const parts: Uint8Array[] = [];
    for await (const chunk of chunks) parts.push(chunk);
    files.set(key, Buffer.concat(parts));
  },
};

beforeAll(async () => {
  h = await createHarness({
    demoCopy: true,
    pages: true,
    // No time at all within a request: every pack not yet stored is handed off.
    exports: { store: exportStore, inlineLimitBytes: 1024, handOff: { afterMs: 0, desk: { handOff: async (job) => void jobs.push(job) } } },
  });
});
afterAll(async () => {
  await h?.cleanup();
});

/** A signed-in browser's GET (the pages' session cookie). */
async function browserGet(token: string) {
  const res = await h.app.request('/sign-in', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: ORIGIN },
    body: new URLSearchParams({ token, next: '/' }).toString(),
  });
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  return (path: string) => h.app.request(path, { headers: { Cookie: cookie } });
}

/** The export function's jobs, run once the window after the last write has passed (a job within it waits it out: below). */
async function runJobs() {
  await h.settle();
  const ran = await Promise.all(jobs.splice(0).map((job) => svc.runExport(h.deps, exportStore, job)));
  return ran;
}

async function sheetsOf(bytes: Uint8Array) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  return wb.worksheets.map((w) => w.name);
}

describe('the monitoring pack too slow for a request', () => {
  it('through the pages: a page that says it is being made with a button to ask again, one job, then the download (303)', async () => {
    const get = await browserGet(h.tokens.finance);
    const path = '/reports/monitoring-pack?financialYear=2026%2F27&asAt=2026-10-31';
    const first = await get(path);
    expect(first.status).toBe(202);
    expect(first.headers.get('content-type')).toMatch(/^text\/html/);
    expect(first.headers.get('retry-after')).toBe('30');
    expect(first.headers.get('content-disposition')).toBeNull();
    const html = await first.text();
    expect(html).toContain('data-testid="pack-preparing"');
    // A button to ask again at the same address; no reload on a timer (WCAG 2.2.1).
    expect(html).toContain(`href="${path.replace('&', '&amp;')}"`);
    expect(html).not.toContain('http-equiv="refresh"');
    expect(jobs).toHaveLength(1);
    const job = svc.ExportJob.parse(jobs[0]);
    expect(job).toMatchObject({ kind: 'monitoring-pack', query: { financialYear: '2026/27', asAt: '2026-10-31' }, caller: { principal: { sub: 'fin' } } });
    expect(job.key).toMatch(/^packs\/[\w-]{27}\/monitoring-pack-2026-27-2026-10-31\.xlsx$/);

    // The page asks again while the job runs: the same page, no second job.
    const again = await get(path);
    expect(again.status).toBe(202);
    expect(jobs).toHaveLength(1);

    expect(await runJobs()).toEqual(['stored']);
    const done = await get(path);
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe(`https://exports.example/${job.key}?X-Amz-Expires=300`);
    expect(await sheetsOf(files.get(job.key)!)).toContain('Summary');
  });

  it('through the API: 202 JSON and one job, then the link; the pages and the API share the stored file', async () => {
    const path = '/v1/reports/monitoring-pack?financialYear=2026%2F27&asAt=2026-09-30';
    const ask = () => h.app.request(path, { headers: { Authorization: `Bearer ${h.tokens.cmt}` } });
    const first = await ask();
    expect(first.status).toBe(202);
    expect(await first.json()).toMatchObject({ status: 'preparing', retryAfterSeconds: 30 });
    expect(first.headers.get('etag')).toBeNull();
    expect(first.headers.get('cache-control')).toBe('no-store');
    expect(jobs.map((j) => j.kind)).toEqual(['monitoring-pack']);
    expect(await runJobs()).toEqual(['stored']);
    const done = await ask();
    expect(done.status).toBe(303);
    expect(done.headers.get('etag')).toMatch(/^"[\w-]{27}"$/);
    // The same moment through the pages: the same file, linked to at once.
    const get = await browserGet(h.tokens.finance);
    const page = await get('/reports/monitoring-pack?financialYear=2026%2F27&asAt=2026-09-30');
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe(done.headers.get('location'));
    expect(jobs).toHaveLength(0);
    // And 304 for the ETag of the file the client was sent to, before anything is made.
    const notModified = await h.app.request(path, { headers: { Authorization: `Bearer ${h.tokens.cmt}`, 'If-None-Match': done.headers.get('etag')! } });
    expect(notModified.status).toBe(304);
  });

  it('makes a job nothing once the data it was asked for has changed (a change since: another file), and the next request a job of its own', async () => {
    const path = '/v1/reports/monitoring-pack?financialYear=2026%2F27';
    const ask = () => h.app.request(path, { headers: { Authorization: `Bearer ${h.tokens.cmt}` } });
    const first = await ask();
    expect(first.status).toBe(202);
    const firstJob = jobs[0]!.key;
    // A change lands before the job runs.
    const ws = (await h.call('GET', '/v1/workstreams', { token: h.tokens.admin })).body.items[0];
    const renamed = await h.call('PATCH', `/v1/workstreams/${ws.id}`, {
      token: h.tokens.admin,
      headers: { 'If-Match': `"${ws.version}"` },
      body: { name: `${ws.name} (renamed)` },
    });
    expect(renamed.status).toBe(200);
    expect(await runJobs()).toEqual(['stale']);
    const second = await ask();
    expect(second.status).toBe(202);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.key).not.toBe(firstJob);
    expect(await runJobs()).toEqual(['stored']);
    expect((await ask()).status).toBe(303);
  });

  it('hands a file asked for within the window after a write to a job that waits the window out: a change sent a moment before the newest is in it', async () => {
    const path = '/v1/feeds/workstreams?format=json&financialYear=2026%2F27';
    const ask = () => h.app.request(path, { headers: { Authorization: `Bearer ${h.tokens.finance}` } });
    const [late, other] = (await h.call('GET', '/v1/workstreams', { token: h.tokens.admin })).body.items as { id: string; name: string; version: number }[];
    const newer = await h.call('PATCH', `/v1/workstreams/${other!.id}`, {
      token: h.tokens.admin,
      headers: { 'If-Match': `"${other!.version}"` },
      body: { name: `${other!.name} (renamed)` },
    });
    expect(newer.status).toBe(200);
    const first = await ask();
    expect(first.status).toBe(202);
    expect(first.headers.get('etag')).toBeNull();
    const job = jobs.splice(0)[0]!;
    expect(job.kind).toBe('feed');

    // The job runs 1.5 s before the window after the newest change closes. Another function's rename, sent a second before
    // that change, lands as the job starts; the job reads nothing to store before the window has passed, and so has it.
    const newest = (await h.store.audit.latestId())!;
    const settlesAt = idTimeMs(newest) + svc.changeFeedSettleMs(h.store);
    h.setClock(settlesAt - 1_500);
    const renamed = `${late!.name}, renamed elsewhere`;
    let landing: Promise<string> | undefined;
    let readAt: number | undefined;
    const store: Store = Object.assign(Object.create(h.store), {
      audit: Object.assign(Object.create(h.store.audit), {
        latestId: async () => {
          const id = await h.store.audit.latestId();
          landing ??= landBehindNewest(h, late!, renamed);
          return id;
        },
      }),
      workstreams: Object.assign(Object.create(h.store.workstreams), {
        list: async (...args: Parameters<Store['workstreams']['list']>) => {
          readAt ??= h.deps.clock().getTime();
          await landing;
          return h.store.workstreams.list(...args);
        },
      }),
    });
    expect(await svc.runExport({ ...h.deps, store }, exportStore, job)).toBe('stored');
    expect(readAt).toBeGreaterThanOrEqual(settlesAt);
    const rows = JSON.parse(Buffer.from(files.get(job.key)!).toString('utf8')).rows as { workstreamId: string; workstreamName: string }[];
    expect(rows.find((r) => r.workstreamId === late!.id)?.workstreamName).toBe(renamed);
    // Asked again: the file, under the ETag it is named by.
    const done = await ask();
    expect(done.status).toBe(303);
    expect(done.headers.get('etag')).toBe(job.etag);
  });

  it('makes nothing for a job whose key is not its file’s (it would store it where no request links), and stores it under its own', async () => {
    const caller = { principal: { sub: 'fin', name: 'fin (test)', roles: ['finance' as const] }, requestId: 'req-forged-key' };
    const query = { financialYear: '2026/27' as const, asAt: '2026-08-31' };
    const { etag, filename } = await svc.monitoringPackEtag(h.deps, caller, query);
    const key = svc.packFileKey(etag, filename);
    for (const wrong of [`packs/another/${filename}`, svc.feedFileKey(etag, filename)]) {
      expect(await h.store.exportJobs.claim(wrong, h.deps.clock(), '2000-01-01T00:00:00Z')).toBe(true);
      await expect(svc.runExport(h.deps, exportStore, { kind: 'monitoring-pack', query, caller, etag, key: wrong })).rejects.toThrow(/is not its file's/);
      expect(files.has(wrong)).toBe(false);
      // Released all the same.
      expect(await svc.exportRunning(h.deps, wrong)).toBe(false);
    }
    // The same job with its own key stores the file.
    expect(await svc.runExport(h.deps, exportStore, { kind: 'monitoring-pack', query, caller, etag, key })).toBe('stored');
    expect(files.has(key)).toBe(true);
  });
});

describe('a feed too large to answer inline, made from data still settling', () => {
  let h2: Harness;
  const stored = new Map<string, Uint8Array>();
  beforeAll(async () => {
    h2 = await createHarness({
      demoCopy: true,
      // Time enough within a request: made and stored here, never handed off.
      exports: {
        store: {
          link: async (key) => (stored.has(key) ? `https://exports.example/${key}?X-Amz-Expires=300` : undefined),
          save: async (key, chunks) => {
            const parts: Uint8Array[] = [];
            for await (const chunk of chunks) parts.push(chunk);
            stored.set(key, Buffer.concat(parts));
          },
        },
        inlineLimitBytes: 1024,
      },
    });
  });
  afterAll(async () => {
    await h2?.cleanup();
  });

  it('is stored for that answer alone and linked to, without an ETag; once settled, under the ETag it is named by', async () => {
    const path = '/v1/feeds/savings?financialYear=2026%2F27&format=csv&granularity=month';
    const ask = (headers: Record<string, string> = {}) => h2.app.request(path, { headers: { Authorization: `Bearer ${h2.tokens.finance}`, ...headers } });
    const ws = (await h2.call('GET', '/v1/workstreams', { token: h2.tokens.admin })).body.items[0];
    const renamed = await h2.call('PATCH', `/v1/workstreams/${ws.id}`, { token: h2.tokens.admin, body: { name: `${ws.name} (renamed)` } });
    expect(renamed.status).toBe(200);

    const first = await ask({ 'X-Request-Id': 'req-within-the-window' });
    expect(first.status).toBe(303);
    expect(first.headers.get('etag')).toBeNull();
    const within = first.headers.get('location')!.split('?')[0]!.replace('https://exports.example/', '');
    expect(within).toMatch(/^feeds\/[\w-]{27}\/unsettled-req-within-the-window\/savings-2026-27-month\.csv$/);
    expect([...stored.keys()]).toEqual([within]);
    expect(Buffer.from(stored.get(within)!).toString('utf8')).toContain('(renamed)');

    // Once the window has passed: the file of the data's name, made afresh (not the one made within it), with its ETag and 304.
    await h2.settle();
    const settled = await ask();
    expect(settled.status).toBe(303);
    const etag = settled.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]{27}"$/);
    const named = settled.headers.get('location')!.split('?')[0]!.replace('https://exports.example/', '');
    expect(named).toBe(svc.feedFileKey(etag, 'savings-2026-27-month.csv'));
    expect(within.startsWith(named.slice(0, named.lastIndexOf('/')))).toBe(true);
    expect(stored.size).toBe(2);
    expect((await ask({ 'If-None-Match': etag })).status).toBe(304);
  });
});
