import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { serve } from '@hono/node-server';

const AUTOCANNON = join(import.meta.dirname, '..', 'node_modules', '.bin', 'autocannon');

/** p50/p99 of an HTTP route under `connections` concurrent clients on loopback, measured by autocannon in its own process. */
export async function httpLatency(
  app: { fetch: (request: Request) => Response | Promise<Response> },
  routes: { name: string; path: string }[],
  token: string,
  options = { connections: 16, seconds: 8 },
) {
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((r) => server.once('listening', r));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const out: Record<string, { p50Ms: number; p99Ms: number; requestsPerSecond: number; non2xx: number }> = {};
  try {
    for (const route of routes) {
      // autocannon's own process: the load generator does not share our event loop.
      // Asynchronously: the server answering it lives in this process.
      const { stdout } = await promisify(execFile)(
        AUTOCANNON,
        [
          '--json',
          '-c',
          String(options.connections),
          '-d',
          String(options.seconds),
          '-H',
          `Authorization=Bearer ${token}`,
          `http://127.0.0.1:${port}${route.path}`,
        ],
        { maxBuffer: 1 << 24 },
      );
      const r = JSON.parse(stdout) as { latency: { p50: number; p99: number }; requests: { average: number }; non2xx: number };
      out[route.name] = { p50Ms: r.latency.p50, p99Ms: r.latency.p99, requestsPerSecond: Math.round(r.requests.average), non2xx: r.non2xx };
    }
  } finally {
    await new Promise((r) => server.close(r));
  }
  return out;
}

/** The same percentiles for a bare async call (the DynamoDB request a route makes), with the same concurrency. */
export async function callLatency(call: () => Promise<unknown>, options = { concurrency: 16, seconds: 8 }) {
  const times: number[] = [];
  const until = performance.now() + options.seconds * 1000;
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (performance.now() < until) {
        const t0 = performance.now();
        await call();
        times.push(performance.now() - t0);
      }
    }),
  );
  times.sort((a, b) => a - b);
  const at = (q: number) => Number(times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(1));
  return { p50Ms: at(0.5), p99Ms: at(0.99), requestsPerSecond: Math.round(times.length / options.seconds) };
}
