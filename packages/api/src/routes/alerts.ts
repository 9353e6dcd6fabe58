import { lazySchema } from '@bt/core';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { Alert, AlertHistoryEntry, AlertRule, IsoDate, ProjectId, Severity, Text, WorkstreamId } from '@bt/core';
import * as svc from '@bt/services';
import * as z from 'zod';
import type { AppEnv } from '../env.ts';
import { logger } from '@bt/services';
import { caller, PageQuery, pageOf } from '../http.ts';
import { json, problems, route, security } from '../openapi.ts';

const tags = ['Alerts'];
const AlertIdParam = lazySchema(() => z.object({ id: z.string().regex(/^alr_[0-9A-HJKMNP-TV-Z]{26}$/, 'must be an alert id (alr_…)') }));

export function alertRoutes(deps: svc.Deps, app: OpenAPIHono<AppEnv>) {
  app.openapi(
    route({
      method: 'get',
      path: '/v1/alerts',
      tags,
      security,
      summary: 'Benefits-realisation alerts, newest first',
      request: {
        query: lazySchema(() =>
          z.object({
            ...PageQuery,
            status: z.enum(['open', 'acknowledged', 'resolved']).optional(),
            rule: AlertRule.optional(),
            severity: Severity.optional(),
            workstreamId: WorkstreamId.optional(),
            projectId: ProjectId.optional(),
          }),
        ),
      },
      responses: { 200: { description: 'A page of alerts', ...json(lazySchema(() => pageOf(Alert, 'AlertPage'))) }, ...problems(400, 401, 403) },
    }),
    async (c) => {
      const { limit, cursor, ...filter } = c.req.valid('query');
      return c.json(await svc.listAlerts(deps, caller(c), filter, { limit, cursor }), 200);
    },
  );
  app.openapi(
    route({
      method: 'post',
      path: '/v1/alerts/evaluate',
      tags,
      security,
      summary: 'Run the alert evaluation now (admin); returns what was raised and resolved. With asAt another day than today, a preview that changes nothing',
      request: { query: lazySchema(() => z.object({ asAt: IsoDate.optional() })) },
      responses: {
        200: {
          description: 'The outcome',
          ...json(
            lazySchema(() =>
              z
                .object({
                  asAt: z.string(),
                  evaluatedAt: z.string(),
                  conditions: z.int(),
                  raised: z.array(Alert),
                  resolved: z.array(Alert),
                  refreshed: z.int(),
                  skipped: z.array(z.object({ projectId: z.string(), reason: z.string() })).meta({
                    description: 'Projects left out because their stored data could not be read (their alerts are left as they were); logged as errors.',
                  }),
                  preview: z.boolean().meta({
                    description:
                      'True for an evaluation as at another day than today: what would have been raised and resolved then. Nothing was changed or published.',
                  }),
                })
                .meta({ id: 'EvaluationResult' }),
            ),
          ),
        },
        ...problems(400, 401, 403),
      },
    }),
    async (c) => {
      const result = await svc.runEvaluation(deps, caller(c), c.req.valid('query').asAt);
      for (const p of result.skipped)
        logger.error('project left out of the alert evaluation: its stored data does not parse', { requestId: c.get('requestId'), ...p });
      return c.json(result, 200);
    },
  );
  app.openapi(
    route({
      method: 'get',
      path: '/v1/alerts/{id}',
      tags,
      security,
      summary: 'An alert, with its history: each occurrence raised, escalated, acknowledged and resolved, oldest first',
      request: { params: AlertIdParam },
      responses: {
        200: {
          description: 'The alert and its history',
          ...json(lazySchema(() => Alert.extend({ history: z.array(AlertHistoryEntry) }).meta({ id: 'AlertWithHistory' }))),
        },
        ...problems(400, 401, 403, 404),
      },
    }),
    async (c) => c.json(await svc.getAlertWithHistory(deps, caller(c), c.req.valid('param').id), 200),
  );
  app.openapi(
    route({
      method: 'post',
      path: '/v1/alerts/{id}/acknowledge',
      tags,
      security,
      summary: 'Acknowledge an open alert with a note; it resolves when its condition clears',
      request: { params: AlertIdParam, body: { required: true, ...json(lazySchema(() => z.strictObject({ note: Text(1000) }).meta({ id: 'Acknowledge' }))) } },
      responses: { 200: { description: 'The acknowledged alert', ...json(Alert) }, ...problems(400, 401, 403, 404, 409, 415) },
    }),
    async (c) => c.json(await svc.acknowledgeAlert(deps, caller(c), c.req.valid('param').id, c.req.valid('json').note), 200),
  );
}
