import { AuditRepository } from './audit.ts';
import { createDynamo, type DynamoConfig, type RequestCounter } from './client.ts';
import { ProjectRepository } from './projects.ts';
import { WorkstreamRepository } from './workstreams.ts';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export interface StoreConfig extends DynamoConfig {
  tableName: string;
}

/** The repositories over one table, sharing one client. */
export class Store {
  readonly client: DynamoDBClient;
  readonly workstreams: WorkstreamRepository;
  readonly projects: ProjectRepository;
  readonly audit: AuditRepository;

  constructor(readonly config: StoreConfig, counter?: RequestCounter) {
    const { client, doc } = createDynamo(config, counter);
    this.client = client;
    this.workstreams = new WorkstreamRepository(doc, config.tableName);
    this.projects = new ProjectRepository(doc, config.tableName);
    this.audit = new AuditRepository(doc, config.tableName);
  }

  destroy(): void {
    this.client.destroy();
  }
}
