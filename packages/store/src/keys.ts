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
 * | project summary   | PRJ#<pid>           | SUMMARY     |                          |                      |
 * | project history   | PRJ#<pid>           | ~H#<at>#<id> |                         |                      |
 * | ledger totals of an FY | PRJ#<pid>      | ~Y#<fy>     |                          |                      |
 * | benefit → project | BEN#<bid>           | REF         |                          |                      |
 * | baseline version  | BEN#<bid>           | BASELINE#<000001> |                    |                      |
 * | actual (ledger)   | BEN#<bid>           | ACT#<actId> | UNVALIDATED / <recorded>#<id> (until validated) |   |
 * | spend (ledger)    | INV#<iid>           | SPD#<sid>   | UNVALIDATED / <recorded>#<id> (until validated) |   |
 * | risk scoring      | RSK#<rid>           | SCORE#<000001> |                       |                      |
 * | idempotency key   | IDEM#<sub>#<key> (each URI-encoded)| IDEM        |                          |                      |
 * | period close      | PERIODS             | PERIODS     |                          |                      |
 * | programme settings| PROGRAMME           | SETTINGS    |                          |                      |
 * | alert history (until Dec 2026; now its audit trail) | ALERT#<id> | HIST#<version> |            |                      |
 * | alert             | ALERT#<id>          | ALERT       | ALERTS#<status> / <raised>#<id> | ALERTS / <raised>#<id> |
 * | last alert run    | ALERTS              | RUN         |                          |                      |
 * | digest            | DIGEST#<id>         | DIGEST      | DIGESTS / <createdAt>#<id> |                    |
 * | digest slot guard | DIGESTSLOT#<slot>   | SLOT        |                          |                      |
 * | outbox event      | EVENT#<id>          | EVENT       | OUTBOX / <time>#<id> (until published) |        |
 * | outbox events of one write | EVENTS#<first id> | EVENTS | OUTBOX / <time>#<first id> (until published) |  |
 * | change request    | CHG#<id>            | CHG         | CHANGES#<status> / <requested>#<id> | CHANGES#PRJ#<pid> / <requested>#<id> |
 * | import journal    | IMPORT#<id>         | HEAD        | IMPORTS / <startedAt>#<id> (until applied or rolled back) | |
 * | import step       | IMPORT#<id>         | STEP#<000001> |                        |                      |
 * | feed export job   | EXPORT#<file key> (URI-encoded) | EXPORT |                    |                      |
 *
 * A project's own partition holds the project and its children's current
 * state (one Query reads the whole record, `sk < ~`), and after it (`~H#…`)
 * its history: every change to its figures, in the order of its moment, so
 * one Query gives the record as it was known at any instant; after that
 * (`~Y#<fy>`) its ledger totals, one item per FY, which the report reads by
 * key for the year it asks for, beside the summaries. Ledgers and
 * baseline history live in their parent's own partition.
 */
/** After every item of a project's current record ('~' sorts after letters). */
const HISTORY_PREFIX = '~H#';
/** A project's ledger totals by FY: after its record and its history (`~Y` sorts after `~H`), so neither Query reads them. */
const YEAR_PREFIX = '~Y#';

