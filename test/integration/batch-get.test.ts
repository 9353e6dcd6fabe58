import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { batchGet, createDynamo, RequestCounter, Store } from '@bt/store';
import { inject } from 'vitest';

/**
 * `batchGet` (store/batch.ts), which the report and the feeds read the
 * summaries with: 100 keys a request, and what DynamoDB leaves unprocessed
 * (an answer is at most 16 MB) asked for again until every item is in.
 */
const tableName = `batch-get-${process.pid}`;
const endpoint = inject('dynamoEndpoint');
let store: Store;
const counter = new RequestCounter();
const { doc, client } = createDynamo({ region: 'eu-west-2', endpoint }, counter);
// 60 items of 350 KB: 21 MB, more than one answer holds.
const big = Array.from({ length: 60 }, (_, i) => ({ pk: `BIG#${String(i).padStart(2, '0')}`, sk: 'BIG', body: 'x'.repeat(350_000) }));

beforeAll(async () => {
  store = new Store({ region: 'eu-west-2', endpoint, tableName });
  await store.ensureTable();
  for (const item of big) await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: [{ PutRequest: { Item: item } }] } }));
  for (let i = 0; i < 250; i += 25) {
    const items = Array.from({ length: 25 }, (_, j) => ({ pk: `SMALL#${String(i + j).padStart(3, '0')}`, sk: 'SMALL', n: i + j }));
    await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: items.map((Item) => ({ PutRequest: { Item } })) } }));
  }
});
afterAll(async () => {
  await store.dropTable();
  store.destroy();
  client.destroy();
});

describe('batchGet', () => {
  it('reads 100 keys a request, leaves out keys with no item, and gives only the attributes asked for', async () => {
    counter.reset();
    const keys = Array.from({ length: 260 }, (_, n) => ({ pk: `SMALL#${String(n).padStart(3, '0')}`, sk: 'SMALL' }));
    const items = await batchGet(doc, tableName, keys, { attributes: ['n'] });
    expect(items.map((i) => i.n).sort((a, b) => Number(a) - Number(b))).toEqual(Array.from({ length: 250 }, (_, n) => n));
    expect(items[0]).toEqual({ n: expect.any(Number) });
    expect(Object.fromEntries(counter.byCommand)).toEqual({ BatchGetItemCommand: 3 });
  });

  it('asks again for what an answer past 16 MB left unprocessed, until every item is in', async () => {
    counter.reset();
    const items = await batchGet(
      doc,
      tableName,
      big.map(({ pk, sk }) => ({ pk, sk })),
      { consistent: true },
    );
    expect(items.map((i) => i.pk).sort()).toEqual(big.map((i) => i.pk));
    expect(items.every((i) => String(i.body).length === 350_000)).toBe(true);
    // One request could not hold 21 MB: the rest came in the requests after it.
    expect(counter.byCommand.get('BatchGetItemCommand')).toBeGreaterThan(1);
  });
});
