import { lazySchema } from './lazy-schema.ts';
import * as z from 'zod';
import { Timestamp, UserId } from './common.ts';

export const EntityType = lazySchema(() =>
  z.enum(['workstream', 'project', 'benefit', 'investment', 'risk', 'milestone', 'alert', 'digest', 'period', 'programme', 'change-request']),
);
export type EntityType = z.infer<typeof EntityType>;

/** One change, written in the same transaction as the change itself and never edited. */
export const AuditEntry = lazySchema(() =>
  z
    .object({
      id: z.string(),
      entityType: EntityType,
      entityId: z.string(),
      projectId: z.string().optional().meta({ description: 'The project the change belongs to, if any.' }),
      action: z.string().meta({ example: 'update' }),
      actor: z.object({ sub: UserId, name: z.string() }),
      at: Timestamp,
      requestId: z.string(),
      before: z.record(z.string(), z.unknown()).nullable(),
      after: z.record(z.string(), z.unknown()).nullable(),
      changes: z.array(z.string()).meta({ description: 'Top-level fields that changed.' }),
    })
    .meta({ id: 'AuditEntry' }),
);
export type AuditEntry = z.infer<typeof AuditEntry>;

/** Top-level fields whose values differ between two versions of an entity. */
export function changedFields(before: Record<string, unknown> | null, after: Record<string, unknown> | null): string[] {
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  const ignore = new Set(['version', 'updatedAt', 'updatedBy']);
  return [...keys].filter((k) => !ignore.has(k) && JSON.stringify(before?.[k]) !== JSON.stringify(after?.[k])).sort();
}
