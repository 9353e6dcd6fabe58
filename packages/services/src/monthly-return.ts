import {
  applyProjectPatch,
  COMMENTARY_REQUIRED_FROM,
  ConflictError,
  isWrittenOut,
  openMonthsOfFy,
  riskBand,
  todayInLondon,
  UnprocessableError,
  validateProject,
  withMonthsReplaced,
  withScoring,
  type Benefit,
  type FieldError,
  type FinancialYear,
  type Month,
  type MonthlyReturn,
  type PeriodsState,
} from '@bt/core';
import { createHash } from 'node:crypto';
import type { ProjectRecord, TxOp } from '@bt/store';
import { withFreshRead, writeContext, type Caller, type Deps } from './context.ts';
import { projectToChange } from './project-access.ts';

const minute = (at: string) => at.slice(0, 16).replace('T', ' ');

/** A DynamoDB transaction holds at most 100 writes. */
const MAX_WRITES = 100;

/** What the monthly return form shows: the project's record, the FY's open months and the periods. */
export interface ReturnForm {
  record: ProjectRecord;
  financialYear: FinancialYear;
  openMonths: Month[];
  periods: PeriodsState;
  /** Each item's mark as read (sent back as `seen`). */
  marks: Record<string, string>;
}

/**
 * An item's mark: a digest of the part of it the return writes. A saving's
 * forecast and status, a risk's scores and status, a milestone's completion,
 * the project's confidence and commentary. Ledger totals moving (finance
 * recording an actual meanwhile) leave it as it was.
 */
function marksOf(record: ProjectRecord): Record<string, string> {
  const mark = (part: unknown) => createHash('sha256').update(JSON.stringify(part)).digest('base64url').slice(0, 16);
  const { project } = record;
  return {
    [project.id]: mark([project.deliveryConfidence, project.commentary ?? null]),
    ...Object.fromEntries(record.benefits.map((b) => [b.id, mark([b.forecast, b.status])])),
    ...Object.fromEntries(record.risks.map((r) => [r.id, mark([r.likelihood, r.impact, r.status])])),
    ...Object.fromEntries(record.milestones.map((m) => [m.id, mark([m.completedDate ?? null])])),
  };
}

/** The monthly return of a project for an FY, for its manager or an admin to fill in. */
export async function monthlyReturnForm(deps: Deps, caller: Caller, projectId: string, financialYear: FinancialYear): Promise<ReturnForm> {
  await projectToChange(deps, caller, projectId);
  const [record, periods] = await Promise.all([deps.store.children.record(projectId), deps.store.periods.get()]);
  if (!record) throw new ConflictError('concurrent-modification', `Project ${projectId} has just been removed.`);
  return { record, financialYear, openMonths: openMonthsOfFy(periods, financialYear), periods, marks: marksOf(record) };
}

/** A saving whose forecast the return can change: not written out. */
export const forecastable = (b: Benefit) => !isWrittenOut(b.status);

/**
 * Submit a monthly return: every saving's forecast for the open months of the
 * FY, the delivery confidence, the open risks' scores, milestone completion
 * and the commentary, in one transaction with an audit entry for each thing
 * it changes (action `monthly-return`). Each forecast sent is stamped as
 * looked at even when unchanged (the stale-forecast alert reads the stamp).
 *
 * Refused whole, with every problem named by its field: a saving, risk or
 * milestone not of this project; a closed month; a written-out saving; a
 * milestone completed in the future; no commentary at amber or worse; or
 * anything changed since the return was shown (`seen`), which is never
 * overwritten (409).
 */
export async function submitMonthlyReturn(deps: Deps, caller: Caller, projectId: string, input: MonthlyReturn): Promise<ProjectRecord> {
  // A write that lands between the read and the commit loses the race: read again. What it changed is then
  // either named in `seen` (refused, 409) or not the return's business (the return is applied over it).
  return withFreshRead(undefined, () => submitOnce(deps, caller, projectId, input));
}

