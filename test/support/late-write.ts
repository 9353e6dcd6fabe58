import { idTimeMs } from '@bt/core';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '@bt/store';
import type { Harness } from './harness.ts';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** An audit id made at `ms` (the ULID's time; its random part zero): what another function's clock would have stamped. */
export function auditIdAt(ms: number): string {
  let time = '';
  for (let t = ms, i = 0; i < 10; i++, t = Math.floor(t / 32)) time = CROCKFORD[t % 32] + time;
  return `aud_${time}${'0'.repeat(16)}`;
}

/**
 * A workstream renamed by another function, in a transaction sent `earlierMs`
 * before the newest audit entry's and landing only now (as two writers in
 * flight at once may): its audit entry is older than the newest, which does
 * not move (negative: after it, as from a clock that is fast). Straight to
 * the table, as the store's `transact` writes it.
 */
export async function landBehindNewest(h: Harness, workstream: { id: string; name: string }, name: string, earlierMs = 1_000): Promise<string> {
  const newest = await h.store.audit.latestId();
  if (!newest) throw new Error('Nothing written yet to land behind.');
  const sentAt = idTimeMs(newest) - earlierMs;
  const id = auditIdAt(sentAt);
  await h.raw.send(
    new TransactWriteCommand({
      TransactItems: [
        {
          Update: {
            TableName: h.tableName,
            Key: keys.workstream(workstream.id),
            UpdateExpression: 'SET #name = :name',
            ExpressionAttributeNames: { '#name': 'name' },
            ExpressionAttributeValues: { ':name': name },
          },
        },
        {
          Put: {
            TableName: h.tableName,
            Item: {
              ...keys.audit(workstream.id, id),
              entity: 'audit',
              id,
              entityType: 'workstream',
              entityId: workstream.id,
              action: 'update',
              actor: { sub: 'ada', name: 'Ada' },
              at: new Date(sentAt).toISOString(),
              requestId: 'sent-a-moment-before',
              before: { name: workstream.name },
              after: { name },
              changes: ['name'],
            },
          },
        },
      ],
    }),
  );
  return id;
}
