import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, expectProblem, projectBody, workstreamBody, type Harness } from '../support/harness.ts';

/**
 * Regression tests for the findings of the hostile test of the whole product
 * (issue 14): each one failed before its fix.
 */
let h: Harness;
let wsId: string;

beforeAll(async () => {
  h = await createHarness();
  wsId = (await h.call('POST', '/v1/workstreams', { token: h.tokens.admin, body: workstreamBody({ mtfsTargets: { '2026/27': 10_000_00 } }) })).body.id;
});
afterAll(async () => {
  await h.cleanup();
});

async function newProject(overrides: Record<string, unknown> = {}) {
  const r = await h.call('POST', '/v1/projects', { token: h.tokens.pm, body: projectBody(wsId, overrides) });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body as { id: string; code: string; version: number };
}

async function newBenefit(projectId: string) {
  const r = await h.call('POST', `/v1/projects/${projectId}/benefits`, {
    token: h.tokens.pm,
    body: { title: 'Saving', type: 'cashable-saving', category: 'transformation', recurrence: 'recurring', mtfsRef: 'H-1', owner: 'Owner', confidencePct: 90 },
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body as { id: string; version: number };
}

/** Every programme-wide read still answers. */
async function programmeStillReadable(projectId: string) {
  for (const path of [
    `/v1/projects/${projectId}`,
    '/v1/projects',
    '/v1/workstreams',
    '/v1/reports/programme?financialYear=2026/27',
    '/v1/feeds/savings?financialYear=2026/27&format=json',
  ]) {
    const r = await h.call('GET', path, { token: h.tokens.admin });
    expect(r.status, `${path}: ${JSON.stringify(r.body).slice(0, 300)}`).toBe(200);
  }
}

describe('amounts are bounded, and every sum stays exact', () => {
  it('refuses an amount beyond ±£1bn with a 400 naming the field, and the programme keeps answering', async () => {
    const p = await newProject();
    const b = await newBenefit(p.id);
    const base = `/v1/projects/${p.id}/benefits/${b.id}`;
    for (const amountPence of [9_007_199_254_740_991, 100_000_000_001, -100_000_000_001]) {
      const r = await h.call('POST', `${base}/actuals`, { token: h.tokens.finance, body: { month: '2026-05', amountPence, note: 'huge' } });
      expect(expectProblem(r, 400).errors?.map((e) => e.path)).toContain('amountPence');
    }
    expectProblem(await h.call('PUT', `${base}/baseline`, { token: h.tokens.pm, body: { months: { '2026-05': 9_007_199_254_740_991 } } }), 400);
    expectProblem(
      await h.call('PUT', `${base}/forecast`, { token: h.tokens.pm, body: { phased: [{ financialYear: '2026/27', amountPence: 100_000_000_001 }] } }),
      400,
    );
    expectProblem(
      await h.call('PATCH', `/v1/workstreams/${wsId}`, { token: h.tokens.finance, body: { mtfsTargets: { '2026/27': 9_007_199_254_740_991 } } }),
      400,
    );
    await programmeStillReadable(p.id);
  });

  it('refuses an entry that would take a month total beyond the bound (422), leaving the ledger and totals as they were', async () => {
    const p = await newProject();
    const b = await newBenefit(p.id);
    const base = `/v1/projects/${p.id}/benefits/${b.id}`;
    // Ten entries at the cap on one entry (£100m) take the month to the bound of a total (£1bn).
    const entries = [];
    for (let i = 0; i < 10; i++) {
      const r = await h.call('POST', `${base}/actuals`, {
        token: h.tokens.finance,
        body: { month: '2026-05', amountPence: 10_000_000_000, note: `entry ${i}` },
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      entries.push(r.body);
    }
    const second = await h.call('POST', `${base}/actuals`, { token: h.tokens.finance, body: { month: '2026-05', amountPence: 1, note: 'one more penny' } });
    expectProblem(second, 422, 'total-out-of-range');
    const ledger = (await h.call('GET', `${base}/actuals`, { token: h.tokens.admin })).body.items;
    expect(ledger).toHaveLength(10);
    // The entries can still be reversed: the total moves back towards zero.
    for (const e of entries) {
      const reversal = await h.call('POST', `${base}/actuals`, {
        token: h.tokens.finance,
        body: { month: '2026-05', amountPence: -10_000_000_000, note: 'typo', reverses: e.id },
      });
      expect(reversal.status, JSON.stringify(reversal.body)).toBe(201);
    }
    const benefit = (await h.call('GET', base, { token: h.tokens.admin })).body;
    expect(benefit.realised['2026-05'] ?? 0).toBe(0);
    await programmeStillReadable(p.id);
  });

  it('refuses a KPI measure beyond any real value (±1e308) with a 400, not a 500', async () => {
    const p = await newProject();
    const b = await newBenefit(p.id);
    for (const baselineValue of [1e308, -1e308, 2 ** 60, 2e-157]) {
      const r = await h.call('PATCH', `/v1/projects/${p.id}/benefits/${b.id}`, {
        token: h.tokens.pm,
        body: { measure: { name: 'Collection rate', unit: 'pp', baselineValue, targetValue: 95, pencePerUnit: 220_000_000 } },
      });
      expect(expectProblem(r, 400).errors?.map((e) => e.path)).toContain('measure.baselineValue');
    }
  });
});

describe('dates are bounded to financial years 2000/01 to 2098/99', () => {
  it('refuses a year before 1000 or after 2099 wherever a date, month or FY is taken', async () => {
    const p = await newProject();
    const b = await newBenefit(p.id);
    const base = `/v1/projects/${p.id}/benefits/${b.id}`;
    const attempts = [
      () => h.call('POST', '/v1/projects', { token: h.tokens.pm, body: projectBody(wsId, { startDate: '0001-01-01' }) }),
      () => h.call('PATCH', `/v1/projects/${p.id}`, { token: h.tokens.pm, body: { endDate: '9999-12-31' } }),
      () => h.call('PUT', `${base}/baseline`, { token: h.tokens.pm, body: { months: { '0001-01': 100 } } }),
      () => h.call('PUT', `${base}/forecast`, { token: h.tokens.pm, body: { phased: [{ financialYear: '9999/00', amountPence: 100 }] } }),
      () => h.call('POST', `${base}/actuals`, { token: h.tokens.finance, body: { month: '0999-12', amountPence: 100, note: 'x' } }),
      () =>
        h.call('POST', `/v1/projects/${p.id}/investments`, {
          token: h.tokens.pm,
          body: { title: 'Kit', kind: 'capital', fundingSource: 'reserves', months: { '0001-01': 100 } },
        }),
      () => h.call('POST', `/v1/projects/${p.id}/milestones`, { token: h.tokens.pm, body: { title: 'M', dueDate: '0001-01-01' } }),
      () => h.call('PATCH', `/v1/workstreams/${wsId}`, { token: h.tokens.finance, body: { mtfsTargets: { '1999/00': 100 } } }),
      () => h.call('GET', '/v1/reports/programme?financialYear=9999/00', { token: h.tokens.admin }),
    ];
    for (const attempt of attempts) expectProblem(await attempt(), 400);
    await programmeStillReadable(p.id);
    const evaluation = await h.call('POST', '/v1/alerts/evaluate', { token: h.tokens.admin });
    expect(evaluation.status).toBe(200);
  });
});

describe('stored data that does not parse is the server’s fault, and stops nothing else', () => {
  it('answers 500 (not 400) for the broken project, while the alert run evaluates the rest and leaves its alerts alone', async () => {
    const good = await newProject();
    const goodBenefit = await newBenefit(good.id);
    await h.call('PUT', `/v1/projects/${good.id}/benefits/${goodBenefit.id}/baseline`, {
      token: h.tokens.pm,
      body: { phased: [{ financialYear: '2026/27', amountPence: 500_000_00 }] },
    });
    const broken = await newProject();
    const brokenBenefit = await newBenefit(broken.id);
    await h.call('PUT', `/v1/projects/${broken.id}/benefits/${brokenBenefit.id}/baseline`, {
      token: h.tokens.pm,
      body: { phased: [{ financialYear: '2026/27', amountPence: 900_000_00 }] },
    });
    await h.call('PUT', `/v1/projects/${broken.id}/benefits/${brokenBenefit.id}/forecast`, {
      token: h.tokens.pm,
      body: { phased: [{ financialYear: '2026/27', amountPence: 100_000_00 }] },
    });
    const before = await h.call('POST', '/v1/alerts/evaluate', { token: h.tokens.admin });
    const brokenAlerts = (await h.call('GET', `/v1/alerts?projectId=${broken.id}&status=open`, { token: h.tokens.admin })).body.items;
    expect(brokenAlerts.length, JSON.stringify(before.body).slice(0, 300)).toBeGreaterThan(0);
    // As a bug or a hand edit might leave it: a date from before the product's calendar.
    const item = (
      await h.raw.send(new (await import('@aws-sdk/lib-dynamodb')).GetCommand({ TableName: h.tableName, Key: { pk: `PRJ#${broken.id}`, sk: 'PRJ' } }))
    ).Item!;
    await h.raw.send(new PutCommand({ TableName: h.tableName, Item: { ...item, startDate: '0001-01-01' } }));

    const r = await h.call('GET', `/v1/projects/${broken.id}`, { token: h.tokens.admin });
    expectProblem(r, 500, 'internal-error');
    const evaluation = await h.call('POST', '/v1/alerts/evaluate', { token: h.tokens.admin });
    expect(evaluation.status, JSON.stringify(evaluation.body).slice(0, 400)).toBe(200);
    expect(evaluation.body.skipped.map((s: { projectId: string }) => s.projectId)).toContain(broken.id);
    expect(evaluation.body.conditions).toBeGreaterThan(0);
    expect((await h.call('GET', `/v1/projects/${good.id}`, { token: h.tokens.admin })).status).toBe(200);
    // Nothing is known of the broken project now, so its alerts are not resolved.
    const after = (await h.call('GET', `/v1/alerts?projectId=${broken.id}&status=open`, { token: h.tokens.admin })).body.items;
    expect(after.map((a: { id: string }) => a.id)).toEqual(brokenAlerts.map((a: { id: string }) => a.id));
    // Repaired (as an operator would), so the rest of this file reads a sound programme.
    await h.raw.send(new PutCommand({ TableName: h.tableName, Item: item }));
    expect((await h.call('GET', `/v1/projects/${broken.id}`, { token: h.tokens.admin })).status).toBe(200);
  });
});

describe('the import applies the API’s rules', () => {
  const HEADER = 'Workstream code,Workstream name,Project code,Project name,Directorate,Saving,MTFS ref,Category,Type,Recurrence,Owner,2026/27';
  const importCsv = (csv: string, query = '') =>
    h.call('POST', `/v1/imports/savings${query}`, { token: h.tokens.admin, rawBody: csv, headers: { 'Content-Type': 'text/csv' } });

  it('refuses a project code or workstream code the API refuses, by row and column, and creates nothing', async () => {
    const csv = [
      HEADER,
      'HOST1,Hostile,ASC 01,Spaced code,Adults,Saving one,H-1,transformation,cashable-saving,recurring,Owner,"£1,000"',
      'WS£€,Money signs,HOST-2,Fine code,Adults,Saving two,H-2,transformation,cashable-saving,recurring,Owner,"£1,000"',
    ].join('\n');
    const before = {
      workstreams: (await h.call('GET', '/v1/workstreams?limit=200', { token: h.tokens.admin })).body.items.length,
      projects: (await h.call('GET', '/v1/projects?limit=200', { token: h.tokens.admin })).body.items.length,
    };
    const dry = await importCsv(csv, '?dryRun=true');
    expect(dry.status, JSON.stringify(dry.body)).toBe(200);
    expect(dry.body.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ row: 2, column: 'Project code', path: 'code' }),
        expect.objectContaining({ row: 3, column: 'Workstream code', path: 'code' }),
      ]),
    );
    expectProblem(await importCsv(csv), 422, 'import-invalid');
    const projects = await h.call('GET', '/v1/projects?limit=200', { token: h.tokens.admin });
    const workstreams = await h.call('GET', '/v1/workstreams?limit=200', { token: h.tokens.admin });
    expect(projects.status).toBe(200);
    expect(workstreams.status).toBe(200);
    expect({ workstreams: workstreams.body.items.length, projects: projects.body.items.length }).toEqual(before);
    expect((await h.call('GET', '/v1/reports/programme?financialYear=2026/27', { token: h.tokens.admin })).status).toBe(200);
  });
});

