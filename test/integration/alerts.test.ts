import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alertId, alertKey, PUBLISHED_EVENTS, type Alert, type AlertRule } from '@bt/core';
import { evaluateAndStore, FileEventSink, publishOutbox } from '@bt/services';
import { PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keys, RequestCounter, Store, type OutboxEntry } from '@bt/store';
import { afterAll, describe, expect, it } from 'vitest';
import { createHarness, expectProblem, projectBody, workstreamBody, type Harness } from '../support/harness.ts';

const AS_AT = '2025-12-15';
const FY = '2025/26';
const gbp = (pounds: number) => pounds * 100;
const harnesses: Harness[] = [];
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(harnesses.map((h) => h.cleanup()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A fresh table with one workstream (no MTFS target unless given) and one project in delivery. */
async function scenario(options: { target?: number } = {}) {
  const h = await createHarness();
  harnesses.push(h);
  const call = async (method: string, path: string, body?: unknown, token = h.tokens.admin) => {
    const r = await h.call(method, path, { token, ...(body === undefined ? {} : { body }) });
    expect(r.status, `${method} ${path} ${JSON.stringify(r.body)}`).toBeLessThan(300);
    return r.body;
  };
  const ws = await call('POST', '/v1/workstreams', workstreamBody({ name: 'Adult Social Care', mtfsTargets: options.target ? { [FY]: options.target } : {} }));
  const project = await call('POST', '/v1/projects', projectBody(ws.id, { name: 'Reablement', stage: 'delivery', manager: 'pat' }));
  const p = `/v1/projects/${project.id}`;
  const benefit = async (over: Record<string, unknown> = {}, baseline?: unknown, forecast: unknown = baseline) => {
    const b = await call('POST', `${p}/benefits`, {
      title: 'Reablement saving',
      type: 'cashable-saving',
      category: 'transformation',
      recurrence: 'recurring',
      mtfsRef: `REF-${Math.random()}`,
      owner: 'o',
      confidencePct: 100,
      ...over,
    });
    // The project is in delivery, so even the first baseline is a re-baseline with a reason.
    if (baseline) await call('PUT', `${p}/benefits/${b.id}/baseline`, { ...(baseline as object), reason: 'Approved business case' });
    if (forecast) await call('PUT', `${p}/benefits/${b.id}/forecast`, forecast);
    return b;
  };
  // Only an evaluation as at today changes alert state: the app's clock is set to the day evaluated (noon in London).
  const evaluate = (asAt = AS_AT) => {
    h.setClock(Date.parse(`${asAt}T12:00:00Z`));
    return evaluateAndStore(h.deps, asAt);
  };
  const alertFor = async (rule: AlertRule, subjectId: string, fy = FY): Promise<Alert | undefined> => {
    const r = await h.call('GET', `/v1/alerts?rule=${rule}&limit=200`, { token: h.tokens.cmt });
    return (r.body.items as Alert[]).find((a) => a.subject.id === subjectId && a.financialYear === fy);
  };
  return { h, call, ws, project, p, benefit, evaluate, alertFor };
}

const yearly = (pounds: number) => ({ phased: [{ financialYear: FY, amountPence: gbp(pounds) }] });

describe('each rule raises, and resolves when the data is fixed', () => {
  it('forecast-slippage', async () => {
    const s = await scenario();
    const b = await s.benefit({ title: 'Reablement' }, yearly(1_200_000), yearly(780_000));
    await s.evaluate();
    const a = await s.alertFor('forecast-slippage', b.id);
    expect(a).toMatchObject({
      status: 'open',
      severity: 'critical',
      financialYear: FY,
      figures: { baselinePence: gbp(1_200_000), forecastPence: gbp(780_000), shortfallPct: 35 },
    });
    // The spec's own example.
    expect(a!.message).toBe('Adult Social Care: Reablement saving forecast £0.42m below its £1.20m baseline for 2025/26 (35%).');
    await s.call('PUT', `${s.p}/benefits/${b.id}/forecast`, yearly(1_200_000));
    const r = await s.evaluate();
    expect(r.resolved.map((x) => x.id)).toContain(a!.id);
    expect((await s.alertFor('forecast-slippage', b.id))!.status).toBe('resolved');
  });

  it('under-realisation', async () => {
    const s = await scenario();
    const b = await s.benefit({}, yearly(120_000));
    await s.evaluate();
    expect(await s.alertFor('under-realisation', b.id)).toMatchObject({
      status: 'open',
      figures: { phasedBaselineToDatePence: gbp(80_000), realisedToDatePence: 0, throughMonth: '2025-11' },
    });
    await s.call('POST', `${s.p}/benefits/${b.id}/actuals`, { month: '2025-11', amountPence: gbp(80_000), note: 'Catch-up, Apr–Nov' });
    await s.evaluate();
    expect((await s.alertFor('under-realisation', b.id))!.status).toBe('resolved');
  });

  it('mtfs-gap, for the workstream and the programme', async () => {
    const s = await scenario({ target: gbp(1_000_000) });
    await s.benefit({}, yearly(400_000));
    await s.evaluate();
    expect(await s.alertFor('mtfs-gap', s.ws.id)).toMatchObject({ status: 'open', figures: { gapPence: gbp(600_000) } });
    expect(await s.alertFor('mtfs-gap', 'programme')).toMatchObject({ status: 'open', severity: 'critical' });
    await s.call('PATCH', `/v1/workstreams/${s.ws.id}`, { mtfsTargets: { [FY]: gbp(400_000) } }, s.h.tokens.finance);
    await s.evaluate();
    expect((await s.alertFor('mtfs-gap', s.ws.id))!.status).toBe('resolved');
    expect((await s.alertFor('mtfs-gap', 'programme'))!.status).toBe('resolved');
  });

  it('investment-overrun', async () => {
    const s = await scenario();
    const inv = await s.call('POST', `${s.p}/investments`, { title: 'Kit', kind: 'capital', fundingSource: 'grant', months: { '2025-04': gbp(10_000) } });
    const spend = await s.call(
      'POST',
      `${s.p}/investments/${inv.id}/spend`,
      { month: '2025-04', amountPence: gbp(50_000), note: 'Invoice 881' },
      s.h.tokens.finance,
    );
    await s.evaluate();
    expect(await s.alertFor('investment-overrun', inv.id)).toMatchObject({ status: 'open', figures: { overrunPence: gbp(40_000) } });
    await s.call(
      'POST',
      `${s.p}/investments/${inv.id}/spend`,
      { month: '2025-04', amountPence: gbp(-50_000), note: 'Miscoded', reverses: spend.id },
      s.h.tokens.finance,
    );
    await s.evaluate();
    expect((await s.alertFor('investment-overrun', inv.id))!.status).toBe('resolved');
  });

  it('payback-slipped', async () => {
    const s = await scenario();
    await s.call('POST', `${s.p}/investments`, { title: 'Build', kind: 'revenue', fundingSource: 'reserves', months: { '2025-05': gbp(100_000) } });
    const b = await s.benefit({}, yearly(60_000), yearly(20_000));
    await s.evaluate();
    expect(await s.alertFor('payback-slipped', s.project.id)).toMatchObject({
      status: 'open',
      figures: { baselinePaybackFinancialYear: '2026/27', forecastPaybackFinancialYear: '2029/30' },
    });
    await s.call('PUT', `${s.p}/benefits/${b.id}/forecast`, yearly(60_000));
    await s.evaluate();
    expect((await s.alertFor('payback-slipped', s.project.id))!.status).toBe('resolved');
  });

  it('milestone-overdue', async () => {
    const s = await scenario();
    const b = await s.benefit({}, yearly(10_000));
    const ms = await s.call('POST', `${s.p}/milestones`, { title: 'Rota live', dueDate: '2025-11-01', benefitIds: [b.id] });
    await s.evaluate();
    expect(await s.alertFor('milestone-overdue', ms.id)).toMatchObject({ status: 'open', figures: { daysOverdue: 44 } });
    await s.call('PATCH', `${s.p}/milestones/${ms.id}`, { completedDate: '2025-12-01' });
    await s.evaluate();
    expect((await s.alertFor('milestone-overdue', ms.id))!.status).toBe('resolved');
  });

  it('high-risk', async () => {
    const s = await scenario();
    await s.benefit({}, yearly(500_000));
    const risk = await s.call('POST', `${s.p}/risks`, { title: 'Market capacity', owner: 'o', likelihood: 4, impact: 4, mitigation: 'm' });
    await s.evaluate();
    expect(await s.alertFor('high-risk', risk.id)).toMatchObject({ status: 'open', severity: 'warning', figures: { score: 16, band: 'high' } });
    await s.call('PATCH', `${s.p}/risks/${risk.id}`, { likelihood: 5, impact: 4 });
    const escalated = await s.evaluate();
    expect(escalated.raised).toHaveLength(0);
    expect(await s.alertFor('high-risk', risk.id)).toMatchObject({ status: 'open', severity: 'critical', escalatedAt: expect.any(String) });
    await s.call('PATCH', `${s.p}/risks/${risk.id}`, { status: 'closed' });
    await s.evaluate();
    expect((await s.alertFor('high-risk', risk.id))!.status).toBe('resolved');
  });

  it('stale-forecast', async () => {
    const s = await scenario();
    const next = { phased: [{ financialYear: '2026/27', amountPence: gbp(50_000) }] };
    const b = await s.benefit({}, next);
    // The forecast was set 'today' (2026-11-23 on the test clock); 43 days later it is stale.
    await s.evaluate('2027-01-05');
    expect(await s.alertFor('stale-forecast', b.id, '2026/27')).toMatchObject({ status: 'open', severity: 'info' });
    s.h.advanceClock(45 * 86_400_000);
    await s.call('PUT', `${s.p}/benefits/${b.id}/forecast`, next);
    await s.evaluate('2027-01-10');
    expect((await s.alertFor('stale-forecast', b.id, '2026/27'))!.status).toBe('resolved');
  });

  it('unvalidated-actuals', async () => {
    const s = await scenario();
    const b = await s.benefit({}, yearly(12_000));
    const act = await s.call('POST', `${s.p}/benefits/${b.id}/actuals`, { month: '2025-10', amountPence: gbp(1_000), note: 'Oct' }, s.h.tokens.pm);
    await s.evaluate();
    expect(await s.alertFor('unvalidated-actuals', b.id)).toMatchObject({ status: 'open', figures: { unvalidatedPence: gbp(1_000), oldestMonth: '2025-10' } });
    await s.call('POST', `${s.p}/benefits/${b.id}/actuals/${act.id}/validate`, undefined, s.h.tokens.finance);
    await s.evaluate();
    expect((await s.alertFor('unvalidated-actuals', b.id))!.status).toBe('resolved');
  });

  it('confidence-deteriorated', async () => {
    const s = await scenario();
    await s.call('PATCH', s.p, { deliveryConfidence: 'red' });
    await s.evaluate();
    expect(await s.alertFor('confidence-deteriorated', s.project.id)).toMatchObject({
      status: 'open',
      severity: 'critical',
      figures: { from: 'amber', to: 'red' },
    });
    await s.call('PATCH', s.p, { deliveryConfidence: 'amber' });
    await s.evaluate();
    expect((await s.alertFor('confidence-deteriorated', s.project.id))!.status).toBe('resolved');
  });

  it('one-off-fallout', async () => {
    const s = await scenario();
    const b = await s.benefit({ recurrence: 'one-off' }, yearly(50_000));
    await s.evaluate();
    expect(await s.alertFor('one-off-fallout', s.ws.id)).toMatchObject({
      status: 'open',
      figures: { oneOffFalloutPence: gbp(50_000), pressureYear: '2026/27' },
    });
    await s.call('PATCH', `${s.p}/benefits/${b.id}`, { recurrence: 'recurring' });
    await s.evaluate();
    expect((await s.alertFor('one-off-fallout', s.ws.id))!.status).toBe('resolved');
  });

  it('double-count-risk', async () => {
    const s = await scenario();
    await s.benefit({ mtfsRef: 'ASC-07' }, yearly(10_000));
    const second = await s.benefit({ mtfsRef: 'asc-07 ' }, yearly(10_000));
    await s.evaluate();
    expect(await s.alertFor('double-count-risk', 'mtfs:ASC-07')).toMatchObject({ status: 'open', figures: { claims: 2 } });
    await s.call('PATCH', `${s.p}/benefits/${second.id}`, { mtfsRef: 'ASC-08' });
    await s.evaluate();
    expect((await s.alertFor('double-count-risk', 'mtfs:ASC-07'))!.status).toBe('resolved');
  });

  it('change-request-pending', async () => {
    const s = await scenario();
    const b = await s.benefit({ title: 'Day centres' }, yearly(50_000));
    // AS_AT is Monday 15 December 2025; requested on Friday 28 November: 11 working days before.
    s.h.setClock(Date.parse('2025-11-28T10:00:00Z'));
    const request = await s.call('PATCH', `${s.p}/benefits/${b.id}`, { status: 'unachievable', reason: 'Cannot be delivered' });
    await s.evaluate('2025-12-12');
    expect(await s.alertFor('change-request-pending', s.project.id)).toBeUndefined();
    await s.evaluate();
    expect(await s.alertFor('change-request-pending', s.project.id)).toMatchObject({ status: 'open', figures: { pendingRequests: 1, oldestWorkingDays: 11 } });
    // Decided: the alert resolves at the next evaluation.
    await s.call('POST', `/v1/changes/${request.id}/reject`, { note: 'Keep going' }, s.h.tokens.finance);
    await s.evaluate();
    expect((await s.alertFor('change-request-pending', s.project.id))!.status).toBe('resolved');
  });

  it('unreplaced-write-out', async () => {
    const s = await scenario();
    // The project is in delivery: a write-out is requested, and takes effect when finance approves it.
    const writeOut = async (id: string, status: string) => {
      const request = await s.call('PATCH', `${s.p}/benefits/${id}`, { status, reason: 'Cannot be delivered' });
      await s.call('POST', `/v1/changes/${request.id}/approve`, { note: 'Agreed' }, s.h.tokens.finance);
    };
    const old = await s.benefit({ title: 'Day centres' }, yearly(50_000));
    await writeOut(old.id, 'unachievable');
    await s.evaluate('2026-11-23');
    // The write-out happened today (this clock), so judge as at today in FY 2026/27: use a 2026/27 baseline.
    const old2 = await s.benefit({ title: 'Libraries' }, { phased: [{ financialYear: '2026/27', amountPence: gbp(50_000) }] });
    await writeOut(old2.id, 'withdrawn');
    await s.evaluate('2026-11-23');
    expect(await s.alertFor('unreplaced-write-out', old2.id, '2026/27')).toMatchObject({ status: 'open', figures: { unreplacedPence: gbp(50_000) } });
    await s.benefit({ title: 'Shared lives', replacesBenefitId: old2.id }, { phased: [{ financialYear: '2026/27', amountPence: gbp(50_000) }] });
    await s.evaluate('2026-11-23');
    expect((await s.alertFor('unreplaced-write-out', old2.id, '2026/27'))!.status).toBe('resolved');
  });
});

describe('the rules added with SPEC 5 of 2026-11-30', () => {
  it('dis-benefit-overrun', async () => {
    const s = await scenario();
    // A licence cost of £40,000 planned, now forecast at £60,000.
    const cost = await s.benefit({ title: 'Licence cost' }, yearly(-40_000), yearly(-60_000));
    await s.evaluate();
    expect(await s.alertFor('dis-benefit-overrun', cost.id)).toMatchObject({
      status: 'open',
      severity: 'critical',
      figures: { overrunPence: gbp(20_000), overrunPct: 50 },
    });
    expect(await s.alertFor('forecast-slippage', cost.id)).toBeUndefined();
    await s.call('PUT', `${s.p}/benefits/${cost.id}/forecast`, yearly(-41_000));
    await s.evaluate();
    expect((await s.alertFor('dis-benefit-overrun', cost.id))!.status).toBe('resolved');
  });

  it('realised-before-milestone', async () => {
    const s = await scenario();
    const b = await s.benefit({}, yearly(120_000));
    const ms = await s.call('POST', `${s.p}/milestones`, { title: 'New care model live', dueDate: '2026-01-31', benefitIds: [b.id] });
    await s.call('POST', `${s.p}/benefits/${b.id}/actuals`, { month: '2025-10', amountPence: gbp(5_000), note: 'October invoice run' }, s.h.tokens.finance);
    await s.evaluate();
    expect(await s.alertFor('realised-before-milestone', b.id)).toMatchObject({
      status: 'open',
      severity: 'warning',
      figures: { realisedToDatePence: gbp(5_000), gatingMilestones: 1 },
    });
    await s.call('PATCH', `${s.p}/milestones/${ms.id}`, { completedDate: '2025-09-30' });
    await s.evaluate();
    expect((await s.alertFor('realised-before-milestone', b.id))!.status).toBe('resolved');
  });
});

describe('exactly once', () => {
  async function busyScenario() {
    const s = await scenario({ target: gbp(2_000_000) });
    for (let i = 0; i < 4; i++) await s.benefit({ mtfsRef: 'SHARED', recurrence: i % 2 ? 'one-off' : 'recurring' }, yearly(100_000), yearly(50_000));
    const dir = mkdtempSync(join(tmpdir(), 'bt-events-'));
    dirs.push(dir);
    const sink = new FileEventSink(join(dir, 'events.jsonl'));
    return { ...s, sink };
  }

  async function check(s: Awaited<ReturnType<typeof busyScenario>>) {
    await publishOutbox(s.h.deps, s.sink);
    const all = (await s.h.call('GET', '/v1/alerts?limit=200', { token: s.h.tokens.admin })).body.items as Alert[];
    const keys = all.map((a) => alertKey(a));
    expect(new Set(keys).size).toBe(keys.length);
    for (const a of all) expect(a.id).toBe(alertId(alertKey(a)));
    for (const e of s.sink.read()) expect(PUBLISHED_EVENTS[e.detailType].safeParse({ id: e.id, ...e.detail }).success).toBe(true);
    const raisedEvents = s.sink.read().filter((e) => e.detailType === 'AlertRaised');
    expect(raisedEvents.map((e) => (e.detail.alert as Alert).id).sort()).toEqual(all.map((a) => a.id).sort());
    expect(await s.h.store.outbox.pending()).toEqual([]);
    return all;
  }

  /** The busy scenario and 40 slipping savings more (over 49 raises), a store that counts its requests, the clock at noon. */
  async function manySlipping() {
    const s = await busyScenario();
    for (let i = 0; i < 40; i++) await s.benefit({ title: `Saving ${i}` }, yearly(120_000), yearly(60_000));
    const counter = new RequestCounter();
    const counted = new Store(s.h.store.config, counter);
    s.h.setClock(Date.parse(`${AS_AT}T12:00:00Z`));
    return { s, counter, counted };
  }

  /** The outbox's items that hold raise events. */
  async function raiseItems(s: Awaited<ReturnType<typeof busyScenario>>) {
    return (await s.h.store.outbox.page(1000)).filter((item) => item.events.some((e) => e.detailType === 'AlertRaised'));
  }
  const eventIds = (items: OutboxEntry[]) => items.flatMap((item) => item.events.map((e) => e.id)).sort();
  const raiseEventIds = (raised: Alert[]) => raised.map((a) => `${a.id}.${a.occurrence}.raised`).sort();

  it('a same-date rerun refreshes, never duplicates', async () => {
    const s = await busyScenario();
    const first = await s.evaluate();
    expect(first.raised.length).toBeGreaterThanOrEqual(6);
    const second = await s.evaluate();
    expect(second.raised).toHaveLength(0);
    expect(second.refreshed).toBe(first.raised.length);
    const all = await check(s);
    expect(all).toHaveLength(first.raised.length);
  });

  it('a re-run writes nothing for alerts seen again as they were, and moves every live alert’s lastSeenAt once, with the run', async () => {
    const s = await busyScenario();
    const first = await s.evaluate();
    const before = (await s.h.call('GET', '/v1/alerts?limit=200', { token: s.h.tokens.admin })).body.items as Alert[];
    expect(before.every((a) => a.lastSeenAt === first.evaluatedAt)).toBe(true);
    const counter = new RequestCounter();
    const counted = new Store(s.h.store.config, counter);
    s.h.setClock(Date.parse(`${AS_AT}T18:00:00Z`));
    const again = await evaluateAndStore({ ...s.h.deps, store: counted }, AS_AT);
    counted.destroy();
    expect(again).toMatchObject({ raised: [], resolved: [], refreshed: first.raised.length });
    // Reads (the project's record, every alert, workstreams, periods, project ids, pending changes) and the run's own record: nothing per alert.
    expect(counter.byCommand.get('TransactWriteItemsCommand') ?? 0).toBe(0);
    expect(counter.byCommand.get('PutItemCommand')).toBe(1);
    // The period state and the last run: never an alert's own (every condition is live, so no earlier occurrence is read either).
    expect(counter.byCommand.get('GetItemCommand')).toBe(2);
    expect(counter.byCommand.get('BatchGetItemCommand') ?? 0).toBe(0);
    expect(counter.total).toBeLessThan(first.raised.length);
    const after = (await s.h.call('GET', '/v1/alerts?limit=200', { token: s.h.tokens.admin })).body.items as Alert[];
    expect(after.map((a) => [a.id, a.version])).toEqual(before.map((a) => [a.id, a.version]));
    expect(again.evaluatedAt > first.evaluatedAt).toBe(true);
    expect(after.every((a) => a.lastSeenAt === again.evaluatedAt)).toBe(true);
    const one = await s.h.call('GET', `/v1/alerts/${after[0]!.id}`, { token: s.h.tokens.cmt });
    expect(one.body.lastSeenAt).toBe(again.evaluatedAt);
    // A resolved alert was last seen when it last held.
    const slipping = after.find((a) => a.rule === 'forecast-slippage')!;
    await s.call('PUT', `${s.p}/benefits/${slipping.subject.id}/forecast`, yearly(100_000));
    s.h.setClock(Date.parse(`${AS_AT}T20:00:00Z`));
    const third = await evaluateAndStore(s.h.deps, AS_AT);
    const gone = third.resolved.map((a) => a.id);
    expect(gone).toContain(slipping.id);
    for (const id of gone)
      expect((await s.h.call('GET', `/v1/alerts/${id}`, { token: s.h.tokens.cmt })).body).toMatchObject({ status: 'resolved', lastSeenAt: again.evaluatedAt });
  });

  it('writes only what changed, 49 alerts a transaction (a raise being 2 items, their events one outbox item: 99); a changed figure is written and its version moves', async () => {
    const { s, counter, counted } = await manySlipping();
    const first = await evaluateAndStore({ ...s.h.deps, store: counted }, AS_AT);
    expect(first.raised.length).toBeGreaterThan(49);
    const transactions = Math.ceil(first.raised.length / 49);
    expect(counter.byCommand.get('TransactWriteItemsCommand')).toBe(transactions);
    // Each transaction's raise events in one outbox item: every raise's event, once.
    const items = await raiseItems(s);
    expect(items).toHaveLength(transactions);
    expect(items.map((item) => item.key.pk.startsWith('EVENTS#'))).toEqual(items.map(() => true));
    expect(eventIds(items)).toEqual(raiseEventIds(first.raised));
    // The conditions not live were looked up by id, 100 a request (none had been raised before).
    expect(counter.byCommand.get('BatchGetItemCommand')).toBe(Math.ceil(first.conditions / 100));
    const one = (await s.h.call('GET', '/v1/alerts?rule=forecast-slippage&limit=200', { token: s.h.tokens.cmt })).body.items as Alert[];
    const moved = one.find((a) => a.message.includes('Saving 0 '))!;
    const benefitId = moved.subject.id;
    await s.call('PUT', `${s.p}/benefits/${benefitId}/forecast`, yearly(70_000));
    counter.reset();
    s.h.setClock(Date.parse(`${AS_AT}T13:00:00Z`));
    const second = await evaluateAndStore({ ...s.h.deps, store: counted }, AS_AT);
    counted.destroy();
    expect(second.raised).toEqual([]);
    // The moved saving's alert, and the workstream and programme gaps that moved with it: one transaction.
    expect(counter.byCommand.get('TransactWriteItemsCommand')).toBe(1);
    const now = (await s.h.call('GET', `/v1/alerts/${moved.id}`, { token: s.h.tokens.cmt })).body as Alert;
    expect(now.version).toBe(moved.version + 1);
    expect(now.figures.forecastPence).toBe(gbp(70_000));
  });

  it('events too large to share one outbox item go in several, and a transaction whose items then pass 100 is written in halves: each alert and event once', async () => {
    const { s, counter, counted } = await manySlipping();
    // About two raise events an item: 49 raises (98 items) and their 25 outbox items are more than one transaction takes.
    const run = await evaluateAndStore({ ...s.h.deps, store: counted }, AS_AT, undefined, { outboxItemBytes: 3_000 });
    counted.destroy();
    expect(run.raised.length).toBeGreaterThan(49);
    expect(counter.byCommand.get('TransactWriteItemsCommand')).toBeGreaterThan(Math.ceil(run.raised.length / 49));
    const items = await raiseItems(s);
    expect(items.length).toBeGreaterThan(run.raised.length / 3);
    for (const item of items) expect(item.events.length === 1 || Buffer.byteLength(JSON.stringify(item.events)) <= 3_000).toBe(true);
    expect(eventIds(items)).toEqual(raiseEventIds(run.raised));
    expect(await check(s)).toHaveLength(run.raised.length);
  });

  it('two concurrent runs leave one alert and one raise event per condition', async () => {
    const s = await busyScenario();
    const [a, b] = await Promise.all([s.evaluate(), s.evaluate()]);
    const all = await check(s);
    expect(a.raised.length + b.raised.length).toBe(all.length);
  });

  it('a run that dies half-way, re-run, leaves one alert and one raise event per condition', async () => {
    const s = await busyScenario();
    // A store whose client fails after three transactions: the evaluation stops part-way through.
    // (Every request passes its counter first: this one fails the fourth transaction and all after it.)
    let writes = 0;
    const crashAfterThree = new (class extends RequestCounter {
      override add(command: string): void {
        if (command === 'TransactWriteItemsCommand' && ++writes > 3) throw new Error('simulated crash');
        super.add(command);
      }
    })();
    const crashing = new Store(s.h.store.config, crashAfterThree);
    s.h.setClock(Date.parse(`${AS_AT}T12:00:00Z`));
    // One alert a transaction, so the run can die between alerts (by default 25 share one, and this scenario's would all be one write).
    await expect(evaluateAndStore({ ...s.h.deps, store: crashing }, AS_AT, undefined, { alertsPerTransaction: 1 })).rejects.toThrow('simulated crash');
    // Writes already in flight when it died land (or not) as they would in a real crash.
    await new Promise((r) => setTimeout(r, 300));
    crashing.destroy();
    const partial = (await s.h.call('GET', '/v1/alerts?limit=200', { token: s.h.tokens.admin })).body.items.length;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThanOrEqual(3);
    const rerun = await s.evaluate();
    expect(rerun.refreshed).toBe(partial);
    expect(rerun.raised.length).toBeGreaterThan(0);
    const all = await check(s);
    expect(all.length).toBe(partial + rerun.raised.length);
  });
});

describe('the alert API', () => {
  it('lists with filters, acknowledges with a note (staying acknowledged while the condition holds), and runs the evaluation for admins', async () => {
    const s = await scenario();
    const b = await s.benefit({}, yearly(120_000), yearly(60_000));
    s.h.setClock(Date.parse(`${AS_AT}T12:00:00Z`));
    expectProblem(await s.h.call('POST', `/v1/alerts/evaluate?asAt=${AS_AT}`, { token: s.h.tokens.pm }), 403);
    const run = await s.h.call('POST', `/v1/alerts/evaluate?asAt=${AS_AT}`, { token: s.h.tokens.admin });
    expect(run.status).toBe(200);
    expect(run.body.raised.length).toBeGreaterThan(0);
    const slip = await s.alertFor('forecast-slippage', b.id);
    const filtered = await s.h.call('GET', `/v1/alerts?status=open&severity=critical&projectId=${s.project.id}`, { token: s.h.tokens.cmt });
    expect(filtered.body.items.map((a: Alert) => a.id)).toContain(slip!.id);
    expect(filtered.body.items.every((a: Alert) => a.severity === 'critical' && a.status === 'open')).toBe(true);

    expectProblem(await s.h.call('POST', `/v1/alerts/${slip!.id}/acknowledge`, { token: s.h.tokens.cmt, body: { note: 'x' } }), 403);
    expectProblem(await s.h.call('POST', `/v1/alerts/${slip!.id}/acknowledge`, { token: s.h.tokens.pm, body: {} }), 400);
    const ack = await s.h.call('POST', `/v1/alerts/${slip!.id}/acknowledge`, { token: s.h.tokens.pm, body: { note: 'Recovery plan agreed at ASC board' } });
    expect(ack.body).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'pat', acknowledgementNote: 'Recovery plan agreed at ASC board' });
    expectProblem(await s.h.call('POST', `/v1/alerts/${slip!.id}/acknowledge`, { token: s.h.tokens.pm, body: { note: 'again' } }), 409);
    await s.evaluate();
    expect((await s.alertFor('forecast-slippage', b.id))!.status).toBe('acknowledged');
    await s.call('PUT', `${s.p}/benefits/${b.id}/forecast`, yearly(120_000));
    await s.evaluate();
    expect((await s.alertFor('forecast-slippage', b.id))!.status).toBe('resolved');
    expect((await s.h.call('GET', `/v1/alerts?status=resolved`, { token: s.h.tokens.cmt })).body.items.map((a: Alert) => a.id)).toContain(slip!.id);
    expectProblem(await s.h.call('GET', '/v1/alerts/alr_01JD6ZQ4T5N3W8R2X7C9V1B0KM', { token: s.h.tokens.cmt }), 404);
    expectProblem(await s.h.call('GET', '/v1/alerts?rule=made-up', { token: s.h.tokens.cmt }), 400);
    expectProblem(await s.h.call('GET', '/v1/alerts', { token: s.h.tokens.feedReader }), 403);
  });
});

