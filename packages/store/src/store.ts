import { AlertRepository } from './alerts.ts';
import { AuditRepository } from './audit.ts';
import { ChangeRepository } from './changes.ts';
import { DigestRepository } from './digests.ts';
import { OutboxRepository } from './outbox.ts';
import { ChildRepository } from './children.ts';
import { IdempotencyRepository } from './idempotency.ts';
import { ExportJobRepository } from './export-jobs.ts';
import { ImportRepository } from './imports.ts';
import { LedgerRepository } from './ledger.ts';
import { PeriodRepository } from './periods.ts';
import { ProgrammeRepository } from './programme.ts';
import { createDynamo, DEFAULT_TIMEOUTS, longestRequestMs, type DynamoConfig, type RequestCounter } from './client.ts';
import { ProjectRepository } from './projects.ts';
import { SummaryRepository } from './summaries.ts';
import { WorkstreamRepository } from './workstreams.ts';
import { transact, type TxOp } from './transact.ts';
import { keys } from './keys.ts';
import type { StoreSettings } from '@bt/core';
import { DeleteTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ensureTable } from './ensure-tables.ts';
import { mainTable } from './tables.ts';
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface StoreConfig extends DynamoConfig {
  tableName: string;
}

/** The store's configuration from its settings (see core's settings.ts). */
export function storeConfig(s: StoreSettings): StoreConfig {
  return {
    region: s.AWS_REGION,
    tableName: s.TABLE_NAME,
    ...(s.DYNAMODB_ENDPOINT ? { endpoint: s.DYNAMODB_ENDPOINT } : {}),
    timeouts: { connectionTimeoutMs: s.DYNAMODB_CONNECT_TIMEOUT_MS, requestTimeoutMs: s.DYNAMODB_REQUEST_TIMEOUT_MS },
  };
}

/** The repositories over one table, sharing one client. */
export class Store {
  private readonly client: DynamoDBClient;
  readonly workstreams: WorkstreamRepository;
  readonly projects: ProjectRepository;
  readonly audit: AuditRepository;
  readonly summaries: SummaryRepository;
  readonly alerts: AlertRepository;
  readonly outbox: OutboxRepository;
  readonly digests: DigestRepository;
  readonly changes: ChangeRepository;
  readonly children: ChildRepository;
  readonly ledger: LedgerRepository;
  readonly idempotency: IdempotencyRepository;
  readonly exportJobs: ExportJobRepository;
  readonly periods: PeriodRepository;
  readonly programme: ProgrammeRepository;
  readonly imports: ImportRepository;
  /** The longest a request to the table can take before it is given up (a transaction sent has landed, or never will, by then). */
  readonly longestRequestMs: number;
  private readonly tableName: string;
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    readonly config: StoreConfig,
    counter?: RequestCounter,
  ) {
    const { client, doc } = createDynamo(config, counter);
    this.client = client;
    this.workstreams = new WorkstreamRepository(doc, config.tableName);
    this.summaries = new SummaryRepository(doc, config.tableName);
    this.alerts = new AlertRepository(doc, config.tableName);
    this.outbox = new OutboxRepository(doc, config.tableName);
    this.digests = new DigestRepository(doc, config.tableName);
    this.changes = new ChangeRepository(doc, config.tableName);
    this.projects = new ProjectRepository(doc, config.tableName, this.summaries);
    this.audit = new AuditRepository(doc, config.tableName);
    this.children = new ChildRepository(doc, config.tableName, this.summaries);
    this.ledger = new LedgerRepository(doc, config.tableName, this.summaries);
    this.idempotency = new IdempotencyRepository(doc, config.tableName);
    this.exportJobs = new ExportJobRepository(doc, config.tableName);
    this.periods = new PeriodRepository(doc, config.tableName);
    this.programme = new ProgrammeRepository(doc, config.tableName);
    this.imports = new ImportRepository(doc, config.tableName);
    this.tableName = config.tableName;
    this.doc = doc;
    this.longestRequestMs = longestRequestMs({ ...DEFAULT_TIMEOUTS, ...config.timeouts });
  }

  /**
   * Commits the writes a use case collected from the repositories (entity
   * changes with their conditions, audit entry, summary, outbox event,
   * idempotency claim) as one transaction; a failed condition comes back as
   * the domain error of the write it guarded (see `transact`).
   */
  async commit(ops: TxOp[]): Promise<void> {
    await transact(this.doc, ops);
  }

  /** Creates the table if it does not exist (the local run and tests; in AWS the stack owns it). */
  async ensureTable(): Promise<'created' | 'exists'> {
    return ensureTable(this.client, mainTable, this.tableName);
  }

  /** Deletes the table (tests clean up their own). */
  async dropTable(): Promise<void> {
    await this.client.send(new DeleteTableCommand({ TableName: this.tableName }));
  }

  /** Whether the table answers: one small read (for health checks). Never throws. */
  async ping(): Promise<boolean> {
    try {
      await this.doc.send(new GetCommand({ TableName: this.tableName, Key: keys.health() }));
      return true;
    } catch {
      return false;
    }
  }

  destroy(): void {
    this.client.destroy();
  }
}
