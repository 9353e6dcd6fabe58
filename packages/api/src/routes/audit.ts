import { lazySchema } from '@bt/core';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { AuditEntry, ProjectId } from '@bt/core';
import { listAudit, type Deps } from '@bt/services';
import * as z from 'zod';
import type { AppEnv } from '../env.ts';
import { caller, PageQuery, pageOf } from '../http.ts';
import { problems, route, security } from '../openapi.ts';

export function auditRoutes(deps: Deps, app: OpenAPIHono<AppEnv>) {
  app.openapi(
    route({
      method: 'get',
      path: '/v1/audit',
      tags: ['Audit'],
      security,
      summary: 'The audit trail of one entity, of a project and everything in it, or of everything; oldest first',
      request: {
        query: lazySchema(() =>
          z.object({
            ...PageQuery,
            entityId: z
              .string()
              .regex(
                /^(?:[a-z]{2,3}_[0-9A-HJKMNP-TV-Z]{26}|\d{4}-(?:0[1-9]|1[0-2])|programme)$/,
                "must be an id such as prj_…, a month (a period's trail) or programme",
              )
              .optional(),
            projectId: ProjectId.optional(),
          }),
        ),
      },
      responses: {
        200: { description: 'A page of audit entries', content: { 'application/json': { schema: lazySchema(() => pageOf(AuditEntry, 'AuditPage')) } } },
        ...problems(400, 401, 403),
      },
    }),
    async (c) => {
      const { entityId, projectId, limit, cursor } = c.req.valid('query');
      return c.json(await listAudit(deps, caller(c), { entityId, projectId }, { limit, cursor }), 200);
    },
  );
}
