/** When the tests' app clock starts (default 23 November 2026, when they were written), so date-dependent figures come out the same whenever the suite runs. */
export const TEST_NOW = Date.parse(process.env.TEST_NOW ?? '2026-11-23T09:00:00Z');

/** The table the run's global setup seeds with the demo programme once, for the tests that only read it. */
export const SHARED_DEMO_TABLE = 'shared-demo';
