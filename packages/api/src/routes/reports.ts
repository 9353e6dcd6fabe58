import { lazySchema } from '@bt/core';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { AsAt, AuditEntry, FinancialYear } from '@bt/core';
import * as svc from '@bt/services';
import * as z from 'zod';
import type { AppEnv } from '../env.ts';
import { exportDeadline, linkedExport, monitoringPackAnswer, notModified, whileSettling } from '../exports.ts';
import { streamOrFail, type FeedExports } from '../stream.ts';
import { caller } from '../http.ts';
import { json, problems, route, security } from '../openapi.ts';

const DateQuery = lazySchema(() => ({
  financialYear: FinancialYear.optional().meta({ description: 'Default: the FY of asAt.' }),
  asAt: AsAt.optional(),
}));

const FeedQuery = lazySchema(() =>
  z.object({
    ...DateQuery,
    format: z.enum(['csv', 'json']).default('csv'),
    granularity: z.enum(['month', 'year']).default('month'),
  }),
);

/** The dimension feeds describe things as they are now (an `asAt` is refused, not ignored); the workstreams' target is for an FY. */
const DimensionQuery = lazySchema(() =>
  z.strictObject({
    financialYear: FinancialYear.optional().meta({ description: 'Default: the current FY.' }),
    format: z.enum(['csv', 'json']).default('csv'),
  }),
);

/** 202 Accepted: a feed or the pack is being made by the export function. */
const Preparing = lazySchema(() => z.object({ status: z.literal('preparing'), detail: z.string(), retryAfterSeconds: z.int() }).meta({ id: 'FeedPreparing' }));

/** In the OpenAPI: a feed's or the pack's answers in AWS when it is too slow (202) or too large (303) for a request, and 304. */
function exportAnswers(what: string) {
  return {
    202: {
      description: `In AWS, ${what} that takes longer to make than a request may run (FEED_HAND_OFF_AFTER_MS, 20 s: a programme of thousands of projects) is being made by the export function: ask again at the same address (Location) after Retry-After seconds, and you will be sent to it (303). Not to be stored; no ETag.`,
      ...json(Preparing),
    },
    303: {
      description: `In AWS, ${what} larger than the inline limit (FEED_INLINE_LIMIT_BYTES, 5 MB) is stored for a day and answered with a link (Location) that works for five minutes: follow it without the Authorization header. Not to be stored; the ETag is the file's.`,
    },
    304: { description: 'Not modified since the ETag you sent' },
  } as const;
}

const CSV_DESCRIPTION =
  'CSV: UTF-8 with BOM, CRLF, a header row, the documented column order, pounds with two decimals, ISO dates; text that a spreadsheet would run as a formula is prefixed with an apostrophe. JSON: the same rows with pence. Both carry an ETag (If-None-Match answers 304), but not in the window after a change (15 s by default), when a change sent a moment before it may still land.';