export const keys = {
  workstream: (id: string) => ({ pk: `WS#${id}`, sk: 'WS' }),
  workstreamIndex: (code: string) => inCollection(collections.workstreams(), normaliseCode(code)),
  project: (id: string) => ({ pk: `PRJ#${id}`, sk: 'PRJ' }),
  projectIndex: (code: string, workstreamId: string) => ({
    ...inCollection(collections.projects(), normaliseCode(code)),
    ...inCollection(collections.projectsOfWorkstream(workstreamId), normaliseCode(code)),
  }),
  codeGuard: (kind: 'workstream' | 'project', code: string) => ({ pk: `CODE#${kind}#${normaliseCode(code)}`, sk: 'CODE' }),
  audit: (entityId: string, auditId: string, projectId?: string) => ({
    pk: `AUDIT#${entityId}`,
    sk: auditId,
    ...inCollection(collections.audit(), auditId),
    ...(projectId ? inCollection(collections.auditOfProject(projectId), auditId) : {}),
  }),
  child: (projectId: string, kind: ChildKind, id: string) => ({ pk: `PRJ#${projectId}`, sk: `${CHILD_PREFIX[kind]}#${id}` }),
  summary: (projectId: string) => ({ pk: `PRJ#${projectId}`, sk: 'SUMMARY' }),
  /** A project's ledger totals (realised, validated, spend) in the months of one FY. */
  summaryYear: (projectId: string, fy: string) => ({ pk: `PRJ#${projectId}`, sk: `${YEAR_PREFIX}${fy}` }),
  summaryYearsOf: (projectId: string) => ({ pk: `PRJ#${projectId}`, skPrefix: YEAR_PREFIX }),
  /** Everything of a project's partition that is its current record (its history sorts after, from `~`). */
  recordOf: (projectId: string) => ({ pk: `PRJ#${projectId}`, skBelow: HISTORY_PREFIX.slice(0, 1) }),
  history: (projectId: string, at: string, id: string) => ({ pk: `PRJ#${projectId}`, sk: `${HISTORY_PREFIX}${at}#${id}` }),
  /** A project's history up to and including an instant (an ISO instant sorts as it reads). */
  historyUntil: (projectId: string, instant: string) => ({
    pk: `PRJ#${projectId}`,
    skBetween: [HISTORY_PREFIX, `${HISTORY_PREFIX}${instant}#~`] as [string, string],
  }),
  benefitRef: (benefitId: string) => ({ pk: `BEN#${benefitId}`, sk: 'REF' }),
  baselineVersion: (benefitId: string, version: number) => ({ pk: `BEN#${benefitId}`, sk: `BASELINE#${String(version).padStart(6, '0')}` }),
  baselinesOf: (benefitId: string) => ({ pk: `BEN#${benefitId}`, skPrefix: 'BASELINE#' }),
  ledgerEntry: (kind: LedgerKind, parentId: string, id: string) => ({ pk: `${LEDGER[kind].parent}#${parentId}`, sk: `${LEDGER[kind].prefix}#${id}` }),
  ledgerOf: (kind: LedgerKind, parentId: string) => ({ pk: `${LEDGER[kind].parent}#${parentId}`, skPrefix: `${LEDGER[kind].prefix}#` }),
  /** A ledger entry awaiting finance's validation, in recording order (left once validated). */
  unvalidatedIndex: (recordedAt: string, id: string) => inCollection(collections.unvalidated(), `${recordedAt}#${id}`),
  riskScore: (riskId: string, seq: number) => ({ pk: `RSK#${riskId}`, sk: `SCORE#${String(seq).padStart(6, '0')}` }),
  riskScoresOf: (riskId: string) => ({ pk: `RSK#${riskId}`, skPrefix: 'SCORE#' }),
  periods: () => ({ pk: 'PERIODS', sk: 'PERIODS' }),
  programme: () => ({ pk: 'PROGRAMME', sk: 'SETTINGS' }),
  alert: (id: string) => ({ pk: `ALERT#${id}`, sk: 'ALERT' }),
  /** Steps of an alert's life as they were stored until December 2026 (read, no longer written: its audit trail is its history). */
  alertHistory: (id: string, version: number) => ({ pk: `ALERT#${id}`, sk: `HIST#${String(version).padStart(6, '0')}` }),
  alertRun: () => ({ pk: 'ALERTS', sk: 'RUN' }),
  alertHistoryOf: (id: string) => ({ pk: `ALERT#${id}`, skPrefix: 'HIST#' }),
  alertIndex: (status: string, firstRaisedAt: string, id: string) => ({
    ...inCollection(collections.alertsByStatus(status), `${firstRaisedAt}#${id}`),
    ...inCollection(collections.alerts(), `${firstRaisedAt}#${id}`),
  }),
  event: (id: string) => ({ pk: `EVENT#${id}`, sk: 'EVENT' }),
  /** Many events of one write in one item (the alert run's: one item a transaction, not one an alert), named by the first. */
  events: (firstId: string) => ({ pk: `EVENTS#${firstId}`, sk: 'EVENTS' }),
  eventIndex: (time: string, id: string) => inCollection(collections.outbox(), `${time}#${id}`),
  digest: (id: string) => ({ pk: `DIGEST#${id}`, sk: 'DIGEST' }),
  digestIndex: (createdAt: string, id: string) => inCollection(collections.digests(), `${createdAt}#${id}`),
  digestSlot: (slot: string) => ({ pk: `DIGESTSLOT#${slot}`, sk: 'SLOT' }),
  // Each part encoded, so a '#' in a user id or a key can never make two (user, key) pairs one item.
  idempotency: (scope: string, key: string) => ({ pk: `IDEM#${encodeURIComponent(scope)}#${encodeURIComponent(key)}`, sk: 'IDEM' }),
  exportJob: (fileKey: string) => ({ pk: `EXPORT#${encodeURIComponent(fileKey)}`, sk: 'EXPORT' }),
  auditOf: (entityId: string) => `AUDIT#${entityId}`,
  /** Never written: read by the health check (a miss is a cheap answer). */
  health: () => ({ pk: 'HEALTH', sk: 'HEALTH' }),
  change: (id: string) => ({ pk: `CHG#${id}`, sk: 'CHG' }),
  changeIndex: (status: string, projectId: string, order: string) => ({
    ...inCollection(collections.changesByStatus(status), order),
    ...inCollection(collections.changesOfProject(projectId), order),
  }),
  importHead: (id: string) => ({ pk: `IMPORT#${id}`, sk: 'HEAD' }),
  importInFlightIndex: (startedAt: string, id: string) => inCollection(collections.importsInFlight(), `${startedAt}#${id}`),
  importStep: (id: string, seq: number) => ({ pk: `IMPORT#${id}`, sk: `STEP#${String(seq).padStart(6, '0')}` }),
  importStepsOf: (id: string) => ({ pk: `IMPORT#${id}`, skPrefix: 'STEP#' }),
} as const;

