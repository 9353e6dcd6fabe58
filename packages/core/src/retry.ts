/**
 * The product's one retry policy for a write that lost a race (a DynamoDB
 * transaction conflict, a version that moved between read and write, a
 * concurrent alert run): try again after a jittered, exponentially growing
 * pause, a bounded number of times. The SDK's own retries (throttling,
 * network) are separate and bounded in the client (two attempts).
 */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  /** The first pause's upper bound; it doubles each attempt … */
  baseDelayMs: number;
  /** … up to this. */
  maxDelayMs: number;
}

/**
 * Enough for fifty writers of one item at once (a test, not a council's day)
 * to all land — measured: the unluckiest of the fifty needed 16 attempts — with
 * room for a loaded machine; at worst about 6 s before a writer is told to
 * try again (409).
 */
export const RACE_RETRY: RetryPolicy = { attempts: 60, baseDelayMs: 5, maxDelayMs: 100 };

/** The pause before attempt `attempt + 1` (full jitter: uniformly up to the exponential bound). */
export function backoffMs(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(attempt, 20)));
}

/**
 * Runs `attempt` until it succeeds, its error is not a lost race (`lostRace`
 * false: thrown at once), or the policy's attempts are spent (`exhausted`
 * gives the error to throw then).
 */
export async function retryLostRaces<T>(
  attempt: (n: number) => Promise<T>,
  lostRace: (error: unknown) => boolean,
  exhausted: (error: unknown) => unknown = (error) => error,
  policy: RetryPolicy = RACE_RETRY,
): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      if (!lostRace(error)) throw error;
      if (n + 1 >= policy.attempts) throw exhausted(error);
      await new Promise((resolve) => setTimeout(resolve, backoffMs(n, policy)));
    }
  }
}
