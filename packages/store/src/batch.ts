import { BatchGetCommand, type BatchGetCommandOutput, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** DynamoDB's limit of keys in one BatchGetItem. */
export const BATCH_GET_KEYS = 100;

/** `fn` over every item, at most `limit` at a time, results in the items' order. */
export async function mapInFlight<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * The items at these keys, 100 keys a BatchGetItem, up to `inFlight`
 * requests at once. An answer holds up to 16 MB (a Query's page: 1 MB), so
 * the requests depend on how many items are asked for, not on their size.
 * Keys DynamoDB leaves unprocessed (under load, or past 16 MB) are asked for
 * again after a pause. Items come back in no particular order; a key with no
 * item is left out.
 */
export async function batchGet(
  doc: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly Record<string, unknown>[],
  { consistent = false, inFlight = 4, attributes }: { consistent?: boolean; inFlight?: number; attributes?: string[] } = {},
): Promise<Record<string, unknown>[]> {
  // Only these attributes given back (each item is still read, and paid for, whole).
  const projection = attributes
    ? {
        ProjectionExpression: attributes.map((_, i) => `#a${i}`).join(', '),
        ExpressionAttributeNames: Object.fromEntries(attributes.map((a, i) => [`#a${i}`, a])),
      }
    : {};
  const chunks: Record<string, unknown>[][] = [];
  for (let i = 0; i < keys.length; i += BATCH_GET_KEYS) chunks.push(keys.slice(i, i + BATCH_GET_KEYS));
  const answers = await mapInFlight(chunks, inFlight, async (chunk) => {
    const out: Record<string, unknown>[] = [];
    let pending: Record<string, unknown>[] | undefined = chunk;
    for (let attempt = 0; pending?.length; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * 2 ** attempt)));
      const got: BatchGetCommandOutput = await doc.send(
        new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: consistent, ...projection } } }),
      );
      out.push(...(got.Responses?.[tableName] ?? []));
      pending = got.UnprocessedKeys?.[tableName]?.Keys;
    }
    return out;
  });
  return answers.flat();
}
