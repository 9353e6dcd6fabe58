import { describe, expect, it } from 'vitest';
import { applyMergePatch } from './common.ts';

describe('merge patch (every PATCH of the API)', () => {
  const before = { id: 'x', title: 'Old', owner: 'Ann', measure: { name: 'm' } as { name: string } | undefined, version: 3 };
  it('replaces what the patch sends, keeps what it leaves out or sends undefined, and removes what it sends as null', () => {
    const next = applyMergePatch(before, { title: 'New', owner: undefined, measure: null });
    expect(next).toEqual({ id: 'x', title: 'New', owner: 'Ann', version: 3 });
    expect('measure' in next).toBe(false);
  });
  it('leaves the entity it was given as it was', () => {
    applyMergePatch(before, { title: 'New', measure: null });
    expect(before).toEqual({ id: 'x', title: 'Old', owner: 'Ann', measure: { name: 'm' }, version: 3 });
  });
});
