import { benchMonths } from './months.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AUDIENCE, createApp, LOCAL_ISSUER } from '@bt/api';
import { createDynamo, RequestCounter, Store } from '@bt/store';
import { startDynamoDbLocal } from '../../packages/local/src/dynamodb-local.ts';
import { makeToken } from '../../packages/local/src/token.ts';
import { evaluateAndStore } from '@bt/services';
import { testDigestDesk } from '../support/digest.ts';
import { BUNDLE_NODE_VERSION, bundleFigures } from './bundles.ts';
import { callLatency, httpLatency } from './latency.ts';
import { benchMachine } from './app.ts';
import { seedProgramme } from './programme.ts';

/**
 * `pnpm bench`: the benchmarks, printed and written to .bench/latest.json.
 * Against DynamoDB Local on this machine (in memory), so absolute times say
 * more about DynamoDB Local than about DynamoDB; request counts carry over.
 */
const PROJECTS = Number(process.env.BENCH_PROJECTS ?? 1000);
const BENEFITS = Number(process.env.BENCH_BENEFITS_PER_PROJECT ?? 10);
const YEARS = 5;
const secret = 'bench-secret-0123456789abcdef0123456789';

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function main() {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  // Cold imports first, before DynamoDB Local's JVM starts and competes for the two cores (the bundles only read the endpoint's address).
  const months = benchMonths();
  console.log('month parsing, parsed once vs a regex per call (5 alternating rounds):', JSON.stringify(months));
  const { bundles } = await bundleFigures('http://127.0.0.1:1');
  console.log(
    `bundles on Node.js ${BUNDLE_NODE_VERSION} (minified KiB, median cold import ms, ratio to a minimal Hono handler, paired ratio to the stack floor):`,
    bundles,
  );
  const dynamo = await startDynamoDbLocal();
  const counter = new RequestCounter();
  const store = new Store({ region: 'eu-west-2', endpoint: dynamo.endpoint, tableName: 'bench' }, counter);
  // Straight to the table: the seed's batch writes and the bare DynamoDB calls the API is compared with.
  const raw = { doc: createDynamo({ region: 'eu-west-2', endpoint: dynamo.endpoint }).doc, tableName: 'bench' };
  const results: Record<string, unknown> = {
    date: new Date().toISOString(),
    machine: benchMachine(),
    programme: { projects: PROJECTS, benefits: PROJECTS * BENEFITS, years: YEARS },
  };
  try {
    await store.ensureTable();
    results.months = months;
    results.bundles = { node: BUNDLE_NODE_VERSION, ...bundles };
    const seeded = await seedProgramme(store, raw, { projects: PROJECTS, benefitsPerProject: BENEFITS, years: YEARS });
    console.log(`seeded ${seeded.items} items in ${seeded.seedSeconds.toFixed(1)} s`);
    const deps = { store, clock: () => new Date('2025-11-20T09:00:00Z') };
    const app = createApp(deps, {
      auth: { mode: 'local-hs256', secret, issuer: LOCAL_ISSUER, audience: AUDIENCE },
      bodyLimitBytes: 1 << 20,
      digests: testDigestDesk(deps, join('.bench', 'outbox')),
    });
    const token = await makeToken(secret, { sub: 'bench', roles: ['admin'] });
    const get = (path: string) => app.request(path, { headers: { Authorization: `Bearer ${token}` } });
    {
      // Before anything is written through the API (at now):
      // A moment a millisecond before now, from history, must give today's figures: a check of the history at this scale.
      const justBefore = '/v1/reports/programme?financialYear=2025/26&asAt=2025-11-20T08:59:59.999Z';
      const strip = (body: string) => {
        const { asAt: _a, knownAt: _k, ...rest } = JSON.parse(body);
        return JSON.stringify(rest);
      };
      const [a, b] = [await (await get('/v1/reports/programme?financialYear=2025/26')).text(), await (await get(justBefore)).text()];
      if (strip(a) !== strip(b)) {
        const [x, y] = [JSON.parse(strip(a)), JSON.parse(strip(b))];
        const diff = Object.keys(x.programme).filter((k) => JSON.stringify(x.programme[k]) !== JSON.stringify(y.programme[k]));
        throw new Error(
          `the report from history a moment before now differs from the summaries: ${diff.map((k) => `${k} ${x.programme[k]} ≠ ${y.programme[k]}`).join(', ')}`,
        );
      }
    }

    // DynamoDB requests per API operation (they do not grow with the data).
    const firstProject = (await store.projects.list({}, { limit: 1 })).items[0]!;
    const benefit = (await store.children.record(firstProject.id))!.benefits[0]!;
    const send = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
      counter.reset();
      const res = await app.request(path, {
        method,
        headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}), ...headers },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      await res.text();
      return { status: res.status, requests: counter.total, byCommand: Object.fromEntries(counter.byCommand) };
    };
    const b = `/v1/projects/${benefit.projectId}/benefits/${benefit.id}`;
    results.requestsPerOperation = {
      'GET /v1/workstreams/{id}': await send('GET', `/v1/workstreams/${(await store.workstreams.list({ limit: 1 })).items[0]!.id}`),
      'GET /v1/projects/{id}': await send('GET', `/v1/projects/${benefit.projectId}`),
      'GET /v1/projects?limit=50': await send('GET', '/v1/projects?limit=50'),
      'PATCH /v1/projects/{id}': await send('PATCH', `/v1/projects/${benefit.projectId}`, { sro: 'Bench SRO' }),
      'PUT …/forecast': await send('PUT', `${b}/forecast`, { months: { '2025-10': 123_400 } }),
      'POST …/actuals (Idempotency-Key)': await send(
        'POST',
        `${b}/actuals`,
        { month: '2025-10', amountPence: 100, note: 'bench' },
        { 'Idempotency-Key': 'bench-1' },
      ),
      'POST …/actuals (replay)': await send('POST', `${b}/actuals`, { month: '2025-10', amountPence: 100, note: 'bench' }, { 'Idempotency-Key': 'bench-1' }),
      'GET /v1/alerts?status=open': await send('GET', '/v1/alerts?status=open'),
    };
    console.log(
      'DynamoDB requests per operation:',
      Object.fromEntries(Object.entries(results.requestsPerOperation as Record<string, { requests: number }>).map(([k, v]) => [k, v.requests])),
    );

    // API latency under 16 concurrent clients against the bare DynamoDB call each route makes: paired, alternating, 5 rounds of 2 s each.
    const { GetCommand, QueryCommand } = await import('@aws-sdk/lib-dynamodb');
    const anyWorkstream = (await store.workstreams.list({ limit: 1 })).items[0]!;
    const anyProject = (await store.projects.list({}, { limit: 1 })).items[0]!;
    const routes = [
      {
        name: 'GET /v1/workstreams/{id}',
        path: `/v1/workstreams/${anyWorkstream.id}`,
        bare: () => raw.doc.send(new GetCommand({ TableName: 'bench', Key: { pk: `WS#${anyWorkstream.id}`, sk: 'WS' }, ConsistentRead: true })),
      },
      {
        name: 'GET /v1/projects/{id}',
        path: `/v1/projects/${anyProject.id}?asAt=2025-11-20`,
        // The project's record (its history sorts after it, from '~'), as the product reads it.
        bare: () =>
          raw.doc.send(
            new QueryCommand({
              TableName: 'bench',
              KeyConditionExpression: 'pk = :pk AND sk < :history',
              ExpressionAttributeValues: { ':pk': `PRJ#${anyProject.id}`, ':history': '~' },
              ConsistentRead: true,
            }),
          ),
      },
    ];
    results.latency = {};
    for (const route of routes) {
      const rounds: { api: { p50Ms: number; p99Ms: number; requestsPerSecond: number }; bare: { p50Ms: number; p99Ms: number; requestsPerSecond: number } }[] =
        [];
      for (let i = 0; i < 5; i++) {
        const api = (await httpLatency({ fetch: (r: Request) => app.fetch(r) }, [route], token, { connections: 16, seconds: 2 }))[route.name]!;
        const bare = await callLatency(route.bare, { concurrency: 16, seconds: 2 });
        rounds.push({ api, bare });
      }
      const ratio = (q: 'p50Ms' | 'p99Ms') => {
        const r = rounds.map((x) => x.api[q] / Math.max(x.bare[q], 0.1));
        return { min: Number(Math.min(...r).toFixed(2)), median: Number(median(r).toFixed(2)) };
      };
      (results.latency as Record<string, unknown>)[route.name] = {
        apiP50Ms: median(rounds.map((x) => x.api.p50Ms)),
        bareP50Ms: median(rounds.map((x) => x.bare.p50Ms)),
        p50Ratio: ratio('p50Ms'),
        p99Ratio: ratio('p99Ms'),
        rounds,
      };
    }
    console.log(
      'latency, 16 concurrent clients, API ÷ the bare DynamoDB call (5 alternating rounds):',
      JSON.stringify(
        Object.fromEntries(
          Object.entries(results.latency as Record<string, { p50Ratio: unknown; p99Ratio: unknown }>).map(([k, v]) => [
            k,
            { p50: v.p50Ratio, p99: v.p99Ratio },
          ]),
        ),
      ),
    );

    // Programme report: requests and time.
    const times: number[] = [];
    let requests = 0;
    let bytes = 0;
    for (let i = 0; i < 5; i++) {
      counter.reset();
      const t0 = performance.now();
      const res = await get('/v1/reports/programme?financialYear=2025/26&asAt=2025-11-20');
      const body = await res.text();
      times.push(performance.now() - t0);
      requests = counter.total;
      bytes = body.length;
      if (res.status !== 200) throw new Error(`report ${res.status}: ${body.slice(0, 300)}`);
    }
    results.report = {
      medianMs: Math.round(median(times)),
      runsMs: times.map(Math.round),
      dynamoRequests: requests,
      byCommand: Object.fromEntries(counter.byCommand),
      responseBytes: bytes,
    };
    console.log(`programme report: median ${Math.round(median(times))} ms, ${requests} DynamoDB requests`, Object.fromEntries(counter.byCommand));

    // The report as at now (the summaries) and as at a past instant (each project's history), alternating, 5 rounds each.
    {
      const now = '/v1/reports/programme?financialYear=2025/26';
      const past = '/v1/reports/programme?financialYear=2025/26&asAt=2025-06-30';
      const rounds: Record<'now' | 'past', { ms: number[]; requests: number }> = { now: { ms: [], requests: 0 }, past: { ms: [], requests: 0 } };
      for (let i = 0; i < 5; i++) {
        for (const [which, url] of [
          ['now', now],
          ['past', past],
        ] as const) {
          counter.reset();
          const t0 = performance.now();
          const res = await get(url);
          await res.text();
          rounds[which].ms.push(performance.now() - t0);
          rounds[which].requests = counter.total;
        }
      }
      const ratios = rounds.past.ms.map((ms, i) => ms / rounds.now.ms[i]!);
      results.reportAsAt = {
        now: { medianMs: Math.round(median(rounds.now.ms)), minMs: Math.round(Math.min(...rounds.now.ms)), dynamoRequests: rounds.now.requests },
        past: { medianMs: Math.round(median(rounds.past.ms)), minMs: Math.round(Math.min(...rounds.past.ms)), dynamoRequests: rounds.past.requests },
        pastOverNowRatio: { min: Number(Math.min(...ratios).toFixed(2)), median: Number(median(ratios).toFixed(2)) },
      };
      console.log('report as at now vs a past instant (5 alternating rounds):', JSON.stringify(results.reportAsAt));
    }

    // Monthly savings feed: rows/s and peak memory.
    for (const format of ['csv', 'json'] as const) {
      global.gc?.();
      const baseHeap = process.memoryUsage().heapUsed;
      let peakHeap = baseHeap;
      let peakRss = process.memoryUsage().rss;
      const sampler = setInterval(() => {
        const m = process.memoryUsage();
        peakHeap = Math.max(peakHeap, m.heapUsed);
        peakRss = Math.max(peakRss, m.rss);
      }, 20);
      counter.reset();
      const t0 = performance.now();
      const res = await get(`/v1/feeds/savings?financialYear=2025/26&asAt=2025-11-20&format=${format}&granularity=month`);
      const reader = res.body!.getReader();
      let size = 0;
      let newlines = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.length;
        if (format === 'csv') for (const byte of value) if (byte === 10) newlines++;
      }
      const seconds = (performance.now() - t0) / 1000;
      clearInterval(sampler);
      const rows = format === 'csv' ? newlines - 1 : PROJECTS * BENEFITS * 12;
      results[`savingsFeed_${format}`] = {
        rows,
        seconds: Number(seconds.toFixed(2)),
        rowsPerSecond: Math.round(rows / seconds),
        megabytes: Number((size / 2 ** 20).toFixed(1)),
        peakHeapAboveBaselineMiB: Number(((peakHeap - baseHeap) / 2 ** 20).toFixed(1)),
        peakRssMiB: Math.round(peakRss / 2 ** 20),
        dynamoRequests: counter.total,
      };
      console.log(
        `savings feed (${format}, monthly): ${rows} rows in ${seconds.toFixed(2)} s = ${Math.round(rows / seconds)} rows/s, ${(size / 2 ** 20).toFixed(1)} MiB, peak heap +${((peakHeap - baseHeap) / 2 ** 20).toFixed(1)} MiB, ${counter.total} DynamoDB requests`,
      );
    }

    // Alert evaluation: a first run (raises) and a second (refreshes), requests and time.
    for (const run of ['first', 'second'] as const) {
      counter.reset();
      const t0 = performance.now();
      const r = await evaluateAndStore({ store, clock: () => new Date('2025-11-20T06:00:00Z') }, '2025-11-20');
      const seconds = (performance.now() - t0) / 1000;
      results[`alertEvaluation_${run}`] = {
        seconds: Number(seconds.toFixed(1)),
        conditions: r.conditions,
        raised: r.raised.length,
        raisedByRule: r.raised.reduce<Record<string, number>>((a, x) => {
          a[x.rule] = (a[x.rule] ?? 0) + 1;
          return a;
        }, {}),
        refreshed: r.refreshed,
        dynamoRequests: counter.total,
        byCommand: Object.fromEntries(counter.byCommand),
        // Measured at 1×, 3× and 10× by `pnpm bench:scale`, never extrapolated from this run.
      };
      console.log(
        `alert evaluation (${run} run): ${seconds.toFixed(1)} s, ${r.conditions} conditions, ${r.raised.length} raised, ${r.refreshed} refreshed, ${counter.total} DynamoDB requests`,
        Object.fromEntries(counter.byCommand),
      );
    }
  } finally {
    store.destroy();
    await dynamo.stop();
  }
  mkdirSync('.bench', { recursive: true });
  writeFileSync(join('.bench', 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(JSON.stringify(results, null, 2));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
