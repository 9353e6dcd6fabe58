import type { FinancialYear, Moment } from '@bt/core';
import type { Deps } from './context.ts';
import type { FeedExportJob, FeedName, FeedRequest } from './export-jobs.ts';
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

/**
 * Where a feed or pack made from data still settling is stored (`dataMark`):
 * beside the file of the data's name, under the request's id, so it is linked
 * to by that answer alone and never served for the name (it may lack a
 * change the name covers). The bucket deletes it after a day, as the others.
 */
export function unsettledFileKey(key: string, requestId: string): string {
  const at = key.lastIndexOf('/');
  return `${key.slice(0, at)}/unsettled-${requestId.replaceAll(/[^\w-]/g, '_')}${key.slice(at)}`;
}

/** The feed of a job as it would be asked for now (its ETag, FY and moment), and its file. */
export async function feedOfJob(deps: Deps, job: FeedExportJob) {
  const { request } = job;
  const current = await feedEtag(deps, job.caller, request.feed, { ...request, granularity: request.granularity ?? 'year' });
  const file = feedFile(request, current.financialYear);
  return {
    etag: current.etag,
    settlesInMs: current.settlesInMs,
    key: feedFileKey(current.etag, file.filename),
    file,
    chunks: () => feedChunks(deps, request, current),
  };
}