describe('authorisation and identity', () => {
  it('refuses a manager naming a replacement for another manager’s written-out saving, and changes nothing of it', async () => {
    const pats = await newProject();
    const saving = await newBenefit(pats.id);
    const out = await h.call('PATCH', `/v1/projects/${pats.id}/benefits/${saving.id}`, { token: h.tokens.pm, body: { status: 'unachievable' } });
    expect(out.status).toBe(200);
    const priyas = (await h.call('POST', '/v1/projects', { token: h.tokens.otherPm, body: projectBody(wsId) })).body;
    const body = {
      title: 'Intruder',
      type: 'cashable-saving',
      category: 'transformation',
      recurrence: 'recurring',
      mtfsRef: 'H-9',
      owner: 'O',
      replacesBenefitId: saving.id,
    };
    expectProblem(await h.call('POST', `/v1/projects/${priyas.id}/benefits`, { token: h.tokens.otherPm, body }), 403);
    const after = (await h.call('GET', `/v1/projects/${pats.id}/benefits/${saving.id}`, { token: h.tokens.admin })).body;
    expect(after).toMatchObject({ version: out.body.version, updatedBy: 'pat', replacedByBenefitIds: [] });
    // Her own manager (or an admin) may.
    const own = await h.call('POST', `/v1/projects/${pats.id}/benefits`, { token: h.tokens.pm, body: { ...body, title: 'Replacement' } });
    expect(own.status, JSON.stringify(own.body)).toBe(201);
    expect((await h.call('GET', `/v1/projects/${pats.id}/benefits/${saving.id}`, { token: h.tokens.admin })).body.replacedByBenefitIds).toEqual([own.body.id]);
  });

  it('lets only a project’s manager (or an admin) acknowledge its alerts, and only finance (or an admin) a workstream’s', async () => {
    const ws = (await h.call('POST', '/v1/workstreams', { token: h.tokens.admin, body: workstreamBody({ mtfsTargets: { '2026/27': 900_000_00 } }) })).body;
    const p = (await h.call('POST', '/v1/projects', { token: h.tokens.pm, body: projectBody(ws.id) })).body;
    const b = await newBenefit(p.id);
    await h.call('PUT', `/v1/projects/${p.id}/benefits/${b.id}/baseline`, {
      token: h.tokens.pm,
      body: { phased: [{ financialYear: '2026/27', amountPence: 800_000_00 }] },
    });
    await h.call('PUT', `/v1/projects/${p.id}/benefits/${b.id}/forecast`, {
      token: h.tokens.pm,
      body: { phased: [{ financialYear: '2026/27', amountPence: 100_000_00 }] },
    });
    expect((await h.call('POST', '/v1/alerts/evaluate', { token: h.tokens.admin })).status).toBe(200);
    const open = (await h.call('GET', '/v1/alerts?status=open&limit=200', { token: h.tokens.admin })).body.items as {
      id: string;
      subject: { type: string; projectId?: string; workstreamId?: string; id: string };
    }[];
    const projectAlert = open.find((a) => a.subject.projectId === p.id)!;
    const workstreamAlert = open.find((a) => a.subject.type === 'workstream' && a.subject.id === ws.id)!;
    expect(projectAlert).toBeDefined();
    expect(workstreamAlert).toBeDefined();
    const ack = (id: string, token: string) => h.call('POST', `/v1/alerts/${id}/acknowledge`, { token, body: { note: 'seen' } });
    expectProblem(await ack(projectAlert.id, h.tokens.otherPm), 403);
    expectProblem(await ack(projectAlert.id, h.tokens.finance), 403);
    expectProblem(await ack(workstreamAlert.id, h.tokens.pm), 403);
    expect((await h.call('GET', `/v1/alerts/${projectAlert.id}`, { token: h.tokens.admin })).body.status).toBe('open');
    expect((await ack(projectAlert.id, h.tokens.pm)).status).toBe(200);
    expect((await ack(workstreamAlert.id, h.tokens.finance)).status).toBe(200);
  });

  it('keeps the audit trail out of the change feed for feed-reader', async () => {
    expectProblem(await h.call('GET', '/v1/feeds/changes', { token: h.tokens.feedReader }), 403);
    expectProblem(await h.call('GET', '/v1/audit', { token: h.tokens.feedReader }), 403);
    expect((await h.call('GET', '/v1/feeds/changes', { token: h.tokens.finance })).status).toBe(200);
  });

  it('sees through a trailing space in a subject: segregation of duties holds', async () => {
    const p = await newProject();
    const b = await newBenefit(p.id);
    const entry = await h.call('POST', `/v1/projects/${p.id}/benefits/${b.id}/actuals`, {
      token: h.tokens.finance,
      body: { month: '2026-05', amountPence: 100, note: 'x' },
    });
    const spaced = await h.token(['finance'], 'fin ');
    expectProblem(await h.call('POST', `/v1/projects/${p.id}/benefits/${b.id}/actuals/${entry.body.id}/validate`, { token: spaced }), 403);
    expectProblem(await h.call('GET', '/v1/workstreams', { token: await h.token(['finance'], '   ') }), 401);
  });

  it('keeps idempotency keys apart for users and keys that contain #', async () => {
    const p = await newProject();
    const b = await newBenefit(p.id);
    const path = `/v1/projects/${p.id}/benefits/${b.id}/actuals`;
    const one = await h.call('POST', path, {
      token: await h.token(['finance'], 'a#b'),
      headers: { 'Idempotency-Key': 'c' },
      body: { month: '2026-05', amountPence: 100, note: 'first' },
    });
    const two = await h.call('POST', path, {
      token: await h.token(['finance'], 'a'),
      headers: { 'Idempotency-Key': 'b#c' },
      body: { month: '2026-05', amountPence: 200, note: 'second' },
    });
    expect([one.status, two.status]).toEqual([201, 201]);
    expect(two.headers.get('idempotent-replayed')).toBeNull();
    expect((await h.call('GET', path, { token: h.tokens.admin })).body.items).toHaveLength(2);
  });
});

