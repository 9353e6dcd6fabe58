import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, expectProblem, projectBody, workstreamBody, type Harness } from '../support/harness.ts';

/** Period close through the API (SPEC 4.1): the app clock is TEST_NOW, 23 November 2026. */
let h: Harness;
let base: string;
let spendPath: string;

beforeAll(async () => {
  h = await createHarness();
  const ws = (await h.call('POST', '/v1/workstreams', { token: h.tokens.admin, body: workstreamBody() })).body;
  const p = (await h.call('POST', '/v1/projects', { token: h.tokens.pm, body: projectBody(ws.id) })).body;
  const b = (
    await h.call('POST', `/v1/projects/${p.id}/benefits`, {
      token: h.tokens.pm,
      body: { title: 'S', type: 'cashable-saving', category: 'transformation', recurrence: 'recurring', mtfsRef: 'P-1', owner: 'O' },
    })
  ).body;
  base = `/v1/projects/${p.id}/benefits/${b.id}`;
  const inv = (
    await h.call('POST', `/v1/projects/${p.id}/investments`, {
      token: h.tokens.pm,
      body: { title: 'Kit', kind: 'revenue', fundingSource: 'reserves', months: { '2026-06': 1000 } },
    })
  ).body;
  spendPath = `/v1/projects/${p.id}/investments/${inv.id}/spend`;
});
afterAll(async () => {
  await h.cleanup();
});

const actual = (month: string, amountPence = 500, extra: Record<string, unknown> = {}) =>
  h.call('POST', `${base}/actuals`, { token: h.tokens.finance, body: { month, amountPence, note: 'evidence', ...extra } });
const ledgerSize = async () => (await h.call('GET', `${base}/actuals?limit=200`, { token: h.tokens.admin })).body.items.length;

describe('period close', () => {
  it('lists the months of an FY as open until finance closes them', async () => {
    const r = await h.call('GET', '/v1/periods', { token: h.tokens.cmt });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ financialYear: '2026/27', closedThrough: null });
    expect(r.body.months).toHaveLength(12);
    expect(r.body.months.every((m: { status: string }) => m.status === 'open')).toBe(true);
  });

  it('lets only finance or an admin close, never a month that has not ended', async () => {
    expectProblem(await h.call('POST', '/v1/periods/2026-05/close', { token: h.tokens.pm }), 403);
    expectProblem(await h.call('POST', '/v1/periods/2026-11/close', { token: h.tokens.finance }), 422, 'period-not-ended');
    expectProblem(await h.call('POST', '/v1/periods/2026-13/close', { token: h.tokens.finance }), 400);
  });

  it('refuses actuals, reversals and spend in a closed month with a problem that names the period, and changes nothing', async () => {
    const early = await actual('2026-05', 700);
    expect(early.status).toBe(201);
    const closed = await h.call('POST', '/v1/periods/2026-06/close', { token: h.tokens.finance });
    expect(closed.status).toBe(200);
    expect(closed.body.closedThrough).toBe('2026-06');
    expect(closed.body.months.slice(0, 3).map((m: { status: string }) => m.status)).toEqual(['closed', 'closed', 'closed']);
    const size = await ledgerSize();
    const refused = expectProblem(await actual('2026-04'), 422, 'period-closed');
    expect(refused.detail).toContain('2026-04 (P1 of 2026/27) is closed');
    expectProblem(await actual('2026-05', -700, { reverses: early.body.id }), 422, 'period-closed');
    expectProblem(
      await h.call('POST', spendPath, { token: h.tokens.finance, body: { month: '2026-06', amountPence: 100, note: 'invoice' } }),
      422,
      'period-closed',
    );
    expect(await ledgerSize()).toBe(size);
    expect((await actual('2026-07')).status).toBe(201);
    expectProblem(await h.call('POST', '/v1/periods/2026-06/close', { token: h.tokens.finance }), 409, 'period-closed');
    const audit = (await h.call('GET', '/v1/audit?entityId=2026-06', { token: h.tokens.admin })).body.items;
    expect(audit.map((e: { action: string; actor: { sub: string } }) => [e.action, e.actor.sub])).toEqual([['period-closed', 'fin']]);
  });

  it('lets only an admin reopen a closed month, with a reason, audited; then it takes entries until closed again', async () => {
    expectProblem(await h.call('POST', '/v1/periods/2026-05/reopen', { token: h.tokens.finance, body: { reason: 'late invoice' } }), 403);
    expectProblem(await h.call('POST', '/v1/periods/2026-05/reopen', { token: h.tokens.admin, body: {} }), 400);
    expectProblem(await h.call('POST', '/v1/periods/2026-09/reopen', { token: h.tokens.admin, body: { reason: 'x' } }), 409, 'period-open');
    const r = await h.call('POST', '/v1/periods/2026-05/reopen', { token: h.tokens.admin, body: { reason: 'Late invoice from the provider' } });
    expect(r.status).toBe(200);
    expect(r.body.months[1]).toMatchObject({ month: '2026-05', status: 'open', reopened: { by: 'ada', reason: 'Late invoice from the provider' } });
    expect((await actual('2026-05', 300)).status).toBe(201);
    expectProblem(await actual('2026-04'), 422, 'period-closed');
    const audit = (await h.call('GET', '/v1/audit?entityId=2026-05', { token: h.tokens.admin })).body.items;
    expect(audit.at(-1)).toMatchObject({ action: 'period-reopened', actor: { sub: 'ada' } });
    expect((await h.call('POST', '/v1/periods/2026-05/close', { token: h.tokens.finance })).status).toBe(200);
    expectProblem(await actual('2026-05'), 422, 'period-closed');
  });

  it('never lets an entry land in a month closed while it was being recorded', async () => {
    let closeAnswered = '';
    const replies = await Promise.all([
      ...Array.from({ length: 6 }, () => actual('2026-08', 100)),
      h.call('POST', '/v1/periods/2026-08/close', { token: h.tokens.finance }).then((r) => {
        closeAnswered = h.deps.clock().toISOString();
        return r;
      }),
      ...Array.from({ length: 6 }, () => actual('2026-08', 100)),
    ]);
    expect(replies[6]!.status).toBe(200);
    const entries = (await h.call('GET', `${base}/actuals?limit=200`, { token: h.tokens.admin })).body.items.filter(
      (e: { month: string }) => e.month === '2026-08',
    );
    const accepted = replies.filter((r, i) => i !== 6 && r.status === 201);
    for (const r of replies) if (r.status !== 201 && r.status !== 200) expect([409, 422]).toContain(r.status);
    expect(entries).toHaveLength(accepted.length);
    // Every entry that landed was recorded before the close committed. (Not before the close's own timestamp: a writer stamps
    // its entry before it commits, so an entry stamped a moment after the close's stamp may still commit first, and rightly lands.
    // One stamped after the close committed read the period state before it, and its guard on that state refuses it.)
    for (const e of entries) expect(e.recordedAt <= closeAnswered, `${e.recordedAt} after the close was answered at ${closeAnswered}`).toBe(true);
    // And after the close, nothing more lands in the month.
    expectProblem(await actual('2026-08', 100), 422, 'period-closed');
  });
});

