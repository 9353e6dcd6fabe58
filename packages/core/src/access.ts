import { lazySchema } from './lazy-schema.ts';
import * as z from 'zod';
import { ForbiddenError } from './errors.ts';

/** Roles of the spec's "who may do what" table. */
export const Role = lazySchema(() => z.enum(['admin', 'programme-manager', 'finance', 'cmt', 'feed-reader']));
export type Role = z.infer<typeof Role>;

/** Who is asking: from a verified JWT (locally) or the API Gateway JWT authorizer's claims (in AWS). */
export interface Principal {
  sub: string;
  name: string;
  email?: string;
  roles: Role[];
}

/**
 * What each role may do. `project:write` for a programme manager is further
 * limited to the projects they manage (see `assertCanChangeProject`).
 */
const PERMISSIONS = {
  'programme:read': ['admin', 'programme-manager', 'finance', 'cmt'],
  'audit:read': ['admin', 'programme-manager', 'finance'],
  'workstream:create': ['admin'],
  'savings:import': ['admin', 'finance'],
  'workstream:update': ['admin'],
  'workstream:set-targets': ['admin', 'finance'],
  'project:create': ['admin', 'programme-manager'],
  'project:write': ['admin', 'programme-manager'],
  'project:reassign-manager': ['admin'],
  'feeds:read': ['admin', 'programme-manager', 'finance', 'feed-reader'],
  /** Finance records actuals for any project; a programme manager for the projects they manage. */
  'actuals:record': ['admin', 'finance'],
  'actuals:validate': ['admin', 'finance'],
  'spend:record': ['admin', 'finance'],
  'alerts:evaluate': ['admin'],
  'periods:close': ['admin', 'finance'],
  'periods:reopen': ['admin'],
  'programme:settings': ['admin'],
  /** Further limited by the alert's subject: see `assertCanAcknowledge`. */
  'alerts:acknowledge': ['admin', 'programme-manager', 'finance'],
  'digests:send': ['admin'],
} as const satisfies Record<string, readonly Role[]>;
export type Permission = keyof typeof PERMISSIONS;

export function can(principal: Principal, permission: Permission): boolean {
  const allowed: readonly Role[] = PERMISSIONS[permission];
  return principal.roles.some((r) => allowed.includes(r));
}

export function assertCan(principal: Principal, permission: Permission, detail?: string): void {
  if (!can(principal, permission)) {
    throw new ForbiddenError(detail ?? `Your roles (${principal.roles.join(', ') || 'none'}) do not allow ${permission}.`);
  }
}

/** Admins change any project; a programme manager only the projects they manage. */
export function assertCanChangeProject(principal: Principal, project: { code: string; manager: string }): void {
  assertCan(principal, 'project:write');
  if (principal.roles.includes('admin')) return;
  if (project.manager !== principal.sub) {
    throw new ForbiddenError(`Project ${project.code} is managed by someone else; only its manager or an admin may change it.`);
  }
}

/**
 * Who answers for an alert: a project's alert (a project, benefit, risk …)
 * is acknowledged by that project's manager or an admin; a workstream's or
 * the programme's by finance or an admin.
 */
export function assertCanAcknowledge(
  principal: Principal,
  alert: { subject: { projectId?: string | undefined } },
  project?: { code: string; manager: string },
): void {
  assertCan(principal, 'alerts:acknowledge', 'Only an admin, a programme manager or finance can acknowledge alerts.');
  if (principal.roles.includes('admin')) return;
  if (alert.subject.projectId) {
    if (!project || project.manager !== principal.sub || !principal.roles.includes('programme-manager')) {
      throw new ForbiddenError(`Only the manager of project ${project?.code ?? alert.subject.projectId} (or an admin) may acknowledge its alerts.`);
    }
    return;
  }
  if (!principal.roles.includes('finance')) throw new ForbiddenError('Only finance (or an admin) may acknowledge a workstream or programme alert.');
}
