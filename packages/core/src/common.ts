import { lazySchema } from './lazy-schema.ts';
import * as z from 'zod';

/** Free text a person types: trimmed, not blank, bounded. */
export const Text = (max = 200) => z.string().trim().min(1, 'must not be blank').max(max);

/** Who a user is, by their identity-provider subject (user id). */
export const UserId = lazySchema(() => z.string().trim().min(1).max(128).meta({ description: 'A user id (the JWT `sub`).', example: 'alice' }));

export const Version = lazySchema(() => z.int().positive().meta({ description: 'Incremented on every change; sent back as the ETag.' }));

export const Timestamp = lazySchema(() => z.iso.datetime().meta({ example: '2025-11-03T09:30:00.000Z' }));

/** Fields every stored entity carries. */
export const EntityMeta = {
  version: Version,
  createdAt: Timestamp,
  createdBy: UserId,
  updatedAt: Timestamp,
  updatedBy: UserId,
};

/**
 * A JSON merge patch of an entity (RFC 7396, one level): a field the patch
 * leaves out (or sends undefined) keeps its value, `null` removes it, any
 * other value replaces it.
 */
export function applyMergePatch<T extends object>(before: T, patch: object): T {
  const next: Record<string, unknown> = Object.fromEntries(Object.entries(before));
  for (const [field, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (value === null) delete next[field];
    else next[field] = value;
  }
  return next as T;
}

/** Finance's question about a ledger entry: open until the recorder (or the project's manager) answers it, or the entry is reversed. */
export const EntryQuery = lazySchema(() =>
  z
    .object({
      note: z.string(),
      raisedBy: UserId,
      raisedAt: Timestamp,
      answer: z.string().optional(),
      answeredBy: UserId.optional(),
      answeredAt: Timestamp.optional(),
    })
    .meta({ id: 'EntryQuery' }),
);
export type EntryQuery = z.infer<typeof EntryQuery>;

export const QueryNote = lazySchema(() => z.strictObject({ note: Text(1000) }).meta({ id: 'QueryNote' }));