describe('an alert’s history', () => {
  it('keeps every step of its life, each occurrence: raised, acknowledged, escalated, resolved, raised again', async () => {
    const s = await scenario();
    const b = await s.benefit({}, yearly(120_000), yearly(108_000));
    await s.evaluate();
    const alert = (await s.alertFor('forecast-slippage', b.id))!;
    expect(alert.severity).toBe('warning');
    await s.h.call('POST', `/v1/alerts/${alert.id}/acknowledge`, { token: s.h.tokens.pm, body: { note: 'Watching it' } });
    await s.evaluate();
    await s.call('PUT', `${s.p}/benefits/${b.id}/forecast`, yearly(60_000));
    await s.evaluate();
    await s.call('PUT', `${s.p}/benefits/${b.id}/forecast`, yearly(120_000));
    await s.evaluate();
    await s.call('PUT', `${s.p}/benefits/${b.id}/forecast`, yearly(100_000));
    await s.evaluate();
    const got = await s.h.call('GET', `/v1/alerts/${alert.id}`, { token: s.h.tokens.cmt });
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ id: alert.id, status: 'open', occurrence: 2 });
    expect(got.body.history.map((e: { action: string; occurrence: number; severity: string }) => [e.action, e.occurrence, e.severity])).toEqual([
      ['raised', 1, 'warning'],
      ['acknowledged', 1, 'warning'],
      ['escalated', 1, 'critical'],
      ['resolved', 1, 'critical'],
      ['raised', 2, 'warning'],
    ]);
    expect(got.body.history[1]).toMatchObject({ by: 'pat', note: 'Watching it' });
    // A same-day refresh is not a step of its life.
    await s.evaluate();
    expect((await s.h.call('GET', `/v1/alerts/${alert.id}`, { token: s.h.tokens.cmt })).body.history).toHaveLength(5);
    // Each step is written once: its audit entry, in the step's own transaction, is its history (no history item beside it).
    const trail = await s.h.call('GET', `/v1/audit?entityId=${alert.id}`, { token: s.h.tokens.admin });
    expect(trail.body.items.map((e: { action: string; actor: { sub: string } }) => [e.action, e.actor.sub])).toEqual([
      ['raise', 'system:alerts'],
      ['acknowledge', 'pat'],
      ['escalate', 'system:alerts'],
      ['resolve', 'system:alerts'],
      ['raise', 'system:alerts'],
    ]);
    const partition = await s.h.raw.send(
      new QueryCommand({ TableName: s.h.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `ALERT#${alert.id}` } }),
    );
    expect(partition.Items!.map((i) => i.sk)).toEqual(['ALERT']);
  });

  it('still shows the steps stored on their own before its audit trail was its history, each step once', async () => {
    const s = await scenario();
    const b = await s.benefit({}, yearly(120_000), yearly(108_000));
    await s.evaluate();
    const alert = (await s.alertFor('forecast-slippage', b.id))!;
    // As stored until December 2026: every step its own item as well as its audit entry (version 1, the raise), and an escalation
    // with none (version 2, the alert as that escalation left it).
    const stored = (version: number, action: string, severity: string) => ({
      ...keys.alertHistory(alert.id, version),
      entity: 'alert-history',
      action,
      at: `2025-12-1${version}T12:00:00.000Z`,
      occurrence: 1,
      severity,
      message: alert.message,
      version,
    });
    for (const item of [stored(1, 'raised', 'warning'), stored(2, 'escalated', 'critical')])
      await s.h.raw.send(new PutCommand({ TableName: s.h.tableName, Item: item }));
    await s.h.raw.send(
      new UpdateCommand({
        TableName: s.h.tableName,
        Key: keys.alert(alert.id),
        UpdateExpression: 'SET version = :v, severity = :s',
        ExpressionAttributeValues: { ':v': 2, ':s': 'critical' },
      }),
    );
    const got = await s.h.call('GET', `/v1/alerts/${alert.id}`, { token: s.h.tokens.cmt });
    expect(got.body.history.map((e: { action: string; version: number; at: string }) => [e.action, e.version, e.at])).toEqual([
      ['raised', 1, '2025-12-11T12:00:00.000Z'],
      ['escalated', 2, '2025-12-12T12:00:00.000Z'],
    ]);
    // Resolved now: the new step comes from the audit trail, after the stored ones.
    await s.call('PUT', `${s.p}/benefits/${b.id}/forecast`, yearly(120_000));
    await s.evaluate();
    const after = await s.h.call('GET', `/v1/alerts/${alert.id}`, { token: s.h.tokens.cmt });
    expect(after.body.history.map((e: { action: string; version: number }) => [e.action, e.version])).toEqual([
      ['raised', 1],
      ['escalated', 2],
      ['resolved', 3],
    ]);
  });
});

