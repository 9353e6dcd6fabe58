import { lazySchema } from '@bt/core';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { ChangeRequest, ChangeRequestId, ChangeStatus, DecideChange, ProjectId } from '@bt/core';
import * as svc from '@bt/services';
import * as z from 'zod';
import type { AppEnv } from '../env.ts';
import { caller, PageQuery, pageOf } from '../http.ts';
import { json, problems, route, security } from '../openapi.ts';

const tags = ['Change requests'];
const IdParam = lazySchema(() => z.object({ id: ChangeRequestId }));

/**
 * Change requests (SPEC 6): once a project is approved, a re-baseline, a
 * write-out, a type or category change, or its cancellation or closure is
 * requested (the write answers 202), and finance or an admin decides.
 */
export function changeRoutes(deps: svc.Deps, app: OpenAPIHono<AppEnv>) {
  app.openapi(
    route({
      method: 'get',
      path: '/v1/changes',
      tags,
      security,
      summary: 'Change requests: of a status (default pending), oldest first; or of a project, newest first',
      request: { query: lazySchema(() => z.object({ ...PageQuery, status: ChangeStatus.optional(), projectId: ProjectId.optional() })) },
      responses: {
        200: { description: 'A page of change requests', ...json(lazySchema(() => pageOf(ChangeRequest, 'ChangeRequestPage'))) },
        ...problems(400, 401, 403),
      },
    }),
    async (c) => {
      const { limit, cursor, ...filter } = c.req.valid('query');
      return c.json(await svc.listChanges(deps, caller(c), filter, { limit, cursor }), 200);
    },
  );
  app.openapi(
    route({
      method: 'get',
      path: '/v1/changes/{id}',
      tags,
      security,
      summary: 'A change request',
      request: { params: IdParam },
      responses: { 200: { description: 'The change request', ...json(ChangeRequest) }, ...problems(400, 401, 403, 404) },
    }),
    async (c) => c.json(await svc.getChange(deps, caller(c), c.req.valid('param').id), 200),
  );
  app.openapi(
    route({
      method: 'post',
      path: '/v1/changes/{id}/approve',
      tags,
      security,
      summary: 'Approve a change request with a note (finance or admin, never one’s own): the change is applied in the same transaction',
      description: 'Refused with 409 if what the request changes has moved on since it was made (`change-request-stale`), or if it has been decided.',
      request: { params: IdParam, body: { required: true, ...json(DecideChange) } },
      responses: { 200: { description: 'The approved request', ...json(ChangeRequest) }, ...problems(400, 401, 403, 404, 409, 415, 422) },
    }),
    async (c) => c.json(await svc.approveChange(deps, caller(c), c.req.valid('param').id, c.req.valid('json')), 200),
  );
  app.openapi(
    route({
      method: 'post',
      path: '/v1/changes/{id}/reject',
      tags,
      security,
      summary: 'Reject a change request with a note (finance or admin, never one’s own)',
      request: { params: IdParam, body: { required: true, ...json(DecideChange) } },
      responses: { 200: { description: 'The rejected request', ...json(ChangeRequest) }, ...problems(400, 401, 403, 404, 409, 415, 422) },
    }),
    async (c) => c.json(await svc.rejectChange(deps, caller(c), c.req.valid('param').id, c.req.valid('json')), 200),
  );
  app.openapi(
    route({
      method: 'post',
      path: '/v1/changes/{id}/withdraw',
      tags,
      security,
      summary: 'Withdraw one’s own pending change request',
      request: { params: IdParam },
      responses: { 200: { description: 'The withdrawn request', ...json(ChangeRequest) }, ...problems(400, 401, 403, 404, 409) },
    }),
    async (c) => c.json(await svc.withdrawChange(deps, caller(c), c.req.valid('param').id), 200),
  );
}
