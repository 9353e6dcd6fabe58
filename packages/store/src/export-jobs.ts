import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { keys } from './keys.ts';

/** A job's marker outlives any run of the export function (15 minutes at most); TTL tidies it after a day. */
const TTL_SECONDS = 24 * 3600;

/**
 * Feeds and monitoring packs being made by the export function, one marker
 * per file (its key in the exports bucket, named by its ETag): while one is
 * running, a request for the same file is told to come back, not given a
 * second job.
 */
export class ExportJobRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Whether a job for this file started after `staleBefore` (ISO instant) and has not ended. */
  async running(fileKey: string, staleBefore: string): Promise<boolean> {
    const { Item } = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: keys.exportJob(fileKey), ConsistentRead: true }));
    return Item !== undefined && String(Item.startedAt) > staleBefore;
  }

  /**
   * Claims the file for a new job, unless one started after `staleBefore` is
   * still running: of concurrent requests for the same feed, exactly one
   * gets `true` and hands the job off.
   */
  async claim(fileKey: string, now: Date, staleBefore: string): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.exportJob(fileKey), entity: 'export-job', startedAt: now.toISOString(), expiresAt: Math.floor(now.getTime() / 1000) + TTL_SECONDS },
          ConditionExpression: 'attribute_not_exists(pk) OR startedAt <= :stale',
          ExpressionAttributeValues: { ':stale': staleBefore },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** The job has ended (its file stored, or it failed): a request for the feed may start another. */
  async release(fileKey: string): Promise<void> {
    await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: keys.exportJob(fileKey) }));
  }
}
