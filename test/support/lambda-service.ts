import { createServer, type Server } from 'node:http';

type Handler = (event: unknown) => Promise<unknown>;

const setImmediatePromise = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * A stand-in for the Lambda service's Invoke API on 127.0.0.1, for bundle
 * tests: `POST /2015-03-31/functions/{name}/invocations` runs the named
 * bundle's handler with the payload, and a handler that throws answers as the
 * service does (200 with `X-Amz-Function-Error: Unhandled`). An asynchronous
 * invoke (`X-Amz-Invocation-Type: Event`) is answered 202 at once and run
 * after; `settled()` waits for every such run. It lets one function's bundle
 * call another through the real AWS SDK client.
 */
export async function startLambdaService(handlers: Record<string, Handler>): Promise<{
  endpoint: string;
  invocations: { name: string; payload: unknown; type: string }[];
  settled(): Promise<PromiseSettledResult<unknown>[]>;
  close(): Promise<void>;
}> {
  const invocations: { name: string; payload: unknown; type: string }[] = [];
  const queued: Promise<unknown>[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const match = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(req.url?.split('?')[0] ?? '');
      const handler = match ? handlers[decodeURIComponent(match[1]!)] : undefined;
      if (req.method !== 'POST' || !match || !handler) {
        res
          .writeHead(404, { 'content-type': 'application/json', 'x-amzn-errortype': 'ResourceNotFoundException' })
          .end(JSON.stringify({ message: `Function not found: ${req.url}` }));
        return;
      }
      const payload: unknown = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
      const type = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
      invocations.push({ name: decodeURIComponent(match[1]!), payload, type });
      if (type === 'Event') {
        res.writeHead(202, { 'content-type': 'application/json' }).end();
        queued.push(setImmediatePromise().then(() => handler(payload)));
        return;
      }
      handler(payload).then(
        (result) => res.writeHead(200, { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST' }).end(JSON.stringify(result ?? null)),
        (error: unknown) =>
          res.writeHead(200, { 'content-type': 'application/json', 'x-amz-function-error': 'Unhandled' }).end(
            JSON.stringify({
              errorType: error instanceof Error ? error.name : 'Error',
              errorMessage: error instanceof Error ? error.message : String(error),
            }),
          ),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error('the Lambda stand-in did not start');
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    invocations,
    settled: () => Promise.allSettled(queued),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