describe('an acknowledgement racing the evaluation', () => {
  it('each step is written once or not at all: the history and the alert agree whichever lands first', async () => {
    const s = await scenario();
    for (let round = 0; round < 3; round++) {
      // Four savings slipping a little: one open alert each.
      const benefits = [];
      for (let i = 0; i < 4; i++) benefits.push(await s.benefit({ title: `Saving ${round}.${i}` }, yearly(120_000), yearly(108_000)));
      await s.evaluate();
      const alerts = await Promise.all(benefits.map(async (b) => (await s.alertFor('forecast-slippage', b.id))!));
      expect(alerts.map((a) => a.status)).toEqual(['open', 'open', 'open', 'open']);
      // Then half of them clear (the evaluation resolves them) and half slip further (it escalates them), while each is acknowledged.
      for (const [i, b] of benefits.entries()) await s.call('PUT', `${s.p}/benefits/${b.id}/forecast`, yearly(i % 2 === 0 ? 120_000 : 60_000));
      const [run, ...acks] = await Promise.all([
        s.evaluate(),
        ...alerts.map((a) => s.h.call('POST', `/v1/alerts/${a.id}/acknowledge`, { token: s.h.tokens.pm, body: { note: `Round ${round}` } })),
      ]);
      for (const [i, a] of alerts.entries()) {
        const ack = acks[i]!;
        // Acknowledged, or told it changed under it (409): never an error, never both.
        expect([200, 409], JSON.stringify(ack.body)).toContain(ack.status);
        const got = (await s.h.call('GET', `/v1/alerts/${a.id}`, { token: s.h.tokens.cmt })).body;
        const trail = (await s.h.call('GET', `/v1/audit?entityId=${a.id}&limit=200`, { token: s.h.tokens.admin })).body.items as {
          action: string;
          after: { version: number };
        }[];
        const thisRound = trail.filter((e) => e.after.version > a.version);
        const acknowledged = thisRound.filter((e) => e.action === 'acknowledge');
        expect(acknowledged).toHaveLength(ack.status === 200 ? 1 : 0);
        // The evaluation's step lands once, whichever came first (after a lost race it is done again on what the other wrote).
        expect(
          thisRound.filter((e) => e.action === (i % 2 === 0 ? 'resolve' : 'escalate')),
          JSON.stringify({ i, round, a: [a.version, a.status, a.severity], ack: ack.status, trail: trail.map((e) => [e.action, e.after.version]) }),
        ).toHaveLength(1);
        // Each version written by one step; the alert is the newest step's.
        const versions = trail.map((e) => e.after.version);
        expect(new Set(versions).size).toBe(versions.length);
        expect(got.version).toBe(Math.max(...versions));
        expect(got.status).toBe(i % 2 === 0 ? 'resolved' : ack.status === 200 ? 'acknowledged' : 'open');
        if (i % 2 === 1) expect(got.severity).toBe('critical');
        // The run says what it did: a resolution done again after a lost race is counted as resolved.
        if (i % 2 === 0) expect(run.resolved.map((x) => x.id)).toContain(a.id);
        // The history is the trail, oldest first by version.
        expect(got.history.map((e: { version: number }) => e.version)).toEqual([...versions].sort((x, y) => x - y));
      }
    }
  });
});

