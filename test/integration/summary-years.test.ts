import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeleteCommand, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { upgradeSummaries } from '@bt/services';
import { createHarness, projectBody, workstreamBody, type Harness } from '../support/harness.ts';

/**
 * The ledger totals by FY (issue 20): realised, validated and spend are kept
 * in one item per project and FY beside the summary, so the report for an FY
 * reads that year's months and no other. The app clock is TEST_NOW, 23
 * November 2026 (FY 2026/27).
 */
let h: Harness;
let projectId: string;
let benefitId: string;
let investmentId: string;

beforeAll(async () => {
  h = await createHarness();
  const ws = (await h.call('POST', '/v1/workstreams', { token: h.tokens.admin, body: workstreamBody() })).body;
  projectId = (await h.call('POST', '/v1/projects', { token: h.tokens.pm, body: projectBody(ws.id, { stage: 'delivery' }) })).body.id;
  benefitId = (
    await h.call('POST', `/v1/projects/${projectId}/benefits`, {
      token: h.tokens.pm,
      body: { title: 'Years', type: 'cashable-saving', category: 'transformation', recurrence: 'recurring', mtfsRef: 'YRS-1', owner: 'O' },
    })
  ).body.id;
  await h.call('PUT', `/v1/projects/${projectId}/benefits/${benefitId}/forecast`, {
    token: h.tokens.pm,
    body: {
      phased: [
        { financialYear: '2025/26', amountPence: 1_200 },
        { financialYear: '2026/27', amountPence: 2_400 },
      ],
    },
  });
  investmentId = (
    await h.call('POST', `/v1/projects/${projectId}/investments`, {
      token: h.tokens.pm,
      body: { title: 'Kit', kind: 'revenue', fundingSource: 'reserves', months: { '2025-09': 100, '2026-05': 100 } },
    })
  ).body.id;
  const actual = (month: string, amountPence: number) =>
    h.call('POST', `/v1/projects/${projectId}/benefits/${benefitId}/actuals`, { token: h.tokens.pm, body: { month, amountPence, note: 'evidence' } });
  const first = (await actual('2025-06', 100)).body;
  await actual('2025-07', 50);
  await actual('2026-06', 200);
  await h.call('POST', `/v1/projects/${projectId}/benefits/${benefitId}/actuals/${first.id}/validate`, { token: h.tokens.finance });
  for (const [month, amountPence] of [
    ['2025-09', 30],
    ['2026-05', 40],
  ] as const) {
    const spent = await h.call('POST', `/v1/projects/${projectId}/investments/${investmentId}/spend`, {
      token: h.tokens.finance,
      body: { month, amountPence, note: 'invoice' },
    });
    expect(spent.status, JSON.stringify(spent.body)).toBe(201);
  }
});
afterAll(async () => {
  await h.cleanup();
});

/** The report's figures for an FY (without the instant it was asked at). */
const report = async (fy: string) => {
  const {
    knownAt: _k,
    asAt: _a,
    ...figures
  } = (await h.call('GET', `/v1/reports/programme?financialYear=${encodeURIComponent(fy)}`, { token: h.tokens.cmt })).body;
  return figures;
};
const summaryKey = () => ({ pk: `PRJ#${projectId}`, sk: 'SUMMARY' });
/** The items of the project's partition whose sort key begins with a prefix. */
const partOf = async (prefix: string) =>
  (
    await h.raw.send(
      new QueryCommand({
        TableName: h.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': `PRJ#${projectId}`, ':prefix': prefix },
        ConsistentRead: true,
      }),
    )
  ).Items ?? [];
const yearItems = () => partOf('~Y#');
const historyCount = async () => (await partOf('~H#')).length;

