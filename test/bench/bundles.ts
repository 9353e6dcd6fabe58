import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { FUNCTION_ENTRIES, lambdaBundling } from '../../functions/bundling.ts';
import { createDynamo, keys, Store } from '@bt/store';
import { startDynamoDbLocal } from '../../packages/local/src/dynamodb-local.ts';
import { loadEvent } from '../support/events.ts';
import { buildFunctionBundles } from '../support/side-modules.ts';
import { seedProgramme } from './programme.ts';

const root = join(import.meta.dirname, '..', '..');

/**
 * The Node.js that imports the bundles: this one, or `BENCH_NODE` (a path),
 * for the Lambda runtime's major version where this machine has another
 * (README, "Benchmarks"). The bundles are built for its version.
 */
const NODE = process.env.BENCH_NODE ?? process.execPath;
export const BUNDLE_NODE_VERSION = execFileSync(NODE, ['--version'], { encoding: 'utf8' }).trim();
const NODE_TARGET = `node${BUNDLE_NODE_VERSION.slice(1).split('.')[0]}`;

/** One cold import of a bundle in a fresh node process (a cold-start proxy), in ms. */
function importOnce(file: string, env: NodeJS.ProcessEnv): number {
  const script = `const t=performance.now();await import(${JSON.stringify(file)});process.stdout.write(String(performance.now()-t));`;
  return Number(execFileSync(NODE, ['--input-type=module', '-e', script], { env }));
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Median of `runs` cold imports of a bundle, in ms. */
function importTime(file: string, env: NodeJS.ProcessEnv, runs = 9): number {
  return median(Array.from({ length: runs }, () => importOnce(file, env)));
}

/**
 * A bundle's cold import against the stack floor, paired: each round imports
 * the floor and the bundle one after the other, so a noisy moment of the
 * shared machine falls on both; the ratio of each round, min and median.
 */
function pairedRatio(file: string, floor: string, env: NodeJS.ProcessEnv, rounds = ROUNDS) {
  const ratios: number[] = [];
  const ms: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const f = importOnce(floor, env);
    const b = importOnce(file, env);
    ratios.push(b / f);
    ms.push(b);
  }
  return { min: Number(Math.min(...ratios).toFixed(2)), median: Number(median(ratios).toFixed(2)), medianMs: Number(median(ms).toFixed(1)) };
}

/**
 * A cold start as a caller meets it: the bundle imported in a fresh node
 * process and its handler invoked once with `event`, in ms (import alone, and
 * import and the first answer together). Fails unless the answer is 200.
 */
function firstRequestOnce(file: string, event: unknown, env: NodeJS.ProcessEnv): { importMs: number; totalMs: number } {
  const script = `const t=performance.now();const m=await import(${JSON.stringify(file)});const i=performance.now();const r=await m.handler(${JSON.stringify(event)},{awsRequestId:'bench',getRemainingTimeInMillis:()=>30000});const e=performance.now();if(r.statusCode!==200)throw new Error('status '+r.statusCode+' '+r.body);process.stdout.write(JSON.stringify({importMs:i-t,totalMs:e-t}));`;
  return JSON.parse(execFileSync(NODE, ['--input-type=module', '-e', script], { env, encoding: 'utf8' }));
}

/** A seeded table for the first requests, and how to stop its DynamoDB Local. */
export interface LiveTable {
  endpoint: string;
  tableName: string;
  /** The key of an item the stack floor's handler reads (a workstream's). */
  key: { pk: string; sk: string };
  stop: () => Promise<void>;
}

/**
 * The API's cold start with its first request (`events/http-api/get-workstreams-cmt.json`:
 * a Query, the records checked and figured, the page answered) against the
 * stack floor's with its own (one GetItem, answered as it is), paired in
 * each round like the imports. Schemas built on first use make a cold
 * import cheaper only if the first request does not then build them all:
 * this is the figure that says whether anyone waits less.
 */
function pairedFirstRequest(api: string, floor: string, table: LiveTable, env: NodeJS.ProcessEnv, rounds = ROUNDS) {
  const apiEvent = loadEvent('http-api', 'get-workstreams-cmt');
  const path = `/${encodeURIComponent(table.key.pk)}/${encodeURIComponent(table.key.sk)}`;
  // The same event, to the floor's one route: GET /{pk}/{sk}.
  const floorEvent = JSON.parse(JSON.stringify(apiEvent));
  Object.assign(floorEvent, { rawPath: path, rawQueryString: '', queryStringParameters: undefined });
  floorEvent.requestContext.http.path = path;
  const ratios: { total: number; import: number }[] = [];
  const ms: { api: number; floor: number }[] = [];
  for (let i = 0; i < rounds; i++) {
    const f = firstRequestOnce(floor, floorEvent, env);
    const a = firstRequestOnce(api, apiEvent, env);
    ratios.push({ total: a.totalMs / f.totalMs, import: a.importMs / f.importMs });
    ms.push({ api: a.totalMs, floor: f.totalMs });
  }
  const figure = (values: number[]) => ({ median: Number(median(values).toFixed(2)), min: Number(Math.min(...values).toFixed(2)) });
  return {
    importAndFirstRequest: figure(ratios.map((r) => r.total)),
    importAlone: figure(ratios.map((r) => r.import)),
    medianMs: { api: Number(median(ms.map((m) => m.api)).toFixed(1)), floor: Number(median(ms.map((m) => m.floor)).toFixed(1)) },
  };
}