describe('sanity of the ledger', () => {
  it('refuses an actual before the FY of the project’s start, or an entry above the cap, with a problem naming the rule, and records nothing', async () => {
    // The project runs from 2025-04-01 (projectBody): realised amounts from 2025-04.
    const size = await ledgerSize();
    const early = expectProblem(await actual('2025-03'), 422, 'month-outside-project');
    expect(early.detail).toContain('2025-04 to');
    expectProblem(await actual('2015-04', 1), 422, 'month-outside-project');
    const big = expectProblem(await actual('2026-09', 10_000_000_001), 422, 'entry-too-large');
    expect(big.detail).toContain('£100,000,000.00');
    expectProblem(
      await h.call('POST', spendPath, { token: h.tokens.finance, body: { month: '2026-09', amountPence: -10_000_000_001, note: 'x' } }),
      422,
      'entry-too-large',
    );
    expect(await ledgerSize()).toBe(size);
    expect((await actual('2026-09', 10_000_000_000)).status).toBe(201);
  });
});

describe('feeds add up', () => {
  it('gives monthly rows of risk-adjusted forecast that sum exactly to the annual row', async () => {
    const ws = (await h.call('POST', '/v1/workstreams', { token: h.tokens.admin, body: workstreamBody() })).body;
    const p = (await h.call('POST', '/v1/projects', { token: h.tokens.pm, body: projectBody(ws.id) })).body;
    for (const confidencePct of [33, 67, 99]) {
      const b = (
        await h.call('POST', `/v1/projects/${p.id}/benefits`, {
          token: h.tokens.pm,
          body: {
            title: `C${confidencePct}`,
            type: 'cashable-saving',
            category: 'transformation',
            recurrence: 'recurring',
            mtfsRef: `RA-${confidencePct}`,
            owner: 'O',
            confidencePct,
          },
        })
      ).body;
      await h.call('PUT', `/v1/projects/${p.id}/benefits/${b.id}/forecast`, {
        token: h.tokens.pm,
        body: { phased: [{ financialYear: '2026/27', amountPence: 1_300_000_00 + 7 }] },
      });
    }
    const get = async (granularity: string) =>
      (await h.call('GET', `/v1/feeds/savings?financialYear=2026/27&format=json&granularity=${granularity}`, { token: h.tokens.finance })).body.rows as {
        benefitId: string;
        riskAdjustedForecastPence: number;
      }[];
    const annual = await get('year');
    const monthly = await get('month');
    expect(annual.length).toBeGreaterThanOrEqual(3);
    for (const row of annual) {
      const sum = monthly.filter((m) => m.benefitId === row.benefitId).reduce((a, m) => a + m.riskAdjustedForecastPence, 0);
      expect(sum, row.benefitId).toBe(row.riskAdjustedForecastPence);
    }
  });
});

