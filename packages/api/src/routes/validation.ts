import { lazySchema } from '@bt/core';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { Actual, ActualId, BenefitId, EntryQuery, InvestmentId, ProjectId, QueryNote, Spend, SpendId, WorkstreamId } from '@bt/core';
import * as svc from '@bt/services';
import * as z from 'zod';
import type { AppEnv } from '../env.ts';
import { caller, PageQuery, pageOf } from '../http.ts';
import { json, problems, route, security } from '../openapi.ts';

const tags = ['Validation'];

const QueueRow = lazySchema(() =>
  z
    .object({
      kind: z.enum(['actual', 'spend']),
      id: z.string(),
      projectId: z.string(),
      parentId: z.string().meta({ description: 'The benefit (an actual) or the investment line (spend).' }),
      month: z.string(),
      amountPence: z.int(),
      note: z.string(),
      recordedBy: z.string(),
      recordedAt: z.string(),
      reverses: z.string().optional(),
      query: EntryQuery.optional(),
      queryOpen: z.boolean().meta({ description: 'A query awaits its answer: raised, not answered, the entry not reversed.' }),
    })
    .meta({ id: 'QueuedEntry' }),
);

/** Finance's validation queue (SPEC 6): what awaits validation across the programme, and validation in bulk. */
export function validationRoutes(deps: svc.Deps, app: OpenAPIHono<AppEnv>) {
  app.openapi(
    route({
      method: 'get',
      path: '/v1/actuals',
      tags,
      security,
      summary: 'Actuals and investment spend awaiting validation across the programme, oldest first',
      description:
        'With `projectId` or `workstreamId`, those of a project or of a workstream’s projects (a page may then hold fewer than `limit`: follow `nextCursor`).',
      request: {
        query: lazySchema(() =>
          z.object({
            ...PageQuery,
            validated: z.enum(['false']).default('false').meta({ description: 'The queue: entries not yet validated.' }),
            projectId: ProjectId.optional(),
            workstreamId: WorkstreamId.optional(),
          }),
        ),
      },
      responses: { 200: { description: 'A page of the queue', ...json(lazySchema(() => pageOf(QueueRow, 'QueuedEntryPage'))) }, ...problems(400, 401, 403) },
    }),
    async (c) => {
      const { limit, cursor, projectId, workstreamId } = c.req.valid('query');
      return c.json(await svc.listUnvalidated(deps, caller(c), { projectId, workstreamId }, { limit, cursor }), 200);
    },
  );
  app.openapi(
    route({
      method: 'post',
      path: '/v1/actuals/validate',
      tags,
      security,
      summary: `Validate up to ${svc.MAX_BULK_VALIDATION} entries at once, all or nothing (finance or admin, never one’s own entries)`,
      request: {
        body: {
          required: true,
          ...json(
            lazySchema(() => z.strictObject({ ids: z.array(z.string().min(1).max(40)).min(1).max(svc.MAX_BULK_VALIDATION) }).meta({ id: 'ValidateMany' })),
          ),
        },
      },
      responses: {
        200: { description: 'The entries validated', ...json(lazySchema(() => z.object({ validated: z.array(QueueRow) }))) },
        ...problems(400, 401, 403, 404, 409, 415, 422),
      },
    }),
    async (c) => c.json(await svc.validateMany(deps, caller(c), c.req.valid('json').ids), 200),
  );

  // Queries: finance asks about an entry; the recorder (or the project's manager) answers; a reversal also closes it.
  const ledgers = [
    {
      kind: 'actual' as const,
      path: '/v1/projects/{id}/benefits/{benefitId}/actuals/{actualId}',
      params: z.object({ id: ProjectId, benefitId: BenefitId, actualId: ActualId }),
      where: (p: Record<string, string>) => ({ kind: 'actual' as const, projectId: p.id!, parentId: p.benefitId!, id: p.actualId! }),
      schema: Actual,
    },
    {
      kind: 'spend' as const,
      path: '/v1/projects/{id}/investments/{investmentId}/spend/{spendId}',
      params: z.object({ id: ProjectId, investmentId: InvestmentId, spendId: SpendId }),
      where: (p: Record<string, string>) => ({ kind: 'spend' as const, projectId: p.id!, parentId: p.investmentId!, id: p.spendId! }),
      schema: Spend,
    },
  ];
  for (const l of ledgers) {
    for (const action of ['query', 'answer'] as const) {
      app.openapi(
        route({
          method: 'post',
          path: `${l.path}/${action}`,
          tags,
          security,
          summary:
            action === 'query'
              ? `Finance raises a query on ${l.kind === 'actual' ? 'an actual' : 'a spend entry'} awaiting validation; the recorder sees it`
              : "The recorder (or the project's manager) answers finance's open query",
          request: { params: lazySchema(() => l.params), body: { required: true, ...json(QueryNote) } },
          responses: { 200: { description: 'The entry with its query', ...json(lazySchema(() => l.schema)) }, ...problems(400, 401, 403, 404, 409, 415, 422) },
        }),
        async (c) => {
          const where = l.where(c.req.valid('param') as Record<string, string>);
          const note = c.req.valid('json').note;
          return c.json(await (action === 'query' ? svc.raiseQuery : svc.answerQuery)(deps, caller(c), where, note), 200);
        },
      );
    }
  }
}
