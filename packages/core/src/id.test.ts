import { describe, expect, it } from 'vitest';
import { idSchema, isId, newId } from './id.ts';

describe('ids', () => {
  it('are prefixed and valid for their kind only', () => {
    const id = newId('project', Date.now());
    expect(id).toMatch(/^prj_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(isId('project', id)).toBe(true);
    expect(isId('workstream', id)).toBe(false);
    expect(idSchema('project').safeParse(id).success).toBe(true);
    expect(idSchema('project').safeParse('prj_../../etc').success).toBe(false);
  });
  it('sort in creation order, even within one millisecond', () => {
    const now = Date.now();
    const ids = Array.from({ length: 1000 }, () => newId('benefit', now));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(1000);
  });
});
