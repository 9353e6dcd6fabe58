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
const yearItems = async () =>
  (
    await h.raw.send(
      new QueryCommand({
        TableName: h.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :year)',
        ExpressionAttributeValues: { ':pk': `PRJ#${projectId}`, ':year': '~Y#' },
        ConsistentRead: true,
      }),
    )
  ).Items ?? [];
const historyCount = async () =>
  (
    await h.raw.send(
      new QueryCommand({
        TableName: h.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :h)',
        ExpressionAttributeValues: { ':pk': `PRJ#${projectId}`, ':h': '~H#' },
        ConsistentRead: true,
      }),
    )
  ).Count;

describe('ledger totals by FY', () => {
  it('give each FY its own realised, validated and spend, and the report reads that FY only (three Queries)', async () => {
    h.counter.reset();
    const past = await report('2025/26');
    expect(Object.fromEntries(h.counter.byCommand)).toEqual({ QueryCommand: 3 });
    expect(past.programme).toMatchObject({ realisedPence: 150, validatedPence: 100, investmentActualPence: 30 });
    expect((await report('2026/27')).programme).toMatchObject({ realisedPence: 200, validatedPence: 0, investmentActualPence: 40 });

    // What the report is given: the months of the FY asked for, and no others.
    const { summaries } = await h.store.summaries.programme('2025/26');
    const mine = summaries.find((s) => s.projectId === projectId)!;
    expect(mine.benefits[0]).toMatchObject({ realised: { '2025-06': 100, '2025-07': 50 }, validated: { '2025-06': 100 } });
    expect(mine.investments[0]!.actual).toEqual({ '2025-09': 30 });
    // The whole summary, every FY, equals the record's running totals.
    const record = (await h.call('GET', `/v1/projects/${projectId}`, { token: h.tokens.admin })).body;
    const whole = (await h.store.summaries.of(projectId))!;
    expect(whole.benefits[0]!.realised).toEqual(record.benefits[0].realised);
    expect(whole.benefits[0]!.validated).toEqual(record.benefits[0].validated);
    expect(whole.investments[0]!.actual).toEqual(record.investments[0].actual);

    // Stored: the summary keeps no month of any ledger; one item per FY keeps them.
    const head = (await h.raw.send(new GetCommand({ TableName: h.tableName, Key: summaryKey() }))).Item!;
    expect(head.format).toBe(5);
    expect(Object.keys(head.benefits[benefitId]).sort()).toEqual(['b', 'fm', 'fy', 'm']);
    expect(Object.keys(head.investments[investmentId]).sort()).toEqual(['m', 'p']);
    expect((await yearItems()).map((i) => [i.sk, i.gsi1pk])).toEqual([
      ['~Y#2025/26', 'SUMMARIES#2025/26'],
      ['~Y#2026/27', 'SUMMARIES#2026/27'],
    ]);
  });

  it('read a summary of layout 4 (ledger totals inside it) with what was added since, and upgrade it without a second start of its history', async () => {
    const before = { past: await report('2025/26'), now: await report('2026/27') };
    // As layout 4 kept it: every month of every ledger inside the summary, and no FY items.
    const whole = (await h.store.summaries.of(projectId))!;
    await h.raw.send(
      new UpdateCommand({
        TableName: h.tableName,
        Key: summaryKey(),
        UpdateExpression: 'SET #f = :four, benefits.#b.r = :r, benefits.#b.v = :v, investments.#i.a = :a',
        ExpressionAttributeNames: { '#f': 'format', '#b': benefitId, '#i': investmentId },
        ExpressionAttributeValues: { ':four': 4, ':r': whole.benefits[0]!.realised, ':v': whole.benefits[0]!.validated, ':a': whole.investments[0]!.actual },
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
    const head = (await h.raw.send(new GetCommand({ TableName: h.tableName, Key: summaryKey() }))).Item!;
    expect(head.format).toBe(5);
    expect(head.benefits[benefitId].r).toBeUndefined();
    expect(head.investments[investmentId].a).toBeUndefined();
    expect(await report('2026/27')).toEqual(now);
    expect(await report('2025/26')).toEqual(before.past);
    // Layout 4 already kept the project's history: the upgrade adds no snapshot to it.
    expect(await historyCount()).toBe(history);
    expect(await upgradeSummaries(h.deps)).toBe(0);
  });
});
