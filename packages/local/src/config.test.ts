import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SettingsError } from '@bt/core';
import { afterAll, describe, expect, it } from 'vitest';
import { loadLocalConfig } from './config.ts';

const dir = mkdtempSync(join(tmpdir(), 'bt-local-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const secret = 'a-local-secret-of-at-least-32-characters';

describe("the local run's settings", () => {
  it('gives the documented defaults when nothing is set', () => {
    expect(loadLocalConfig({ DATA_DIR: dir, LOCAL_JWT_SECRET: secret })).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      tableName: 'benefits-tracker',
      region: 'eu-west-2',
      dynamodbEndpoint: undefined,
      dynamodbTimeouts: { connectionTimeoutMs: 1_000, requestTimeoutMs: 5_000 },
      seedDemo: true,
      schedules: true,
      bodyLimitBytes: 1_048_576,
      jwtSecret: secret,
      digest: {
        recipients: ['cmt@council.example.gov.uk'],
        sender: 'benefits-tracker@council.example.gov.uk',
        baseUrl: 'http://127.0.0.1:3000',
        monitoringPack: 'never',
      },
    });
  });

  it('reads what is set, and makes and keeps a secret in the data folder when none is given', () => {
    const config = loadLocalConfig({
      DATA_DIR: dir,
      PORT: '8080',
      SEED_DEMO: 'false',
      DIGEST_RECIPIENTS: 'a@x.gov.uk, b@x.gov.uk',
      DIGEST_MONITORING_PACK: 'monthly',
    });
    expect(config).toMatchObject({ port: 8080, seedDemo: false, digest: { recipients: ['a@x.gov.uk', 'b@x.gov.uk'], monitoringPack: 'monthly' } });
    expect(config.jwtSecret).toHaveLength(43);
    expect(loadLocalConfig({ DATA_DIR: dir }).jwtSecret).toBe(config.jwtSecret);
  });

  it('refuses a setting out of range, naming every one at fault', () => {
    const read = () => loadLocalConfig({ DATA_DIR: dir, PORT: '70000', SEED_DEMO: 'yes', LOCAL_JWT_SECRET: 'short', DIGEST_SENDER: 'not an address' });
    expect(read).toThrow(SettingsError);
    expect(read).toThrow(/PORT: must be at most 65535.*LOCAL_JWT_SECRET: LOCAL_JWT_SECRET must be at least 32 characters.*SEED_DEMO.*DIGEST_SENDER/);
  });
});
