import { logger } from '@bt/services';
import { IsoDate, todayInLondon } from '@bt/core';
import { evaluateAndStore, functionDeps, publishOutbox, upgradeSummaries } from '@bt/services';
import * as z from 'zod';

const { deps, sink } = functionDeps(process.env);

/** EventBridge Scheduler's input: optionally the date to evaluate as at (default today in London). */
const Input = z.object({ asAt: IsoDate.optional() }).loose();

/**
 * The daily alert evaluation (06:00 Europe/London). Safe to retry: raises and
 * resolves are exactly once, and the outbox publishes whatever a failed run left.
 */
export async function handler(event: unknown) {
  const input = Input.safeParse(event ?? {});
  if (!input.success) throw new Error(`Unexpected scheduler input: ${input.error.message}`);
  const asAt = input.data.asAt ?? todayInLondon(deps.clock());
  // Summaries of an earlier layout (the first run after a deployment) are rebuilt first, so the report and the feeds read today's;
  // a failure there is logged and never stops the evaluation (an old layout is still read).
  const upgraded = await upgradeSummaries(deps).catch((error: unknown) => {
    logger.error('project summaries of an earlier layout were not all rebuilt', { error });
    return 0;
  });
  const result = await evaluateAndStore(deps, asAt);
  const published = await publishOutbox(deps, sink);
  const summary = {
    asAt,
    upgradedSummaries: upgraded,
    conditions: result.conditions,
    raised: result.raised.length,
    resolved: result.resolved.length,
    refreshed: result.refreshed,
    published,
    skipped: result.skipped,
    preview: result.preview,
  };
  // A skipped project needs repair; the rest of the programme was evaluated.
  for (const p of result.skipped) logger.error('project left out of the alert evaluation: its stored data does not parse', { ...p });
  logger.info('alert evaluation', summary);
  return summary;
}
