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
export async function streamOrFail(c: Context<AppEnv>, chunks: AsyncGenerator<string | Uint8Array>, what: string): Promise<Response> {
  const ahead: Array<string | Uint8Array> = [];
  let done = false;
  for (let i = 0; i < 2 && !done; i++) {
    const next = await chunks.next();
    if (next.done) done = true;
    else ahead.push(next.value);
  }
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const early = ahead.shift();
      if (early !== undefined) return controller.enqueue(bytesOf(early));
      if (done) return controller.close();
      try {
        const next = await chunks.next();
        if (next.done) controller.close();
        else controller.enqueue(bytesOf(next.value));
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

const encoder = new TextEncoder();
const bytesOf = (chunk: string | Uint8Array): Uint8Array => (typeof chunk === 'string' ? encoder.encode(chunk) : chunk);

/** In AWS: where a feed or pack too large to answer inline is stored, and past what size; and who makes one too slow to make within a request. */
export interface FeedExports {
  store: ExportStore;
  inlineLimitBytes: number;
  /** The export function, and how long a request may spend making a feed or pack before it hands it to it. */
  handOff?: { desk: ExportDesk; afterMs: number } | undefined;
}

/** A request's time to make a file before handing it to the export function: aborted once `afterMs` have passed (at once for 0). */
export function handOffDeadline(afterMs: number): AbortSignal {
  return afterMs > 0 ? AbortSignal.timeout(afterMs) : AbortSignal.abort(new DOMException('No time to make a file within a request.', 'TimeoutError'));
}

/** How long a client is asked to wait before asking again for a file being made (202). */
export const RETRY_AFTER_SECONDS = 30;

/** Where a feed or pack too large to answer inline goes, and under which name it downloads. */
export interface LargeAnswer {
  store: ExportStore;
  limitBytes: number;
  /** The same for the same content (from its ETag), so a file stored once serves every request for it until it changes. */
  key: string;
  filename: string;
  contentType: string;
  /**
   * A file still being made when `deadline` is aborted (its time is up) is
   * handed to the export function (`start`: at most one job per file) and the
   * client told to come back (202); one already being made (`running`) is
   * answered 202 at once. The producer may watch the same signal (the pack
   * does, between pages of its read); it is checked between chunks too.
   * Without it, the request makes and stores the file whatever it takes.
   */
  handOff?: { deadline: AbortSignal; running(): Promise<boolean>; start(): Promise<void> };
  /** The answer while the export function makes it (202; default: the API's JSON, below). */
  preparing?: (c: Context<AppEnv>) => Response | Promise<Response>;
  /**
   * The data still settling (services' `dataMark`): what is made now may
   * lack a change `key` names, so it is never stored there. Answered inline
   * when small (the caller gives it no ETag); past the inline size, stored
   * under `key` here, a name of its own for this answer alone (never linked
   * to again), and linked to as any other. One handed to the export function
   * (out of time) is made under `key` as ever: the job waits the window out.
   */
  settling?: { key: string };
}

/**
 * A body answered inline up to a size, and past it stored and linked to:
 * 303 See Other to a short-lived link (a Lambda response through the HTTP
 * API is capped at 6 MB). The stored file is named by the content's ETag, so
 * the same file asked again is linked to at once, without being made again.
 * The inline part is produced in full before the response starts, so any
 * failure is an ordinary problem+json, as is a failure while storing. A file
 * that takes longer to make than the request may run (API Gateway gives it
 * 30 s) is handed off, and the client told to come back (202, below).
 */
export async function inlineOrLinked(c: Context<AppEnv>, chunks: AsyncGenerator<string | Uint8Array>, large: LargeAnswer): Promise<Response> {
  const download = { filename: large.filename, contentType: large.contentType };
  // Never stored by a browser: a stored 303 revalidated (304) would send it to a link long expired. Its ETag is the file's (a client that followed it has that content).
  const seeOther = (url: string) => {
    c.header('Content-Type', undefined);
    c.header('Content-Disposition', undefined);
    c.header('Cache-Control', 'no-store');
    return c.redirect(url, 303);
  };
  const stored = await large.store.link(large.key, download);
  if (stored) return seeOther(stored);
  const handOff = large.handOff;
  // Never stored, and without the file's ETag: a client holding it would be told 304 (you have it) for a file it never got.
  const comeBack = () => {
    c.header('Content-Type', undefined);
    c.header('Content-Disposition', undefined);
    c.header('ETag', undefined);
    c.header('Cache-Control', 'no-store');
    c.header('Retry-After', String(RETRY_AFTER_SECONDS));
    c.header('Location', c.req.url);
    return (large.preparing ?? preparingJson)(c);
  };
  if (await handOff?.running()) {
    await chunks.return(undefined);
    return comeBack();
  }
  // Out of time: the producer's own abort (the pack's, between pages), or this check's between chunks.
  const outOfTime = (error: unknown) => handOff?.deadline.aborted === true && error === handOff.deadline.reason;
  const handedOff = async () => {
    await handOff!.start();
    return comeBack();
  };
  const head: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      handOff?.deadline.throwIfAborted();
      const next = await chunks.next();
      if (next.done) return c.body(Buffer.concat(head));
      const bytes = bytesOf(next.value);
      head.push(bytes);
      size += bytes.length;
      if (size > large.limitBytes) break;
    }
  } catch (error) {
    if (!outOfTime(error)) throw error;
    await chunks.return(undefined);
    return handedOff();
  }
  const storedAs = large.settling?.key ?? large.key;
  // Whether the upload failed because the time was up (the store may wrap the error it was given).
  let timedOut = false;
  const everything = async function* () {
    yield* head;
    try {
      for await (const chunk of chunks) {
        // Stops making the file here (the upload so far is abandoned): the export function makes it whole.
        handOff?.deadline.throwIfAborted();
        yield bytesOf(chunk);
      }
    } catch (error) {
      timedOut = outOfTime(error);
      throw error;
    }
  };
  try {
    await large.store.save(storedAs, everything(), large.contentType);
  } catch (error) {
    if (!timedOut) throw error;
    return handedOff();
  }
  const link = await large.store.link(storedAs, download);
  if (!link) throw new Error(`The file stored as ${storedAs} is not there to link to.`);
  return seeOther(link);
}

/**
 * 202 Accepted: the file is being made by the export function; ask again at
 * the same address (Location) after Retry-After seconds, and be sent to it
 * (303) once it is stored.
 */
function preparingJson(c: Context<AppEnv>): Response {
  return c.json(
    {
      status: 'preparing',
      detail: `The file is being made: ask again at the same address after ${RETRY_AFTER_SECONDS} seconds, and you will be sent to it.`,
      retryAfterSeconds: RETRY_AFTER_SECONDS,
    },
    202,
  );
}
