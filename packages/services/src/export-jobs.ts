import { lazySchema } from '@bt/core';
import { AsAt, FinancialYear } from '@bt/core';
import * as z from 'zod';
import type { Deps } from './context.ts';
import { InvokingCaller } from './digest-desk.ts';

/*
 * What the API and the pages hand the export function, and the claim that
 * makes it one job per file. The making of a job's file is export-run.ts,
 * apart: the pages, which hand off only the monitoring pack, carry none of
 * the feeds' code.
 */

export const FEED_NAMES = ['savings', 'investment', 'workstreams', 'projects', 'benefits'] as const;
export type FeedName = (typeof FEED_NAMES)[number];

/**
 * A request for a feed as the API validated it: the fact feeds have a
 * granularity (month or year) and may be asked as at a moment; the dimension
 * feeds have neither (their rows are by year).
 */
export const FeedRequest = lazySchema(() =>
  z.object({
    feed: z.enum(FEED_NAMES),
    format: z.enum(['csv', 'json']),
    financialYear: FinancialYear.optional(),
    asAt: AsAt.optional(),
    granularity: z.enum(['month', 'year']).optional(),
  }),
);
export type FeedRequest = z.infer<typeof FeedRequest>;

/**
 * A feed handed to the export function (a direct, asynchronous invoke, never
 * a public route): what was asked, by whom, and the ETag the file is stored
 * under, so the function makes that feed or none. (`kind` was added with the
 * monitoring pack's jobs: a job without one is a feed's.)
 */
export const FeedExportJob = lazySchema(() =>
  z.object({
    kind: z.literal('feed').default('feed'),
    request: FeedRequest,
    caller: InvokingCaller,
    etag: z.string().min(1),
    key: z.string().min(1),
  }),
);
export type FeedExportJob = z.infer<typeof FeedExportJob>;

/** The monitoring pack handed to the export function: the moment and FY asked for, by whom, and the ETag and key it is stored under. */
export const PackExportJob = lazySchema(() =>
  z.object({
    kind: z.literal('monitoring-pack'),
    query: z.object({ financialYear: FinancialYear.optional(), asAt: AsAt.optional() }),
    caller: InvokingCaller,
    etag: z.string().min(1),
    key: z.string().min(1),
  }),
);
export type PackExportJob = z.infer<typeof PackExportJob>;

/** What the API hands the export function: a feed or the monitoring pack, too slow to make within a request. */
export const ExportJob = lazySchema(() => z.union([FeedExportJob, PackExportJob]));
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
