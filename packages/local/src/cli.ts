import { parseArgs } from 'node:util';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IsoDate, Role, todayInLondon, UnprocessableError } from '@bt/core';
import { importSavings, renderNextDigest } from '@bt/services';
import { logger } from '@bt/services';
import { SettingsError } from '@bt/core';
import { loadLocalConfig } from './config.ts';
import { DataDirInUseError } from './lock.ts';
import { seedDemo } from './demo.ts';
import { runAlertJob, runDigestJob } from './schedules.ts';
import { runningEndpoint, startLocal } from './server.ts';
import { makeToken } from './token.ts';

const USAGE = `Usage:
  pnpm start                                   start the product locally (DynamoDB Local + API + docs)
  pnpm token -- --role <role>[,<role>] [--sub <user id>] [--name <name>] [--email <email>] [--hours <n>]
                                               print a bearer token for the local API
  pnpm jobs evaluate-alerts [--as-at YYYY-MM-DD]  (another day than today: a preview that changes nothing)
                                               run the alert evaluation now and publish its events (to DATA_DIR/events.jsonl)
  pnpm jobs seed-demo                          seed the illustrative demo programme (only into an empty store)
  pnpm jobs send-digest [--slot <slot>]        send the CMT digest now (to DATA_DIR/outbox); one per slot (default: today)
  pnpm jobs preview-digest [--out file.html]   render the next digest without sending it
  pnpm jobs import-savings <file.xlsx|file.csv> [--sheet <name>] [--dry-run] [--mapping map.json]
                                               import a savings tracker (README: Import); all rows or none
Roles: ${Role.options.join(', ')}`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv.filter((a) => a !== '--');
  switch (command) {
    case 'start':
      return start();
    case 'token':
      return token(rest);
    case 'evaluate-alerts':
      return evaluateAlertsJob(rest);
    case 'seed-demo':
      return seedDemoJob();
    case 'send-digest':
      return sendDigestJob(rest);
    case 'preview-digest':
      return previewDigestJob(rest);
    case 'import-savings':
      return importSavingsJob(rest);
    default:
      process.stderr.write(`${USAGE}\n`);
      return command === undefined || command === 'help' ? 0 : 2;
  }
}

async function start(): Promise<number> {
  const config = loadLocalConfig();
  let fatal: ((message: string) => void) | undefined;
  const stopped = new Promise<string>((resolve) => {
    fatal = resolve;
  });
  const run = await startLocal(config, { onFatal: (message) => fatal?.(message) });
  process.stdout.write(
    `\nBenefits tracker running at ${run.url}\n  API docs: ${run.url}/docs\n  OpenAPI:  ${run.url}/openapi.json\n  Token:    pnpm token -- --role admin --sub you\n  Data:     ${config.dataDir}\n\n`,
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
  const mapping = values.mapping ? (JSON.parse(readFileSync(values.mapping, 'utf8')) as Record<string, string>) : undefined;
  const admin = { principal: { sub: 'cli-import', name: 'Command-line import', roles: ['admin' as const] }, requestId: `import:${file}` };
  const started = Date.now();
  const result = await withLocal((run) =>
    importSavings(run.deps, admin, new Uint8Array(readFileSync(file)), {
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
  const config = loadLocalConfig();
  const sub = values.sub ?? `${parsed.data[0]}-user`;
  const jwt = await makeToken(
    config.jwtSecret,
    { sub, roles: parsed.data, ...(values.name ? { name: values.name } : {}), ...(values.email ? { email: values.email } : {}) },
    { ttlSeconds: Math.round(hours * 3600) },
  );
  process.stdout.write(`${jwt}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof SettingsError || error instanceof DataDirInUseError) process.stderr.write(`${error.message}\n`);
    else logger.error('failed', { error });
    process.exit(1);
  },
);
