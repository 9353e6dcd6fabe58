import { describe, expect, it } from 'vitest';
import { DEFAULT_ALERT_SETTINGS } from './alerts.ts';
import { DEFAULT_THRESHOLDS } from './figures.ts';
import { DEFAULT_LEDGER_SETTINGS } from './ledger.ts';
import { DEFAULT_DYNAMODB_TIMEOUTS, readSettings, SettingsError, StoreSettings } from './read-settings.ts';
import { readRuleSettings } from './settings.ts';

describe('settings, read once and checked one way', () => {
  it("gives the store's settings with the timeouts' defaults, and refuses a table name DynamoDB would", () => {
    expect(readSettings(StoreSettings, { TABLE_NAME: 'benefits-tracker', AWS_REGION: 'eu-west-2' })).toEqual({
      TABLE_NAME: 'benefits-tracker',
      AWS_REGION: 'eu-west-2',
      DYNAMODB_CONNECT_TIMEOUT_MS: DEFAULT_DYNAMODB_TIMEOUTS.connectionTimeoutMs,
      DYNAMODB_REQUEST_TIMEOUT_MS: DEFAULT_DYNAMODB_TIMEOUTS.requestTimeoutMs,
    });
    expect(() => readSettings(StoreSettings, { TABLE_NAME: 'no spaces', AWS_REGION: 'eu-west-2' })).toThrow(SettingsError);
  });
  it('names every setting at fault in one message', () => {
    expect(() => readSettings(StoreSettings, { TABLE_NAME: 'x', DYNAMODB_REQUEST_TIMEOUT_MS: '5' })).toThrow(
      /TABLE_NAME.*AWS_REGION.*DYNAMODB_REQUEST_TIMEOUT_MS/,
    );
    expect(() => readRuleSettings({ RAG_GREEN_PCT: '70', RAG_AMBER_PCT: '80' })).toThrow(/RAG_AMBER_PCT must be below RAG_GREEN_PCT/);
  });
  it("gives the rules' defaults when nothing is set", () => {
    expect(readRuleSettings({})).toEqual({ thresholds: DEFAULT_THRESHOLDS, alertSettings: DEFAULT_ALERT_SETTINGS, ledger: DEFAULT_LEDGER_SETTINGS });
  });
});
