import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ProgrammeSettings, UNSET_PROGRAMME } from '@bt/core';
import { keys } from './keys.ts';
import { fromStored } from './stored.ts';
import type { TxOp } from './transact.ts';
import { staleVersion } from './workstreams.ts';

/** The programme's settings: one item, versioned like every entity. */
export class ProgrammeRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(): Promise<ProgrammeSettings> {
    const result = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: keys.programme(), ConsistentRead: true }));
    return result.Item ? fromStored(ProgrammeSettings, result.Item) : UNSET_PROGRAMME;
  }

  /** The next version, if the settings are still at `before.version` (412 otherwise). */
  putOp(next: ProgrammeSettings, before: ProgrammeSettings): TxOp {
    return {
      item: {
        Put: {
          TableName: this.tableName,
          // Also in the summaries' index partition, so the report reads it with the summaries (no request of its own).
          Item: { ...keys.programme(), ...keys.programmeIndex(), entity: 'programme', ...JSON.parse(JSON.stringify(next)) },
          ...(before.version === 0
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : { ConditionExpression: '#v = :v', ExpressionAttributeNames: { '#v': 'version' }, ExpressionAttributeValues: { ':v': before.version } }),
        },
      },
      onConditionFailed: () => staleVersion('programme settings', { id: 'programme', version: before.version }),
    };
  }
}
