import {
  applyMergePatch,
  assertCan,
  riskBand,
  UnprocessableError,
  withScoring,
  type CreateRisk,
  type PatchRisk,
  type Risk,
  type RiskScoreEntry,
} from '@bt/core';
import { patchChild } from './child-patch.ts';
import type { Page, PageRequest, TxOp } from '@bt/store';
import { mintId, writeContext, type Caller, type Deps, type ExpectedVersion } from './context.ts';
import { projectToChange, projectUnchangedOp } from './project-access.ts';

function scoreEntry(risk: Pick<Risk, 'likelihood' | 'impact' | 'status'>, at: string, by: string): RiskScoreEntry {
  const score = risk.likelihood * risk.impact;
  return { at, by, likelihood: risk.likelihood, impact: risk.impact, score, band: riskBand(score), status: risk.status };
}

function benefitMustExist(deps: Deps, projectId: string, benefitId: string): TxOp {
  return deps.store.children.existsOp(
    'benefit',
    projectId,
    benefitId,
    () =>
      new UnprocessableError('unknown-benefit', `Project ${projectId} has no benefit ${benefitId}.`, [
        { path: 'benefitId', message: 'is not a benefit of this project' },
      ]),
  );
}

/** Add a risk: scored likelihood × impact, banded, with the first entry of its score history. */
export async function createRisk(deps: Deps, caller: Caller, projectId: string, input: CreateRisk): Promise<Risk> {
  const project = await projectToChange(deps, caller, projectId);
  const ctx = writeContext(deps, caller);
  const entry = scoreEntry(input, ctx.now, ctx.actor.sub);
  const id = mintId(deps, 'risk');
  const scored = withScoring(undefined, entry);
  const guards = [
    projectUnchangedOp(deps, project),
    deps.store.children.riskScoreOp(id, scored.scoreCount, entry),
    ...(input.benefitId ? [benefitMustExist(deps, projectId, input.benefitId)] : []),
  ];
  return deps.store.children.create(ctx, 'risk', { id, projectId, ...input, score: entry.score, band: entry.band, ...scored }, guards);
}

/** Change a risk; a new likelihood, impact or status adds to its score history. */
export async function updateRisk(deps: Deps, caller: Caller, projectId: string, riskId: string, patch: PatchRisk, expected: ExpectedVersion): Promise<Risk> {
  return patchChild(deps, caller, 'risk', { projectId, id: riskId }, expected, (before, ctx) => {
    const next = applyMergePatch(before, patch);
    const guards = next.benefitId && next.benefitId !== before.benefitId ? [benefitMustExist(deps, projectId, next.benefitId)] : [];
    // A new score or status is a scoring: kept on the risk (the latest few) and in its whole history.
    if (next.likelihood !== before.likelihood || next.impact !== before.impact || next.status !== before.status) {
      const entry = scoreEntry(next, ctx.now, ctx.actor.sub);
      const scored = withScoring(before, entry);
      Object.assign(next, { score: entry.score, band: entry.band, ...scored });
      guards.push(deps.store.children.riskScoreOp(riskId, scored.scoreCount, entry));
    }
    return { next, guards };
  });
}

/** Every scoring and status of a risk, oldest first. */
export async function riskHistory(deps: Deps, caller: Caller, projectId: string, riskId: string, page: PageRequest): Promise<Page<RiskScoreEntry>> {
  assertCan(caller.principal, 'programme:read');
  await deps.store.children.getOrThrow('risk', projectId, riskId);
  return deps.store.children.riskScores(riskId, page);
}
