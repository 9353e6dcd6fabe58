import { readRuleSettings, readSettings, StoreSettings } from '@bt/core';
import { ExportJob, logger, runExport } from '@bt/services';
import { S3ExportStore } from '@bt/services/s3-exports';
import { Store, storeConfig } from '@bt/store';
import * as zm from 'zod/mini';

/** The export function's settings: the store, the exports bucket, and the same rule settings as the API (they are part of a feed's ETag). */
const ExportsEnv = zm.extend(StoreSettings, {
  EXPORTS_BUCKET: zm.string().check(zm.minLength(3)),
  /** Only for tests that invoke the bundle with a local stand-in for S3. */
  S3_ENDPOINT: zm.optional(zm.url()),
});

// Cold start: settings and the AWS clients are made once per container.
const env = readSettings(ExportsEnv, process.env);
const deps = { store: new Store(storeConfig(env)), clock: () => new Date(), ...readRuleSettings(process.env) };
const exportStore = S3ExportStore.create({ region: env.AWS_REGION, bucket: env.EXPORTS_BUCKET, endpoint: env.S3_ENDPOINT });

/**
 * Makes a file the API handed off (a feed or the monitoring pack too slow to
 * make within a request) and stores it in the exports bucket under the name
 * the API links to; the client, asking again, is sent there (303). Invoked
 * asynchronously by the API with the job (`events/invoke/feed-export.json`,
 * `events/invoke/pack-export.json`); a job for data since changed makes
 * nothing.
 */
export async function handler(event: unknown) {
  const job = ExportJob.safeParse(event);
  if (!job.success) throw new Error(`Unexpected job from the API: ${job.error.message}`);
  const started = performance.now();
  const outcome = await runExport(deps, exportStore, job.data);
  const summary = { kind: job.data.kind, key: job.data.key, outcome, seconds: Math.round((performance.now() - started) / 100) / 10 };
  logger.info('export', { ...summary, requestId: job.data.caller.requestId });
  return summary;
}