describe('tampered cursors', () => {
  const encode = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v), 'utf8').toString('base64url');

  it('refuses a ledger cursor that points outside the ledger with a 400', async () => {
    const p = await newProject();
    const b = await newBenefit(p.id);
    const path = `/v1/projects/${p.id}/benefits/${b.id}/actuals`;
    for (const sk of ['REF', 'BASELINE#000001', 'AAA', 'ZZZ']) {
      expectProblem(await h.call('GET', `${path}?cursor=${encode({ pk: `BEN#${b.id}`, sk })}`, { token: h.tokens.admin }), 400);
    }
    expect((await h.call('GET', `${path}?cursor=${encode({ pk: `BEN#${b.id}`, sk: 'ACT#act_0' })}`, { token: h.tokens.admin })).status).toBe(200);
  });

  it('answers a change-feed cursor from the future with nothing new, not a 500', async () => {
    const r = await h.call('GET', `/v1/feeds/changes?cursor=${encode('aud_7ZZZZZZZZZZZZZZZZZZZZZZZZZ')}`, { token: h.tokens.finance });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ items: [], hasMore: false });
  });
});

describe('feeds complete or fail visibly', () => {
  it('cuts a feed off (the body errors) when a project fails part-way, never a short feed that looks complete', async () => {
    // A feed over a store where one project's summary does not parse, behind at least one sound project.
    const f = await createHarness();
    try {
      const ws = (await f.call('POST', '/v1/workstreams', { token: f.tokens.admin, body: workstreamBody() })).body;
      const ids: string[] = [];
      for (const code of ['FEEDA', 'FEEDB', 'FEEDC']) {
        const p = (await f.call('POST', '/v1/projects', { token: f.tokens.pm, body: projectBody(ws.id, { code }) })).body;
        const b = (
          await f.call('POST', `/v1/projects/${p.id}/benefits`, {
            token: f.tokens.pm,
            body: { title: 'S', type: 'cashable-saving', category: 'transformation', recurrence: 'recurring', mtfsRef: 'F', owner: 'O' },
          })
        ).body;
        await f.call('PUT', `/v1/projects/${p.id}/benefits/${b.id}/baseline`, {
          token: f.tokens.pm,
          body: { phased: [{ financialYear: '2026/27', amountPence: 120_000 }] },
        });
        ids.push(p.id, b.id);
      }
      for (const format of ['csv', 'json']) {
        const whole = await f.call('GET', `/v1/feeds/savings?financialYear=2026/27&format=${format}`, { token: f.tokens.finance });
        expect(whole.status).toBe(200);
      }
      const { GetCommand } = await import('@aws-sdk/lib-dynamodb');
      // Projects are read in the order of their ids (of their creation): the second one's summary.
      const key = { pk: `PRJ#${ids[2]}`, sk: 'SUMMARY' };
      const item = (await f.raw.send(new GetCommand({ TableName: f.tableName, Key: key }))).Item!;
      await f.raw.send(new PutCommand({ TableName: f.tableName, Item: { ...item, stage: 'not-a-stage' } }));
      for (const format of ['csv', 'json']) {
        const res = await f.app.request(`/v1/feeds/savings?financialYear=2026/27&format=${format}`, {
          headers: { Authorization: `Bearer ${f.tokens.finance}` },
        });
        expect(res.status).toBe(200);
        await expect(res.text(), format).rejects.toThrow();
      }
      // A failure before any row is sent is an ordinary problem+json.
      const first = { pk: `PRJ#${ids[0]}`, sk: 'SUMMARY' };
      const firstItem = (await f.raw.send(new GetCommand({ TableName: f.tableName, Key: first }))).Item!;
      await f.raw.send(new PutCommand({ TableName: f.tableName, Item: { ...firstItem, stage: 'not-a-stage' } }));
      expectProblem(await f.call('GET', '/v1/feeds/savings?financialYear=2026/27&format=csv', { token: f.tokens.finance }), 500);
    } finally {
      await f.cleanup();
    }
  });
});

describe('what grows is kept apart', () => {
  it('keeps a risk bounded however often it is rescored, with every scoring readable in its history', async () => {
    const p = await newProject();
    const risk = (
      await h.call('POST', `/v1/projects/${p.id}/risks`, {
        token: h.tokens.pm,
        body: { title: 'Demand', owner: 'O', likelihood: 1, impact: 1, mitigation: 'M' },
      })
    ).body;
    const RESCORINGS = 30;
    for (let i = 0; i < RESCORINGS; i++) {
      const r = await h.call('PATCH', `/v1/projects/${p.id}/risks/${risk.id}`, { token: h.tokens.pm, body: { likelihood: 1 + ((i + 1) % 5) } });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
    }
    const closed = await h.call('PATCH', `/v1/projects/${p.id}/risks/${risk.id}`, { token: h.tokens.pm, body: { status: 'closed' } });
    expect(closed.status).toBe(200);
    expect(closed.body.history).toHaveLength(10);
    expect(closed.body.scoreCount).toBe(RESCORINGS + 2);
    expect(closed.body.history.at(-1)).toMatchObject({ status: 'closed' });
    const all: { likelihood: number; status: string }[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: typeof all; nextCursor: string | null } } = await h.call(
        'GET',
        `/v1/projects/${p.id}/risks/${risk.id}/history?limit=7${cursor ? `&cursor=${cursor}` : ''}`,
        { token: h.tokens.cmt },
      );
      all.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(all).toHaveLength(RESCORINGS + 2);
    expect(all[0]).toMatchObject({ likelihood: 1, status: 'open' });
    expect(all.at(-1)).toMatchObject({ status: 'closed' });
    expect(all.slice(-10)).toEqual(closed.body.history);
  });
});

