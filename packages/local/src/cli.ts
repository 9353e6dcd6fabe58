import './cli-env.ts';
import { parseArgs } from 'node:util';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { IsoDate, Role, todayInLondon, UnprocessableError } from '@bt/core';
import { importSavings, logger, logToStderr, renderNextDigest } from '@bt/services';
import { SettingsError } from '@bt/core';
import { loadLocalConfig } from './config.ts';
import { DataDirInUseError } from './lock.ts';
import { seedDemo } from './demo.ts';
import { runAlertJob, runDigestJob } from './schedules.ts';
import { runningEndpoint, startLocal } from './server.ts';
import { makeToken } from './token.ts';
import { registerServer, runningServers } from './registry.ts';

const ROLES = Role.options.join(', ');

/** Each command's help: what it does, its options, an example. */
const HELP: Record<string, string> = {
  start: `pnpm start
  Starts the product locally: DynamoDB Local (data in DATA_DIR, default .data), the API, the
  pages and the docs on http://127.0.0.1:3000. The first start on an empty data directory seeds
  the illustrative demo programme (SEED_DEMO=false starts empty). Settings: docs/settings.md.
Example:
  DATA_DIR=/tmp/tracker PORT=3100 pnpm start`,
  token: `pnpm -s token -- --role <role>[,<role>] [--sub <user id>] [--name <name>] [--email <email>] [--hours <n>]
  Prints a bearer token for the local API and pages, signed with the running server's key:
  the one on DATA_DIR if given, else the one server running (or .data's), else it refuses.
  --role    one or more of: ${ROLES} (repeat it, or separate with commas)
  --sub     the user id (default: <first role>-user)
  --name    the name shown (default: the user id)
  --email   an email address
  --hours   how long it lasts, up to 720 (default 8)
Example:
  pnpm -s token -- --role admin --sub ada
  DATA_DIR=/tmp/tracker pnpm -s token -- --role finance,programme-manager --sub fin --hours 24`,
  'evaluate-alerts': `pnpm jobs evaluate-alerts [--as-at YYYY-MM-DD]
  Runs the alert evaluation now and publishes its events (to DATA_DIR/events.jsonl); prints
  what it raised and resolved as JSON. Another day than today is a preview that changes nothing.
Example:
  pnpm -s jobs evaluate-alerts | jq .raised`,
  'seed-demo': `pnpm jobs seed-demo
  Seeds the illustrative demo programme, only into an empty store.
Example:
  DATA_DIR=/tmp/demo pnpm jobs seed-demo`,
  'send-digest': `pnpm jobs send-digest [--slot <slot>]
  Sends the CMT digest now (to DATA_DIR/outbox); one per slot (default: today's date).
Example:
  pnpm jobs send-digest --slot 2026-12-07`,
  'preview-digest': `pnpm jobs preview-digest [--out file.html]
  Renders the next digest without sending it: its text on stdout, its HTML to --out.
Example:
  pnpm jobs preview-digest --out /tmp/digest.html`,
  'import-savings': `pnpm jobs import-savings <file.xlsx|file.csv> [--sheet <name>] [--dry-run] [--mapping map.json]
  Imports a savings tracker (docs/import.md): all rows or none; prints the result as JSON.
  --sheet    a workbook's sheet (default: its first)
  --dry-run  check everything, write nothing
  --mapping  a JSON file: template column → your column header
Example:
  pnpm -s jobs import-savings tracker.xlsx --sheet "Savings 2026-27" --dry-run | jq .problems`,
};

const USAGE = `Usage:
${Object.values(HELP)
  .map((h) => `  ${h.split('\n')[0]}`)
  .join('\n')}
Add --help to any of them for its options and an example. Roles: ${ROLES}`;

