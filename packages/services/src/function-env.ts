import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { AlertSettingsFromEnv, ThresholdSettings } from '@bt/core';
import { Store } from '@bt/store';
import * as z from 'zod';
import type { EventSink } from './alerts.ts';
import type { Deps } from './context.ts';
import { EventBridgeSink } from './eventbridge.ts';
import { FileEventSink } from './file-sink.ts';

/**
 * Settings of the scheduled functions (alerts, digest), read once at cold
 * start. Events go to EVENT_BUS_NAME; EVENTS_FILE instead writes them to a
 * file (a local invoke with the sample events).
 */
const FunctionEnv = z
  .object({
    TABLE_NAME: z.string().min(3),
    AWS_REGION: z.string().min(1),
    DYNAMODB_ENDPOINT: z.url().optional(),
    EVENT_BUS_NAME: z.string().min(1).optional(),
    EVENTS_FILE: z.string().min(1).optional(),
  })
  .refine((e) => e.EVENT_BUS_NAME || e.EVENTS_FILE, 'set EVENT_BUS_NAME (or EVENTS_FILE for a local invoke)');

export function functionDeps(env: NodeJS.ProcessEnv): { deps: Deps; sink: EventSink } {
  const parsed = FunctionEnv.safeParse(env);
  const thresholds = ThresholdSettings.safeParse(env);
  const alertSettings = AlertSettingsFromEnv.safeParse(env);
  for (const r of [parsed, thresholds, alertSettings]) {
    if (!r.success) throw new Error(`Invalid function settings: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const e = parsed.data!;
  const store = new Store({ region: e.AWS_REGION, tableName: e.TABLE_NAME, ...(e.DYNAMODB_ENDPOINT ? { endpoint: e.DYNAMODB_ENDPOINT } : {}) });
  const sink: EventSink = e.EVENTS_FILE
    ? new FileEventSink(e.EVENTS_FILE)
    : new EventBridgeSink(new EventBridgeClient({ region: e.AWS_REGION }), e.EVENT_BUS_NAME!);
  return { deps: { store, clock: () => new Date(), thresholds: thresholds.data!, alertSettings: alertSettings.data! }, sink };
}
