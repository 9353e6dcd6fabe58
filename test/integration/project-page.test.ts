import { formatPounds } from '@bt/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, projectBody, workstreamBody, type Harness } from '../support/harness.ts';

/**
 * The project page's appraisal figures say how they were made: payback,
 * which the API gives as null both when nothing is invested and when none
 * comes within 30 years, says which; the NPV names the rate it was
 * discounted at (DISCOUNT_RATE_BP), not a fixed 3.5%.
 */
let h: Harness;
let projectId: string;

beforeAll(async () => {
  h = await createHarness({ pages: true, thresholds: { ragGreenPct: 95, ragAmberPct: 75, horizonYears: 5, discountRateBp: 500 } });
  const ws = (await h.call('POST', '/v1/workstreams', { token: h.tokens.admin, body: workstreamBody() })).body;
  projectId = (await h.call('POST', '/v1/projects', { token: h.tokens.pm, body: projectBody(ws.id) })).body.id;
  const benefit = await h.call('POST', `/v1/projects/${projectId}/benefits`, {
    token: h.tokens.pm,
    body: { title: 'Saving', type: 'cashable-saving', category: 'transformation', recurrence: 'recurring', mtfsRef: 'P-1', owner: 'Owner', confidencePct: 90 },
  });
  await h.call('PUT', `/v1/projects/${projectId}/benefits/${benefit.body.id}/forecast`, {
    token: h.tokens.pm,
    body: { months: { '2025-10': 1_000_000, '2026-10': 1_000_000 } },
  });
});
afterAll(async () => {
  await h.cleanup();
});

async function projectPage() {
  const signIn = await h.app.request('/sign-in', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'http://localhost' },
    body: new URLSearchParams({ token: h.tokens.cmt, next: '/' }).toString(),
  });
  const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
  const html = await (await h.app.request(`/projects/${projectId}`, { headers: { Cookie: cookie } })).text();
  const figure = (name: string) => new RegExp(`data-figure="${name}">([^<]*)<`).exec(html)?.[1];
  return { html, figure };
}

describe("the project page's payback and NPV", () => {
  it('say there is no investment to pay back, and name the rate the NPV was discounted at', async () => {
    const { html, figure } = await projectPage();
    const { figures } = (await h.call('GET', `/v1/projects/${projectId}`, { token: h.tokens.cmt })).body;
    expect(figures.paybackFinancialYear).toBeNull();
    expect(figure('Payback')).toBe('No investment to pay back');
    expect(html).toContain(`NPV (${figures.horizon[0]}–${figures.horizon.at(-1)}, 5%)`);
    expect(figure('NPV')).toBe(formatPounds(figures.npvPence));
    // Discounted at the 5% set, not 3.5%: year 0 (2025/26) £10,000 undiscounted, then £20,000 a year (the recurring saving's two increments).
    expect(figures.npvPence).toBe(Math.round(1_000_000 + [1, 2, 3, 4].reduce((a, t) => a + 2_000_000 / 1.05 ** t, 0)));
  });

  it('say a payback not within 30 years once there is investment the savings never repay', async () => {
    await h.call('POST', `/v1/projects/${projectId}/investments`, {
      token: h.tokens.pm,
      body: { title: 'Build', kind: 'capital', fundingSource: 'reserves', months: { '2025-05': 99_000_000_00 } },
    });
    const { figure } = await projectPage();
    expect(figure('Payback')).toBe('Not within 30 years');
  });
});
