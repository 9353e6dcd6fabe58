import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fyOfMonth } from '@bt/core';
import * as svc from '@bt/services';
import { createHarness, projectBody, workstreamBody, type Harness, type Reply } from '../support/harness.ts';

/**
 * Every writer of a project's items raced against every other (and itself):
 * after each race the running totals of each benefit and investment line
 * (realised, validated, actual spend) equal the sums of their ledgers, in the
 * item and in the project's summary, and the programme report agrees with
 * the project record. Totals are written only by the ledger path; a PATCH
 * never writes back a copy it read earlier.
 */
let h: Harness;
let projectId: string;
let benefitId: string;
let investmentId: string;
let riskId: string;
let milestoneId: string;
const FY = '2026/27';
const MONTHS = ['2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10'];
const pools = { unvalidated: [] as string[], unreversed: [] as { id: string; month: string; amountPence: number }[], bulk: [] as string[][] };
let n = 0;

beforeAll(async () => {
  h = await createHarness();
  const ws = (await h.call('POST', '/v1/workstreams', { token: h.tokens.admin, body: workstreamBody({ mtfsTargets: { [FY]: 500_000_00 } }) })).body;
  const p = await h.call('POST', '/v1/projects', { token: h.tokens.pm, body: projectBody(ws.id, { startDate: '2025-04-01', endDate: '2028-03-31' }) });
  projectId = p.body.id;
  const b = await h.call('POST', `/v1/projects/${projectId}/benefits`, {
    token: h.tokens.pm,
    body: {
      title: 'Raced saving',
      type: 'cashable-saving',
      category: 'transformation',
      recurrence: 'recurring',
      mtfsRef: 'RACE-1',
      owner: 'Owner',
      confidencePct: 80,
    },
  });
  benefitId = b.body.id;
  await h.call('PUT', `/v1/projects/${projectId}/benefits/${benefitId}/baseline`, {
    token: h.tokens.pm,
    body: { phased: [{ financialYear: FY, amountPence: 120_000_00 }] },
  });
  investmentId = (
    await h.call('POST', `/v1/projects/${projectId}/investments`, {
      token: h.tokens.pm,
      body: { title: 'Kit', kind: 'capital', fundingSource: 'reserves', phased: [{ financialYear: FY, amountPence: 50_000_00 }] },
    })
  ).body.id;
  riskId = (
    await h.call('POST', `/v1/projects/${projectId}/risks`, {
      token: h.tokens.pm,
      body: { title: 'Risk', owner: 'O', likelihood: 2, impact: 2, mitigation: 'M', benefitId },
    })
  ).body.id;
  milestoneId = (
    await h.call('POST', `/v1/projects/${projectId}/milestones`, {
      token: h.tokens.pm,
      body: { title: 'Go live', dueDate: '2027-01-31', benefitIds: [benefitId] },
    })
  ).body.id;
});
afterAll(async () => {
  await h.cleanup();
});

const benefitPath = () => `/v1/projects/${projectId}/benefits/${benefitId}`;
const month = () => MONTHS[n % MONTHS.length]!;

async function recordActual(token: string, amountPence: number, extra: Record<string, unknown> = {}): Promise<Reply> {
  n += 1;
  return h.call('POST', `${benefitPath()}/actuals`, { token, body: { month: month(), amountPence, note: `evidence ${n}`, ...extra } });
}

