import { paginateQuery, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { collectionAttributes, collectionQuery, type Collection } from './keys.ts';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BadRequestError } from '@bt/core';

export interface Page<T> {
  items: T[];
  /** Opaque; pass back as `cursor` for the next page. Null on the last page. */
  nextCursor: string | null;
}

export interface PageRequest {
  limit: number;
  cursor?: string | undefined;
}

type Key = Record<string, string>;

/**
 * One page of a Query. Filters are applied by DynamoDB after `Limit`, so this
 * keeps reading until it has `limit` matching items or the partition ends, and
 * makes the cursor from the last item it returns — never skipping an item.
 * The cursor is the position's key, base64url-encoded; a decoded cursor must
 * name exactly this query's key attributes and partition, or it is refused.
 */
export async function queryPage(
  doc: DynamoDBDocumentClient,
  input: Omit<QueryCommandInput, 'Limit' | 'ExclusiveStartKey'>,
  keyNames: readonly string[],
  partition: { name: string; value: string; sortKeyPrefix?: { name: string; prefix: string } },
  page: PageRequest,
): Promise<Page<Record<string, unknown>>> {
  let startKey: Key | undefined = page.cursor ? decodeCursor(page.cursor, keyNames, partition) : undefined;
  const items: Record<string, unknown>[] = [];
  for (;;) {
    const want = page.limit - items.length;
    const result = await doc.send(new QueryCommand({ ...input, Limit: input.FilterExpression ? Math.max(want, 25) : want, ExclusiveStartKey: startKey }));
    const got = result.Items ?? [];
    for (let i = 0; i < got.length; i++) {
      items.push(got[i]!);
      if (items.length === page.limit) {
        const more = i < got.length - 1 || result.LastEvaluatedKey !== undefined;
        return { items, nextCursor: more ? encodeCursor(pick(got[i]!, keyNames)) : null };
      }
    }
    if (!result.LastEvaluatedKey) return { items, nextCursor: null };
    startKey = result.LastEvaluatedKey as Key;
  }
}

function pick(item: Record<string, unknown>, names: readonly string[]): Key {
  return Object.fromEntries(names.map((n) => [n, String(item[n])]));
}

export function encodeCursor(key: Key): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/**
 * A cursor's key, checked to be a position this list may read from: its own
 * key attributes, its partition and (for a list of one kind of item in a
 * partition) its sort-key prefix. A tampered cursor is a 400, never a query
 * DynamoDB refuses.
 */
export function decodeCursor(
  cursor: string,
  keyNames: readonly string[],
  partition: { name: string; value: string; sortKeyPrefix?: { name: string; prefix: string } },
): Key {
  const invalid = () =>
    new BadRequestError('The cursor is not valid for this list. Use the nextCursor of the previous page, unchanged.', [
      { path: 'cursor', message: 'not a cursor of this list' },
    ]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalid();
  const entries = Object.entries(parsed);
  if (entries.length !== keyNames.length) throw invalid();
  for (const [k, v] of entries) {
    if (!keyNames.includes(k) || typeof v !== 'string' || v.length === 0 || v.length > 1024) throw invalid();
  }
  const key = parsed as Key;
  if (key[partition.name] !== partition.value) throw invalid();
  const sk = partition.sortKeyPrefix;
  if (sk && !(key[sk.name] ?? '').startsWith(sk.prefix)) throw invalid();
  return key;
}

/** Every item of a paged list, page after page (for jobs and reports that need the whole set). */
export async function collectAll<T>(list: (page: PageRequest) => Promise<Page<T>>, limit = 200): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await list({ limit, cursor });
    out.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return out;
}

/**
 * A FilterExpression requiring each given attribute (dotted paths reach into
 * maps) to equal its value; undefined values are left out. Spread it into a
 * Query, merging `values` with the key condition's own.
 */