describe('ledger totals by FY', () => {
  it('give each FY its own realised, validated and spend, and the report reads that FY only (two Queries and a read by key)', async () => {
    h.counter.reset();
    const past = await report('2025/26');
    expect(Object.fromEntries(h.counter.byCommand)).toEqual({ QueryCommand: 2, BatchGetItemCommand: 1 });
    expect(past.programme).toMatchObject({ realisedPence: 150, validatedPence: 100, investmentActualPence: 30 });
    expect((await report('2026/27')).programme).toMatchObject({ realisedPence: 200, validatedPence: 0, investmentActualPence: 40 });

    // What the report is given: the months of the FY asked for, and no others.
    const read = await h.store.summaries.programme('2025/26');
    // The summaries, not the items they were made from as well (the report holds its read while it works).
    expect(Object.keys(read).sort()).toEqual(['periods', 'settings', 'summaries', 'unreadable']);
    expect(Object.keys(await h.store.summaries.listing()).sort()).toEqual(['periods', 'settings', 'summaries', 'unreadable']);
    const { summaries } = read;
    const mine = summaries.find((s) => s.projectId === projectId)!;
    expect(mine.benefits[0]).toMatchObject({ realised: { '2025-06': 100, '2025-07': 50 }, validated: { '2025-06': 100 } });
    expect(mine.investments[0]!.actual).toEqual({ '2025-09': 30 });
    // The whole summary, every FY, equals the record's running totals.
    const record = (await h.call('GET', `/v1/projects/${projectId}`, { token: h.tokens.admin })).body;
    const whole = (await h.store.summaries.of(projectId))!;
    expect(whole.benefits[0]!.realised).toEqual(record.benefits[0].realised);
    expect(whole.benefits[0]!.validated).toEqual(record.benefits[0].validated);
    expect(whole.investments[0]!.actual).toEqual(record.investments[0].actual);

    // Stored: the summary keeps no month of any ledger; one item per FY keeps them. Both are read by key, so neither is in an index.
    const head = (await h.raw.send(new GetCommand({ TableName: h.tableName, Key: summaryKey() }))).Item!;
    expect(head.format).toBe(6);
    expect([head.gsi1pk, head.gsi1sk]).toEqual([undefined, undefined]);
    expect(Object.keys(head.benefits[benefitId])).toEqual(['d']);
    expect(Object.keys(head.benefits[benefitId].d).sort()).toEqual(['b', 'bm', 'fm', 'fy', 'm']);
    expect(Object.keys(head.investments[investmentId])).toEqual(['d']);
    expect(Object.keys(head.investments[investmentId].d).sort()).toEqual(['m', 'p', 'pm']);
    // Read by key, so in no index (each write to one would be paid twice).
    expect((await yearItems()).map((i) => [i.sk, i.gsi1pk])).toEqual([
      ['~Y#2025/26', undefined],
      ['~Y#2026/27', undefined],
    ]);
  });

  it('take a summary written while they were listed in an index out of it at its next write', async () => {
    await h.raw.send(
      new UpdateCommand({
        TableName: h.tableName,
        Key: summaryKey(),
        UpdateExpression: 'SET gsi1pk = :pk, gsi1sk = :sk',
        ExpressionAttributeValues: { ':pk': 'SUMMARIES', ':sk': projectId },
      }),
    );
    const before = await report('2026/27');
    const patched = await h.call('PATCH', `/v1/projects/${projectId}/benefits/${benefitId}`, { token: h.tokens.pm, body: { owner: 'New owner' } });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    const head = (await h.raw.send(new GetCommand({ TableName: h.tableName, Key: summaryKey(), ConsistentRead: true }))).Item!;
    expect([head.gsi1pk, head.gsi1sk, head.entity]).toEqual([undefined, undefined, 'summary']);
    expect(await report('2026/27')).toEqual(before);
  });

  it('read a summary of layout 4 (ledger totals inside it) with what was added since, and upgrade it without a second start of its history', async () => {
    const before = { past: await report('2025/26'), now: await report('2026/27') };
    // As layout 4 kept it: each entry's fields side by side with every month of its ledger totals, and no FY items.
    const whole = (await h.store.summaries.of(projectId))!;
    const head = (await h.raw.send(new GetCommand({ TableName: h.tableName, Key: summaryKey() }))).Item!;
    const { bm: _bm, ...benefit } = head.benefits[benefitId].d;
    await h.raw.send(
      new UpdateCommand({
        TableName: h.tableName,
        Key: summaryKey(),
        UpdateExpression: 'SET #f = :four, benefits.#b = :benefit, investments.#i = :line',
        ExpressionAttributeNames: { '#f': 'format', '#b': benefitId, '#i': investmentId },
        ExpressionAttributeValues: {
          ':four': 4,
          ':benefit': { ...benefit, r: whole.benefits[0]!.realised, v: whole.benefits[0]!.validated },
          ':line': { m: { kind: 'revenue', fundingSource: 'reserves' }, p: head.investments[investmentId].d.p, a: whole.investments[0]!.actual },
        },
      }),
    );
    for (const item of await yearItems()) await h.raw.send(new DeleteCommand({ TableName: h.tableName, Key: { pk: item.pk, sk: item.sk } }));
    expect(await report('2025/26')).toEqual(before.past);
    expect(await report('2026/27')).toEqual(before.now);

    // Recorded after the code moved on: it goes to the FY item, and is added to what the old summary holds.
    const added = await h.call('POST', `/v1/projects/${projectId}/benefits/${benefitId}/actuals`, {
      token: h.tokens.finance,
      body: { month: '2026-07', amountPence: 5, note: 'late' },
    });
    expect(added.status).toBe(201);
    const now = await report('2026/27');
    expect(now.programme.realisedPence).toBe(before.now.programme.realisedPence + 5);

    const history = await historyCount();
    expect(await upgradeSummaries(h.deps)).toBe(1);
    const upgraded = (await h.raw.send(new GetCommand({ TableName: h.tableName, Key: summaryKey() }))).Item!;
    expect(upgraded.format).toBe(6);
    expect(Object.keys(upgraded.benefits[benefitId])).toEqual(['d']);
    expect(Object.keys(upgraded.investments[investmentId])).toEqual(['d']);
    expect(await report('2026/27')).toEqual(now);
    expect(await report('2025/26')).toEqual(before.past);
    // Layout 4 already kept the project's history: the upgrade adds no snapshot to it.
    expect(await historyCount()).toBe(history);
    expect(await upgradeSummaries(h.deps)).toBe(0);
  });

  it('give the finance feeds the same rows as the records they summarise, so a feed reads no record', async () => {
    const ws = (await h.call('POST', '/v1/workstreams', { token: h.tokens.admin, body: workstreamBody({ code: 'FEEDS' }) })).body;
    const p = (await h.call('POST', '/v1/projects', { token: h.tokens.pm, body: projectBody(ws.id, { code: 'FEED-1', stage: 'business-case' }) })).body;
    const saving = (title: string, extra: Record<string, unknown> = {}) =>
      h.call('POST', `/v1/projects/${p.id}/benefits`, {
        token: h.tokens.pm,
        body: { title, type: 'cashable-saving', category: 'transformation', recurrence: 'recurring', mtfsRef: `F-${title}`, owner: 'O', ...extra },
      });
    const failed = (await saving('Failed')).body;
    // Phased unevenly (kept by month in the summary) and evenly (kept as a year's total).
    await h.call('PUT', `/v1/projects/${p.id}/benefits/${failed.id}/baseline`, {
      token: h.tokens.pm,
      body: { months: { '2025-06': 700, '2025-09': 500, '2026-04': 1_000 } },
    });
    await h.call('PUT', `/v1/projects/${p.id}/benefits/${failed.id}/forecast`, {
      token: h.tokens.pm,
      body: {
        phased: [
          { financialYear: '2025/26', amountPence: 1_200 },
          { financialYear: '2026/27', amountPence: 999, fromMonth: '2026-10' },
        ],
      },
    });
    await h.call('POST', `/v1/projects/${p.id}/benefits/${failed.id}/actuals`, { token: h.tokens.pm, body: { month: '2025-06', amountPence: 650, note: 'e' } });
    expect((await h.call('PATCH', `/v1/projects/${p.id}/benefits/${failed.id}`, { token: h.tokens.pm, body: { status: 'unachievable' } })).status).toBe(200);
    const replacement = (await saving('Replacement', { replacesBenefitId: failed.id })).body;
    await h.call('PUT', `/v1/projects/${p.id}/benefits/${replacement.id}/baseline`, {
      token: h.tokens.pm,
      body: { phased: [{ financialYear: '2026/27', amountPence: 2_400 }] },
    });
    const line = await h.call('POST', `/v1/projects/${p.id}/investments`, {
      token: h.tokens.pm,
      body: { title: 'Licences', kind: 'capital', fundingSource: 'grant', months: { '2025-05': 333, '2026-01': 1_000, '2026-08': 50 } },
    });
    expect(line.status).toBe(201);

    const feeds = async () => {
      const out: unknown[] = [];
      for (const feed of ['savings', 'investment'])
        for (const fy of ['2025/26', '2026/27'])
          for (const granularity of ['month', 'year']) {
            const r = await h.call('GET', `/v1/feeds/${feed}?financialYear=${encodeURIComponent(fy)}&format=json&granularity=${granularity}`, {
              token: h.tokens.finance,
            });
            expect(r.status).toBe(200);
            out.push(r.body.rows);
          }
      return out;
    };
    h.counter.reset();
    const fromSummaries = await feeds();
    // Each of the 8 feeds: the latest audit id (its ETag), the workstreams and the project ids (a Query each), the summaries and FY items
    // by key (one BatchGetItem); the savings feeds also get the period state. A record read would be a Query more per project.
    expect(Object.fromEntries(h.counter.byCommand)).toEqual({ QueryCommand: 8 * 3, BatchGetItemCommand: 8, GetItemCommand: 4 });
    const rows = fromSummaries as Array<Array<{ benefitId?: string; replacedBy?: string | null; projectCode: string }>>;
    expect(rows[0]!.find((r) => r.benefitId === failed.id)?.replacedBy).toBe(replacement.id);
    // The same feeds from the records: a summary of layout 5 (without what a feed needs) makes the feed read the record.
    await h.raw.send(
      new UpdateCommand({
        TableName: h.tableName,
        Key: { pk: `PRJ#${p.id}`, sk: 'SUMMARY' },
        UpdateExpression: 'SET #f = :five',
        ExpressionAttributeNames: { '#f': 'format' },
        ExpressionAttributeValues: { ':five': 5 },
      }),
    );
    expect(await feeds()).toEqual(fromSummaries);
    // Upgraded (rebuilt from its record), it gives them again.
    expect(await upgradeSummaries(h.deps)).toBe(1);
    expect(await feeds()).toEqual(fromSummaries);
  });

  it('are rebuilt by an upgrade only from the record as it is: a write landing meanwhile makes it read again, never lost', async () => {
    const record = (await h.store.children.record(projectId))!;
    const key = { pk: `PRJ#${projectId}`, sk: 'SUMMARY' };
    await h.raw.send(
      new UpdateCommand({
        TableName: h.tableName,
        Key: key,
        UpdateExpression: 'SET #f = :five',
        ExpressionAttributeNames: { '#f': 'format' },
        ExpressionAttributeValues: { ':five': 5 },
      }),
    );
    // An FY item as written before they were read by key: listed in an index partition of its FY.
    const yearKey = { pk: `PRJ#${projectId}`, sk: '~Y#2026/27' };
    await h.raw.send(
      new UpdateCommand({
        TableName: h.tableName,
        Key: yearKey,
        UpdateExpression: 'SET gsi1pk = :pk, gsi1sk = :sk',
        ExpressionAttributeValues: { ':pk': 'SUMMARIES#2026/27', ':sk': projectId },
      }),
    );
    // An actual recorded after the record was read for the upgrade.
    const late = await h.call('POST', `/v1/projects/${projectId}/benefits/${benefitId}/actuals`, {
      token: h.tokens.pm,
      body: { month: '2026-08', amountPence: 7, note: 'late' },
    });
    expect(late.status).toBe(201);
    // The add took the FY item out of the index (nothing reads it there).
    const year = (await h.raw.send(new GetCommand({ TableName: h.tableName, Key: yearKey, ConsistentRead: true }))).Item!;
    expect([year.gsi1pk, year.gsi1sk, year.entity]).toEqual([undefined, undefined, 'summary-year']);
    const before = await yearItems();
    await expect(h.store.commit(h.store.summaries.upgradeOp(record, { history: false })!)).rejects.toMatchObject({
      status: 409,
      code: 'concurrent-modification',
    });
    expect(await yearItems()).toEqual(before);
    expect((await h.raw.send(new GetCommand({ TableName: h.tableName, Key: key }))).Item!.format).toBe(5);
    // The upgrade reads the record again: the late actual is in the totals it writes.
    expect(await upgradeSummaries(h.deps)).toBe(1);
    const whole = (await h.store.summaries.of(projectId))!;
    const now = (await h.call('GET', `/v1/projects/${projectId}`, { token: h.tokens.admin })).body;
    expect(whole.benefits[0]!.realised).toEqual(now.benefits[0].realised);
    expect(whole.benefits[0]!.realised['2026-08']).toBe(7);
  });
});
