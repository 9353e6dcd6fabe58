import { fyOfDate, todayInLondon } from '@bt/core';
import { changeFeedSettleMs, dataMark, evaluateAndStore } from '@bt/services';
import type { Store } from '@bt/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, projectBody, workstreamBody, type Harness } from '../support/harness.ts';
import { landBehindNewest } from '../support/late-write.ts';

// One harness for the file, its clock only moved forward: ids are monotonic within a process across clocks (core's `newId`),
// so the app clock the test reads the feed by must be the only one that has made ids here (a file is a process of its own).
let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h?.cleanup());

describe('the change feed beside a long evaluation', () => {
  it('gives every step the run writes, once, though the run outlasts the settling window and writes out of order', async () => {
    const call = async (method: string, path: string, body?: unknown, token = h.tokens.admin) => {
      const r = await h.call(method, path, { token, ...(body === undefined ? {} : { body }) });
      expect(r.status, `${method} ${path} ${JSON.stringify(r.body)}`).toBeLessThan(300);
      return r.body;
    };
    // As at today (the app's clock, never set back): the feed is in the order things were written.
    const asAt = todayInLondon(h.deps.clock());
    const phased = (pounds: number) => ({ phased: [{ financialYear: fyOfDate(asAt), amountPence: pounds * 100 }] });
    const ws = await call('POST', '/v1/workstreams', workstreamBody());
    const p = `/v1/projects/${(await call('POST', '/v1/projects', projectBody(ws.id, { stage: 'delivery' }))).id}`;
    // Four savings slipping badly: an alert each.
    for (let i = 0; i < 4; i++) {
      const b = await call('POST', `${p}/benefits`, {
        title: `Saving ${i}`,
        type: 'cashable-saving',
        category: 'transformation',
        recurrence: 'recurring',
        mtfsRef: `REF-${i}`,
        owner: 'o',
        confidencePct: 100,
      });
      await call('PUT', `${p}/benefits/${b.id}/baseline`, { ...phased(120_000), reason: 'Approved business case' });
      await call('PUT', `${p}/benefits/${b.id}/forecast`, phased(60_000));
    }
    // Every page of the feed after a cursor, read once the settling window has passed what was written.
    const settled = async (from?: string) => {
      h.advanceClock(changeFeedSettleMs(h.store) + 1_000);
      const ids: string[] = [];
      let cursor = from;
      for (;;) {
        const page = await call('GET', `/v1/feeds/changes?limit=1000${cursor ? `&cursor=${cursor}` : ''}`, undefined, h.tokens.finance);
        ids.push(...page.items.map((e: { id: string }) => e.id));
        cursor = page.nextCursor as string;
        if (!page.hasMore) return { ids, cursor };
      }
    };
    const before = await settled();
    // Two of the run's transactions in flight: the first sent lands last, after a client has read the feed (the window since
    // passed) with the second in it — as a run of minutes with transactions side by side may.
    let commits = 0;
    let during: { ids: string[]; cursor: string } | undefined;
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const store: Store = Object.create(h.store);
    store.commit = async (ops) => {
      const n = ++commits;
      if (n === 1) await held;
      await h.store.commit(ops);
      if (n !== 2) return;
      during = await settled(before.cursor);
      release();
    };
    const run = await evaluateAndStore({ ...h.deps, store }, asAt, undefined, { alertsPerTransaction: 1, transactionConcurrency: 2 });
    expect(run.preview).toBe(false);
    expect(commits).toBeGreaterThanOrEqual(4);
    expect(run.raised).toHaveLength(commits);
    expect(during!.ids).toHaveLength(1);
    const after = await settled(during!.cursor);
    // The one held back and every one after it come after the client's read: nothing is given out twice or left behind.
    expect(after.ids).toHaveLength(commits - 1);
    const trail = (await call('GET', '/v1/audit?limit=200')).items.map((e: { id: string }) => e.id);
    expect([...before.ids, ...during!.ids, ...after.ids]).toEqual(trail);
  });
});

describe("a feed's ETag beside writes that land out of order", () => {
  it('is given only once the window after the newest change has passed, so no client is told 304 over a change that lands behind it', async () => {
    const fy = encodeURIComponent('2026/27');
    const feed = (etag?: string | null) =>
      h.call('GET', `/v1/feeds/workstreams?format=json&financialYear=${fy}`, { token: h.tokens.finance, headers: etag ? { 'If-None-Match': etag } : {} });
    const nameOf = (reply: { body: { rows: { workstreamId: string; workstreamName: string }[] } }, id: string) =>
      reply.body.rows.find((r) => r.workstreamId === id)?.workstreamName;
    const late = (await h.call('POST', '/v1/workstreams', { token: h.tokens.admin, body: workstreamBody({ name: 'Children and Families' }) })).body;
    expect((await h.call('POST', '/v1/workstreams', { token: h.tokens.admin, body: workstreamBody({ name: 'Place' }) })).status).toBe(201);

    // Asked for just after the newest change: the answer, without an ETag to come back with.
    const first = await feed();
    expect(first.status).toBe(200);
    expect(first.headers.get('etag')).toBeNull();
    expect(first.headers.get('cache-control')).toBe('private, no-cache');

    // Another function renamed a workstream in a transaction sent a second before the newest entry's; it lands now.
    const renamed = 'Children, Young People and Families';
    const newest = await h.store.audit.latestId();
    await landBehindNewest(h, late, renamed);
    expect(await h.store.audit.latestId()).toBe(newest);
    // The client asks again with what it was given (the newest entry has not moved): the change, not 304.
    const next = await feed(first.headers.get('etag'));
    expect(next.status).toBe(200);
    expect(nameOf(next, late.id)).toBe(renamed);

    // Once the window has passed nothing can land behind the newest: the ETag, and 304 for it after one Query, however long after.
    await h.settle();
    const settled = await feed();
    const etag = settled.headers.get('etag');
    expect(etag).toMatch(/^"[\w-]{27}"$/);
    expect(nameOf(settled, late.id)).toBe(renamed);
    h.advanceClock(changeFeedSettleMs(h.store) * 4);
    h.counter.reset();
    expect((await feed(etag)).status).toBe(304);
    expect(Object.fromEntries(h.counter.byCommand)).toEqual({ QueryCommand: 1 });
  });

  it('waits on no clock further ahead than the window: an entry an hour ahead holds the ETag back, a wait never longer than the window', async () => {
    const ws = (await h.call('GET', '/v1/workstreams?limit=1', { token: h.tokens.admin })).body.items[0];
    await landBehindNewest(h, ws, `${ws.name} (from a clock an hour fast)`, -3_600_000);
    const mark = await dataMark(h.deps);
    expect(mark.settled).toBe(false);
    expect(mark.settlesInMs).toBe(changeFeedSettleMs(h.store));
    const fy = encodeURIComponent('2026/27');
    const reply = await h.call('GET', `/v1/feeds/workstreams?format=json&financialYear=${fy}`, { token: h.tokens.finance });
    expect(reply.status).toBe(200);
    expect(reply.headers.get('etag')).toBeNull();
  });
});
