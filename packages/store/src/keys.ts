/**
 * Every key of the main table is built here and nowhere else.
 *
 * | item              | pk                  | sk          | gsi1pk / gsi1sk          | gsi2pk / gsi2sk      |
 * |-------------------|---------------------|-------------|--------------------------|----------------------|
 * | workstream        | WS#<id>             | WS          | WORKSTREAMS / <CODE>     |                      |
 * | project           | PRJ#<id>            | PRJ         | PROJECTS / <CODE>        | WS#<wsId> / <CODE>   |
 * | unique-code guard | CODE#<kind>#<CODE>  | CODE        |                          |                      |
 * | audit entry       | AUDIT#<entityId>    | <auditId>   | AUDIT / <auditId>        | AUDIT#PRJ#<pid> / <auditId> |
 * | benefit           | PRJ#<pid>           | BEN#<bid>   |                          |                      |
 * | investment line   | PRJ#<pid>           | INV#<iid>   |                          |                      |
 * | risk              | PRJ#<pid>           | RSK#<rid>   |                          |                      |
 * | milestone         | PRJ#<pid>           | MST#<mid>   |                          |                      |
 * | project summary   | PRJ#<pid>           | SUMMARY     | SUMMARIES / <pid>        |                      |
 * | benefit → project | BEN#<bid>           | REF         |                          |                      |
 * | baseline version  | BEN#<bid>           | BASELINE#<000001> |                    |                      |
 * | actual (ledger)   | BEN#<bid>           | ACT#<actId> |                          |                      |
 * | spend (ledger)    | INV#<iid>           | SPD#<sid>   |                          |                      |
 * | risk scoring      | RSK#<rid>           | SCORE#<000001> |                       |                      |
 * | idempotency key   | IDEM#<sub>#<key> (each URI-encoded)| IDEM        |                          |                      |
 * | period close      | PERIODS             | PERIODS     | SUMMARIES / ~PERIODS     |                      |
 * | programme settings| PROGRAMME           | SETTINGS    | SUMMARIES / ~PROGRAMME   |                      |
 * | alert             | ALERT#<id>          | ALERT       | ALERTS#<status> / <raised>#<id> | ALERTS / <raised>#<id> |
 * | digest            | DIGEST#<id>         | DIGEST      | DIGESTS / <createdAt>#<id> |                    |
 * | digest slot guard | DIGESTSLOT#<slot>   | SLOT        |                          |                      |
 * | outbox event      | EVENT#<id>          | EVENT       | OUTBOX / <time>#<id> (until published) |        |
 * | import journal    | IMPORT#<id>         | HEAD        | IMPORTS / <startedAt>#<id> (until applied or rolled back) | |
 * | import step       | IMPORT#<id>         | STEP#<000001> |                        |                      |
 *
 * A project's own partition holds the project and its children's current
 * state (one Query reads the whole record); ledgers and baseline history,
 * which grow without bound, live in their parent's own partition.
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
  audit: (entityId: string, auditId: string, projectId?: string) => ({
    pk: `AUDIT#${entityId}`,
    sk: auditId,
    gsi1pk: 'AUDIT',
    gsi1sk: auditId,
    ...(projectId ? { gsi2pk: `AUDIT#PRJ#${projectId}`, gsi2sk: auditId } : {}),
  }),
  auditOfProject: (projectId: string) => `AUDIT#PRJ#${projectId}`,
  child: (projectId: string, kind: ChildKind, id: string) => ({ pk: `PRJ#${projectId}`, sk: `${CHILD_PREFIX[kind]}#${id}` }),
  summary: (projectId: string) => ({ pk: `PRJ#${projectId}`, sk: 'SUMMARY' }),
  summaryIndex: (projectId: string) => ({ gsi1pk: 'SUMMARIES', gsi1sk: projectId }),
  benefitRef: (benefitId: string) => ({ pk: `BEN#${benefitId}`, sk: 'REF' }),
  baselineVersion: (benefitId: string, version: number) => ({ pk: `BEN#${benefitId}`, sk: `BASELINE#${String(version).padStart(6, '0')}` }),
  baselinesOf: (benefitId: string) => ({ pk: `BEN#${benefitId}`, skPrefix: 'BASELINE#' }),
  ledgerEntry: (kind: LedgerKind, parentId: string, id: string) => ({ pk: `${LEDGER[kind].parent}#${parentId}`, sk: `${LEDGER[kind].prefix}#${id}` }),
  ledgerOf: (kind: LedgerKind, parentId: string) => ({ pk: `${LEDGER[kind].parent}#${parentId}`, skPrefix: `${LEDGER[kind].prefix}#` }),
  riskScore: (riskId: string, seq: number) => ({ pk: `RSK#${riskId}`, sk: `SCORE#${String(seq).padStart(6, '0')}` }),
  riskScoresOf: (riskId: string) => ({ pk: `RSK#${riskId}`, skPrefix: 'SCORE#' }),
  periods: () => ({ pk: 'PERIODS', sk: 'PERIODS' }),
  periodsIndex: () => ({ gsi1pk: 'SUMMARIES', gsi1sk: '~PERIODS' }),
  programme: () => ({ pk: 'PROGRAMME', sk: 'SETTINGS' }),
  programmeIndex: () => ({ gsi1pk: 'SUMMARIES', gsi1sk: '~PROGRAMME' }),
  alert: (id: string) => ({ pk: `ALERT#${id}`, sk: 'ALERT' }),
  event: (id: string) => ({ pk: `EVENT#${id}`, sk: 'EVENT' }),
  digest: (id: string) => ({ pk: `DIGEST#${id}`, sk: 'DIGEST' }),
  digestSlot: (slot: string) => ({ pk: `DIGESTSLOT#${slot}`, sk: 'SLOT' }),
  // Each part encoded, so a '#' in a user id or a key can never make two (user, key) pairs one item.
  idempotency: (scope: string, key: string) => ({ pk: `IDEM#${encodeURIComponent(scope)}#${encodeURIComponent(key)}`, sk: 'IDEM' }),
  auditOf: (entityId: string) => `AUDIT#${entityId}`,
  importHead: (id: string) => ({ pk: `IMPORT#${id}`, sk: 'HEAD' }),
  importInFlightIndex: (startedAt: string, id: string) => ({ gsi1pk: 'IMPORTS', gsi1sk: `${startedAt}#${id}` }),
  importStep: (id: string, seq: number) => ({ pk: `IMPORT#${id}`, sk: `STEP#${String(seq).padStart(6, '0')}` }),
  importStepsOf: (id: string) => ({ pk: `IMPORT#${id}`, skPrefix: 'STEP#' }),
} as const;

export type ChildKind = 'benefit' | 'investment' | 'risk' | 'milestone';
const CHILD_PREFIX: Record<ChildKind, string> = { benefit: 'BEN', investment: 'INV', risk: 'RSK', milestone: 'MST' };

export type LedgerKind = 'actual' | 'spend';
const LEDGER: Record<LedgerKind, { parent: string; prefix: string }> = { actual: { parent: 'BEN', prefix: 'ACT' }, spend: { parent: 'INV', prefix: 'SPD' } };

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
