import { AsAt, FinancialYear } from '@bt/core';
import * as z from 'zod';
import type { Deps } from './context.ts';
import { InvokingCaller } from './digest-desk.ts';
import type { ExportStore } from './export-store.ts';
import { FeedExportJob, feedOfJob } from './feed-export.ts';
import { logger } from './logger.ts';
import { monitoringPackEtag, monitoringPackFile, XLSX_CONTENT_TYPE } from './monitoring-pack.ts';

/** The monitoring pack handed to the export function: the moment and FY asked for, by whom, and the ETag and key it is stored under. */
export const PackExportJob = z.object({
  kind: z.literal('monitoring-pack'),
  query: z.object({ financialYear: FinancialYear.optional(), asAt: AsAt.optional() }),
  caller: InvokingCaller,
  etag: z.string().min(1),
  key: z.string().min(1),
});
export type PackExportJob = z.infer<typeof PackExportJob>;

/** What the API hands the export function: a feed or the monitoring pack, too slow to make within a request. */
export const ExportJob = z.union([FeedExportJob, PackExportJob]);
export type ExportJob = z.infer<typeof ExportJob>;

/** How long a job may run before another may be started for the same file: the export function's timeout (15 minutes) and a minute more. */
export const EXPORT_JOB_STALE_MS = 16 * 60_000;

/** Starts an export job elsewhere and returns at once (in AWS, an asynchronous invoke of the export function). */
export interface ExportDesk {
  handOff(job: ExportJob): Promise<void>;
}

/** Before this instant a job has outlived the export function's timeout: a request may start another for its file. */
function staleBefore(deps: Deps): string {
  return new Date(deps.clock().getTime() - EXPORT_JOB_STALE_MS).toISOString();
}

/** Whether the export function is making this file now (a request for it is told to come back, and makes nothing). */
export function exportRunning(deps: Deps, key: string): Promise<boolean> {
  return deps.store.exportJobs.running(key, staleBefore(deps));
}

/**
 * Hands a file to the export function: it is claimed first, so of any
 * number of requests for it exactly one starts a job (the others find it
 * claimed and start none); a job the function did not take releases it.
 */
export async function handOffExport(deps: Deps, desk: ExportDesk, job: ExportJob): Promise<void> {
  if (!(await deps.store.exportJobs.claim(job.key, deps.clock(), staleBefore(deps)))) return;
  try {
    await desk.handOff(job);
  } catch (error) {
    await deps.store.exportJobs.release(job.key);
    throw error;
  }
}

/** A job's file as it would be asked for now: its ETag, its name and type, and its bytes when made. */
interface ExportFile {
  etag: string;
  file: { filename: string; contentType: string };
  chunks(): AsyncIterable<string | Uint8Array>;
}

async function fileOfJob(deps: Deps, job: ExportJob): Promise<ExportFile> {
  if (job.kind === 'feed') return feedOfJob(deps, job);
  const pack = await monitoringPackEtag(deps, job.caller, job.query);
  return {
    etag: pack.etag,
    file: { filename: pack.filename, contentType: XLSX_CONTENT_TYPE },
    chunks: () => monitoringPackFile(deps, job.caller, job.query),
  };
}

/**
 * In the export function: makes the file of a job (a feed or the monitoring
 * pack) and stores it under the job's key, unless the data has changed since
 * it was asked for (the ETag no longer the job's: a request now would be for
 * another file, and gets a job of its own) or the file is already there. The
 * caller's right to it is checked again. The job's marker is released either
 * way, and on failure, so a later request can start again.
 */
export async function runExport(deps: Deps, exportStore: ExportStore, job: ExportJob): Promise<'stored' | 'already-stored' | 'stale'> {
  try {
    const current = await fileOfJob(deps, job);
    if (current.etag !== job.etag) {
      logger.info('An export job was for data since changed: nothing made', { key: job.key, requestId: job.caller.requestId });
      return 'stale';
    }
    if (await exportStore.link(job.key, current.file)) return 'already-stored';
    const encoder = new TextEncoder();
    const chunks = current.chunks();
    const bytes = async function* () {
      for await (const chunk of chunks) yield typeof chunk === 'string' ? encoder.encode(chunk) : chunk;
    };
    await exportStore.save(job.key, bytes(), current.file.contentType);
    return 'stored';
  } finally {
    await deps.store.exportJobs.release(job.key);
  }
}
