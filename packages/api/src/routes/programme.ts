import type { OpenAPIHono } from '@hono/zod-openapi';
import { ProgrammeSettings, PutProgrammeSettings } from '@bt/core';
import * as svc from '@bt/services';
import type { AppEnv } from '../env.ts';
import { caller, etag, expectedVersion } from '../http.ts';
import { ETagHeader, IfMatchHeaders, json, problems, route, security } from '../openapi.ts';

const tags = ['Programme'];

/** The programme's settings: name, council, net budget per FY, the programme's total target. */
export function programmeRoutes(deps: svc.Deps, app: OpenAPIHono<AppEnv>) {
  app.openapi(
    route({
      method: 'get',
      path: '/v1/programme',
      tags,
      security,
      summary: 'The programme settings (version 0 until an admin sets them)',
      responses: { 200: { description: 'The settings', headers: ETagHeader, ...json(ProgrammeSettings) }, ...problems(401, 403) },
    }),
    async (c) => {
      const settings = await svc.getProgrammeSettings(deps, caller(c));
      c.header('ETag', etag(settings.version));
      return c.json(settings, 200);
    },
  );
  app.openapi(
    route({
      method: 'put',
      path: '/v1/programme',
      tags,
      security,
      summary: 'Set the programme settings (admin)',
      request: { headers: IfMatchHeaders, body: { required: true, ...json(PutProgrammeSettings) } },
      responses: { 200: { description: 'The new version', headers: ETagHeader, ...json(ProgrammeSettings) }, ...problems(400, 401, 403, 412, 413, 415) },
    }),
    async (c) => {
      const settings = await svc.putProgrammeSettings(deps, caller(c), c.req.valid('json'), expectedVersion(c));
      c.header('ETag', etag(settings.version));
      return c.json(settings, 200);
    },
  );
}
