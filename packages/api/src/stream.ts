import type { Context } from 'hono';
import type { AppEnv } from './env.ts';
import { logger, type ExportDesk, type ExportStore } from '@bt/services';

/**
 * A streamed body that either completes or fails visibly. The first two
 * chunks (a header and the first rows) are produced before the response
 * starts, so a failure there is an ordinary problem+json. A failure later
 * errors the stream: the local server then ends the connection without the
 * final chunk (clients see an incomplete transfer, never a short file that
 * looks complete), and in Lambda, which buffers the response, the invocation
 * fails and API Gateway answers 500.
 */
export async function streamOrFail(c: Context<AppEnv>, chunks: AsyncGenerator<string>, what: string): Promise<Response> {
  const encoder = new TextEncoder();
  const ahead: string[] = [];
  let done = false;
  for (let i = 0; i < 2 && !done; i++) {
    const next = await chunks.next();
    if (next.done) done = true;
    else ahead.push(next.value);
  }
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const early = ahead.shift();
      if (early !== undefined) return controller.enqueue(encoder.encode(early));
      if (done) return controller.close();
      try {
        const next = await chunks.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(next.value));
      } catch (error) {
        logger.error(`${what} failed part-way; the response is cut off so the client sees it fail`, { requestId: c.get('requestId'), error });
        controller.error(error);
      }
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });
  return c.body(body);
}

/** In AWS: where a feed too large to answer inline is stored, and past what size; and who makes one too slow to make within a request. */
export interface FeedExports {
  store: ExportStore;
  inlineLimitBytes: number;
  /** The export function, and how long a request may spend storing a feed before it hands the rest to it. */
  handOff?: { desk: ExportDesk; afterMs: number } | undefined;
}

/** How long a client is asked to wait before asking again for a feed being made (202). */
export const RETRY_AFTER_SECONDS = 30;

/** Where a feed too large to answer inline goes, and under which name it downloads. */
export interface LargeAnswer {
  store: ExportStore;
  limitBytes: number;
  /** The same for the same content (from its ETag), so a file stored once serves every request for it until it changes. */
  key: string;
  filename: string;
  contentType: string;
  /**
   * A feed still being stored when `afterMs` have passed is handed to the
   * export function (`start`: at most one job per file) and the client told
   * to come back (202); one already being made (`running`) is answered 202
   * at once. Without it, the request stores the feed whatever it takes.
   */
  handOff?: { afterMs: number; running(): Promise<boolean>; start(): Promise<void> };
}

/**
 * A body answered inline up to a size, and past it stored and linked to:
 * 303 See Other to a short-lived link (a Lambda response through the HTTP
 * API is capped at 6 MB). The stored file is named by the content's ETag, so
 * the same feed asked again is linked to at once, without being made again.
 * The inline part is produced in full before the response starts, so any
 * failure is an ordinary problem+json, as is a failure while storing. A feed
 * that takes longer to store than the request may run (API Gateway gives it
 * 30 s) is handed off, and the client told to come back (202, below).
 */
export async function inlineOrLinked(c: Context<AppEnv>, chunks: AsyncGenerator<string>, large: LargeAnswer): Promise<Response> {
  const started = performance.now();
  const download = { filename: large.filename, contentType: large.contentType };
  const seeOther = (url: string) => {
    c.header('Content-Type', undefined);
    c.header('Content-Disposition', undefined);
    return c.redirect(url, 303);
  };
  const stored = await large.store.link(large.key, download);
  if (stored) return seeOther(stored);
  if (await large.handOff?.running()) {
    await chunks.return(undefined);
    return comeBack(c);
  }
  const encoder = new TextEncoder();
  const head: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const next = await chunks.next();
    if (next.done) return c.body(Buffer.concat(head));
    const bytes = encoder.encode(next.value);
    head.push(bytes);
    size += bytes.length;
    if (size > large.limitBytes) break;
  }
  const handOff = large.handOff;
  let handedOff = false;
  const everything = async function* () {
    yield* head;
    for await (const chunk of chunks) {
      if (handOff && performance.now() - started > handOff.afterMs) {
        // Stops making the feed here (the upload so far is abandoned): the export function makes it whole.
        handedOff = true;
        throw new Error('The feed is handed to the export function.');
      }
      yield encoder.encode(chunk);
    }
  };
  try {
    await large.store.save(large.key, everything(), large.contentType);
  } catch (error) {
    if (!handedOff || !handOff) throw error;
    await handOff.start();
    return comeBack(c);
  }
  const link = await large.store.link(large.key, download);
  if (!link) throw new Error(`The feed stored as ${large.key} is not there to link to.`);
  return seeOther(link);
}

/**
 * 202 Accepted: the feed is being made by the export function; ask again at
 * the same address (Location) after Retry-After seconds, and be sent to the
 * file (303) once it is stored.
 */
function comeBack(c: Context<AppEnv>): Response {
  c.header('Content-Type', undefined);
  c.header('Content-Disposition', undefined);
  c.header('Retry-After', String(RETRY_AFTER_SECONDS));
  c.header('Location', c.req.url);
  return c.json(
    {
      status: 'preparing',
      detail: `The feed is being made: ask again at the same address after ${RETRY_AFTER_SECONDS} seconds, and you will be sent to it.`,
      retryAfterSeconds: RETRY_AFTER_SECONDS,
    },
    202,
  );
}
