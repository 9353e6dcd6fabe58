import { assertCan, type ProgrammeSettings, type PutProgrammeSettings } from '@bt/core';
import { staleVersion } from '@bt/store';
import { withFreshRead, writeContext, type Caller, type Deps, type ExpectedVersion } from './context.ts';

/** The programme's settings: anyone who reads the programme. */
export async function getProgrammeSettings(deps: Deps, caller: Caller): Promise<ProgrammeSettings> {
  assertCan(caller.principal, 'programme:read');
  return deps.store.programme.get();
}

/**
 * Set the programme's settings (admin): the whole settings, at the next
 * version, with the audit entry; a stale If-Match is a 412.
 */
export async function putProgrammeSettings(deps: Deps, caller: Caller, input: PutProgrammeSettings, expected: ExpectedVersion): Promise<ProgrammeSettings> {
  assertCan(caller.principal, 'programme:settings', 'Only an admin sets the programme settings.');
  // Without If-Match the caller replaces whatever is current: a lost race is retried on a fresh read, like every other write.
  return withFreshRead(expected, async () => {
    const ctx = writeContext(deps, caller);
    const before = await deps.store.programme.get();
    if (expected !== undefined && expected !== before.version) throw staleVersion('programme settings', { id: 'programme', version: expected });
    const next: ProgrammeSettings = { ...input, version: before.version + 1, updatedAt: ctx.now, updatedBy: ctx.actor.sub };
    await deps.store.commit([
      deps.store.programme.putOp(next, before),
      deps.store.audit.entryOp(ctx, {
        entityType: 'programme',
        entityId: 'programme',
        action: before.version === 0 ? 'create' : 'update',
        before: before.version === 0 ? null : before,
        after: next,
      }),
    ]);
    return next;
  });
}
