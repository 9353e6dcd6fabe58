import { lazySchema } from '@bt/core';
import type { OpenAPIHono } from '@hono/zod-openapi';
import {
  Actual,
  ActualId,
  BaselineVersion,
  Benefit,
  BenefitId,
  ChangeRequest,
  CreateBenefit,
  CreateInvestment,
  CreateMilestone,
  CreateRisk,
  Investment,
  InvestmentId,
  Milestone,
  MilestoneId,
  PatchBenefit,
  PatchInvestment,
  PatchMilestone,
  PatchRisk,
  ProjectId,
  PutBaseline,
  PutForecast,
  RecordActual,
  RecordSpend,
  Risk,
  RiskId,
  RiskScoreEntry,
  Spend,
} from '@bt/core';
import * as svc from '@bt/services';
import type { Context } from 'hono';
import * as z from 'zod';
import type { AppEnv } from '../env.ts';
import { caller, etag, expectedVersion, idempotencyKey, PageQuery, pageOf } from '../http.ts';
import { ETagHeader, IdempotencyHeaders, IfMatchHeaders, json, problems, route, security } from '../openapi.ts';

const ProjectParam = lazySchema(() => z.object({ id: ProjectId }));
const BenefitParams = lazySchema(() => z.object({ id: ProjectId, benefitId: BenefitId }));
const WRITE_PROBLEMS = [400, 401, 403, 404, 409, 412, 413, 415, 422] as const;

function withEtag<T extends { version: number }>(c: Context<AppEnv>, value: T): T {
  c.header('ETag', etag(value.version));
  return value;
}

/** A ledger POST's body: the same the first time and for a retry with the same Idempotency-Key, which is marked as a replay. */
function replayMarked<T>(c: Context<AppEnv>, result: svc.Replayable<T>): T {
  if (result.replayed) c.header('Idempotent-Replayed', 'true');
  return result.value;
}

