import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ProgrammeSettings, UNSET_PROGRAMME } from '@bt/core';
import { keys } from './keys.ts';
import { getSingleton, singletonPutOp, type Singleton } from './singleton.ts';
import type { TxOp } from './transact.ts';
import { staleVersion } from './workstreams.ts';

// Also in the summaries' index partition, so the report reads it with the summaries (no request of its own).
const PROGRAMME: Singleton = { key: keys.programme(), entity: 'programme' };

/** The programme's settings: one item, versioned like every entity. */
export class ProgrammeRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(): Promise<ProgrammeSettings> {
    return getSingleton(this.doc, this.tableName, PROGRAMME, ProgrammeSettings, UNSET_PROGRAMME);
  }

  /** The next version, if the settings are still at `before.version` (412 otherwise). */
  putOp(next: ProgrammeSettings, before: ProgrammeSettings): TxOp {
    return singletonPutOp(this.tableName, PROGRAMME, next, before.version, () =>
      staleVersion('programme settings', { id: 'programme', version: before.version }),
    );
  }
}
