import type { ExportStore } from '@bt/services';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from './env.ts';
import { handOffDeadline, inlineOrLinked, type LargeAnswer } from './stream.ts';

/**
 * When a request hands a file to the export function: only when its time is
 * up, wherever that finds the file being made (in its producer's read, as the
 * pack's data read stops between pages; in the first, inline part; or while
 * storing), and never for a failure of its own. The export store is a map
 * (S3's behaviour is the e2e tests' business: test/e2e/exports.test.ts).
 */
function memoryStore() {
  const files = new Map<string, Uint8Array>();
  const store: ExportStore = {
    link: async (key) => (files.has(key) ? `https://exports.example/${key}` : undefined),
    save: async (key, chunks) => {
      const parts: Uint8Array[] = [];
      for await (const chunk of chunks) parts.push(chunk);
      files.set(key, Buffer.concat(parts));
    },
  };
  return { store, files };
}

async function answer(chunks: () => AsyncGenerator<string | Uint8Array>, options: Partial<LargeAnswer> & { deadline?: AbortSignal } = {}) {
  const { store, files } = memoryStore();
  const started: string[] = [];
  const app = new Hono<AppEnv>();
  app.onError((error, c) => c.json({ error: String(error) }, 500));
  app.get('/file', (c) => {
    c.header('ETag', '"the-file"');
    c.header('Cache-Control', 'private, no-cache');
    return inlineOrLinked(c, chunks(), {
      store,
      limitBytes: 10,
      key: 'packs/etag/file.xlsx',
      filename: 'file.xlsx',
      contentType: 'application/octet-stream',
      ...(options.deadline
        ? {
            handOff: {
              deadline: options.deadline,
              running: async () => false,
              start: async () => {
                started.push('job');
              },
            },
          }
        : {}),
      ...(options.preparing ? { preparing: options.preparing } : {}),
      ...(options.settling ? { settling: options.settling } : {}),
    });
  });
  const res = await app.request('/file');
  return { res, started, files };
}

/** A request's time, ended by the test. */
const outOfTime = () => new AbortController();

describe('a file made within a request, or handed to the export function', () => {
  it('answers a small file made in time inline, storing nothing and starting no job', async () => {
    const { res, started, files } = await answer(
      async function* () {
        yield 'small';
      },
      { deadline: outOfTime().signal },
    );
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('small');
    expect(started).toEqual([]);
    expect(files.size).toBe(0);
  });

  it("hands it off when the time is up inside the producer's own read (its abort), before a byte is made", async () => {
    const time = outOfTime();
    const { res, started, files } = await answer(
      async function* () {
        // As the pack's data read does between pages.
        time.abort(new DOMException('out of time', 'TimeoutError'));
        time.signal.throwIfAborted();
        yield 'never';
      },
      { deadline: time.signal },
    );
    expect(res.status).toBe(202);
    expect(res.headers.get('retry-after')).toBe('30');
    expect(res.headers.get('location')).toBe('http://localhost/file');
    // Not stored by a browser, and no ETag: a client holding one would be told 304 for a file it never got.
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('etag')).toBeNull();
    expect(await res.json()).toMatchObject({ status: 'preparing', retryAfterSeconds: 30 });
    expect(started).toEqual(['job']);
    expect(files.size).toBe(0);
  });

  it('hands it off when the time is up while it is being stored, abandoning the upload', async () => {
    const time = outOfTime();
    const { res, started, files } = await answer(
      async function* () {
        yield 'more than ten bytes';
        yield 'and more';
        time.abort(new DOMException('out of time', 'TimeoutError'));
        yield 'the rest';
      },
      { deadline: time.signal },
    );
    expect(res.status).toBe(202);
    expect(started).toEqual(['job']);
    expect(files.size).toBe(0);
  });

  it('stores a large file made in time and links to it (303)', async () => {
    const { res, started, files } = await answer(
      async function* () {
        yield 'more than ten bytes';
        yield new TextEncoder().encode(', in bytes too');
      },
      { deadline: outOfTime().signal },
    );
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('https://exports.example/packs/etag/file.xlsx');
    // Never stored (a stored redirect revalidated would lead to a link long expired); the file's ETag, for a client that followed it.
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('etag')).toBe('"the-file"');
    expect(new TextDecoder().decode(files.get('packs/etag/file.xlsx'))).toBe('more than ten bytes, in bytes too');
    expect(started).toEqual([]);
  });

  it('never hands off a failure of its own, even once the time is up: it fails as it would have', async () => {
    const failures = [
      (time: AbortController) =>
        async function* () {
          time.abort(new DOMException('out of time', 'TimeoutError'));
          if (time.signal.aborted) throw new Error('the store is down');
          yield 'never';
        },
      (time: AbortController) =>
        async function* () {
          yield 'more than ten bytes';
          time.abort(new DOMException('out of time', 'TimeoutError'));
          throw new Error('the store is down');
        },
    ];
    for (const fail of failures) {
      const time = outOfTime();
      const { res, started } = await answer(fail(time), { deadline: time.signal });
      expect(res.status).toBe(500);
      expect(started).toEqual([]);
    }
  });

  it("answers with the caller's own page while the file is made (the pages' HTML)", async () => {
    const { res } = await answer(
      async function* () {
        yield 'never';
      },
      { deadline: handOffDeadline(0), preparing: (c) => c.html('<p>Preparing</p>', 202) },
    );
    expect(res.status).toBe(202);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('retry-after')).toBe('30');
  });

  it('never stores what it made from data still settling under the data’s name: small, inline; large, under a name of its own; too slow, handed off', async () => {
    const settling = { key: 'packs/etag/unsettled-req-1/file.xlsx' };
    const small = await answer(
      async function* () {
        yield 'small';
      },
      { deadline: outOfTime().signal, settling },
    );
    expect(small.res.status).toBe(200);
    expect(await small.res.text()).toBe('small');
    expect(small.files.size).toBe(0);

    // Large: stored for this answer alone and linked to; nothing under the data's name, no job.
    const large = await answer(
      async function* () {
        yield 'more than ten bytes';
        yield ' and the rest of it';
      },
      { deadline: outOfTime().signal, settling },
    );
    expect(large.res.status).toBe(303);
    expect(large.res.headers.get('location')).toBe('https://exports.example/packs/etag/unsettled-req-1/file.xlsx');
    expect([...large.files.keys()]).toEqual(['packs/etag/unsettled-req-1/file.xlsx']);
    expect(new TextDecoder().decode(large.files.get(settling.key))).toBe('more than ten bytes and the rest of it');
    expect(large.started).toEqual([]);

    // Too slow: handed to the export function as ever (its job makes the file of the data's name once the window has passed).
    const time = outOfTime();
    const slow = await answer(
      async function* () {
        yield 'more than ten bytes';
        time.abort(new DOMException('out of time', 'TimeoutError'));
        yield 'the rest';
      },
      { deadline: time.signal, settling },
    );
    expect(slow.res.status).toBe(202);
    expect(slow.started).toEqual(['job']);
    expect(slow.files.size).toBe(0);
  });

  it('gives a request no time at all for 0 ms, and the time asked for otherwise', () => {
    expect(handOffDeadline(0).aborted).toBe(true);
    expect(handOffDeadline(0).reason).toMatchObject({ name: 'TimeoutError' });
    expect(handOffDeadline(20_000).aborted).toBe(false);
  });
});
