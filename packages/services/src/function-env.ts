import { lazySchema } from '@bt/core';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { readRuleSettings, readSettings, StoreSettings } from '@bt/core';
import { outboxStore, Store, storeConfig } from '@bt/store';
import * as zm from 'zod/mini';
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
  zm
    .extend(StoreSettings, {
      EVENT_BUS_NAME: zm.optional(zm.string().check(zm.minLength(1))),
      EVENTS_FILE: zm.optional(zm.string().check(zm.minLength(1))),
    })
    .check(zm.refine((e) => Boolean(e.EVENT_BUS_NAME || e.EVENTS_FILE), 'set EVENT_BUS_NAME (or EVENTS_FILE for a local invoke)')),
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

function sinkOf(e: zm.infer<typeof FunctionEnv>): EventSink {
  return e.EVENTS_FILE ? new FileEventSink(e.EVENTS_FILE) : new EventBridgeSink(new EventBridgeClient({ region: e.AWS_REGION }), e.EVENT_BUS_NAME!);
}