describe('the appraisal horizon', () => {
  it('runs from the FY of the project’s start, whatever stray amount lies earlier', async () => {
    const ws = (await h.call('POST', '/v1/workstreams', { token: h.tokens.admin, body: workstreamBody() })).body;
    const p = (await h.call('POST', '/v1/projects', { token: h.tokens.pm, body: projectBody(ws.id, { startDate: '2025-04-01' }) })).body;
    const b = (
      await h.call('POST', `/v1/projects/${p.id}/benefits`, {
        token: h.tokens.pm,
        body: { title: 'S', type: 'cashable-saving', category: 'transformation', recurrence: 'recurring', mtfsRef: 'H-1', owner: 'O' },
      })
    ).body;
    await h.call('POST', `/v1/projects/${p.id}/investments`, {
      token: h.tokens.pm,
      body: { title: 'Kit', kind: 'capital', fundingSource: 'reserves', phased: [{ financialYear: '2025/26', amountPence: 100_000_00 }] },
    });
    await h.call('PUT', `/v1/projects/${p.id}/benefits/${b.id}/forecast`, { token: h.tokens.pm, body: { months: { '2015-04': 1, '2026-04': 60_000_00 } } });
    const figures = (await h.call('GET', `/v1/projects/${p.id}`, { token: h.tokens.admin })).body.figures;
    expect(figures.horizon).toEqual(['2025/26', '2026/27', '2027/28', '2028/29', '2029/30']);
    expect(figures.roi).not.toBeNull();
    expect(figures.npvPence).not.toBe(0);
  });
});

describe('summaries of an earlier layout', () => {
  it('are read, or rebuilt from their records, before figures are served from them', async () => {
    const { GetCommand, UpdateCommand } = await import('@aws-sdk/lib-dynamodb');
    const { upgradeSummaries } = await import('@bt/services');
    const ws = (await h.call('POST', '/v1/workstreams', { token: h.tokens.admin, body: workstreamBody() })).body;
    const p = (await h.call('POST', '/v1/projects', { token: h.tokens.pm, body: projectBody(ws.id, { stage: 'approved' }) })).body;
    const b = (
      await h.call('POST', `/v1/projects/${p.id}/benefits`, {
        token: h.tokens.pm,
        body: { title: 'Old', type: 'cashable-saving', category: 'transformation', recurrence: 'recurring', mtfsRef: 'OLD-1', owner: 'O' },
      })
    ).body;
    await h.call('PUT', `/v1/projects/${p.id}/benefits/${b.id}/forecast`, {
      token: h.tokens.pm,
      body: { phased: [{ financialYear: '2027/28', amountPence: 120_000 }] },
    });
    const report = async () =>
      (await h.call('GET', `/v1/reports/programme?financialYear=2027/28`, { token: h.tokens.admin })).body.workstreams.find(
        (w: { id: string }) => w.id === ws.id,
      );
    const before = await report();
    expect(before.outturnPence).toBe(120_000);
    const summaryKey = { pk: `PRJ#${p.id}`, sk: 'SUMMARY' };
    // As layout 2 wrote it (the entry's fields side by side, every forecast month kept as a month): read the same; the local run's upgrade packs it.
    const months = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`${i < 9 ? 2027 : 2028}-${String(((i + 3) % 12) + 1).padStart(2, '0')}`, 10_000]));
    const written = (await h.raw.send(new GetCommand({ TableName: h.tableName, Key: summaryKey }))).Item!.benefits[b.id].d;
    await h.raw.send(
      new UpdateCommand({
        TableName: h.tableName,
        Key: summaryKey,
        UpdateExpression: 'SET #f = :two, benefits.#b = :entry',
        ExpressionAttributeNames: { '#f': 'format', '#b': b.id },
        ExpressionAttributeValues: { ':two': 2, ':entry': { m: written.m, b: written.b, fm: months } },
      }),
    );
    expect(await report()).toEqual(before);
    expect(await upgradeSummaries(h.deps)).toBeGreaterThanOrEqual(1);
    const packed = (await h.raw.send(new GetCommand({ TableName: h.tableName, Key: summaryKey }))).Item!;
    expect(packed.benefits[b.id]).toEqual({ d: expect.objectContaining({ fy: { '2027/28': 120_000 }, fm: {} }) });
    // As a summary written before the monthly forecast was kept (layout 1, the forecast by FY): the report rebuilds it from the record before using it.
    await h.raw.send(
      new UpdateCommand({
        TableName: h.tableName,
        Key: summaryKey,
        UpdateExpression: 'SET benefits.#b = :entry REMOVE #f, stage',
        ExpressionAttributeNames: { '#f': 'format', '#b': b.id },
        ExpressionAttributeValues: { ':entry': { m: written.m, b: written.b, f: { '2027/28': 120_000 } } },
      }),
    );
    expect(await report()).toEqual(before);
    expect(await upgradeSummaries(h.deps)).toBe(0);
  });
});