/**
 * The index partitions (collections): each lists items of one kind in the
 * order of its sort key. Both indexes are generic (`gsi1pk`/`gsi1sk`,
 * `gsi2pk`/`gsi2sk`); a collection names which one and its partition. An
 * item is placed in a collection with `inCollection`, read with
 * `collectionQuery`, and taken out (sparse collections: the outbox, imports in
 * flight) with `leaveCollection`.
 */
export type IndexName = 'gsi1' | 'gsi2';
export interface Collection {
  index: IndexName;
  pk: string;
}
const INDEX_ATTRIBUTES = { gsi1: { pk: 'gsi1pk', sk: 'gsi1sk' }, gsi2: { pk: 'gsi2pk', sk: 'gsi2sk' } } as const;

export const collections = {
  workstreams: (): Collection => ({ index: 'gsi1', pk: 'WORKSTREAMS' }),
  projects: (): Collection => ({ index: 'gsi1', pk: 'PROJECTS' }),
  projectsOfWorkstream: (workstreamId: string): Collection => ({ index: 'gsi2', pk: `WS#${workstreamId}` }),
  /** Where summaries (and the period state and settings after them) were listed before they were read by key; a summary leaves it at its next write. */
  summaries: (): Collection => ({ index: 'gsi1', pk: 'SUMMARIES' }),
  /** Where FY items of ledger totals were listed before they were read by key; each ledger add takes one out (`leaveCollection`). */
  formerSummaryYear: (fy: string): Collection => ({ index: 'gsi1', pk: `SUMMARIES#${fy}` }),
  audit: (): Collection => ({ index: 'gsi1', pk: 'AUDIT' }),
  auditOfProject: (projectId: string): Collection => ({ index: 'gsi2', pk: `AUDIT#PRJ#${projectId}` }),
  alertsByStatus: (status: string): Collection => ({ index: 'gsi1', pk: `ALERTS#${status}` }),
  alerts: (): Collection => ({ index: 'gsi2', pk: 'ALERTS' }),
  digests: (): Collection => ({ index: 'gsi1', pk: 'DIGESTS' }),
  outbox: (): Collection => ({ index: 'gsi1', pk: 'OUTBOX' }),
  importsInFlight: (): Collection => ({ index: 'gsi1', pk: 'IMPORTS' }),
  changesByStatus: (status: string): Collection => ({ index: 'gsi1', pk: `CHANGES#${status}` }),
  changesOfProject: (projectId: string): Collection => ({ index: 'gsi2', pk: `CHANGES#PRJ#${projectId}` }),
  unvalidated: (): Collection => ({ index: 'gsi1', pk: 'UNVALIDATED' }),
} as const;

/** The index attributes that place an item in a collection at `sk`. */
export function inCollection(c: Collection, sk: string): Record<string, string> {
  const a = INDEX_ATTRIBUTES[c.index];
  return { [a.pk]: c.pk, [a.sk]: sk };
}

/** The key attributes of a collection's index (for a Query and its cursors). */
export function collectionAttributes(c: Collection): { pk: string; sk: string } {
  return INDEX_ATTRIBUTES[c.index];
}