export function reportRoutes(deps: svc.Deps, app: OpenAPIHono<AppEnv>, exports?: FeedExports) {
  app.openapi(
    route({
      method: 'get',
      path: '/v1/reports/programme',
      tags: ['Reports'],
      security,
      summary: 'Programme, workstream, category and type roll-ups and status buckets for an FY',
      description: 'Reads one summary per project (kept up to date as writes happen), so its cost grows with the number of projects.',
      request: { query: lazySchema(() => z.object(DateQuery)) },
      responses: { 200: { description: 'The programme report', ...json(lazySchema(() => svc.ProgrammeReport)) }, ...problems(400, 401, 403) },
    }),
    async (c) => c.json(await svc.programmeReport(deps, caller(c), c.req.valid('query')), 200),
  );

  app.openapi(
    route({
      method: 'get',
      path: '/v1/reports/programme/movement',
      tags: ['Reports'],
      security,
      summary: 'What changed between two moments, per workstream and project, and which changes caused it',
      description:
        "Agreed baseline, outturn, realised and risk-adjusted outturn at `from` and at `to` (default now), as known then, and each change recorded between them — re-baselines, forecast changes, actuals and reversals, write-outs, stage changes and cancellations, period closes — with who and when. Reads each project's history once (one Query per project).",
      request: {
        query: lazySchema(() =>
          z.object({
            financialYear: FinancialYear.optional().meta({ description: 'Default: the FY of `to`.' }),
            from: AsAt,
            to: AsAt.optional(),
          }),
        ),
      },
      responses: { 200: { description: 'The movement', ...json(lazySchema(() => svc.ProgrammeMovement)) }, ...problems(400, 401, 403, 422) },
    }),
    async (c) => c.json(await svc.programmeMovement(deps, caller(c), c.req.valid('query')), 200),
  );

  app.openapi(
    route({
      method: 'get',
      path: '/v1/reports/monitoring-pack',
      tags: ['Reports'],
      security,
      summary: 'The monthly monitoring pack: an Excel workbook for Cabinet (summary, a sheet per workstream, written-out savings, investment)',
      description:
        'Real numbers in pounds (2 dp), frozen headers, filters, print titles. Its totals are the programme report’s at the same moment, to the penny. A workstream sheet’s lines carry the import’s columns, so the workbook imports back unchanged (`sheet=`).',
      request: {
        query: lazySchema(() => z.object({ ...DateQuery, format: z.enum(['xlsx']).default('xlsx') })),
        headers: lazySchema(() => z.object({ 'if-none-match': z.string().optional() })),
      },
      responses: {
        200: {
          description: 'The workbook (with an ETag, but not in the window after a change, as the feeds)',
          content: { [svc.XLSX_CONTENT_TYPE]: { schema: lazySchema(() => z.string().meta({ format: 'binary' })) } },
        },
        ...exportAnswers('a workbook (several thousand projects)'),
        ...problems(400, 401, 403),
      },
    }),
    async (c) => {
      const { financialYear, asAt } = c.req.valid('query');
      return monitoringPackAnswer(c, deps, caller(c), { financialYear, asAt }, exports);
    },
  );

  feedRoute(app, deps, exports, 'savings', 'Finance savings feed (a fact table): a row per benefit (per month)', FeedQuery);
  feedRoute(app, deps, exports, 'investment', 'Finance investment feed (a fact table): a row per investment line (per month)', FeedQuery);
  feedRoute(app, deps, exports, 'workstreams', 'Dimension: every workstream with its MTFS target for the FY (key: Workstream id)', DimensionQuery);
  feedRoute(
    app,
    deps,
    exports,
    'projects',
    'Dimension: every project with its stage, confidence, directorate and SRO, as now (key: Project id)',
    lazySchema(() => DimensionQuery.omit({ financialYear: true })),
  );
  feedRoute(
    app,
    deps,
    exports,
    'benefits',
    'Dimension: every benefit with its type, category, recurrence, MTFS ref, owner, status and lineage, as now (key: Benefit id)',
    lazySchema(() => DimensionQuery.omit({ financialYear: true })),
  );

  app.openapi(
    route({
      method: 'get',
      path: '/v1/feeds/changes',
      tags: ['Feeds'],
      security,
      summary: 'Every change since a cursor, oldest first, with the cursor to ask from next time',
      description:
        'For incremental refresh (e.g. Power BI). Start without a cursor; keep the nextCursor, even when items is empty. Changes from the last few seconds are held back until they have settled.',
      request: { query: lazySchema(() => z.object({ cursor: z.string().max(200).optional(), limit: z.coerce.number().int().min(1).max(1000).default(500) })) },
      responses: {
        200: {
          description: 'Changes',
          ...json(lazySchema(() => z.object({ items: z.array(AuditEntry), nextCursor: z.string(), hasMore: z.boolean() }).meta({ id: 'ChangePage' }))),
        },
        ...problems(400, 401, 403),
      },
    }),
    async (c) => {
      const { cursor, limit } = c.req.valid('query');
      return c.json(await svc.changesSince(deps, caller(c), cursor, limit), 200);
    },
  );
}

/** A finance feed: CSV or JSON of its rows (services' `feedChunks`), streamed, with an ETag (If-None-Match answers 304). */
function feedRoute(
  app: OpenAPIHono<AppEnv>,
  deps: svc.Deps,
  exports: FeedExports | undefined,
  feed: svc.FeedName,
  summary: string,
  querySchema: z.ZodObject,
): void {
  app.openapi(
    route({
      method: 'get',
      path: `/v1/feeds/${feed}`,
      tags: ['Feeds'],
      security,
      summary,
      description: CSV_DESCRIPTION,
      request: { query: querySchema, headers: lazySchema(() => z.object({ 'if-none-match': z.string().optional() })) },
      responses: {
        200: {
          description: 'The feed, streamed',
          content: {
            'text/csv': { schema: lazySchema(() => z.string()) },
            'application/json': {
              schema: lazySchema(() =>
                z.object({ financialYear: z.string(), asAt: z.string(), granularity: z.string(), rows: z.array(z.record(z.string(), z.unknown())) }),
              ),
            },
          },
        },
        ...exportAnswers('a feed'),
        ...problems(400, 401, 403),
      },
    }),
    async (c) => {
      // One handler for every feed's query schema: the fact feeds' (FeedQuery) or the dimensions' (no asAt, no granularity).
      const query = (c.req.valid as (target: 'query') => unknown)('query') as
        | z.infer<typeof FeedQuery>
        | (z.infer<typeof DimensionQuery> & { granularity?: undefined });
      const request: svc.FeedRequest = { feed, ...query };
      const who = caller(c);
      const deadline = exportDeadline(exports);
      const resolved = await svc.feedEtag(deps, who, feed, { ...query, granularity: query.granularity ?? 'year' });
      const { etag, financialYear } = resolved;
      // Only for settled data: what is read within the window after a write may lack a change the ETag would name.
      if (resolved.settled) c.header('ETag', etag);
      c.header('Cache-Control', 'private, no-cache');
      if (notModified(c, etag)) return c.body(null, 304);
      const file = svc.feedFile(request, financialYear);
      c.header('Content-Type', file.contentType);
      if (query.format === 'csv') c.header('Content-Disposition', `attachment; filename="${file.name}.csv"`);
      const chunks = svc.feedChunks(deps, request, resolved);
      if (!exports) return streamOrFail(c, chunks, 'feed');
      const key = svc.feedFileKey(etag, file.filename);
      const settling = whileSettling(c, resolved, key);
      return linkedExport(c, deps, exports, chunks, deadline, { key, filename: file.filename, contentType: file.contentType, settling }, () => ({
        kind: 'feed',
        request,
        caller: who,
        etag,
        key,
      }));
    },
  );
}
