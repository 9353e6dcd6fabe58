import { lazySchema } from './lazy-schema.ts';
import * as z from 'zod';

/**
 * Every setting of the product is an environment variable, read once when a
 * process starts (the local run, each Lambda function) through the schemas
 * here, so each is checked one way wherever it is read. A process composes
 * what it needs: the store's settings, the rules' settings, and its own.
 * A setting that does not parse stops the process with every problem named.
 */
export class SettingsError extends Error {
  override name = 'SettingsError';
}

/** Parses `env` with `schema`, or throws a SettingsError naming every setting at fault. */
export function readSettings<S extends z.ZodType>(schema: S, env: Record<string, string | undefined>): z.infer<S> {
  // Parsed once per process: without zod's compiled fast path, whose making costs more than the one parse it would speed up (a cold start pays for it).
  const parsed = schema.safeParse(env, { jitless: true });
  if (!parsed.success)
    throw new SettingsError(`Invalid settings: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'settings'}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

/**
 * A whole-number setting, `fallback` when unset: the environment's string
 * coerced, then checked against `min` (and `max`). One schema holding its
 * checks rather than one made per check (`.int().min().max()` copies the
 * schema at each step): the same checks and messages, for a fraction of
 * the cold start a settings object of such fields pays to build.
 */
export function intSetting(bounds: { min: number; max?: number; fallback: number }) {
  const checks = [z.int(), z.gte(bounds.min), ...(bounds.max === undefined ? [] : [z.lte(bounds.max)])];
  return z.coerce
    .number()
    .check(...checks)
    .default(bounds.fallback);
}

/** A DynamoDB table name (DynamoDB's own rule). */
export const TableName = lazySchema(() => z.string().regex(/^[a-zA-Z0-9_.-]{3,255}$/, 'must be 3–255 letters, digits, _ . or -'));

/** How long a DynamoDB request may take before it is given up (answered 503), in ms. */
export const DEFAULT_DYNAMODB_TIMEOUTS = { connectionTimeoutMs: 1_000, requestTimeoutMs: 5_000 } as const;

/** Where the data is: the table, the region, DynamoDB Local's endpoint (absent in AWS), the client's timeouts. */
export const StoreSettings = lazySchema(() =>
  z.object({
    TABLE_NAME: TableName,
    AWS_REGION: z.string().min(1),
    DYNAMODB_ENDPOINT: z.url().optional(),
    DYNAMODB_CONNECT_TIMEOUT_MS: intSetting({ min: 100, max: 60_000, fallback: DEFAULT_DYNAMODB_TIMEOUTS.connectionTimeoutMs }),
    DYNAMODB_REQUEST_TIMEOUT_MS: intSetting({ min: 100, max: 300_000, fallback: DEFAULT_DYNAMODB_TIMEOUTS.requestTimeoutMs }),
  }),
);
export type StoreSettings = z.infer<typeof StoreSettings>;
