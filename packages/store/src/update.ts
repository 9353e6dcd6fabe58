import type { AppError } from '@bt/core';
import type { TxOp } from './transact.ts';

/**
 * Fields that only the ledger path writes: running totals added to atomically
 * (`SET total.month = total.month + amount`) in the same transaction as each
 * ledger entry. A read-modify-write of the item must never write them back,
 * or a total moved in between would be overwritten with a stale copy.
 */
export const LEDGER_TOTALS = {
  benefit: ['realised', 'validated'],
  investment: ['actual'],
  risk: [],
  milestone: [],
} as const satisfies Record<string, readonly string[]>;

/**
 * The next version of an item, written as an update of only the fields that
 * changed (set, or removed when `next` lacks them) under `version = before`.
 * Server-owned fields (`ownedElsewhere`) are never written, whatever `next`
 * says of them, so a writer that read them earlier cannot put back a stale copy.
 */
export function versionedUpdateOp(
  tableName: string,
  key: Record<string, string>,
  before: Record<string, unknown>,
  next: Record<string, unknown>,
  ownedElsewhere: readonly string[],
  onConditionFailed: () => AppError,
): TxOp {
  const skip = new Set<string>([...ownedElsewhere, 'pk', 'sk']);
  const names: Record<string, string> = { '#version': 'version' };
  const values: Record<string, unknown> = { ':expected': before.version };
  const sets: string[] = [];
  const removes: string[] = [];
  const fields = new Set([...Object.keys(before), ...Object.keys(next)]);
  let i = 0;
  for (const field of fields) {
    if (skip.has(field)) continue;
    const value = next[field];
    if (value === undefined) {
      if (before[field] === undefined) continue;
      names[`#f${i}`] = field;
      removes.push(`#f${i}`);
    } else {
      if (JSON.stringify(value) === JSON.stringify(before[field]) && field !== 'version') continue;
      names[`#f${i}`] = field;
      values[`:v${i}`] = JSON.parse(JSON.stringify(value));
      sets.push(`#f${i} = :v${i}`);
    }
    i++;
  }
  const expression = [sets.length ? `SET ${sets.join(', ')}` : '', removes.length ? `REMOVE ${removes.join(', ')}` : ''].filter(Boolean).join(' ');
  return {
    item: {
      Update: {
        TableName: tableName,
        Key: key,
        UpdateExpression: expression,
        ConditionExpression: '#version = :expected',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    },
    onConditionFailed,
  };
}
