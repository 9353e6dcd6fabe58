import { assertCan, type AuditEntry } from '@bt/core';
import type { Page, PageRequest } from '@bt/store';
import type { Caller, Deps } from './context.ts';

export async function listAudit(
  deps: Deps,
  caller: Caller,
  filter: { entityId?: string | undefined; projectId?: string | undefined },
  page: PageRequest,
): Promise<Page<AuditEntry>> {
  assertCan(caller.principal, 'audit:read');
  return deps.store.audit.list(filter, page);
}
