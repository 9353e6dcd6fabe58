import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { AUDIENCE, createApp, LOCAL_ISSUER, logger } from '@bt/api';
import { ensureTable, mainTable, Store } from '@bt/store';
import { Hono } from 'hono';
import type { LocalConfig } from './config.ts';
import { startDynamoDbLocal, type DynamoDbLocal } from './dynamodb-local.ts';

export interface LocalRun {
  url: string;
  store: Store;
  stop(): Promise<void>;
}

const DOCS_ASSETS = '/docs/assets';

/**
 * The product running locally: DynamoDB Local (unless DYNAMODB_ENDPOINT names
 * one), the tables from the shared definitions, and the API on HOST:PORT with
 * Swagger UI served from this machine (no CDN needed).
 */
export async function startLocal(config: LocalConfig): Promise<LocalRun> {
  let dynamo: DynamoDbLocal | undefined;
  let endpoint = config.dynamodbEndpoint;
  if (!endpoint) {
    dynamo = await startDynamoDbLocal({ dbPath: join(config.dataDir, 'dynamodb'), pidFile: join(config.dataDir, 'dynamodb-local.pid') });
    endpoint = dynamo.endpoint;
    logger.info('DynamoDB Local started', { endpoint, dbPath: join(config.dataDir, 'dynamodb') });
  }
  const store = new Store({ region: config.region, endpoint, tableName: config.tableName });
  try {
    const created = await ensureTable(store.client, mainTable, config.tableName);
    logger.info(`table ${config.tableName} ${created}`);

    const app = createApp(
      { store, clock: () => new Date(), thresholds: config.thresholds },
      {
        auth: { mode: 'local-hs256', secret: config.jwtSecret, issuer: LOCAL_ISSUER, audience: AUDIENCE },
        bodyLimitBytes: config.bodyLimitBytes,
        docsAssetsBaseUrl: DOCS_ASSETS,
      },
    );
    const root = new Hono();
    const swaggerDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
    root.use(
      `${DOCS_ASSETS}/swagger-ui-dist/*`,
      serveStatic({ root: relative(process.cwd(), swaggerDir), rewriteRequestPath: (p) => p.slice(`${DOCS_ASSETS}/swagger-ui-dist`.length) }),
    );
    root.route('/', app);

    const server = await listen(root, config);
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const url = `http://${config.host}:${port}`;
    return {
      url,
      store,
      stop: async () => {
        await new Promise<void>((resolve) => server.close(() => resolve()));
        store.destroy();
        await dynamo?.stop();
      },
    };
  } catch (error) {
    store.destroy();
    await dynamo?.stop();
    throw error;
  }
}

function listen(app: Hono, config: LocalConfig): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () => resolve(server));
    server.once('error', reject);
  });
}
