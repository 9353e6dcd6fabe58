import { describe, expect, it } from 'vitest';
import { DEFAULT_ALERT_SETTINGS } from './alerts.ts';
import { DEFAULT_THRESHOLDS } from './figures.ts';
import { DEFAULT_LEDGER_SETTINGS } from './ledger.ts';
import * as z from 'zod';
import { DEFAULT_DYNAMODB_TIMEOUTS, intSetting, readSettings, SettingsError, StoreSettings } from './read-settings.ts';
import { readRuleSettings } from './settings.ts';
import { usePlainMessages } from './messages.ts';

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
  it('reads a whole-number setting exactly as the chained zod schema would: values, defaults, messages and JSON Schema', () => {
    usePlainMessages();
    const chained = z.object({ N: z.coerce.number().int().min(1).max(100).default(5), M: z.coerce.number().int().min(0).default(7) });
    const setting = z.object({ N: intSetting({ min: 1, max: 100, fallback: 5 }), M: intSetting({ min: 0, fallback: 7 }) });
    const outcome = (schema: z.ZodType, value: string | undefined) => {
      const parsed = schema.safeParse({ N: value, M: value });
      return parsed.success ? parsed.data : parsed.error.issues.map((i) => [i.path, i.message]);
    };
    for (const value of [undefined, '3', ' 42 ', '3.5', '0', '101', '-1', 'abc', '', '1e2'])
      expect(outcome(setting, value), String(value)).toEqual(outcome(chained, value));
    expect(outcome(setting, '3.5')).toEqual([
      [['N'], 'must be a whole number'],
      [['M'], 'must be a whole number'],
    ]);
    expect(z.toJSONSchema(setting, { io: 'input' })).toEqual(z.toJSONSchema(chained, { io: 'input' }));
  });
});