/** Benefits (with baseline, forecast and actuals), investment lines (with spend), risks and milestones of a project. */
export function projectRecordRoutes(deps: svc.Deps, app: OpenAPIHono<AppEnv>) {
  // --- benefits -------------------------------------------------------------
  app.openapi(
    route({
      method: 'post',
      path: '/v1/projects/{id}/benefits',
      tags: ['Benefits'],
      security,
      summary: 'Add a benefit (savings line) to a project',
      description:
        'A dis-benefit is a benefit whose amounts are negative. `replacesBenefitId` names the written-out saving this one replaces; the lineage shows on both.',
      request: { params: ProjectParam, body: { required: true, ...json(CreateBenefit) } },
      responses: { 201: { description: 'Created', headers: ETagHeader, ...json(Benefit) }, ...problems(...WRITE_PROBLEMS) },
    }),
    async (c) => c.json(withEtag(c, await svc.createBenefit(deps, caller(c), c.req.valid('param').id, c.req.valid('json'))), 201),
  );
  app.openapi(
    route({
      method: 'get',
      path: '/v1/projects/{id}/benefits/{benefitId}',
      tags: ['Benefits'],
      security,
      summary: 'A benefit with its current baseline, forecast and realised totals',
      request: { params: BenefitParams },
      responses: { 200: { description: 'The benefit', headers: ETagHeader, ...json(Benefit) }, ...problems(400, 401, 403, 404) },
    }),
    async (c) => {
      const { id, benefitId } = c.req.valid('param');
      return c.json(withEtag(c, await svc.getBenefit(deps, caller(c), id, benefitId)), 200);
    },
  );
  app.openapi(
    route({
      method: 'patch',
      path: '/v1/projects/{id}/benefits/{benefitId}',
      tags: ['Benefits'],
      security,
      summary: 'Change a benefit (merge patch); status unachievable or withdrawn writes it out',
      description:
        'Once the project is approved, a write-out (status unachievable or withdrawn) or a change of type or category is a change request (202), with a `reason`, decided by finance or an admin.',
      request: { params: BenefitParams, headers: IfMatchHeaders, body: { required: true, ...json(PatchBenefit) } },
      responses: {
        200: { description: 'The new version', headers: ETagHeader, ...json(Benefit) },
        202: { description: 'A change request, pending approval', ...json(ChangeRequest) },
        ...problems(...WRITE_PROBLEMS),
      },
    }),
    async (c) => {
      const { id, benefitId } = c.req.valid('param');
      const result = await svc.updateBenefit(deps, caller(c), id, benefitId, c.req.valid('json'), expectedVersion(c));
      return svc.isChangeRequest(result) ? c.json(result, 202) : c.json(withEtag(c, result), 200);
    },
  );
  app.openapi(
    route({
      method: 'put',
      path: '/v1/projects/{id}/benefits/{benefitId}/baseline',
      tags: ['Benefits'],
      security,
      summary: 'Set the baseline (approved plan): monthly pence, or annual amounts phased evenly',
      description:
        "Editable until the project is approved; after that a benefit's first baseline applies, and any later one is a re-baseline: a change request (202) with a `reason`, decided by finance or an admin. Every version stays readable at …/baselines.",
      request: { params: BenefitParams, headers: IfMatchHeaders, body: { required: true, ...json(PutBaseline) } },
      responses: {
        200: { description: 'The benefit with its new baseline', headers: ETagHeader, ...json(Benefit) },
        202: { description: 'A re-baseline request, pending approval', ...json(ChangeRequest) },
        ...problems(...WRITE_PROBLEMS),
      },
    }),
    async (c) => {
      const { id, benefitId } = c.req.valid('param');
      const result = await svc.putBaseline(deps, caller(c), id, benefitId, c.req.valid('json'), expectedVersion(c));
      return svc.isChangeRequest(result) ? c.json(result, 202) : c.json(withEtag(c, result), 200);
    },
  );
  app.openapi(
    route({
      method: 'get',
      path: '/v1/projects/{id}/benefits/{benefitId}/baselines',
      tags: ['Benefits'],
      security,
      summary: 'Every baseline version of a benefit, oldest first',
      request: { params: BenefitParams },
      responses: {
        200: { description: 'Baseline history', ...json(lazySchema(() => z.object({ items: z.array(BaselineVersion) }).meta({ id: 'BaselineHistory' }))) },
        ...problems(400, 401, 403, 404),
      },
    }),
    async (c) => {
      const { id, benefitId } = c.req.valid('param');
      return c.json({ items: await svc.listBaselines(deps, caller(c), id, benefitId) }, 200);
    },
  );
  app.openapi(
    route({
      method: 'put',
      path: '/v1/projects/{id}/benefits/{benefitId}/forecast',
      tags: ['Benefits'],
      security,
      summary: 'Replace the forecast (current expectation): monthly pence, or annual amounts phased evenly',
      request: { params: BenefitParams, headers: IfMatchHeaders, body: { required: true, ...json(PutForecast) } },
      responses: { 200: { description: 'The benefit with its new forecast', headers: ETagHeader, ...json(Benefit) }, ...problems(...WRITE_PROBLEMS) },
    }),
    async (c) => {
      const { id, benefitId } = c.req.valid('param');
      return c.json(withEtag(c, await svc.putForecast(deps, caller(c), id, benefitId, c.req.valid('json'), expectedVersion(c))), 200);
    },
  );

  // --- actuals ledger -------------------------------------------------------
  app.openapi(
    route({
      method: 'post',
      path: '/v1/projects/{id}/benefits/{benefitId}/actuals',
      tags: ['Actuals'],
      security,
      summary: 'Record a realised amount (append-only; a correction reverses an earlier entry)',
      description: "Finance, an admin, or the project's manager. Evidence (`note`) is required. Honours `Idempotency-Key`.",
      request: { params: BenefitParams, headers: IdempotencyHeaders, body: { required: true, ...json(RecordActual) } },
      responses: { 201: { description: 'Recorded (or the first result, replayed)', ...json(Actual) }, ...problems(...WRITE_PROBLEMS) },
    }),
    async (c) => {
      const { id, benefitId } = c.req.valid('param');
      return c.json(replayMarked(c, await svc.recordActual(deps, caller(c), id, benefitId, c.req.valid('json'), idempotencyKey(c))), 201);
    },
  );
  app.openapi(
    route({
      method: 'get',
      path: '/v1/projects/{id}/benefits/{benefitId}/actuals',
      tags: ['Actuals'],
      security,
      summary: 'The actuals ledger of a benefit, oldest first',
      request: { params: BenefitParams, query: lazySchema(() => z.object(PageQuery)) },
      responses: { 200: { description: 'A page of entries', ...json(lazySchema(() => pageOf(Actual, 'ActualPage'))) }, ...problems(400, 401, 403, 404) },
    }),
    async (c) => {
      const { id, benefitId } = c.req.valid('param');
      return c.json(await svc.listActuals(deps, caller(c), id, benefitId, c.req.valid('query')), 200);
    },
  );
  app.openapi(
    route({
      method: 'post',
      path: '/v1/projects/{id}/benefits/{benefitId}/actuals/{actualId}/validate',
      tags: ['Actuals'],
      security,
      summary: 'Finance validates an actual (once; not one they recorded)',
      request: { params: lazySchema(() => BenefitParams.extend({ actualId: ActualId })) },
      responses: { 200: { description: 'The validated entry', ...json(Actual) }, ...problems(400, 401, 403, 404, 409) },
    }),
    async (c) => {
      const { id, benefitId, actualId } = c.req.valid('param');
      return c.json(await svc.validateActual(deps, caller(c), id, benefitId, actualId), 200);
    },
  );

  // --- investment -----------------------------------------------------------
  const InvestmentParams = z.object({ id: ProjectId, investmentId: InvestmentId });
  app.openapi(
    route({
      method: 'post',
      path: '/v1/projects/{id}/investments',
      tags: ['Investment'],
      security,
      summary: 'Add an investment line with its planned spend',
      request: { params: ProjectParam, body: { required: true, ...json(CreateInvestment) } },
      responses: { 201: { description: 'Created', headers: ETagHeader, ...json(Investment) }, ...problems(...WRITE_PROBLEMS) },
    }),
    async (c) => c.json(withEtag(c, await svc.createInvestment(deps, caller(c), c.req.valid('param').id, c.req.valid('json'))), 201),
  );
  app.openapi(
    route({
      method: 'patch',
      path: '/v1/projects/{id}/investments/{investmentId}',
      tags: ['Investment'],
      security,
      summary: 'Change an investment line; months or phased replace the planned profile',
      request: { params: InvestmentParams, headers: IfMatchHeaders, body: { required: true, ...json(PatchInvestment) } },
      responses: { 200: { description: 'The new version', headers: ETagHeader, ...json(Investment) }, ...problems(...WRITE_PROBLEMS) },
    }),
    async (c) => {
      const { id, investmentId } = c.req.valid('param');
      return c.json(withEtag(c, await svc.updateInvestment(deps, caller(c), id, investmentId, c.req.valid('json'), expectedVersion(c))), 200);
    },
  );
  app.openapi(
    route({
      method: 'post',
      path: '/v1/projects/{id}/investments/{investmentId}/spend',
      tags: ['Investment'],
      security,
      summary: 'Record actual spend (finance; append-only; honours Idempotency-Key)',
      request: { params: InvestmentParams, headers: IdempotencyHeaders, body: { required: true, ...json(RecordSpend) } },
      responses: { 201: { description: 'Recorded (or the first result, replayed)', ...json(Spend) }, ...problems(...WRITE_PROBLEMS) },
    }),
    async (c) => {
      const { id, investmentId } = c.req.valid('param');
      return c.json(replayMarked(c, await svc.recordSpend(deps, caller(c), id, investmentId, c.req.valid('json'), idempotencyKey(c))), 201);
    },
  );
  app.openapi(
    route({
      method: 'get',
      path: '/v1/projects/{id}/investments/{investmentId}/spend',
      tags: ['Investment'],
      security,
      summary: 'The spend ledger of an investment line, oldest first',
      request: { params: InvestmentParams, query: lazySchema(() => z.object(PageQuery)) },
      responses: { 200: { description: 'A page of entries', ...json(lazySchema(() => pageOf(Spend, 'SpendPage'))) }, ...problems(400, 401, 403, 404) },
    }),
    async (c) => {
      const { id, investmentId } = c.req.valid('param');
      return c.json(await svc.listSpend(deps, caller(c), id, investmentId, c.req.valid('query')), 200);
    },
  );

  // --- risks and milestones -------------------------------------------------
  app.openapi(
    route({
      method: 'post',
      path: '/v1/projects/{id}/risks',
      tags: ['Risks'],
      security,
      summary: 'Add a risk (score = likelihood × impact; Low ≤ 4, Medium 5–9, High 10–16, Critical ≥ 20)',
      request: { params: ProjectParam, body: { required: true, ...json(CreateRisk) } },
      responses: { 201: { description: 'Created', headers: ETagHeader, ...json(Risk) }, ...problems(...WRITE_PROBLEMS) },
    }),
    async (c) => c.json(withEtag(c, await svc.createRisk(deps, caller(c), c.req.valid('param').id, c.req.valid('json'))), 201),
  );
  app.openapi(
    route({
      method: 'patch',
      path: '/v1/projects/{id}/risks/{riskId}',
      tags: ['Risks'],
      security,
      summary: 'Change a risk; rescoring or closing adds to its score history',
      request: { params: lazySchema(() => z.object({ id: ProjectId, riskId: RiskId })), headers: IfMatchHeaders, body: { required: true, ...json(PatchRisk) } },
      responses: { 200: { description: 'The new version', headers: ETagHeader, ...json(Risk) }, ...problems(...WRITE_PROBLEMS) },
    }),
    async (c) => {
      const { id, riskId } = c.req.valid('param');
      return c.json(withEtag(c, await svc.updateRisk(deps, caller(c), id, riskId, c.req.valid('json'), expectedVersion(c))), 200);
    },
  );
  app.openapi(
    route({
      method: 'get',
      path: '/v1/projects/{id}/risks/{riskId}/history',
      tags: ['Risks'],
      security,
      summary: "A risk's whole score history (every scoring and status), oldest first",
      request: { params: lazySchema(() => z.object({ id: ProjectId, riskId: RiskId })), query: lazySchema(() => z.object(PageQuery)) },
      responses: { 200: { description: 'Scorings', ...json(lazySchema(() => pageOf(RiskScoreEntry, 'RiskScorePage'))) }, ...problems(400, 401, 403, 404) },
    }),
    async (c) => {
      const { id, riskId } = c.req.valid('param');
      return c.json(await svc.riskHistory(deps, caller(c), id, riskId, c.req.valid('query')), 200);
    },
  );
  app.openapi(
    route({
      method: 'post',
      path: '/v1/projects/{id}/milestones',
      tags: ['Milestones'],
      security,
      summary: 'Add a milestone and the benefits that depend on it',
      request: { params: ProjectParam, body: { required: true, ...json(CreateMilestone) } },
      responses: { 201: { description: 'Created', headers: ETagHeader, ...json(Milestone) }, ...problems(...WRITE_PROBLEMS) },
    }),
    async (c) => c.json(withEtag(c, await svc.createMilestone(deps, caller(c), c.req.valid('param').id, c.req.valid('json'))), 201),
  );
  app.openapi(
    route({
      method: 'patch',
      path: '/v1/projects/{id}/milestones/{milestoneId}',
      tags: ['Milestones'],
      security,
      summary: 'Change a milestone; completedDate null reopens it',
      request: {
        params: lazySchema(() => z.object({ id: ProjectId, milestoneId: MilestoneId })),
        headers: IfMatchHeaders,
        body: { required: true, ...json(PatchMilestone) },
      },
      responses: { 200: { description: 'The new version', headers: ETagHeader, ...json(Milestone) }, ...problems(...WRITE_PROBLEMS) },
    }),
    async (c) => {
      const { id, milestoneId } = c.req.valid('param');
      return c.json(withEtag(c, await svc.updateMilestone(deps, caller(c), id, milestoneId, c.req.valid('json'), expectedVersion(c))), 200);
    },
  );
}
