import { onFirstUse } from '@bt/core';

/**
 * Where a finance feed too large to answer inline is written, so the API can
 * send the client there instead (a Lambda function's response through the
 * HTTP API is capped at 6 MB). In AWS, an S3 bucket whose objects expire
 * after a day, and short-lived presigned links; locally, none: the local
 * server streams any size.
 */
export interface ExportStore {
  /** A short-lived link to a stored file, or undefined when it is not there. */
  link(key: string, download: { filename: string; contentType: string }): Promise<string | undefined>;
  /** Stores a file from its chunks, of a size not known in advance. */
  save(key: string, chunks: AsyncIterable<Uint8Array>, contentType: string): Promise<void>;
}

/** A feed's answer larger than this is stored and linked to (303), not sent inline: under Lambda's 6 MB with room for headers. */
export const DEFAULT_INLINE_LIMIT_BYTES = 5_000_000;

/** An export store made on its first use (its module loaded then: see functions/bundling.ts's side modules); a load that fails is tried again. */
export function loadedOnFirstUse(load: () => Promise<ExportStore>): ExportStore {
  const get = onFirstUse(load);
  return {
    link: async (key, download) => (await get()).link(key, download),
    save: async (key, chunks, contentType) => (await get()).save(key, chunks, contentType),
  };
}
