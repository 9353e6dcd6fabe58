import * as svc from '@bt/services';
import type { Context } from 'hono';
import type { ExportSettings } from './config.ts';
import type { AppEnv } from './env.ts';
import { handOffDeadline, inlineOrLinked, streamOrFail, type FeedExports, type LargeAnswer } from './stream.ts';

/** Whether the client already has this ETag's content (If-None-Match): answered 304, nothing made. */
export function notModified(c: Context<AppEnv>, etag: string): boolean {
  return (
    c.req
      .header('If-None-Match')
      ?.split(',')
      .map((t) => t.trim())
      .includes(etag) ?? false
  );
}

/** The request's time to make a file before it hands it to the export function (none without one). */
export function exportDeadline(exports: FeedExports | undefined): AbortSignal | undefined {
  return exports?.handOff ? handOffDeadline(exports.handOff.afterMs) : undefined;
}

/**
 * In AWS: a feed or the pack answered inline when small, else stored and
 * linked to (303); one still being made when the request's time is up is
 * handed to the export function as `job` and the client told to come back
 * (202: `preparing`, or the API's JSON answer).
 */
export function linkedExport(
  c: Context<AppEnv>,
  deps: svc.Deps,
  exports: FeedExports,
  chunks: AsyncGenerator<string | Uint8Array>,
  deadline: AbortSignal | undefined,
  file: { key: string; filename: string; contentType: string; settling?: LargeAnswer['settling'] },
  job: () => svc.ExportJob,
  preparing?: (c: Context<AppEnv>) => Response | Promise<Response>,
): Promise<Response> {
  const handOff = exports.handOff;
  return inlineOrLinked(c, chunks, {
    store: exports.store,
    limitBytes: exports.inlineLimitBytes,
    ...file,
    ...(preparing ? { preparing } : {}),
    ...(handOff && deadline
      ? {
          handOff: {
            deadline,
            running: () => svc.exportRunning(deps, file.key),
            start: () => svc.handOffExport(deps, handOff.desk, job()),
          },
        }
      : {}),
  });
}

/**
 * While the data settles (`svc.dataMark`), where a file too large to answer
 * inline is stored for this answer alone: beside the data's name, under the
 * request's id (none once settled).
 */
export function whileSettling(c: Context<AppEnv>, mark: { settled: boolean }, key: string): LargeAnswer['settling'] {
  return mark.settled ? undefined : { key: svc.unsettledFileKey(key, c.get('requestId')) };
}

/**
 * The monitoring pack for a request, as the API and the pages answer it: an
 * ETag once the data has settled (If-None-Match answers 304, nothing read
 * but the newest change);
 * locally streamed; in AWS inline when small, else stored and linked to
 * (303), or handed to the export function when it takes longer than a
 * request may run (202). `preparing`: the pages' answer while it is made.
 */
export async function monitoringPackAnswer(
  c: Context<AppEnv>,
  deps: svc.Deps,
  caller: svc.Caller,
  query: svc.AsAtQuery,
  exports: FeedExports | undefined,
  preparing?: (c: Context<AppEnv>) => Response | Promise<Response>,
): Promise<Response> {
  const deadline = exportDeadline(exports);
  const mark = await svc.monitoringPackEtag(deps, caller, query);
  const { etag, filename } = mark;
  if (mark.settled) c.header('ETag', etag);
  c.header('Cache-Control', 'private, no-cache');
  if (notModified(c, etag)) return c.body(null, 304);
  c.header('Content-Type', svc.XLSX_CONTENT_TYPE);
  c.header('Content-Disposition', `attachment; filename="${filename}"`);
  const chunks = svc.monitoringPackFile(deps, caller, query, deadline);
  if (!exports) return streamOrFail(c, chunks, 'monitoring pack');
  const key = svc.packFileKey(etag, filename);
  const job = (): svc.ExportJob => ({ kind: 'monitoring-pack', query, caller, etag, key });
  const settling = whileSettling(c, mark, key);
  return linkedExport(c, deps, exports, chunks, deadline, { key, filename, contentType: svc.XLSX_CONTENT_TYPE, settling }, job, preparing);
}

/**
 * The exports of a function's settings (the API's and the pages'): none
 * without a bucket. The S3 client is loaded with the first file too large to
 * answer inline and the Lambda client with the first hand-off (both built
 * beside the bundle: functions/bundling.ts), not at a cold start.
 */
export function exportsFromSettings(env: ExportSettings & { AWS_REGION: string }): FeedExports | undefined {
  const bucket = env.EXPORTS_BUCKET;
  if (!bucket) return undefined;
  const lambda = {
    region: env.AWS_REGION,
    ...(env.LAMBDA_ENDPOINT ? { endpoint: env.LAMBDA_ENDPOINT, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  };
  return {
    store: svc.loadedOnFirstUse(async () => {
      const { S3ExportStore } = await import('@bt/services/s3-exports');
      return S3ExportStore.create({ region: env.AWS_REGION, bucket, endpoint: env.S3_ENDPOINT });
    }),
    inlineLimitBytes: env.FEED_INLINE_LIMIT_BYTES,
    // A file still being made after FEED_HAND_OFF_AFTER_MS is made by the export function (an asynchronous invoke), the client told to come back (202).
    handOff: env.FEED_EXPORT_FUNCTION_NAME
      ? {
          desk: new svc.InvokedExportDesk(lambda, env.FEED_EXPORT_FUNCTION_NAME, () => import('@bt/services/lambda-client')),
          afterMs: env.FEED_HAND_OFF_AFTER_MS,
        }
      : undefined,
  };
}
