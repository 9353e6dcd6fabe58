import { lazySchema } from '@bt/core';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { FinancialYear, Month, Period, ReopenPeriod } from '@bt/core';
import * as svc from '@bt/services';
import * as z from 'zod';
import type { AppEnv } from '../env.ts';
import { caller } from '../http.ts';
import { json, problems, route, security } from '../openapi.ts';

const tags = ['Periods'];
const PeriodsView = lazySchema(() =>
  z
    .object({
      financialYear: z.string(),
      closedThrough: z.string().nullable().meta({ description: 'Every month up to and including this one is closed, except those reopened.' }),
      closedAt: z.string().optional(),
      closedBy: z.string().optional(),
      months: z.array(Period),
    })
    .meta({ id: 'Periods' }),
);
const MonthParam = lazySchema(() => z.object({ month: Month }));

/** Period close: finance closes months, an admin reopens one with a reason; closed months take no actuals, reversals or spend. */
export function periodRoutes(deps: svc.Deps, app: OpenAPIHono<AppEnv>) {
  app.openapi(
    route({
      method: 'get',
      path: '/v1/periods',
      tags,
      security,
      summary: 'The months of an FY (default the current one), open or closed',
      request: { query: lazySchema(() => z.object({ financialYear: FinancialYear.optional() })) },
      responses: { 200: { description: 'The periods', ...json(PeriodsView) }, ...problems(400, 401, 403) },
    }),
    async (c) => c.json(await svc.listPeriods(deps, caller(c), c.req.valid('query').financialYear), 200),
  );
  app.openapi(
    route({
      method: 'post',
      path: '/v1/periods/{month}/close',
      tags,
      security,
      summary: 'Close a month, and every earlier month still open (finance or admin)',
      description: 'A month that has not ended cannot be closed. Once closed, no actual, reversal or spend can be recorded against it.',
      request: { params: MonthParam },
      responses: { 200: { description: "The periods of that month's FY", ...json(PeriodsView) }, ...problems(400, 401, 403, 409, 422) },
    }),
    async (c) => c.json(await svc.closePeriod(deps, caller(c), c.req.valid('param').month), 200),
  );
  app.openapi(
    route({
      method: 'post',
      path: '/v1/periods/{month}/reopen',
      tags,
      security,
      summary: 'Reopen a closed month (admin, with a reason)',
      request: { params: MonthParam, body: { required: true, ...json(ReopenPeriod) } },
      responses: { 200: { description: "The periods of that month's FY", ...json(PeriodsView) }, ...problems(400, 401, 403, 409, 413, 415) },
    }),
    async (c) => c.json(await svc.reopenClosedPeriod(deps, caller(c), c.req.valid('param').month, c.req.valid('json').reason), 200),
  );
}
