import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { AUDIENCE, createApp, govukFrontendDir, LOCAL_ISSUER, tokenLogin } from '@bt/api';
import { logger } from '@bt/services';
import { OutboxMailer } from '@bt/email';
import { Store } from '@bt/store';
import { FileEventSink, inProcessDigestDesk, publishOutbox, upgradeSummaries, type Deps } from '@bt/services';
import { seedDemo } from './demo.ts';
import type { LocalConfig } from './config.ts';
import { startSchedules } from './schedules.ts';
import { startDynamoDbLocal, type DynamoDbLocal } from './dynamodb-local.ts';
import { lockDataDir, lockHolder, type DataDirLock } from './lock.ts';

export interface LocalRun {
  url: string;
  config: LocalConfig;
  store: Store;
  deps: Deps;
  sink: FileEventSink;
  mailer: OutboxMailer;
  stop(): Promise<void>;
}

const DOCS_ASSETS = '/docs/assets';

export function endpointFile(dataDir: string): string {
  return join(dataDir, 'dynamodb-local.endpoint');
}

/** The endpoint of the DynamoDB Local a running server started on this data directory, if that server is still running. */
export function runningEndpoint(dataDir: string): string | undefined {
  if (lockHolder(dataDir) === undefined) return undefined;
  try {
    return readFileSync(endpointFile(dataDir), 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** Restarts of DynamoDB Local allowed within a minute before the run gives up. */
const MAX_RESTARTS_PER_MINUTE = 3;

/**
 * The product running locally: DynamoDB Local (unless DYNAMODB_ENDPOINT names
 * one), the tables from the shared definitions, and the API on HOST:PORT with
 * Swagger UI served from this machine (no CDN needed).
 */
export async function startLocal(config: LocalConfig, options: { onFatal?: (message: string) => void } = {}): Promise<LocalRun> {
  let dynamo: DynamoDbLocal | undefined;
  let lock: DataDirLock | undefined;
  let endpoint = config.dynamodbEndpoint;
  if (!endpoint) {
    // One DynamoDB Local per data directory: a second on the same files loses acknowledged writes.
    lock = lockDataDir(config.dataDir);
    const dbPath = join(config.dataDir, 'dynamodb');
    const restarts: number[] = [];
    const launch = async (port?: number): Promise<DynamoDbLocal> =>
      startDynamoDbLocal({
        dbPath,
        quickStart: true,
        pidFile: join(config.dataDir, 'dynamodb-local.pid'),
        ...(port ? { port } : {}),
        onUnexpectedExit: (code) => {
          const now = Date.now();
          restarts.push(now);
          while (restarts[0]! < now - 60_000) restarts.shift();
          if (restarts.length > MAX_RESTARTS_PER_MINUTE) {
            const message = `DynamoDB Local stopped ${restarts.length} times within a minute (last exit code ${code}); the server stops. Check Java (java -version) and ${dbPath}, then start again.`;
            logger.error(message);
            (options.onFatal ?? ((m: string) => logger.error(m)))(message);
            return;
          }
          logger.warn('DynamoDB Local stopped unexpectedly; restarting it on the same port and files (requests meanwhile answer 503)', { code });
          launch(port ?? dynamo?.port).then(
            (restarted) => {
              dynamo = restarted;
              logger.info('DynamoDB Local restarted', { endpoint: restarted.endpoint });
            },
            (error: unknown) =>
              (options.onFatal ?? ((m: string) => logger.error(m)))(
                `DynamoDB Local could not be restarted: ${error instanceof Error ? error.message : String(error)}`,
              ),
          );
        },
      });
    try {
      dynamo = await launch();
    } catch (error) {
      lock.release();
      throw error;
    }
    endpoint = dynamo.endpoint;
    // Jobs run from the command line while the server is up use this DynamoDB Local rather than start a second one on the same files.
    writeFileSync(endpointFile(config.dataDir), endpoint);
    logger.info('DynamoDB Local started', { endpoint, dbPath });
  }
  const store = new Store({ region: config.region, endpoint, tableName: config.tableName, timeouts: config.dynamodbTimeouts });
  try {
    const created = await store.ensureTable();
    logger.info(`table ${config.tableName} ${created}`);

    const deps: Deps = { store, clock: () => new Date(), thresholds: config.thresholds, alertSettings: config.alertSettings, ledger: config.ledger };
    const upgraded = await upgradeSummaries(deps);
    if (upgraded) logger.info(`rebuilt ${upgraded} project summaries of an earlier layout from their records`);
    const sink = new FileEventSink(join(config.dataDir, 'events.jsonl'));
    const mailer = new OutboxMailer(join(config.dataDir, 'outbox'));
    if (config.seedDemo) {
      const started = Date.now();
      const seeded = await seedDemo(deps, {
        digests: { settings: config.digest, mailer },
        // A first start seeds the demo (a few seconds): say how far it has got, on stderr.
        onProgress: (done, total) =>
          process.stderr.write(
            `\r  Seeding the demo programme: ${Math.round((done / total) * 100)}% (${done}/${total} changes, ${((Date.now() - started) / 1000).toFixed(1)} s)${done === total ? '\n' : ''}`,
          ),
      });
      if (seeded) logger.info('seeded the illustrative demo programme (SEED_DEMO=false starts empty)', seeded);
    }
    const auth = { mode: 'local-hs256', secret: config.jwtSecret, issuer: LOCAL_ISSUER, audience: AUDIENCE } as const;
    const app = createApp(deps, {
      auth,
      pages: { login: tokenLogin(auth), assetsDir: govukFrontendDir() },
      bodyLimitBytes: config.bodyLimitBytes,
      docsAssetsBaseUrl: DOCS_ASSETS,
      digests: inProcessDigestDesk(deps, config.digest, mailer),
    });
    const swaggerDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
    // On the app itself (not a wrapper app), so an unknown path gets the API's problem+json 404.
    app.use(
      `${DOCS_ASSETS}/swagger-ui-dist/*`,
      serveStatic({ root: relative(process.cwd(), swaggerDir), rewriteRequestPath: (p) => p.slice(`${DOCS_ASSETS}/swagger-ui-dist`.length) }),
    );

    const server = await listen(app, config);
    const schedules = config.schedules ? startSchedules(deps, sink, { settings: config.digest, mailer }) : undefined;
    // Events raised by API calls (actuals recorded, alerts evaluated on demand) go out promptly.
    const publisher = setInterval(() => {
      publishOutbox(deps, sink).catch((error: unknown) => logger.warn('publishing events failed; will retry', { error }));
    }, 2_000);
    publisher.unref();
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const url = `http://${config.host}:${port}`;
    return {
      url,
      store,
      config,
      deps,
      sink,
      mailer,
      stop: async () => {
        schedules?.stop();
        clearInterval(publisher);
        await new Promise<void>((resolve) => server.close(() => resolve()));
        store.destroy();
        if (dynamo) rmSync(endpointFile(config.dataDir), { force: true });
        await dynamo?.stop();
        lock?.release();
      },
    };
  } catch (error) {
    store.destroy();
    if (dynamo) rmSync(endpointFile(config.dataDir), { force: true });
    await dynamo?.stop();
    lock?.release();
    throw error;
  }
}

function listen(app: { fetch: (request: Request) => Response | Promise<Response> }, config: LocalConfig): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () => resolve(server));
    server.once('error', reject);
  });
}
