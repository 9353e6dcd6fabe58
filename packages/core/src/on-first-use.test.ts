import { describe, expect, it } from 'vitest';
import { onFirstUse } from './on-first-use.ts';

describe('loaded on first use', () => {
  it('loads nothing until called, then once for every call, those made while it loads included', async () => {
    let loads = 0;
    const get = onFirstUse(async () => {
      loads++;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return { n: loads };
    });
    expect(loads).toBe(0);
    const [a, b] = await Promise.all([get(), get()]);
    expect(await get()).toBe(a);
    expect([loads, a, b]).toEqual([1, { n: 1 }, { n: 1 }]);
  });

  it('does not keep a load that failed: the next call tries again, and keeps the one that succeeds', async () => {
    let loads = 0;
    const get = onFirstUse(async () => {
      loads++;
      if (loads === 1) throw new Error('not there yet');
      return loads;
    });
    await expect(get()).rejects.toThrow('not there yet');
    expect(await get()).toBe(2);
    expect(await get()).toBe(2);
    expect(loads).toBe(2);
  });
});
