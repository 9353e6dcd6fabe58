import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { intSetting, readRuleSettings, readSettings, StoreSettings, type AlertSettings, type LedgerSettings, type Thresholds } from '@bt/core';
import { MonitoringPackAttachment, type DigestSettings } from '@bt/services';
import type { DynamoTimeouts } from '@bt/store';
import * as zm from 'zod/mini';

/**
 * Settings of the local run, read once from the environment. Every one is
 * optional; the defaults are documented here and in docs/settings.md.
 */
const Env = zm.extend(StoreSettings, {
  // Locally the table and region have defaults; DYNAMODB_ENDPOINT (absent) means "start DynamoDB Local".
  TABLE_NAME: zm._default(StoreSettings.shape.TABLE_NAME, 'benefits-tracker'),
  AWS_REGION: zm._default(StoreSettings.shape.AWS_REGION, 'eu-west-2'),
  PORT: intSetting({ min: 0, max: 65535, fallback: 3000 }),
  HOST: zm._default(zm.string(), '127.0.0.1'),
  DATA_DIR: zm._default(zm.string().check(zm.minLength(1)), '.data'),
  LOCAL_JWT_SECRET: zm.optional(zm.string().check(zm.minLength(32, 'LOCAL_JWT_SECRET must be at least 32 characters'))),
  SEED_DEMO: zm._default(zm.enum(['true', 'false']), 'true'),
  BODY_LIMIT_BYTES: intSetting({ min: 1024, fallback: 1_048_576 }),
  SCHEDULES: zm._default(zm.enum(['true', 'false']), 'true'),
  DIGEST_RECIPIENTS: zm._default(zm.string(), 'cmt@council.example.gov.uk'),
  DIGEST_SENDER: zm._default(zm.email(), 'benefits-tracker@council.example.gov.uk'),
  PUBLIC_BASE_URL: zm.optional(zm.url()),
  COUNCIL_NAME: zm.optional(zm.string().check(zm.minLength(1))),
  DIGEST_MONITORING_PACK: zm._default(MonitoringPackAttachment, 'never'),
});

export interface LocalConfig {
  port: number;
  host: string;
  dataDir: string;
  jwtSecret: string;
  dynamodbEndpoint: string | undefined;
  /** How long a DynamoDB request may take before it is given up (answered 503). */
  dynamodbTimeouts: DynamoTimeouts;
  tableName: string;
  region: string;
  seedDemo: boolean;
  bodyLimitBytes: number;
  thresholds: Thresholds;
  alertSettings: AlertSettings;
  ledger: LedgerSettings;
  /** Run the schedules in-process (SCHEDULES=false for a server that only serves). */
  schedules: boolean;
  digest: DigestSettings;
}

export function loadLocalConfig(env: NodeJS.ProcessEnv = process.env): LocalConfig {
  const e = readSettings(Env, env);
  const { thresholds, alertSettings, ledger } = readRuleSettings(env);
  const dataDir = resolve(e.DATA_DIR);
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir,
    jwtSecret: e.LOCAL_JWT_SECRET ?? localSecret(dataDir),
    dynamodbEndpoint: e.DYNAMODB_ENDPOINT,
    dynamodbTimeouts: { connectionTimeoutMs: e.DYNAMODB_CONNECT_TIMEOUT_MS, requestTimeoutMs: e.DYNAMODB_REQUEST_TIMEOUT_MS },
    tableName: e.TABLE_NAME,
    region: e.AWS_REGION,
    seedDemo: e.SEED_DEMO === 'true',
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    thresholds,
    alertSettings,
    ledger,
    schedules: e.SCHEDULES === 'true',
    digest: {
      recipients: e.DIGEST_RECIPIENTS.split(',')
        .map((r) => r.trim())
        .filter(Boolean),
      sender: e.DIGEST_SENDER,
      baseUrl: e.PUBLIC_BASE_URL ?? `http://${e.HOST}:${e.PORT}`,
      councilName: e.COUNCIL_NAME,
      monitoringPack: e.DIGEST_MONITORING_PACK,
    },
  };
}

/**
 * Without LOCAL_JWT_SECRET, a random secret is made once and kept in the data
 * directory, so the server and `pnpm token` agree and tokens survive a restart.
 */
function localSecret(dataDir: string): string {
  const file = join(dataDir, 'jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600, flag: 'wx' });
  return secret;
}
