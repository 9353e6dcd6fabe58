import { lazySchema } from './lazy-schema.ts';
import * as z from 'zod';
import { EntityMeta, Text, Timestamp, UserId } from './common.ts';
import { BenefitId } from './benefit.ts';
import { idSchema } from './id.ts';
import { Pence } from './money.ts';
import { ProjectId } from './project.ts';

export const RiskId = lazySchema(() => idSchema('risk'));
export const Score15 = lazySchema(() => z.int().min(1).max(5));

export const RiskBand = lazySchema(() => z.enum(['low', 'medium', 'high', 'critical']));
export type RiskBand = z.infer<typeof RiskBand>;

/**
 * The spec's bands of likelihood × impact: Low ≤ 4, Medium 5–9, High 10–16,
 * Critical ≥ 20. (No product of two 1–5 scores falls in 17–19.)
 */
export function riskBand(score: number): RiskBand {
  if (score >= 20) return 'critical';
  if (score >= 10) return 'high';
  if (score >= 5) return 'medium';
  return 'low';
}

/** Scorings kept on the risk itself; the whole history is kept as items of its own, so a risk never outgrows DynamoDB's item limit however often it is rescored. */
export const RISK_HISTORY_KEPT = 10;

export const RiskScoreEntry = lazySchema(() =>
  z.object({
    at: Timestamp,
    by: UserId,
    likelihood: Score15,
    impact: Score15,
    score: z.int(),
    band: RiskBand,
    status: z.enum(['open', 'closed']),
  }),
);
export type RiskScoreEntry = z.infer<typeof RiskScoreEntry>;

/** The risk's history after one more scoring: the newest `RISK_HISTORY_KEPT`, and the sequence number of the new one. */
export function withScoring(risk: Pick<Risk, 'history' | 'scoreCount'> | undefined, entry: RiskScoreEntry): { history: RiskScoreEntry[]; scoreCount: number } {
  const count = (risk?.scoreCount ?? risk?.history.length ?? 0) + 1;
  return { history: [...(risk?.history ?? []), entry].slice(-RISK_HISTORY_KEPT), scoreCount: count };
}

const riskFields = lazySchema(() => ({
  title: Text(),
  owner: Text(),
  likelihood: Score15,
  impact: Score15,
  mitigation: Text(2000),
  status: z.enum(['open', 'closed']),
  benefitId: BenefitId.optional().meta({ description: 'The benefit whose savings are at risk (same project).' }),
  savingsAtRiskPence: Pence.nonnegative().optional(),
}));

export const Risk = lazySchema(() =>
  z
    .object({
      id: RiskId,
      projectId: ProjectId,
      ...riskFields,
      score: z.int().meta({ description: 'likelihood × impact' }),
      band: RiskBand,
      history: z
        .array(RiskScoreEntry)
        .max(RISK_HISTORY_KEPT)
        .meta({
          description: `The latest scorings and statuses (up to ${RISK_HISTORY_KEPT}), oldest first; every one is kept, at GET …/risks/{riskId}/history.`,
        }),
      scoreCount: z.int().nonnegative().optional().meta({ description: 'How many scorings the whole history holds.' }),
      ...EntityMeta,
    })
    .meta({ id: 'Risk' }),
);
export type Risk = z.infer<typeof Risk>;

export const CreateRisk = lazySchema(() => z.strictObject({ ...riskFields, status: riskFields.status.default('open') }).meta({ id: 'CreateRisk' }));
export type CreateRisk = z.infer<typeof CreateRisk>;

export const PatchRisk = lazySchema(() =>
  z
    .strictObject({
      title: riskFields.title.optional(),
      owner: riskFields.owner.optional(),
      likelihood: Score15.optional(),
      impact: Score15.optional(),
      mitigation: riskFields.mitigation.optional(),
      status: riskFields.status.optional(),
      benefitId: BenefitId.nullable().optional(),
      savingsAtRiskPence: Pence.nonnegative().nullable().optional(),
    })
    .meta({ id: 'PatchRisk', description: 'null removes benefitId or savingsAtRiskPence.' }),
);
export type PatchRisk = z.infer<typeof PatchRisk>;
