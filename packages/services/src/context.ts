import type { Principal } from '@bt/core';
import type { Store, WriteContext } from '@bt/store';

/** What every use case needs: the store and a clock (so tests and `asAt` can fix the time). */
export interface Deps {
  store: Store;
  clock: () => Date;
}

/** Who is asking, in which request. */
export interface Caller {
  principal: Principal;
  requestId: string;
}

export function writeContext(deps: Deps, caller: Caller): WriteContext {
  return {
    actor: { sub: caller.principal.sub, name: caller.principal.name },
    requestId: caller.requestId,
    now: deps.clock().toISOString(),
  };
}

/**
 * Optimistic concurrency from HTTP: `If-Match` names the version the caller
 * last saw. Absent means "whatever is current" (the write is still guarded by
 * the version read just before it, so no update is ever lost).
 */
export type ExpectedVersion = number | undefined;