/** Each writer makes one request; validation and reversal draw on entries recorded before the race. */
const WRITERS: Record<string, { prepare?: () => Promise<void>; write: () => Promise<Reply> }> = {
  actual: { write: () => recordActual(h.tokens.finance, 1_000 + (n % 7)) },
  validation: {
    prepare: async () => {
      const r = await recordActual(h.tokens.pm, 2_500);
      pools.unvalidated.push(r.body.id);
    },
    write: () => h.call('POST', `${benefitPath()}/actuals/${pools.unvalidated.pop()}/validate`, { token: h.tokens.finance }),
  },
  'bulk validation': {
    prepare: async () => {
      const ids: string[] = [];
      for (const amount of [1_700, 1_900]) ids.push((await recordActual(h.tokens.pm, amount)).body.id);
      pools.bulk.push(ids);
    },
    write: () => h.call('POST', '/v1/actuals/validate', { token: h.tokens.finance, body: { ids: pools.bulk.pop() } }),
  },
  reversal: {
    prepare: async () => {
      const r = await recordActual(h.tokens.finance, 3_300);
      pools.unreversed.push(r.body);
    },
    write: () => {
      const e = pools.unreversed.pop()!;
      return h.call('POST', `${benefitPath()}/actuals`, {
        token: h.tokens.finance,
        body: { month: e.month, amountPence: -e.amountPence, note: 'reversal', reverses: e.id },
      });
    },
  },
  spend: {
    write: () =>
      h.call('POST', `/v1/projects/${projectId}/investments/${investmentId}/spend`, {
        token: h.tokens.finance,
        body: { month: month(), amountPence: 700 + (n++ % 5), note: 'invoice' },
      }),
  },
  'patch benefit': { write: () => h.call('PATCH', benefitPath(), { token: h.tokens.pm, body: { confidencePct: 50 + (n++ % 50) } }) },
  forecast: {
    write: () => h.call('PUT', `${benefitPath()}/forecast`, { token: h.tokens.pm, body: { phased: [{ financialYear: FY, amountPence: 100_000_00 + n++ }] } }),
  },
  baseline: {
    write: () => h.call('PUT', `${benefitPath()}/baseline`, { token: h.tokens.pm, body: { phased: [{ financialYear: FY, amountPence: 120_000_00 + n++ }] } }),
  },
  'patch investment': {
    write: () => h.call('PATCH', `/v1/projects/${projectId}/investments/${investmentId}`, { token: h.tokens.pm, body: { title: `Kit ${n++}` } }),
  },
  'patch risk': { write: () => h.call('PATCH', `/v1/projects/${projectId}/risks/${riskId}`, { token: h.tokens.pm, body: { likelihood: 1 + (n++ % 5) } }) },
  'patch milestone': {
    write: () => h.call('PATCH', `/v1/projects/${projectId}/milestones/${milestoneId}`, { token: h.tokens.pm, body: { title: `Go live ${n++}` } }),
  },
  // The monthly return (SPEC 6), as the page submits it, without `seen`: it writes the saving's forecast, the risk's score and the project.
  'monthly return': {
    write: async () => {
      n += 1;
      const caller = { principal: { sub: 'pat', name: 'Pat', roles: ['programme-manager' as const] }, requestId: `race-${n}` };
      const months = Object.fromEntries(MONTHS.filter((m) => fyOfMonth(m) === FY).map((m) => [m, 90_000 + n]));
      return svc
        .submitMonthlyReturn(h.deps, caller, projectId, {
          financialYear: FY,
          forecasts: { [benefitId]: months },
          deliveryConfidence: (['green', 'amber-green'] as const)[n % 2]!,
          risks: { [riskId]: { likelihood: 1 + (n % 5), impact: 2 } },
          milestones: {},
          seen: {},
        })
        .then(
          (body) => ({ status: 200, body }) as unknown as Reply,
          (error: { status?: number; message?: string }) => ({ status: error.status ?? 500, body: error.message }) as unknown as Reply,
        );
    },
  },
  // The summary rebuilt from the record (an upgrade after a deployment), guarded on the record being as read: raced, it reads again.
  upgrade: {
    write: () =>
      svc.rebuildSummaries(h.deps, [{ projectId, format: 5 }]).then(
        (rebuilt) => ({ status: rebuilt === 1 ? 200 : 500, body: rebuilt }) as unknown as Reply,
        (error: { status?: number; message?: string }) => ({ status: error.status ?? 500, body: error.message }) as unknown as Reply,
      ),
  },
  'patch project': {
    write: () =>
      h.call('PATCH', `/v1/projects/${projectId}`, { token: h.tokens.pm, body: { deliveryConfidence: (['green', 'amber', 'red'] as const)[n++ % 3] } }),
  },
};

async function all<T>(path: string): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null = null;
  do {
    const r: Reply = await h.call('GET', `${path}?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token: h.tokens.admin });
    expect(r.status).toBe(200);
    out.push(...r.body.items);
    cursor = r.body.nextCursor;
  } while (cursor);
  return out;
}

function byMonth(entries: { month: string; amountPence: number }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of entries) out[e.month] = (out[e.month] ?? 0) + e.amountPence;
  return out;
}

const nonZero = (m: Record<string, number>) => Object.fromEntries(Object.entries(m).filter(([, v]) => v !== 0));

async function checkTotals(race: string) {
  const actuals = await all<{ month: string; amountPence: number; validatedAt?: string }>(`${benefitPath()}/actuals`);
  const spend = await all<{ month: string; amountPence: number }>(`/v1/projects/${projectId}/investments/${investmentId}/spend`);
  const record = (await h.call('GET', `/v1/projects/${projectId}`, { token: h.tokens.admin })).body;
  const benefit = record.benefits[0];
  const line = record.investments[0];
  const realised = nonZero(byMonth(actuals));
  const validated = nonZero(byMonth(actuals.filter((a) => a.validatedAt)));
  const spent = nonZero(byMonth(spend));
  expect(nonZero(benefit.realised), `${race}: realised`).toEqual(realised);
  expect(nonZero(benefit.validated), `${race}: validated`).toEqual(validated);
  expect(nonZero(line.actual), `${race}: actual spend`).toEqual(spent);
  const summary = (await h.store.summaries.all()).find((s) => s.projectId === projectId)!;
  expect(nonZero(summary.benefits[0]!.realised), `${race}: summary realised`).toEqual(realised);
  expect(nonZero(summary.benefits[0]!.validated), `${race}: summary validated`).toEqual(validated);
  expect(nonZero(summary.investments[0]!.actual), `${race}: summary spend`).toEqual(spent);
  const report = (await h.call('GET', `/v1/reports/programme?financialYear=${FY}`, { token: h.tokens.admin })).body;
  const figures = record.figures.byYear[FY];
  for (const name of ['baselinePence', 'forecastPence', 'realisedPence', 'validatedPence', 'investmentActualPence'] as const) {
    expect(report.programme[name], `${race}: report ${name} vs project record`).toBe(figures[name]);
  }
}

describe('racing writers of the same items', () => {
  it('keeps every running total equal to its ledger, and the report equal to the project record, for each pair of writers', { timeout: 240_000 }, async () => {
    const names = Object.keys(WRITERS);
    const PER_SIDE = 2;
    for (let i = 0; i < names.length; i++) {
      for (let j = i; j < names.length; j++) {
        const pair = [WRITERS[names[i]!]!, WRITERS[names[j]!]!];
        for (const w of pair) for (let k = 0; k < PER_SIDE; k++) await w.prepare?.();
        const replies = await Promise.all(pair.flatMap((w) => Array.from({ length: PER_SIDE }, () => w.write())));
        const race = `${names[i]} × ${names[j]}`;
        for (const r of replies) expect(r.status, `${race}: ${JSON.stringify(r.body)}`).toBeLessThan(300);
        await checkTotals(race);
      }
    }
  });
});
