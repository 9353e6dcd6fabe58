import { AlertRepository } from './alerts.ts';
import { AuditRepository } from './audit.ts';
import { DigestRepository } from './digests.ts';
import { OutboxRepository } from './outbox.ts';
import { ChildRepository } from './children.ts';
import { IdempotencyRepository } from './idempotency.ts';
import { ImportRepository } from './imports.ts';
import { LedgerRepository } from './ledger.ts';
import { PeriodRepository } from './periods.ts';
import { ProgrammeRepository } from './programme.ts';
import { createDynamo, type DynamoConfig, type RequestCounter } from './client.ts';
import { ProjectRepository } from './projects.ts';
import { SummaryRepository } from './summaries.ts';
import { WorkstreamRepository } from './workstreams.ts';
import { transact, type TxOp } from './transact.ts';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface StoreConfig extends DynamoConfig {
  tableName: string;
}

/** The repositories over one table, sharing one client. */
export class Store {
  readonly client: DynamoDBClient;
  readonly workstreams: WorkstreamRepository;
  readonly projects: ProjectRepository;
  readonly audit: AuditRepository;
  readonly summaries: SummaryRepository;
  readonly alerts: AlertRepository;
  readonly outbox: OutboxRepository;
  readonly digests: DigestRepository;
  readonly children: ChildRepository;
  readonly ledger: LedgerRepository;
  readonly idempotency: IdempotencyRepository;
  readonly periods: PeriodRepository;
  readonly programme: ProgrammeRepository;
  readonly imports: ImportRepository;
  /** For use cases that add their own writes to a transaction. */
  readonly tableName: string;
  readonly doc: DynamoDBDocumentClient;

  constructor(readonly config: StoreConfig, counter?: RequestCounter) {
    const { client, doc } = createDynamo(config, counter);
    this.client = client;
    this.workstreams = new WorkstreamRepository(doc, config.tableName);
    this.summaries = new SummaryRepository(doc, config.tableName);
    this.alerts = new AlertRepository(doc, config.tableName);
    this.outbox = new OutboxRepository(doc, config.tableName);
    this.digests = new DigestRepository(doc, config.tableName);
    this.projects = new ProjectRepository(doc, config.tableName, this.summaries);
    this.audit = new AuditRepository(doc, config.tableName);
    this.children = new ChildRepository(doc, config.tableName, this.summaries);
    this.ledger = new LedgerRepository(doc, config.tableName, this.summaries);
    this.idempotency = new IdempotencyRepository(doc, config.tableName);
    this.periods = new PeriodRepository(doc, config.tableName);
    this.programme = new ProgrammeRepository(doc, config.tableName);
    this.imports = new ImportRepository(doc, config.tableName);
    this.tableName = config.tableName;
    this.doc = doc;
  }

  /** Commits writes collected from the repositories as one transaction (see `transact`). */
  async commit(ops: TxOp[]): Promise<void> {
    await transact(this.doc, ops);
  }

  /** Whether the table answers: one small read (for health checks). Never throws. */
  async ping(): Promise<boolean> {
    try {
      await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: 'HEALTH', sk: 'HEALTH' } }));
      return true;
    } catch {
      return false;
    }
  }

  destroy(): void {
    this.client.destroy();
  }
}
