import { Readable } from 'node:stream';
import type { Store } from '@bt/store';

interface RawResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: Buffer;
}
interface Handler {
  handle(request: { body?: unknown; headers: Record<string, string> }, options?: unknown): Promise<{ response: Omit<RawResponse, 'body'> & { body: unknown } }>;
}

/**
 * DynamoDB's answers recorded once and replayed from memory, so a step can be
 * timed with DynamoDB's time taken out: what is left is the product's own CPU
 * (the SDK reading the answers, our parsing, figures and rows). Requests are
 * told apart by their operation and body, so a replayed run must send exactly
 * the requests the recorded one did (it fails loudly otherwise).
 */
export function recorder(store: Store) {
  // The store's client is private to the product; a benchmark may reach it.
  const client = (store as unknown as { client: { config: { requestHandler: Handler } } }).client;
  const inner = client.config.requestHandler;
  const recorded = new Map<string, RawResponse>();
  let replaying = false;
  const keyOf = (request: { body?: unknown; headers: Record<string, string> }) =>
    // The body's bytes as they are (the SDK's JSON body is a Uint8Array whose string methods it warns of).
    `${request.headers['x-amz-target']} ${request.body instanceof Uint8Array ? Buffer.from(request.body.buffer, request.body.byteOffset, request.body.byteLength).toString() : String(request.body)}`;
  client.config.requestHandler = Object.assign(Object.create(Object.getPrototypeOf(inner)), inner, {
    handle: async (request: { body?: unknown; headers: Record<string, string> }, options?: unknown) => {
      const key = keyOf(request);
      if (replaying) {
        const r = recorded.get(key);
        if (!r) throw new Error(`not recorded: ${key.slice(0, 200)}`);
        return { response: { statusCode: r.statusCode, headers: r.headers, body: Readable.from([r.body]) } };
      }
      const { response } = await inner.handle(request, options);
      const chunks: Buffer[] = [];
      for await (const chunk of response.body as AsyncIterable<Buffer>) chunks.push(Buffer.from(chunk));
      const body = Buffer.concat(chunks);
      recorded.set(key, { statusCode: response.statusCode, headers: response.headers, body });
      return { response: { statusCode: response.statusCode, headers: response.headers, body: Readable.from([body]) } };
    },
  });
  return {
    replay: () => {
      replaying = true;
    },
    stop: () => {
      replaying = false;
      recorded.clear();
      client.config.requestHandler = inner;
    },
    get responses() {
      return recorded.size;
    },
    get megabytes() {
      let n = 0;
      for (const r of recorded.values()) n += r.body.length;
      return Number((n / 2 ** 20).toFixed(1));
    },
  };
}