const COMMANDS: Record<string, (args: string[]) => Promise<number>> = {
  start: () => start(),
  token: (args) => token(args),
  'evaluate-alerts': (args) => evaluateAlertsJob(args),
  'seed-demo': () => seedDemoJob(),
  'send-digest': (args) => sendDigestJob(args),
  'preview-digest': (args) => previewDigestJob(args),
  'import-savings': (args) => importSavingsJob(args),
};

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv.filter((a) => a !== '--');
  const run = command === undefined ? undefined : COMMANDS[command];
  if (!run || command === undefined) {
    const asked = command === undefined || command === 'help' || command === '--help';
    (asked ? process.stdout : process.stderr).write(`${USAGE}\n`);
    return asked ? 0 : 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${HELP[command]}\n`);
    return 0;
  }
  // What a command prints on stdout is its result; logs go to stderr.
  if (command !== 'start') logToStderr();
  try {
    return await run(rest);
  } catch (error) {
    // An unknown option or a missing value: say so, with the command's help.
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`${error.message}\n\n${HELP[command]}\n`);
      return 2;
    }
    throw error;
  }
}

async function start(): Promise<number> {
  const config = loadLocalConfig();
  let fatal: ((message: string) => void) | undefined;
  const stopped = new Promise<string>((resolve) => {
    fatal = resolve;
  });
  const run = await startLocal(config, { onFatal: (message) => fatal?.(message) });
  const unregister = registerServer({ dataDir: config.dataDir, url: run.url, key: process.env.LOCAL_JWT_SECRET ? 'LOCAL_JWT_SECRET' : 'data-dir' });
  process.stdout.write(
    `\nBenefits tracker running at ${run.url}\n  API docs: ${run.url}/docs\n  OpenAPI:  ${run.url}/openapi.json\n  Token:    pnpm -s token -- --role admin --sub you\n  Data:     ${config.dataDir}\n\n`,
  );
  const reason = await new Promise<string | undefined>((resolve) => {
    const shutdown = (signal: string) => {
      logger.info(`received ${signal}, stopping`);
      resolve(undefined);
    };
    process.once('SIGINT', () => shutdown('SIGINT'));
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGHUP', () => shutdown('SIGHUP'));
    void stopped.then(resolve);
  });
  unregister();
  await run.stop();
  if (reason) {
    process.stderr.write(`\n${reason}\n`);
    return 1;
  }
  return 0;
}

/** Runs a job against the local data: the running server's DynamoDB (DYNAMODB_ENDPOINT) or one started for the job. */
async function withLocal<T>(job: (run: Awaited<ReturnType<typeof startLocal>>) => Promise<T>): Promise<T> {
  const config = loadLocalConfig();
  const endpoint = config.dynamodbEndpoint ?? runningEndpoint(config.dataDir);
  const run = await startLocal({ ...config, dynamodbEndpoint: endpoint, port: 0, schedules: false, seedDemo: false });
  try {
    return await job(run);
  } finally {
    await run.stop();
  }
}

async function evaluateAlertsJob(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { 'as-at': { type: 'string' } } });
  const asAt = values['as-at'];
  if (asAt !== undefined && !IsoDate.safeParse(asAt).success) {
    process.stderr.write('--as-at must be a date such as 2025-10-31\n');
    return 2;
  }
  const r = await withLocal((run) => runAlertJob(run.deps, run.sink, asAt));
  process.stdout.write(
    `${JSON.stringify({ asAt: r.asAt, conditions: r.conditions, raised: r.raised.map((a) => a.message), resolved: r.resolved.map((a) => a.message), refreshed: r.refreshed, published: r.published, skipped: r.skipped }, null, 2)}\n`,
  );
  return 0;
}

async function sendDigestJob(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { slot: { type: 'string' } } });
  const r = await withLocal((run) => runDigestJob(run.deps, run.sink, { settings: run.config.digest, mailer: run.mailer }, values.slot));
  process.stdout.write(
    `${r.sentNow ? 'Sent' : 'Already sent for this slot; nothing sent'}: ${r.digest.subject}\n  ${join(loadLocalConfig().dataDir, 'outbox', `${r.digest.id}.eml`)}\n`,
  );
  return 0;
}

async function previewDigestJob(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { out: { type: 'string' } } });
  const r = await withLocal((run) => renderNextDigest(run.deps, run.config.digest, 'preview', todayInLondon()));
  if (values.out) writeFileSync(values.out, r.html);
  process.stdout.write(`${values.out ? `Wrote ${values.out}\n\n` : ''}${r.text}\n`);
  return 0;
}

async function importSavingsJob(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { 'dry-run': { type: 'boolean' }, mapping: { type: 'string' }, sheet: { type: 'string' } },
  });
  const file = positionals[0];
  if (!file) {
    process.stderr.write('Give the workbook or CSV file: pnpm jobs import-savings tracker.xlsx [--sheet Savings] [--dry-run]\n');
    return 2;
  }
  // The files first, before the store is started: one that cannot be read is said in a line, not a stack trace.
  const read = (path: string) => {
    try {
      return readFileSync(path);
    } catch (error) {
      process.stderr.write(`Cannot read ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'there is no such file' : (error as Error).message}\n`);
      return undefined;
    }
  };
  const bytes = read(file);
  const mappingFile = values.mapping === undefined ? undefined : read(values.mapping);
  if (!bytes || (values.mapping !== undefined && !mappingFile)) return 2;
  const mapping = mappingFile ? (JSON.parse(mappingFile.toString('utf8')) as Record<string, string>) : undefined;
  const admin = { principal: { sub: 'cli-import', name: 'Command-line import', roles: ['admin' as const] }, requestId: `import:${file}` };
  const started = Date.now();
  const result = await withLocal((run) =>
    importSavings(run.deps, admin, new Uint8Array(bytes), {
      dryRun: values['dry-run'] ?? false,
      sheet: values.sheet,
      ...(mapping ? { mapping } : {}),
      onProgress: (done, total) => {
        process.stderr.write(`\r  ${done}/${total} transactions written (${Math.round((Date.now() - started) / 1000)} s)`);
      },
    }).catch((error: unknown) => {
      if (error instanceof UnprocessableError) return { problems: error.errors ?? [], failed: error.message };
      throw error;
    }),
  );
  process.stderr.write('\n');
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  return 'failed' in result || result.problems.length > 0 ? 1 : 0;
}

async function seedDemoJob(): Promise<number> {
  const seeded = await withLocal((run) => seedDemo(run.deps, { digests: { settings: run.config.digest, mailer: run.mailer } }));
  process.stdout.write(seeded ? `Seeded the demo programme: ${JSON.stringify(seeded)}\n` : 'The store already has data; nothing seeded.\n');
  return 0;
}

async function token(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      role: { type: 'string', multiple: true },
      sub: { type: 'string' },
      name: { type: 'string' },
      email: { type: 'string' },
      hours: { type: 'string' },
    },
  });
  const roles = (values.role ?? []).flatMap((r) => r.split(','));
  const parsed = Role.array().min(1).safeParse(roles);
  if (!parsed.success) {
    process.stderr.write(`--role must be one or more of: ${Role.options.join(', ')}\n`);
    return 2;
  }
  const hours = values.hours === undefined ? 8 : Number(values.hours);
  if (!Number.isFinite(hours) || hours <= 0 || hours > 24 * 30) {
    process.stderr.write('--hours must be a number of hours between 0 and 720\n');
    return 2;
  }
  const key = tokenKey(process.env);
  if ('refusal' in key) {
    process.stderr.write(`${key.refusal}\n`);
    return 2;
  }
  if (key.note) process.stderr.write(`${key.note}\n`);
  const sub = values.sub ?? `${parsed.data[0]}-user`;
  const jwt = await makeToken(
    key.secret,
    { sub, roles: parsed.data, ...(values.name ? { name: values.name } : {}), ...(values.email ? { email: values.email } : {}) },
    { ttlSeconds: Math.round(hours * 3600) },
  );
  process.stdout.write(`${jwt}\n`);
  return 0;
}

/**
 * The key a token is signed with: the running server's, never a new one (a
 * token signed with a key no server uses is refused by every server, 401).
 * LOCAL_JWT_SECRET if set; the data directory's key if DATA_DIR is given or a
 * server runs on the default one; else the one running server's; else the
 * default data directory's, if a server has run there. Otherwise it refuses,
 * saying what to do.
 */
function tokenKey(env: NodeJS.ProcessEnv): { secret: string; note?: string } | { refusal: string } {
  if (env.LOCAL_JWT_SECRET) {
    return env.LOCAL_JWT_SECRET.length >= 32 ? { secret: env.LOCAL_JWT_SECRET } : { refusal: 'LOCAL_JWT_SECRET must be at least 32 characters.' };
  }
  const keyOf = (dir: string) => (existsSync(join(dir, 'jwt-secret')) ? readFileSync(join(dir, 'jwt-secret'), 'utf8').trim() : undefined);
  const dataDir = resolve(env.DATA_DIR ?? '.data');
  const servers = runningServers();
  const here = servers.find((s) => s.dataDir === dataDir);
  if (here?.key === 'LOCAL_JWT_SECRET')
    return { refusal: `The server at ${here.url} signs with LOCAL_JWT_SECRET: set the same LOCAL_JWT_SECRET to print a token for it.` };
  if (env.DATA_DIR !== undefined || here) {
    const secret = keyOf(dataDir);
    if (!secret) return { refusal: `No server has run on ${dataDir}: it has no key (jwt-secret) yet. Start one there first (DATA_DIR=${dataDir} pnpm start).` };
    return here ? { secret } : { secret, note: `No server is running on ${dataDir} now: this token is for one started there.` };
  }
  const others = servers.filter((s) => s.key === 'data-dir');
  if (others.length === 1) {
    const secret = keyOf(others[0]!.dataDir);
    if (secret) return { secret, note: `Signed with the key of the server running at ${others[0]!.url} (DATA_DIR=${others[0]!.dataDir}).` };
  }
  if (others.length > 1)
    return {
      refusal: `Several servers are running: ${others.map((s) => `${s.url} (DATA_DIR=${s.dataDir})`).join(', ')}. Say which: DATA_DIR=<its data directory> pnpm -s token -- …`,
    };
  const secret = keyOf(dataDir);
  if (secret) return { secret, note: `No server is running now: this token is for one started on ${dataDir}.` };
  return { refusal: `No server is running, and ${dataDir} has no key (jwt-secret) yet: start the product first (pnpm start), then print a token.` };
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof SettingsError || error instanceof DataDirInUseError) process.stderr.write(`${error.message}\n`);
    else logger.error('failed', { error });
    process.exit(1);
  },
);
