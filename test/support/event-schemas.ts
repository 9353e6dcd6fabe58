import { PUBLISHED_EVENTS } from '@bt/core';
import * as z from 'zod';

/** The JSON Schema of each published event's detail, as committed in events/published/. */
export function eventSchemas(): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(PUBLISHED_EVENTS).map(([name, schema]) => [name, z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'output' })]),
  );
}

export const fileName = (detailType: string) => detailType.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();
