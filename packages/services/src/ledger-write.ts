import { alreadyReversed, checkLedgerEntry, checkReversal, DEFAULT_LEDGER_SETTINGS, refuseClosedPeriod, todayInLondon, type Project } from '@bt/core';
import type { EntryOf, TxOp, WriteContext } from '@bt/store';
import { mintId, type Deps } from './context.ts';

const LEDGERS = {
  actual: { parent: 'benefit', parentField: 'benefitId', total: 'realised', recorded: 'actual-recorded', reversed: 'actual-reversed', what: 'actual' },
  spend: { parent: 'investment', parentField: 'investmentId', total: 'actual', recorded: 'spend-recorded', reversed: 'spend-reversed', what: 'spend entry' },
} as const;

/**
 * The writes of one ledger entry (an actual of a benefit, a spend of an
 * investment line): the entry itself, its parent's running totals (and the
 * project summary's), the audit entry, and — for a correction — a checked
 * reversal mark on the entry it cancels. One transaction, by the caller.
 */
export async function ledgerEntryWrites<K extends keyof typeof LEDGERS>(
  deps: Deps,
  ctx: WriteContext,
  kind: K,
  where: { project: Project; parentId: string },
  input: { month: string; amountPence: number; note: string; reverses?: string | undefined },
): Promise<{ entry: EntryOf<K>; ops: TxOp[] }> {
  const l = LEDGERS[kind];
  checkLedgerEntry(input, where.project, todayInLondon(deps.clock()).slice(0, 7), deps.ledger ?? DEFAULT_LEDGER_SETTINGS);
  const periods = await deps.store.periods.get();
  refuseClosedPeriod(periods, input.month, input.reverses ? 'reversal' : l.what === 'actual' ? 'actual' : 'spend');
  // Checked against the ledger's schema as it is made (the kind decides which).
  const entry = deps.store.ledger.newEntry(kind, {
    id: mintId(deps, kind),
    [l.parentField]: where.parentId,
    month: input.month,
    amountPence: input.amountPence,
    note: input.note,
    recordedBy: ctx.actor.sub,
    recordedAt: ctx.now,
    ...(input.reverses ? { reverses: input.reverses } : {}),
  });
  const ops: TxOp[] = [
    deps.store.ledger.appendOp(kind, where.parentId, entry, where.project.id),
    ...deps.store.ledger.addToTotalOps(l.parent, where.project.id, where.parentId, l.total, entry.month, entry.amountPence, {
      at: ctx.now,
      by: ctx.actor.sub,
      ...(input.reverses ? { reversal: true } : {}),
    }),
    deps.store.audit.entryOp(ctx, {
      entityType: l.parent,
      entityId: where.parentId,
      projectId: where.project.id,
      action: input.reverses ? l.reversed : l.recorded,
      before: null,
      after: entry,
    }),
    deps.store.periods.unchangedOp(periods),
  ];
  if (input.reverses) {
    checkReversal(await deps.store.ledger.get(kind, where.parentId, input.reverses), input, l.what);
    ops.push(deps.store.ledger.markReversedOp(kind, where.parentId, input.reverses, entry.id, () => alreadyReversed(input.reverses!)));
  }
  return { entry, ops };
}