describe('an evaluation as at another day', () => {
  it('is a preview: it says what would have been raised and resolved then, and changes no alert and publishes nothing', async () => {
    const s = await scenario();
    const slipping = await s.benefit({}, yearly(120_000), yearly(60_000));
    const run = await s.evaluate();
    expect(run.preview).toBe(false);
    const slip = (await s.alertFor('forecast-slippage', slipping.id))!;
    const ack = await s.h.call('POST', `/v1/alerts/${slip.id}/acknowledge`, { token: s.h.tokens.pm, body: { note: 'Recovery plan' } });
    expect(ack.status).toBe(200);
    const before = (await s.h.call('GET', '/v1/alerts?limit=200', { token: s.h.tokens.admin })).body.items;
    const outbox = await s.h.store.outbox.pending(1000);
    const audit = (await s.h.call('GET', '/v1/audit?limit=200', { token: s.h.tokens.admin })).body.items.length;

    // As at a day before the saving had any figures: everything live would have been clear.
    const back = await s.h.call('POST', '/v1/alerts/evaluate?asAt=2024-03-31', { token: s.h.tokens.admin });
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({ asAt: '2024-03-31', preview: true });
    expect(back.body.resolved.map((a: Alert) => a.id)).toContain(slip.id);

    expect((await s.h.call('GET', '/v1/alerts?limit=200', { token: s.h.tokens.admin })).body.items).toEqual(before);
    expect(await s.h.store.outbox.pending(1000)).toEqual(outbox);
    expect((await s.h.call('GET', '/v1/audit?limit=200', { token: s.h.tokens.admin })).body.items.length).toBe(audit);

    // Today's evaluation after it: the acknowledgement stands, no new occurrence.
    const again = await s.evaluate();
    expect(again.raised.map((a) => a.id)).not.toContain(slip.id);
    expect(await s.alertFor('forecast-slippage', slipping.id)).toMatchObject({ id: slip.id, status: 'acknowledged', occurrence: slip.occurrence });
  });
});