/** Rounds of each paired ratio (`BENCH_ROUNDS`; 7 unless told). */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);

/**
 * Reference bundles, built the same way, that show the floor under the ratio:
 * the minimal Hono handler, and the parts every function of ours must carry.
 */
const REFERENCES = {
  minimal:
    "import { Hono } from 'hono';\nimport { handle } from 'hono/aws-lambda';\nexport const handler = handle(new Hono().get('/', (c) => c.text('ok')));\n",
  'ref-dynamodb-client':
    "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\nimport { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';\nexport const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));\n",
  'ref-zod': "import * as z from 'zod';\nexport const schema = z.object({ id: z.string() });\n",
  // The stack floor (issue 20): what every function of ours must carry — the DynamoDB client and DocumentClient, Hono and zod — and nothing of ours.
  'stack-floor':
    "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\nimport { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';\nimport { Hono } from 'hono';\nimport { handle } from 'hono/aws-lambda';\nimport * as z from 'zod';\nconst doc = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: process.env.DYNAMODB_ENDPOINT }));\nconst Key = z.object({ pk: z.string(), sk: z.string() });\nexport const handler = handle(new Hono().get('/:pk/:sk', async (c) => c.json((await doc.send(new GetCommand({ TableName: process.env.TABLE_NAME, Key: Key.parse(c.req.param()) }))).Item ?? {})));\n",
  // The stack floor with what the export function uses at every invocation besides: the S3 client and its multipart upload.
  'stack-floor-s3':
    "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\nimport { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';\nimport { S3Client } from '@aws-sdk/client-s3';\nimport { Upload } from '@aws-sdk/lib-storage';\nimport { Hono } from 'hono';\nimport { handle } from 'hono/aws-lambda';\nimport * as z from 'zod';\nconst doc = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: process.env.DYNAMODB_ENDPOINT }));\nconst s3 = new S3Client({});\nconst Key = z.object({ pk: z.string(), sk: z.string() });\nexport const handler = handle(new Hono().get('/:pk/:sk', async (c) => { const item = (await doc.send(new GetCommand({ TableName: process.env.TABLE_NAME, Key: Key.parse(c.req.param()) }))).Item ?? {}; await new Upload({ client: s3, params: { Bucket: 'b', Key: 'k', Body: JSON.stringify(item) } }).done(); return c.json(item); }));\n",
} as const;

/** A function that needs more than the stack floor at every invocation, and the floor with that added (its own floor, beside the stack floor's ratio). */
const OWN_FLOOR: Partial<Record<keyof typeof FUNCTION_ENTRIES, keyof typeof REFERENCES>> = { exports: 'stack-floor-s3' };

/**
 * Each function's bundle, built with the deploy settings, beside a minimal
 * Hono handler bundled the same way: size (minified) and import time.
 */
