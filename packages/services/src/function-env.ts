import { lazySchema } from '@bt/core';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { readRuleSettings, readSettings, StoreSettings } from '@bt/core';
import { outboxStore, Store, storeConfig } from '@bt/store';
import * as z from 'zod';
import type { EventSink, OutboxDeps } from './alerts.ts';
import type { Deps } from './context.ts';
import { EventBridgeSink } from './adapters/eventbridge.ts';
import { FileEventSink } from './adapters/file-sink.ts';

/**
 * Settings of the scheduled functions (alerts, digest), read once at cold
 * start. Events go to EVENT_BUS_NAME; EVENTS_FILE instead writes them to a
 * file (a local invoke with the sample events).
 */
const FunctionEnv = lazySchema(() =>
  StoreSettings.extend({
    EVENT_BUS_NAME: z.string().min(1).optional(),
    EVENTS_FILE: z.string().min(1).optional(),
  }).refine((e) => e.EVENT_BUS_NAME || e.EVENTS_FILE, 'set EVENT_BUS_NAME (or EVENTS_FILE for a local invoke)'),
);

export function functionDeps(env: NodeJS.ProcessEnv): { deps: Deps; sink: EventSink } {
  const e = readSettings(FunctionEnv, env);
  return { deps: { store: new Store(storeConfig(e)), clock: () => new Date(), ...readRuleSettings(env) }, sink: sinkOf(e) };
}

/** The publisher's settings and store: the outbox alone (`outboxStore`), so its cold start loads nothing else. */
export function publisherDeps(env: NodeJS.ProcessEnv): { deps: OutboxDeps; sink: EventSink } {
  const e = readSettings(FunctionEnv, env);
  return { deps: { store: outboxStore(storeConfig(e)), clock: () => new Date() }, sink: sinkOf(e) };
}

function sinkOf(e: z.infer<typeof FunctionEnv>): EventSink {
  return e.EVENTS_FILE ? new FileEventSink(e.EVENTS_FILE) : new EventBridgeSink(new EventBridgeClient({ region: e.AWS_REGION }), e.EVENT_BUS_NAME!);
}