export function equalsFilter(fields: Record<string, string | undefined>): {
  expression?: string;
  names: Record<string, string>;
  values: Record<string, unknown>;
} {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const clauses: string[] = [];
  for (const [path, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    const n = clauses.length;
    const ref = path
      .split('.')
      .map((part, i) => {
        names[`#f${n}_${i}`] = part;
        return `#f${n}_${i}`;
      })
      .join('.');
    values[`:f${n}`] = value;
    clauses.push(`${ref} = :f${n}`);
  }
  return { ...(clauses.length ? { expression: clauses.join(' AND ') } : {}), names, values };
}

/** A page of a collection (an index partition, see keys.ts), in its order or newest first, with an optional equality filter. */
export async function queryCollection(
  doc: DynamoDBDocumentClient,
  tableName: string,
  c: Collection,
  page: PageRequest,
  options: { filter?: ReturnType<typeof equalsFilter>; newestFirst?: boolean } = {},
): Promise<Page<Record<string, unknown>>> {
  const q = collectionQuery(c);
  const a = collectionAttributes(c);
  const f = options.filter;
  return queryPage(
    doc,
    {
      TableName: tableName,
      IndexName: q.IndexName,
      KeyConditionExpression: q.KeyConditionExpression,
      ExpressionAttributeValues: { ...f?.values, ...q.ExpressionAttributeValues },
      ...(options.newestFirst ? { ScanIndexForward: false } : {}),
      ...(f?.expression ? { FilterExpression: f.expression, ExpressionAttributeNames: f.names } : {}),
    },
    ['pk', 'sk', a.pk, a.sk],
    { name: a.pk, value: c.pk },
    page,
  );
}

/** Every item of a collection, in order (the SDK's paginator: one Query per MB). */
export async function* collectionItems(
  doc: DynamoDBDocumentClient,
  tableName: string,
  c: Collection,
  projection?: string,
): AsyncGenerator<Record<string, unknown>> {
  const pages = paginateQuery({ client: doc }, { TableName: tableName, ...collectionQuery(c), ...(projection ? { ProjectionExpression: projection } : {}) });
  for await (const page of pages) yield* page.Items ?? [];
}

/** Which part of a partition: all of it, a sort-key prefix, the keys below a bound, or a range (inclusive). */
export type PartitionPart = { pk: string; skPrefix?: string; skBelow?: string; skBetween?: [string, string] };

function partCondition(key: PartitionPart): { KeyConditionExpression: string; ExpressionAttributeValues: Record<string, unknown> } {
  if (key.skPrefix !== undefined)
    return { KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)', ExpressionAttributeValues: { ':pk': key.pk, ':prefix': key.skPrefix } };
  if (key.skBelow !== undefined)
    return { KeyConditionExpression: 'pk = :pk AND sk < :below', ExpressionAttributeValues: { ':pk': key.pk, ':below': key.skBelow } };
  if (key.skBetween !== undefined) {
    return {
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :lo AND :hi',
      ExpressionAttributeValues: { ':pk': key.pk, ':lo': key.skBetween[0], ':hi': key.skBetween[1] },
    };
  }
  return { KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': key.pk } };
}

/**
 * Every item of a part of a partition, consistently read, in order (one
 * Query; more pages only past 1 MB); with `attributes`, only those of each
 * item are given back (each is still read, and paid for, whole).
 */
export async function partitionItems(
  doc: DynamoDBDocumentClient,
  tableName: string,
  key: PartitionPart,
  attributes?: readonly string[],
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  const projection = attributes
    ? {
        ProjectionExpression: attributes.map((_, i) => `#a${i}`).join(', '),
        ExpressionAttributeNames: Object.fromEntries(attributes.map((a, i) => [`#a${i}`, a])),
      }
    : {};
  const pages = paginateQuery({ client: doc }, { TableName: tableName, ...partCondition(key), ...projection, ConsistentRead: true });
  for await (const page of pages) items.push(...(page.Items ?? []));
  return items;
}

/** A page of a partition (optionally the items whose sort key begins with a prefix), in order; a cursor can only point inside it. */
export async function queryPartitionPage(
  doc: DynamoDBDocumentClient,
  tableName: string,
  key: { pk: string; skPrefix?: string },
  page: PageRequest,
): Promise<Page<Record<string, unknown>>> {
  const prefixed = key.skPrefix !== undefined;
  return queryPage(
    doc,
    {
      TableName: tableName,
      KeyConditionExpression: prefixed ? 'pk = :pk AND begins_with(sk, :prefix)' : 'pk = :pk',
      ExpressionAttributeValues: { ':pk': key.pk, ...(prefixed ? { ':prefix': key.skPrefix } : {}) },
    },
    ['pk', 'sk'],
    { name: 'pk', value: key.pk, ...(prefixed ? { sortKeyPrefix: { name: 'sk', prefix: key.skPrefix! } } : {}) },
    page,
  );
}
