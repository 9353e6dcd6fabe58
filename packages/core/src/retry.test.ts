import { describe, expect, it } from 'vitest';
import { backoffMs, RACE_RETRY, retryLostRaces } from './retry.ts';

describe('the one retry policy', () => {
  it('pauses up to an exponentially growing bound, capped', () => {
    expect(backoffMs(0, RACE_RETRY, () => 0.999)).toBe(4);
    expect(backoffMs(3, RACE_RETRY, () => 0.999)).toBe(39);
    expect(backoffMs(30, RACE_RETRY, () => 0.999)).toBe(99);
    expect(backoffMs(30, RACE_RETRY, () => 0)).toBe(0);
  });
  it('retries lost races only, and at most the policy’s attempts', async () => {
    const policy = { attempts: 3, baseDelayMs: 1, maxDelayMs: 1 };
    let calls = 0;
    const lost = new Error('lost');
    await expect(
      retryLostRaces(
        async () => {
          calls++;
          throw lost;
        },
        (e) => e === lost,
        () => new Error('gave up'),
        policy,
      ),
    ).rejects.toThrow('gave up');
    expect(calls).toBe(3);
    calls = 0;
    await expect(
      retryLostRaces(
        async () => {
          calls++;
          throw new Error('other');
        },
        (e) => e === lost,
        undefined,
        policy,
      ),
    ).rejects.toThrow('other');
    expect(calls).toBe(1);
    expect(
      await retryLostRaces(
        async (n) => {
          if (n < 2) throw lost;
          return n;
        },
        (e) => e === lost,
        undefined,
        policy,
      ),
    ).toBe(2);
  });
});
