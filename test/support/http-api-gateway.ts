import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';

type Result = { statusCode: number; headers?: Record<string, string>; cookies?: string[]; body?: string; isBase64Encoded?: boolean };
type Handler = (event: unknown, context: unknown) => Promise<Result>;

const TEXT = /^(text\/|application\/(json|x-www-form-urlencoded|xml)|[^;]*\+json)/i;

/** An HTTP request as API Gateway's HTTP API hands it to a Lambda (payload format 2.0), with no authorizer claims. */
function toEvent(req: IncomingMessage, body: Buffer) {
  const url = new URL(req.url ?? '/', 'http://placeholder');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers))
    if (name !== 'cookie' && value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  const cookies = req.headers.cookie?.split(/;\s*/).filter(Boolean);
  const binary = body.length > 0 && !TEXT.test(req.headers['content-type'] ?? '');
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(cookies?.length ? { cookies } : {}),
    headers,
    requestContext: {
      accountId: '123456789012',
      apiId: 'local',
      domainName: req.headers.host ?? '127.0.0.1',
      domainPrefix: 'local',
      http: {
        method: req.method ?? 'GET',
        path: url.pathname,
        protocol: 'HTTP/1.1',
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: req.headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    ...(body.length ? { body: binary ? body.toString('base64') : body.toString('utf8'), isBase64Encoded: binary } : { isBase64Encoded: false }),
  };
}

/**
 * A local stand-in for API Gateway's HTTP API in front of a Lambda bundle, for
 * browser tests of what runs in AWS: each request becomes a payload 2.0 event
 * for the bundle's handler, and its result (cookies, base64 bodies) the
 * response. Only for routes without an authorizer (the pages): it passes no
 * JWT claims, so the API itself answers 401 here, as it would with none.
 */
export async function startHttpApiGateway(handler: Handler, port = 0): Promise<{ url: string; port: number; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      handler(toEvent(req, Buffer.concat(chunks)), { awsRequestId: randomUUID(), functionName: 'api', getRemainingTimeInMillis: () => 29_000 }).then(
        (result) => {
          const headers: Record<string, string | string[]> = { ...(result.headers ?? {}) };
          if (result.cookies?.length) headers['set-cookie'] = result.cookies;
          res
            .writeHead(result.statusCode, headers)
            .end(result.body === undefined ? undefined : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8'));
        },
        (error: unknown) =>
          res.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'Internal Server Error', error: String(error) })),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error('the HTTP API stand-in did not start');
  return { url: `http://127.0.0.1:${address.port}`, port: address.port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
