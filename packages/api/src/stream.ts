import type { Context } from 'hono';
import type { AppEnv } from './env.ts';
import { logger } from '@bt/services';

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