describe('an item that would outgrow DynamoDB', () => {
  it('refuses the change with a 422 that says what to do, and changes nothing', async () => {
    const p = await newProject();
    const b = await newBenefit(p.id);
    // A summary already near DynamoDB's 400 KB (as several hundred savings lines would make it).
    const { UpdateCommand } = await import('@aws-sdk/lib-dynamodb');
    // The largest padding that still fits: within 100 bytes of the limit, so the change below (over 400 bytes more) cannot.
    for (let size = 409_600; ; size -= 100) {
      try {
        await h.raw.send(
          new UpdateCommand({
            TableName: h.tableName,
            Key: { pk: `PRJ#${p.id}`, sk: 'SUMMARY' },
            UpdateExpression: 'SET padding = :p',
            ExpressionAttributeValues: { ':p': 'x'.repeat(size) },
          }),
        );
        break;
      } catch (error) {
        if (!(error instanceof Error) || !/maximum allowed size/.test(error.message)) throw error;
      }
    }
    const before = (await h.call('GET', `/v1/projects/${p.id}/benefits/${b.id}`, { token: h.tokens.admin })).body;
    const r = await h.call('PATCH', `/v1/projects/${p.id}/benefits/${b.id}`, {
      token: h.tokens.pm,
      body: { title: 'y'.repeat(200), owner: 'z'.repeat(200), mtfsRef: 'm'.repeat(60) },
    });
    expectProblem(r, 422, 'item-too-large');
    const after = (await h.call('GET', `/v1/projects/${p.id}/benefits/${b.id}`, { token: h.tokens.admin })).body;
    expect(after).toEqual(before);
    await h.raw.send(new UpdateCommand({ TableName: h.tableName, Key: { pk: `PRJ#${p.id}`, sk: 'SUMMARY' }, UpdateExpression: 'REMOVE padding' }));
  });
});
