import type * as svc from '@bt/services';
import type { Context } from 'hono';
import type { AppEnv } from '../env.ts';

/** What every page needs besides its request: the use cases' dependencies, today's date in London, the FY asked for (default the current), the moment asked for (default now). */
export interface PageContext {
  deps: svc.Deps;
  today: () => string;
  fyFrom: (c: Context<AppEnv>) => string;
  /** The `asAt` of the query when it is a date or an instant; undefined (now) otherwise. */
  asAtFrom: (c: Context<AppEnv>) => string | undefined;
}
