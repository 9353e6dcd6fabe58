import type * as z from 'zod';
import { stripKeys } from './keys.ts';

/**
 * Stored data that does not match its schema is the server's fault, never the
 * request's: it is answered as a logged 500 (not a 400 that blames the
 * caller), naming the item so it can be repaired.
 */
export class StoredDataError extends Error {
  constructor(
    readonly key: { pk: unknown; sk: unknown },
    readonly issues: z.core.$ZodIssue[],
  ) {
    super(`Stored item ${String(key.pk)} / ${String(key.sk)} does not match its schema: ${issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
    this.name = 'StoredDataError';
  }
}

/** An item read from the table, checked against the schema of what it holds (keys stripped). */
export function fromStored<S extends z.ZodType>(schema: S, item: Record<string, unknown>): z.infer<S> {
  const parsed = schema.safeParse(stripKeys(item));
  if (!parsed.success) throw new StoredDataError({ pk: item.pk, sk: item.sk }, parsed.error.issues);
  return parsed.data;
}
