import { describe, expect, it } from 'vitest';
import { assertCanChangeProject, can, type Principal } from './access.ts';
import { ForbiddenError } from './errors.ts';

const who = (roles: Principal['roles'], sub = 'alice'): Principal => ({ sub, name: sub, roles });

describe('who may do what', () => {
  it('follows the role table', () => {
    expect(can(who(['admin']), 'workstream:create')).toBe(true);
    expect(can(who(['finance']), 'workstream:set-targets')).toBe(true);
    expect(can(who(['finance']), 'workstream:update')).toBe(false);
    expect(can(who(['programme-manager']), 'project:create')).toBe(true);
    expect(can(who(['cmt']), 'programme:read')).toBe(true);
    expect(can(who(['cmt']), 'project:create')).toBe(false);
    expect(can(who(['feed-reader']), 'programme:read')).toBe(false);
    expect(can(who(['feed-reader']), 'feeds:read')).toBe(true);
    expect(can(who([]), 'programme:read')).toBe(false);
  });
  it('lets a programme manager change only the projects they manage', () => {
    const project = { code: 'P1', manager: 'alice' };
    expect(() => assertCanChangeProject(who(['programme-manager'], 'alice'), project)).not.toThrow();
    expect(() => assertCanChangeProject(who(['programme-manager'], 'bob'), project)).toThrow(ForbiddenError);
    expect(() => assertCanChangeProject(who(['admin'], 'bob'), project)).not.toThrow();
    expect(() => assertCanChangeProject(who(['finance'], 'alice'), project)).toThrow(ForbiddenError);
  });
});
