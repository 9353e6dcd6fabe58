import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, expectProblem, type Harness } from '../support/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.cleanup();
});

/** The worked example's programme (SPEC 1). */
const WORKED = {
  name: 'Transformation programme',
  councilName: 'Liverpool City Council',
  netBudgets: { '2024/25': 61_338_500_000 },
  programmeTarget: { fromFinancialYear: '2023/24', toFinancialYear: '2025/26', targetPence: 8_558_800_000 },
};

describe('programme settings', () => {
  it('are unset (version 0) until an admin sets them; anyone who reads the programme may read them', async () => {
    const r = await h.call('GET', '/v1/programme', { token: h.tokens.cmt });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ version: 0, netBudgets: {}, programmeTarget: null });
    expectProblem(await h.call('GET', '/v1/programme', { token: h.tokens.feedReader }), 403);
  });

  it('are set by an admin only, as a whole, versioned and audited', async () => {
    expectProblem(await h.call('PUT', '/v1/programme', { token: h.tokens.finance, body: WORKED }), 403);
    const set = await h.call('PUT', '/v1/programme', { token: h.tokens.admin, body: WORKED, headers: { 'If-Match': '"0"' } });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ ...WORKED, version: 1, updatedBy: 'ada' });
    expect(set.headers.get('etag')).toBe('"1"');
    expect((await h.call('GET', '/v1/programme', { token: h.tokens.pm })).body).toEqual(set.body);
    expectProblem(await h.call('PUT', '/v1/programme', { token: h.tokens.admin, body: { ...WORKED, name: 'Stale' }, headers: { 'If-Match': '"0"' } }), 412);
    const audit = (await h.call('GET', '/v1/audit?entityId=programme', { token: h.tokens.admin })).body.items;
    expect(audit.map((e: { action: string }) => e.action)).toEqual(['create']);
  });

  it('refuse bad input with a 400 naming the field, changing nothing', async () => {
    const before = (await h.call('GET', '/v1/programme', { token: h.tokens.admin })).body;
    const cases = [
      { ...WORKED, programmeTarget: { ...WORKED.programmeTarget, toFinancialYear: '2022/23' } },
      { ...WORKED, netBudgets: { '2024/25': -1 } },
      { ...WORKED, netBudgets: { '2024-25': 1 } },
      { ...WORKED, councilName: '  ' },
      { ...WORKED, extra: true },
    ];
    for (const body of cases) expectProblem(await h.call('PUT', '/v1/programme', { token: h.tokens.admin, body }), 400);
    expect((await h.call('GET', '/v1/programme', { token: h.tokens.admin })).body).toEqual(before);
  });
});

describe('programme settings under concurrent writers', () => {
  it('lets one of two writers with the same If-Match win (the other 412), and loses no write without If-Match', async () => {
    const current = (await h.call('GET', '/v1/programme', { token: h.tokens.admin })).body;
    const etag = `"${current.version}"`;
    const [a, b] = await Promise.all(
      ['A', 'B'].map((name) =>
        h.call('PUT', '/v1/programme', { token: h.tokens.admin, headers: { 'If-Match': etag }, body: { ...WORKED, name: `Race ${name}` } }),
      ),
    );
    expect([a!.status, b!.status].sort()).toEqual([200, 412]);
    const names = Array.from({ length: 6 }, (_, i) => `Writer ${i}`);
    const replies = await Promise.all(names.map((name) => h.call('PUT', '/v1/programme', { token: h.tokens.admin, body: { ...WORKED, name } })));
    expect(replies.map((r) => r.status)).toEqual(names.map(() => 200));
    const after = (await h.call('GET', '/v1/programme', { token: h.tokens.admin })).body;
    expect(after.version).toBe(current.version + 1 + names.length);
    const audit = (await h.call('GET', '/v1/audit?entityId=programme&limit=50', { token: h.tokens.admin })).body.items;
    expect(audit).toHaveLength(after.version);
  });
});