describe('publishing the outbox', () => {
  /** A fresh table and a file sink; `n` events to publish, a millisecond apart (so the outbox's order is theirs). */
  async function publishing(n: number) {
    const h = await createHarness();
    harnesses.push(h);
    const dir = mkdtempSync(join(tmpdir(), 'bt-outbox-'));
    dirs.push(dir);
    const events = Array.from({ length: n }, (_, i) => ({
      id: `evt-${String(i).padStart(3, '0')}.recorded`,
      source: 'benefits-tracker' as const,
      detailType: 'DigestSent' as const,
      time: new Date(Date.UTC(2026, 10, 23, 9, 0, 0, i)).toISOString(),
      detail: { digestId: `dig-${i}`, slot: `manual:${i}`, recipients: [], subject: 's', sentAt: '2026-11-23T09:00:00.000Z' },
    }));
    const sink = new FileEventSink(join(dir, 'events.jsonl'));
    const sent = () =>
      sink
        .read()
        .map((e) => e.id)
        .sort();
    return { h, events, sink, sent };
  }

  it('publishes every event once and marks a page of up to 100 in one write: 250 events, 3 transactions', async () => {
    const { h, events, sink, sent } = await publishing(250);
    for (let i = 0; i < events.length; i += 100) await h.store.commit(events.slice(i, i + 100).map((e) => h.store.outbox.enqueueOp(e)));
    h.counter.reset();
    expect(await publishOutbox(h.deps, sink)).toBe(250);
    expect(sent()).toEqual(events.map((e) => e.id));
    // Three pages read and marked (100, 100, 50), and the empty page that ends it.
    expect(Object.fromEntries(h.counter.byCommand)).toEqual({ QueryCommand: 4, TransactWriteItemsCommand: 3 });
    expect(await h.store.outbox.pending()).toEqual([]);
  });

  it('sends items of many events (an alert run’s) about a hundred events at a time, each lot marked once sent: a publisher stopped half-way sends again only its lot', async () => {
    const { h, events, sink, sent } = await publishing(275);
    // Five writes of 49 events each (one item each), then 30 of one event.
    for (let i = 0; i < 245; i += 49) await h.store.commit(h.store.outbox.enqueueAllOps(events.slice(i, i + 49)));
    await h.store.commit(events.slice(245).map((e) => h.store.outbox.enqueueOp(e)));
    expect(await h.store.outbox.page(1000)).toHaveLength(35);

    let sends = 0;
    const stopsAtItsSecondLot = { publish: async (lot: typeof events) => (++sends === 2 ? Promise.reject(new Error('timed out')) : sink.publish(lot)) };
    await expect(publishOutbox(h.deps, stopsAtItsSecondLot)).rejects.toThrow('timed out');
    // The first lot: three items, 147 events, sent and marked.
    expect(sink.read()).toHaveLength(147);
    expect(await h.store.outbox.pending(1000)).toEqual(events.slice(147));

    h.counter.reset();
    expect(await publishOutbox(h.deps, sink)).toBe(128);
    expect(sent()).toEqual(events.map((e) => e.id));
    // One page (32 items), in two lots of 100 and 28 events (each marked in one transaction), and the empty page that ends it.
    expect(Object.fromEntries(h.counter.byCommand)).toEqual({ QueryCommand: 2, TransactWriteItemsCommand: 2 });
    expect(await h.store.outbox.pending()).toEqual([]);
  });
});