export async function bundleFigures(endpoint: string, live?: () => Promise<LiveTable>) {
  const dir = mkdtempSync(join(tmpdir(), 'bt-bundle-bench-'));
  try {
    const references = Object.fromEntries(
      Object.entries(REFERENCES).map(([name, source]) => {
        const file = join(dir, `${name}-entry.ts`);
        writeFileSync(file, source);
        return [name, file];
      }),
    );
    const nodePaths = [
      join(root, 'functions', 'api', 'node_modules'),
      join(root, 'packages', 'store', 'node_modules'),
      join(root, 'packages', 'services', 'node_modules'),
    ];
    // The references bundled the same way as the functions.
    await build({
      ...lambdaBundling,
      entryPoints: references,
      outdir: dir,
      outExtension: { '.js': '.mjs' },
      target: NODE_TARGET,
      logLevel: 'error',
      nodePaths,
    });
    // Each function with its own external modules, and its side modules beside it as deployed (not imported at a cold start).
    await buildFunctionBundles(Object.keys(FUNCTION_ENTRIES) as (keyof typeof FUNCTION_ENTRIES)[], dir, { target: NODE_TARGET, nodePaths });
    const env = {
      ...process.env,
      TABLE_NAME: 'bench',
      AWS_REGION: 'eu-west-2',
      DYNAMODB_ENDPOINT: endpoint,
      EVENT_BUS_NAME: 'bench',
      DIGEST_FUNCTION_NAME: 'bench-digest',
      // As deployed: the exports bucket and the export function named (neither is touched at a cold start).
      EXPORTS_BUCKET: 'bench-exports',
      FEED_EXPORT_FUNCTION_NAME: 'bench-exports',
      // As deployed: the pages' hosted login configured (discovery waits for the first sign-in).
      PAGES_OIDC_ISSUER: 'https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_bench',
      PAGES_OIDC_CLIENT_ID: 'bench-client',
      DIGEST_RECIPIENTS: 'cmt@council.example.gov.uk',
      DIGEST_SENDER: 'benefits-tracker@council.example.gov.uk',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    };
    const baseline = importTime(join(dir, 'minimal.mjs'), env);
    type Ratio = { min: number; median: number; medianMs: number };
    const out: Record<string, { kib: number; importMs: number; importRatio: number; overStackFloor?: Ratio; overOwnFloor?: Ratio & { floor: string } }> = {};
    const floor = join(dir, 'stack-floor.mjs');
    for (const name of [...Object.keys(FUNCTION_ENTRIES), ...Object.keys(REFERENCES)]) {
      const file = join(dir, `${name}.mjs`);
      const ms = name === 'minimal' ? baseline : importTime(file, env);
      out[name] = { kib: Math.round(statSync(file).size / 1024), importMs: Number(ms.toFixed(1)), importRatio: Number((ms / baseline).toFixed(1)) };
      if (name in FUNCTION_ENTRIES) out[name]!.overStackFloor = pairedRatio(file, floor, env);
      const own = OWN_FLOOR[name as keyof typeof FUNCTION_ENTRIES];
      if (own) out[name]!.overOwnFloor = { floor: own, ...pairedRatio(file, join(dir, `${own}.mjs`), env) };
    }
    if (!live) return { bundles: out };
    // Then a cold start as a caller meets it (DynamoDB Local started only now, so that its JVM does not compete with the imports above).
    const table = await live();
    try {
      return {
        bundles: out,
        firstRequest: pairedFirstRequest(join(dir, 'api.mjs'), floor, table, {
          ...env,
          DYNAMODB_ENDPOINT: table.endpoint,
          TABLE_NAME: table.tableName,
          // As in Lambda, the credentials are in the environment (DynamoDB Local takes any).
          AWS_ACCESS_KEY_ID: 'bench',
          AWS_SECRET_ACCESS_KEY: 'bench',
        }),
      };
    } finally {
      await table.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A small programme in DynamoDB Local for the first requests: its workstreams are what the API's first request lists. */
async function seededTable(): Promise<LiveTable> {
  const dynamo = await startDynamoDbLocal({ quickStart: true });
  const tableName = 'bench-first-request';
  const store = new Store({ region: 'eu-west-2', endpoint: dynamo.endpoint, tableName });
  await store.ensureTable();
  const raw = { doc: createDynamo({ region: 'eu-west-2', endpoint: dynamo.endpoint }).doc, tableName };
  await seedProgramme(store, raw, { projects: 20, benefitsPerProject: 10, years: 3, history: false });
  const workstream = (await store.workstreams.list({ limit: 1 })).items[0];
  if (!workstream) throw new Error('the seed made no workstream');
  store.destroy();
  return { endpoint: dynamo.endpoint, tableName, key: keys.workstream(workstream.id), stop: () => dynamo.stop() };
}

/**
 * `pnpm bench:bundles`: the bundle step of `pnpm bench` (no seed of its size),
 * then the API's cold start with its first request against a small seeded
 * table, for a quick cold-start reading.
 */
if (process.argv[1] === import.meta.filename) {
  const { bundles: figures, firstRequest } = await bundleFigures('http://127.0.0.1:1', seededTable);
  console.log(
    `bundles on Node.js ${BUNDLE_NODE_VERSION} (minified KiB, median cold import ms, ratio to a minimal Hono handler, paired ratio to the stack floor):`,
  );
  console.table(
    Object.fromEntries(
      Object.entries(figures).map(([name, f]) => [
        name,
        {
          KiB: f.kib,
          'import ms': f.importMs,
          'over stack floor, median': f.overStackFloor?.median,
          min: f.overStackFloor?.min,
          'over its own floor, median': f.overOwnFloor && `${f.overOwnFloor.median} (${f.overOwnFloor.floor})`,
        },
      ]),
    ),
  );
  console.log('the API: a cold start with its first request, over the stack floor with its own (paired):', JSON.stringify(firstRequest));
}
