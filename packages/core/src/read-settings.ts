import { lazySchema } from './lazy-schema.ts';
import type * as z from 'zod';
import * as zm from 'zod/mini';
import { usePlainMessages } from './messages.ts';

/**
 * Every setting of the product is an environment variable, read once when a
 * process starts (the local run, each Lambda function) through the schemas
 * here, so each is checked one way wherever it is read. A process composes
 * what it needs: the store's settings, the rules' settings, and its own.
 * A setting that does not parse stops the process with every problem named.
 *
 * Settings are schemas of zod's mini API (the same zod, its functional
 * form): a settings object is built and parsed once, at every cold start,
 * and mini schemas carry no methods, so building one costs a fraction of
 * the classic API's. The checks, messages and results are the same.
 */
export class SettingsError extends Error {
  override name = 'SettingsError';
}

/** Parses `env` with `schema`, or throws a SettingsError naming every setting at fault. */
export function readSettings<S extends z.core.$ZodType>(schema: S, env: Record<string, string | undefined>): z.infer<S> {
  // zod's mini API brings no messages of its own (English is set when the first classic schema is built, which at a cold start comes after the settings).
  usePlainMessages();
  // Parsed once per process: without zod's compiled fast path, whose making costs more than the one parse it would speed up (a cold start pays for it).
  const parsed = zm.safeParse(schema, env, { jitless: true });
  if (!parsed.success)
    throw new SettingsError(`Invalid settings: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'settings'}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

/**
 * A whole-number setting, `fallback` when unset: the environment's string
 * coerced, then checked against `min` (and `max`): what
 * `z.coerce.number().int().min(min).max(max).default(fallback)` checks, with
 * the same messages, as one schema holding its checks.
 */
export function intSetting(bounds: { min: number; max?: number; fallback: number }) {
  const checks = [zm.int(), zm.gte(bounds.min), ...(bounds.max === undefined ? [] : [zm.lte(bounds.max)])];
  return zm._default(zm.coerce.number().check(...checks), bounds.fallback);
}

/** A DynamoDB table name (DynamoDB's own rule). */
export const TableName = lazySchema(() => zm.string().check(zm.regex(/^[a-zA-Z0-9_.-]{3,255}$/, 'must be 3–255 letters, digits, _ . or -')));

/** How long a DynamoDB request may take before it is given up (answered 503), in ms. */
export const DEFAULT_DYNAMODB_TIMEOUTS = { connectionTimeoutMs: 1_000, requestTimeoutMs: 5_000 } as const;

/** Where the data is: the table, the region, DynamoDB Local's endpoint (absent in AWS), the client's timeouts. */
export const StoreSettings = lazySchema(() =>
  zm.object({
    TABLE_NAME: TableName,
    AWS_REGION: zm.string().check(zm.minLength(1)),
    DYNAMODB_ENDPOINT: zm.optional(zm.url()),
    DYNAMODB_CONNECT_TIMEOUT_MS: intSetting({ min: 100, max: 60_000, fallback: DEFAULT_DYNAMODB_TIMEOUTS.connectionTimeoutMs }),
    DYNAMODB_REQUEST_TIMEOUT_MS: intSetting({ min: 100, max: 300_000, fallback: DEFAULT_DYNAMODB_TIMEOUTS.requestTimeoutMs }),
  }),
);
export type StoreSettings = z.infer<typeof StoreSettings>;
