import { lazySchema } from '@bt/core';
import type { OpenAPIHono } from '@hono/zod-openapi';
import {
  Benefit,
  ChangeRequest,
  CreateProject,
  Figures,
  Investment,
  AsAt,
  Milestone,
  MonthlyReturn,
  PatchProject,
  Project,
  ProjectFinancials,
  ProjectId,
  Risk,
  Stage,
  WorkstreamId,
} from '@bt/core';
import {
  createProject,
  getProjectRecord,
  isChangeRequest,
  listProjects,
  momentOfRequest,
  projectFigures,
  submitMonthlyReturn,
  updateProject,
  type Deps,
} from '@bt/services';
import * as z from 'zod';
import type { AppEnv } from '../env.ts';
import { caller, etag, expectedVersion, PageQuery, pageOf } from '../http.ts';
import { ETagHeader, IfMatchHeaders, json, problems, route, security } from '../openapi.ts';

const tags = ['Projects'];
const IdParam = lazySchema(() => z.object({ id: ProjectId }));
/** The project and its items, without figures (what a write answers). */
const ProjectRecord = lazySchema(() =>
  Project.extend({
    benefits: z.array(Benefit),
    investments: z.array(Investment),
    risks: z.array(Risk),
    milestones: z.array(Milestone),
  }).meta({ id: 'ProjectRecord' }),
);
const ProjectDetail = lazySchema(() =>
  Project.extend({
    benefits: z.array(Benefit),
    investments: z.array(Investment),
    risks: z.array(Risk),
    milestones: z.array(Milestone),
    figures: ProjectFinancials.extend({
      asAt: z.string(),
      knownAt: z.string().meta({ description: 'The instant the figures are as known at: the moment asked for, or now if it has not come yet.' }),
      byYear: z.record(z.string(), Figures).meta({ description: 'Figures per FY: every FY the project has an amount in, and its start FY.' }),
    }),
  }).meta({ id: 'ProjectDetail' }),
);

export function projectRoutes(deps: Deps, app: OpenAPIHono<AppEnv>) {
  app.openapi(
    route({
      method: 'get',
      path: '/v1/projects',
      tags,
      security,
      summary: 'List projects by code, optionally of one workstream, stage or directorate',
      request: {
        query: lazySchema(() =>
          z.object({
            ...PageQuery,
            workstreamId: WorkstreamId.optional(),
            stage: Stage.optional(),
            directorate: z.string().max(100).optional(),
          }),
        ),
      },
      responses: { 200: { description: 'A page of projects', ...json(lazySchema(() => pageOf(Project, 'ProjectPage'))) }, ...problems(400, 401, 403) },
    }),
    async (c) => {
      const { limit, cursor, ...filter } = c.req.valid('query');
      return c.json(await listProjects(deps, caller(c), filter, { limit, cursor }), 200);
    },
  );

  app.openapi(
    route({
      method: 'post',
      path: '/v1/projects',
      tags,
      security,
      summary: 'Create a project (admin, or a programme manager for a project they manage)',
      request: { body: { required: true, ...json(CreateProject) } },
      responses: { 201: { description: 'Created', headers: ETagHeader, ...json(Project) }, ...problems(400, 401, 403, 409, 413, 415, 422) },
    }),
    async (c) => {
      const project = await createProject(deps, caller(c), c.req.valid('json'));
      c.header('ETag', etag(project.version));
      c.header('Location', `/v1/projects/${project.id}`);
      return c.json(project, 201);
    },
  );

  app.openapi(
    route({
      method: 'get',
      path: '/v1/projects/{id}',
      tags,
      security,
      summary: 'The whole project: benefits, investment, risks and milestones',
      description:
        "Read with one DynamoDB Query whatever the project's size. The ETag is the project's own version (send it as If-Match to PATCH the project).",
      request: { params: IdParam, query: lazySchema(() => z.object({ asAt: AsAt.optional() })) },
      responses: { 200: { description: 'The project record', headers: ETagHeader, ...json(ProjectDetail) }, ...problems(400, 401, 403, 404) },
    }),
    async (c) => {
      const record = await getProjectRecord(deps, caller(c), c.req.valid('param').id);
      const { project, ...children } = record;
      const moment = momentOfRequest(deps, c.req.valid('query').asAt);
      c.header('ETag', etag(project.version));
      return c.json({ ...project, ...children, figures: await projectFigures(deps, record, moment) }, 200);
    },
  );

  app.openapi(
    route({
      method: 'patch',
      path: '/v1/projects/{id}',
      tags,
      security,
      summary: 'Change a project (its manager or an admin)',
      description:
        'A merge patch. Once approved, a project cannot go back to pipeline or business-case, and moving it to cancelled or closed is a change request (202) with a `reason`, decided by finance or an admin. Only an admin can change the manager.',
      request: { params: IdParam, headers: IfMatchHeaders, body: { required: true, ...json(PatchProject) } },
      responses: {
        200: { description: 'The new version', headers: ETagHeader, ...json(Project) },
        202: { description: 'A change request, pending approval', ...json(ChangeRequest) },
        ...problems(400, 401, 403, 404, 409, 412, 413, 415, 422),
      },
    }),
    async (c) => {
      const result = await updateProject(deps, caller(c), c.req.valid('param').id, c.req.valid('json'), expectedVersion(c));
      if (isChangeRequest(result)) return c.json(result, 202);
      c.header('ETag', etag(result.version));
      return c.json(result, 200);
    },
  );

  app.openapi(
    route({
      method: 'post',
      path: '/v1/projects/{id}/monthly-return',
      tags,
      security,
      summary: 'Submit the monthly return (its manager or an admin): forecasts for the open months, confidence, risk scores, milestones, commentary',
      description:
        "The page /projects/{id}/return sends the same. Saved in one transaction with an audit entry (`monthly-return`) for each item it changes; refused whole (422) with every problem named by its field (a closed month, a saving, risk or milestone not of the project, a written-out saving, a completion in the future, no commentary at amber or worse). With `seen` (each item's mark as the return was opened), a part of an item changed since is refused (409), never overwritten.",
      request: { params: IdParam, body: { required: true, ...json(MonthlyReturn) } },
      responses: { 200: { description: 'The project record as saved', ...json(ProjectRecord) }, ...problems(400, 401, 403, 404, 409, 413, 415, 422) },
    }),
    async (c) => {
      const { project, ...children } = await submitMonthlyReturn(deps, caller(c), c.req.valid('param').id, c.req.valid('json'));
      c.header('ETag', etag(project.version));
      return c.json({ ...project, ...children }, 200);
    },
  );
}