/** The parts of a Query that read a collection in order. */
export function collectionQuery(c: Collection) {
  return { IndexName: c.index, KeyConditionExpression: `${INDEX_ATTRIBUTES[c.index].pk} = :pk`, ExpressionAttributeValues: { ':pk': c.pk } };
}

/** The update clause that takes an item out of a sparse collection. */
export function leaveCollection(c: Collection): string {
  const a = INDEX_ATTRIBUTES[c.index];
  return `REMOVE ${a.pk}, ${a.sk}`;
}

/** An update expression that also takes its item out of a collection (added to its REMOVE clause, which must come last, or as one). */
export function leavingCollection(c: Collection, expression: string): string {
  const a = INDEX_ATTRIBUTES[c.index];
  return /\bREMOVE\b/.test(expression) ? `${expression}, ${a.pk}, ${a.sk}` : `${expression} ${leaveCollection(c)}`;
}

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

/** `pk=…, sk=…` of a key, for the access-pattern table. */
const shown = (k: { pk: string; sk?: string }) => `\`pk=${decodeURIComponent(k.pk)}${k.sk !== undefined ? `, sk=${k.sk}` : ''}\``;
const inIndex = (c: Collection, order: string) => `Query \`${c.index}\`: \`${collectionAttributes(c).pk}=${c.pk}\`, by ${order}`;
const prefixed = (k: { pk: string; skPrefix: string }) => `Query \`pk=${k.pk}\`, \`begins_with(sk, ${k.skPrefix})\``;

/**
 * Every way the product reads the table, built from the key builders above:
 * the store's README shows this table (`pnpm docs:store` writes it; a test
 * checks the README is current), so it can never describe keys the code
 * does not build. A function, not a constant: documentation, which no
 * function's cold start should build (nor its bundle carry).
 */