async function submitOnce(deps: Deps, caller: Caller, projectId: string, input: MonthlyReturn): Promise<ProjectRecord> {
  const { record, openMonths, periods, marks } = await monthlyReturnForm(deps, caller, projectId, input.financialYear);
  const { project } = record;
  const errors: FieldError[] = [];
  const today = todayInLondon(deps.clock());
  const open = new Set(openMonths);

  // What was changed since the form was read is not overwritten: named, with who changed it last.
  const who = new Map<string, string>([
    [project.id, `project ${project.code} (by ${project.updatedBy} at ${minute(project.updatedAt)})`],
    ...record.benefits.map(
      (b) => [b.id, `the forecast of "${b.title}" (by ${b.forecastUpdatedBy ?? b.updatedBy} at ${minute(b.forecastUpdatedAt ?? b.updatedAt)})`] as const,
    ),
    ...[...record.risks, ...record.milestones].map((i) => [i.id, `"${i.title}" (by ${i.updatedBy} at ${minute(i.updatedAt)})`] as const),
  ]);
  const moved = Object.entries(input.seen).filter(([id, mark]) => id in marks && marks[id] !== mark);
  if (moved.length) {
    throw new ConflictError(
      'return-stale',
      `Changed since this return was opened: ${moved.map(([id]) => who.get(id)).join('; ')}. Nothing was saved; check the figures as they are now and submit again.`,
      moved.map(([id]) => ({ path: `seen.${id}`, message: 'changed since the return was opened' })),
    );
  }

  const ctx = writeContext(deps, caller);
  const ops: TxOp[] = [];
  const changedBenefits: Benefit[] = [];
  for (const [benefitId, months] of Object.entries(input.forecasts)) {
    const benefit = record.benefits.find((b) => b.id === benefitId);
    if (!benefit) {
      errors.push({ path: `forecasts.${benefitId}`, message: `is not a saving of project ${project.code}` });
      continue;
    }
    if (!forecastable(benefit)) {
      errors.push({ path: `forecasts.${benefitId}`, message: `"${benefit.title}" is ${benefit.status}: it forecasts nothing` });
      continue;
    }
    const closed = Object.keys(months).filter((m) => !open.has(m));
    for (const m of closed)
      errors.push({ path: `forecasts.${benefitId}.${m}`, message: `${m} is closed or not in ${input.financialYear}: its figure is the realised amount` });
    if (closed.length) continue;
    const next = {
      ...benefit,
      forecast: withMonthsReplaced(benefit.forecast, openMonths, months),
      forecastUpdatedAt: ctx.now,
      forecastUpdatedBy: ctx.actor.sub,
    };
    const { item, ops: writes } = deps.store.children.updateOps(ctx, 'benefit', benefit, next, 'monthly-return');
    ops.push(...writes);
    changedBenefits.push(item);
  }

  for (const [riskId, score] of Object.entries(input.risks)) {
    const risk = record.risks.find((r) => r.id === riskId);
    if (!risk) {
      errors.push({ path: `risks.${riskId}`, message: `is not a risk of project ${project.code}` });
      continue;
    }
    if (risk.status !== 'open') {
      errors.push({ path: `risks.${riskId}`, message: `"${risk.title}" is closed` });
      continue;
    }
    if (score.likelihood === risk.likelihood && score.impact === risk.impact) continue;
    const scoreValue = score.likelihood * score.impact;
    const entry = { at: ctx.now, by: ctx.actor.sub, ...score, score: scoreValue, band: riskBand(scoreValue), status: risk.status };
    const scored = withScoring(risk, entry);
    const next = { ...risk, ...score, score: entry.score, band: entry.band, ...scored };
    ops.push(
      ...deps.store.children.updateOps(ctx, 'risk', risk, next, 'monthly-return').ops,
      deps.store.children.riskScoreOp(risk.id, scored.scoreCount, entry),
    );
  }

  for (const [milestoneId, { completedDate }] of Object.entries(input.milestones)) {
    const milestone = record.milestones.find((m) => m.id === milestoneId);
    if (!milestone) {
      errors.push({ path: `milestones.${milestoneId}`, message: `is not a milestone of project ${project.code}` });
      continue;
    }
    if (completedDate && completedDate > today) {
      errors.push({ path: `milestones.${milestoneId}.completedDate`, message: `is in the future (today is ${today})` });
      continue;
    }
    if ((completedDate ?? undefined) === milestone.completedDate) continue;
    const { completedDate: _was, ...rest } = milestone;
    const next = completedDate ? { ...rest, completedDate } : rest;
    ops.push(...deps.store.children.updateOps(ctx, 'milestone', milestone, next, 'monthly-return').ops);
  }

  if (COMMENTARY_REQUIRED_FROM.has(input.deliveryConfidence) && !input.commentary) {
    errors.push({ path: 'commentary', message: `is needed at ${input.deliveryConfidence}: say why, and what is being done about it` });
  }
  if (errors.length)
    throw new UnprocessableError(
      'return-invalid',
      `The return has ${errors.length === 1 ? 'a problem' : `${errors.length} problems`}; nothing was saved.`,
      errors,
    );

  const fields = applyProjectPatch(project, { deliveryConfidence: input.deliveryConfidence, commentary: input.commentary ?? null }, ctx.now, ctx.actor.sub);
  validateProject(fields, project);
  const { item: nextProject, ops: projectWrites } = deps.store.projects.updateOps(
    ctx,
    project,
    { ...fields, lastReturnAt: ctx.now, lastReturnBy: ctx.actor.sub },
    'monthly-return',
  );
  ops.push(...projectWrites, ...deps.store.summaries.projectAndBenefitsOp(nextProject, changedBenefits));
  // A month closed while the return was being written is not forecast into.
  ops.push(deps.store.periods.unchangedOp(periods));
  if (ops.length > MAX_WRITES) {
    throw new UnprocessableError(
      'return-too-large',
      `This return changes too much to save at once (${ops.length} writes; at most ${MAX_WRITES}). Change some of it on its own first (a saving's forecast with PUT …/forecast, a risk or a milestone with PATCH), then submit the return.`,
    );
  }
  await deps.store.commit(ops);
  const fresh = await deps.store.children.record(projectId);
  return fresh!;
}
