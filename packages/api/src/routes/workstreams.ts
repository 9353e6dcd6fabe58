import { lazySchema } from '@bt/core';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { CreateWorkstream, PatchWorkstream, Workstream, WorkstreamId } from '@bt/core';
import { createWorkstream, getWorkstream, listWorkstreams, updateWorkstream, type Deps } from '@bt/services';
import * as z from 'zod';
import type { AppEnv } from '../env.ts';
import { caller, etag, expectedVersion, PageQuery, pageOf } from '../http.ts';
import { ETagHeader, IfMatchHeaders, json, problems, route, security } from '../openapi.ts';

const tags = ['Workstreams'];
const IdParam = lazySchema(() => z.object({ id: WorkstreamId }));

export function workstreamRoutes(deps: Deps, app: OpenAPIHono<AppEnv>) {
  app.openapi(
    route({
      method: 'get',
      path: '/v1/workstreams',
      tags,
      security,
      summary: 'List workstreams by code',
      request: { query: lazySchema(() => z.object(PageQuery)) },
      responses: { 200: { description: 'A page of workstreams', ...json(lazySchema(() => pageOf(Workstream, 'WorkstreamPage'))) }, ...problems(400, 401, 403) },
    }),
    async (c) => c.json(await listWorkstreams(deps, caller(c), c.req.valid('query')), 200),
  );

  app.openapi(
    route({
      method: 'post',
      path: '/v1/workstreams',
      tags,
      security,
      summary: 'Create a workstream (admin)',
      request: { body: { required: true, ...json(CreateWorkstream) } },
      responses: { 201: { description: 'Created', headers: ETagHeader, ...json(Workstream) }, ...problems(400, 401, 403, 409, 413, 415) },
    }),
    async (c) => {
      const ws = await createWorkstream(deps, caller(c), c.req.valid('json'));
      c.header('ETag', etag(ws.version));
      c.header('Location', `/v1/workstreams/${ws.id}`);
      return c.json(ws, 201);
    },
  );

  app.openapi(
    route({
      method: 'get',
      path: '/v1/workstreams/{id}',
      tags,
      security,
      summary: 'A workstream with its MTFS targets',
      request: { params: IdParam },
      responses: { 200: { description: 'The workstream', headers: ETagHeader, ...json(Workstream) }, ...problems(400, 401, 403, 404) },
    }),
    async (c) => {
      const ws = await getWorkstream(deps, caller(c), c.req.valid('param').id);
      c.header('ETag', etag(ws.version));
      return c.json(ws, 200);
    },
  );

  app.openapi(
    route({
      method: 'patch',
      path: '/v1/workstreams/{id}',
      tags,
      security,
      summary: 'Change a workstream; finance may set MTFS targets, admin anything',
      description: 'A merge patch. `mtfsTargets` merges per financial year; a year set to null removes its target.',
      request: { params: IdParam, headers: IfMatchHeaders, body: { required: true, ...json(PatchWorkstream) } },
      responses: { 200: { description: 'The new version', headers: ETagHeader, ...json(Workstream) }, ...problems(400, 401, 403, 404, 409, 412, 413, 415) },
    }),
    async (c) => {
      const ws = await updateWorkstream(deps, caller(c), c.req.valid('param').id, c.req.valid('json'), expectedVersion(c));
      c.header('ETag', etag(ws.version));
      return c.json(ws, 200);
    },
  );
}
