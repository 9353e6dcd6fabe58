/**
 * Every key of the main table is built here and nowhere else.
 *
 * | item              | pk                  | sk          | gsi1pk / gsi1sk          | gsi2pk / gsi2sk      |
 * |-------------------|---------------------|-------------|--------------------------|----------------------|
 * | workstream        | WS#<id>             | WS          | WORKSTREAMS / <CODE>     |                      |
 * | project           | PRJ#<id>            | PRJ         | PROJECTS / <CODE>        | WS#<wsId> / <CODE>   |
 * | unique-code guard | CODE#<kind>#<CODE>  | CODE        |                          |                      |
 * | audit entry       | AUDIT#<entityId>    | <auditId>   | AUDIT / <auditId>        |                      |
 */
export const keys = {
  workstream: (id: string) => ({ pk: `WS#${id}`, sk: 'WS' }),
  workstreamIndex: (code: string) => ({ gsi1pk: 'WORKSTREAMS', gsi1sk: normaliseCode(code) }),
  project: (id: string) => ({ pk: `PRJ#${id}`, sk: 'PRJ' }),
  projectIndex: (code: string, workstreamId: string) => ({
    gsi1pk: 'PROJECTS',
    gsi1sk: normaliseCode(code),
    gsi2pk: `WS#${workstreamId}`,
    gsi2sk: normaliseCode(code),
  }),
  codeGuard: (kind: 'workstream' | 'project', code: string) => ({ pk: `CODE#${kind}#${normaliseCode(code)}`, sk: 'CODE' }),
  audit: (entityId: string, auditId: string) => ({ pk: `AUDIT#${entityId}`, sk: auditId, gsi1pk: 'AUDIT', gsi1sk: auditId }),
  auditOf: (entityId: string) => `AUDIT#${entityId}`,
} as const;

/** Codes are unique regardless of case: "asc" and "ASC" are the same workstream. */
export function normaliseCode(code: string): string {
  return code.trim().toUpperCase();
}

/** The attributes that are keys, not data: stripped before an item leaves the store. */
export const KEY_ATTRIBUTES = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'entity', 'expiresAt'] as const;

export function stripKeys<T extends Record<string, unknown>>(item: T): Record<string, unknown> {
  const out: Record<string, unknown> = { ...item };
  for (const k of KEY_ATTRIBUTES) delete out[k];
  return out;
}
