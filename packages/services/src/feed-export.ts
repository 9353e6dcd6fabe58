import { AsAt, FinancialYear, type Moment } from '@bt/core';
import * as z from 'zod';
import type { Deps } from './context.ts';
import { InvokingCaller } from './digest-desk.ts';
import type { ExportStore } from './export-store.ts';
import {
  BENEFIT_DIMENSION_COLUMNS,
  benefitDimension,
  csvHeader,
  csvRows,
  feedEtag,
  INVESTMENT_COLUMNS,
  investmentRows,
  PROJECT_DIMENSION_COLUMNS,
  projectDimension,
  type Column,
  type ResolvedFeedQuery,
  SAVINGS_COLUMNS,
  savingsRows,
  WORKSTREAM_DIMENSION_COLUMNS,
  workstreamDimension,
} from './feeds.ts';
import { logger } from './logger.ts';

export const FEED_NAMES = ['savings', 'investment', 'workstreams', 'projects', 'benefits'] as const;
export type FeedName = (typeof FEED_NAMES)[number];

/**
 * A request for a feed as the API validated it: the fact feeds have a
 * granularity (month or year) and may be asked as at a moment; the dimension
 * feeds have neither (their rows are by year).
 */
export const FeedRequest = z.object({
  feed: z.enum(FEED_NAMES),
  format: z.enum(['csv', 'json']),
  financialYear: FinancialYear.optional(),
  asAt: AsAt.optional(),
  granularity: z.enum(['month', 'year']).optional(),
});
export type FeedRequest = z.infer<typeof FeedRequest>;

/** A feed's body, a chunk at a time, from its rows and columns. */
type Producer = (deps: Deps, request: FeedRequest, resolved: ResolvedFeed) => AsyncGenerator<string>;

/** What a feed request resolves to: its moment, FY and the as-at label its JSON carries. */
export interface ResolvedFeed {
  moment: Moment;
  financialYear: FinancialYear;
  asAt: string;
}

function producer<R>(rows: (deps: Deps, query: ResolvedFeedQuery) => AsyncIterable<R[]>, columns: Column<R>[]): Producer {
  return async function* (deps, request, { moment, financialYear, asAt }) {
    const granularity = request.granularity ?? 'year';
    const batches = rows(deps, { asAt: request.asAt, granularity, moment, financialYear });
    if (request.format === 'csv') {
      yield csvHeader(columns, granularity);
      for await (const batch of batches) yield csvRows(columns, granularity, batch);
      return;
    }
    yield `{"financialYear":${JSON.stringify(financialYear)},"asAt":"${asAt}",${request.granularity ? `"granularity":"${request.granularity}",` : ''}"rows":[`;
    let separator = '';
    for await (const batch of batches) {
      if (batch.length === 0) continue;
      yield separator + batch.map((row) => JSON.stringify(row)).join(',');
      separator = ',';
    }
    yield ']}';
  };
}

const PRODUCERS: Record<FeedName, Producer> = {
  savings: producer(savingsRows, SAVINGS_COLUMNS),
  investment: producer(investmentRows, INVESTMENT_COLUMNS),
  workstreams: producer(workstreamDimension, WORKSTREAM_DIMENSION_COLUMNS),
  projects: producer(projectDimension, PROJECT_DIMENSION_COLUMNS),
  benefits: producer(benefitDimension, BENEFIT_DIMENSION_COLUMNS),
};

/** A feed's body (CSV or JSON) in chunks: what the API streams, and what the export function stores. */
export function feedChunks(deps: Deps, request: FeedRequest, resolved: ResolvedFeed): AsyncGenerator<string> {
  return PRODUCERS[request.feed](deps, request, resolved);
}

/** The file a feed downloads as, and its type. */
export function feedFile(request: FeedRequest, financialYear: FinancialYear): { name: string; filename: string; contentType: string } {
  const name = `${request.feed}-${financialYear.replace('/', '-')}${request.granularity ? `-${request.granularity}` : ''}`;
  return {
    name,
    filename: `${name}.${request.format}`,
    contentType: request.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
  };
}

/** Where a feed is stored in the exports bucket: named by its ETag, so a file stored once serves every request for it until the data changes. */
export function feedFileKey(etag: string, filename: string): string {
  return `feeds/${etag.replaceAll('"', '')}/${filename}`;
}

/** How long a job may run before another may be started for the same feed: the export function's timeout (15 minutes) and a minute more. */
export const EXPORT_JOB_STALE_MS = 16 * 60_000;

/**
 * A feed handed to the export function (a direct, asynchronous invoke, never
 * a public route): what was asked, by whom, and the ETag the file is stored
 * under, so the function makes that feed or none.
 */
export const FeedExportJob = z.object({
  request: FeedRequest,
  caller: InvokingCaller,
  etag: z.string().min(1),
  key: z.string().min(1),
});
export type FeedExportJob = z.infer<typeof FeedExportJob>;

/** Starts a feed's export job elsewhere and returns at once (in AWS, an asynchronous invoke of the export function). */
export interface ExportDesk {
  handOff(job: FeedExportJob): Promise<void>;
}

/** Before this instant a job has outlived the export function's timeout: a request may start another for its file. */
function staleBefore(deps: Deps): string {
  return new Date(deps.clock().getTime() - EXPORT_JOB_STALE_MS).toISOString();
}

/** Whether the export function is making this file now (a request for it is told to come back, and makes nothing). */
export function feedExportRunning(deps: Deps, key: string): Promise<boolean> {
  return deps.store.exportJobs.running(key, staleBefore(deps));
}

/**
 * Hands a feed to the export function: the file is claimed first, so of any
 * number of requests for it exactly one starts a job (the others find it
 * claimed and start none); a job the function did not take releases it.
 */
export async function handOffFeed(deps: Deps, desk: ExportDesk, job: FeedExportJob): Promise<void> {
  if (!(await deps.store.exportJobs.claim(job.key, deps.clock(), staleBefore(deps)))) return;
  try {
    await desk.handOff(job);
  } catch (error) {
    await deps.store.exportJobs.release(job.key);
    throw error;
  }
}

/**
 * In the export function: makes the feed of a job and stores it under the
 * job's key, unless the data has changed since it was asked for (the ETag
 * no longer the job's: a request now would be for another file, and gets a
 * job of its own) or the file is already there. The job's marker is
 * released either way, and on failure, so a later request can start again.
 */
export async function runFeedExport(deps: Deps, exportStore: ExportStore, job: FeedExportJob): Promise<'stored' | 'already-stored' | 'stale'> {
  try {
    const { request } = job;
    const current = await feedEtag(deps, job.caller, request.feed, { ...request, granularity: request.granularity ?? 'year' });
    if (current.etag !== job.etag) {
      logger.info('A feed export job was for data since changed: nothing made', { key: job.key, requestId: job.caller.requestId });
      return 'stale';
    }
    const file = feedFile(request, current.financialYear);
    if (await exportStore.link(job.key, file)) return 'already-stored';
    const encoder = new TextEncoder();
    const chunks = feedChunks(deps, request, current);
    const bytes = async function* () {
      for await (const chunk of chunks) yield encoder.encode(chunk);
    };
    await exportStore.save(job.key, bytes(), file.contentType);
    return 'stored';
  } finally {
    await deps.store.exportJobs.release(job.key);
  }
}