function accessPatterns(): ReadonlyArray<{ pattern: string; how: string }> {
  return [
    { pattern: 'a workstream / project by id', how: `GetItem ${shown(keys.workstream('<id>'))} / ${shown(keys.project('<id>'))} (consistent read)` },
    { pattern: 'all workstreams by code', how: inIndex(collections.workstreams(), 'code') },
    { pattern: 'all projects by code (filter stage, directorate)', how: inIndex(collections.projects(), 'code') },
    { pattern: 'projects of a workstream by code', how: inIndex(collections.projectsOfWorkstream('<workstreamId>'), 'code') },
    { pattern: 'every project id (programme-wide jobs)', how: `${inIndex(collections.projects(), 'code')}, projecting \`id\`` },
    {
      pattern: 'is a code taken?',
      how: `guard item ${shown(keys.codeGuard('project', '<CODE>'))} (and \`workstream\`), claimed with \`attribute_not_exists(pk)\` in the entity's transaction`,
    },
    {
      pattern: 'the whole project record',
      how: `Query \`pk=${keys.project('<id>').pk}\`, \`sk < ${keys.recordOf('<id>').skBelow}\`: the project, its benefits, investment lines, risks and milestones (${['benefit', 'investment', 'risk', 'milestone'].map((k) => `\`${keys.child('<id>', k as ChildKind, '<id>').sk.split('#')[0]}#\``).join(', ')}) and its summary (\`${keys.summary('<id>').sk}\`)`,
    },
    {
      pattern: "every project's summary and its ledger totals in one FY, the period state and the programme settings (the report, the feeds)",
      how: `every project id (above), then BatchGetItem of ${shown(keys.summary('<id>'))} and ${shown(keys.summaryYear('<id>', '<fy>'))}, 50 projects a request (up to 16 MB each), with ${shown(keys.periods())} and ${shown(keys.programme())}`,
    },
    {
      pattern: 'summaries of an earlier layout (to upgrade)',
      how: `every project id (above), then BatchGetItem of ${shown(keys.summary('<id>'))}, 100 a request, projecting \`entity\`, \`projectId\`, \`format\``,
    },
    { pattern: "a project's ledger totals in every FY", how: prefixed(keys.summaryYearsOf('<id>')) },
    { pattern: 'the period state / the programme settings', how: `GetItem ${shown(keys.periods())} / ${shown(keys.programme())}` },
    { pattern: "a benefit's project", how: `GetItem ${shown(keys.benefitRef('<benefitId>'))}` },
    { pattern: "a benefit's baseline history", how: prefixed(keys.baselinesOf('<benefitId>')) },
    { pattern: "a benefit's actuals ledger", how: prefixed(keys.ledgerOf('actual', '<benefitId>')) },
    { pattern: "an investment line's spend ledger", how: prefixed(keys.ledgerOf('spend', '<investmentId>')) },
    {
      pattern: "finance's validation queue: actuals and spend awaiting validation, oldest first",
      how: `${inIndex(collections.unvalidated(), 'recorded')} (sparse: an entry leaves it when validated)`,
    },
    { pattern: "a risk's whole score history (the risk item keeps the latest 10)", how: prefixed(keys.riskScoresOf('<riskId>')) },
    { pattern: 'audit trail of an entity, oldest first', how: `Query \`pk=${keys.auditOf('<entityId>')}\` (sk = audit id, a ULID)` },
    {
      pattern: 'the whole audit log in order (and the change feed)',
      how: `${inIndex(collections.audit(), 'audit id')} (the moment its transaction was sent: \`auditOp\`'s \`atSend\`, made again at each attempt)`,
    },
    { pattern: "a project's trail (it and everything in it)", how: inIndex(collections.auditOfProject('<projectId>'), 'audit id') },
    { pattern: 'an alert', how: `GetItem ${shown(keys.alert('<id>'))} (id from rule + subject + FY)` },
    {
      pattern: "alerts by id (an evaluation's conditions that are not live: their earlier occurrences)",
      how: `BatchGetItem of ${shown(keys.alert('<id>'))}, 100 a request, consistent`,
    },
    { pattern: 'the last alert evaluation that ran to its end (when each live alert was last seen)', how: `GetItem ${shown(keys.alertRun())}` },
    {
      pattern: "an alert's history (raised, escalated, acknowledged, resolved, each occurrence)",
      how: `its audit trail, Query \`pk=${keys.auditOf('<id>')}\`, beside ${prefixed(keys.alertHistoryOf('<id>'))} (steps stored on their own until December 2026; a step in both is shown once)`,
    },
    { pattern: 'alerts of a status, newest first', how: inIndex(collections.alertsByStatus('<status>'), 'first raised') },
    { pattern: 'all alerts, newest first', how: inIndex(collections.alerts(), 'first raised') },
    { pattern: 'a digest / the digest of a slot', how: `GetItem ${shown(keys.digest('<id>'))} / ${shown(keys.digestSlot('<slot>'))}` },
    { pattern: 'digests, newest first', how: inIndex(collections.digests(), 'created') },
    { pattern: 'events not yet published (the outbox)', how: `${inIndex(collections.outbox(), 'time')} (sparse: removed once published)` },
    {
      pattern: 'an idempotency key',
      how: `GetItem ${shown(keys.idempotency('<user>', '<key>'))} (each part URI-encoded; expires after 24 h via TTL \`expiresAt\`)`,
    },
    {
      pattern: 'a feed or monitoring pack being made by the export function (one job per file)',
      how: `GetItem ${shown(keys.exportJob('<file key>'))} (expires after a day via TTL \`expiresAt\`)`,
    },
    { pattern: 'a change request', how: `GetItem ${shown(keys.change('<id>'))}` },
    { pattern: "change requests of a status, oldest first (the approvers' list)", how: inIndex(collections.changesByStatus('<status>'), 'requested') },
    { pattern: "a project's change requests, newest first", how: inIndex(collections.changesOfProject('<projectId>'), 'requested') },
    {
      pattern: "an import's journal and its steps (undo records)",
      how: `Query \`pk=${keys.importHead('<id>').pk}\` (\`sk=${keys.importHead('<id>').sk}\`, \`${keys.importStepsOf('<id>').skPrefix}<000001>\`…)`,
    },
    {
      pattern: 'imports in flight (to roll back when abandoned)',
      how: `${inIndex(collections.importsInFlight(), 'start')} (sparse: only while applying or rolling back)`,
    },
  ];
}

/** The access-pattern table as Markdown. */
export function accessPatternTable(): string {
  return ['| pattern | how |', '| --- | --- |', ...accessPatterns().map((p) => `| ${p.pattern} | ${p.how} |`)].join('\n');
}

/** What each index serves, from the collections (the table definition's `purpose`). */
export function indexPurpose(index: IndexName): string {
  const names = Object.entries(collections)
    .filter(([, make]) => (make as (arg: string) => Collection)('<x>').index === index)
    .map(([name]) => name.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`));
  return `collections: ${names.join('; ')}`;
}
