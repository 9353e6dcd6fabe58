import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as svc from '@bt/services';
import { createHarness, expectProblem, projectBody, workstreamBody, type Harness } from '../support/harness.ts';

/**
 * The pages' forms (SPEC 6 "Pages", issue 18) through the app, as a browser
 * sends them: the monthly return and the validation queue. Each checks what
 * was stored, not only what the page said. (The Chromium tests in
 * test/e2e/pages.test.ts click the same forms in a real browser.)
 */
let h: Harness;
const ORIGIN = 'http://localhost';
const ids = {} as { ws: string; p: string; a: string; b: string; risk: string; ms: string };
const OPEN = ['2026-10', '2026-11', '2026-12', '2027-01', '2027-02', '2027-03'];

async function ok(method: string, path: string, token: string, body?: unknown) {
  const r = await h.call(method, path, { token, ...(body === undefined ? {} : { body }) });
  expect(r.status, `${method} ${path}: ${JSON.stringify(r.body)}`).toBeLessThan(300);
  return r.body;
}

/** A signed-in browser: its session cookie, and GET/POST as a page would. */
async function browser(token: string) {
  const res = await h.app.request('/sign-in', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: ORIGIN },
    body: new URLSearchParams({ token, next: '/' }).toString(),
  });
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  const get = async (path: string) => {
    const r = await h.app.request(path, { headers: { Cookie: cookie } });
    return { status: r.status, html: await r.text() };
  };
  const post = async (path: string, form: [string, string][] | Record<string, string>) => {
    const r = await h.app.request(path, {
      method: 'POST',
      headers: { Cookie: cookie, Origin: ORIGIN, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
    return { status: r.status, location: r.headers.get('location'), html: await r.text() };
  };
  return { get, post };
}

const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1]!;
const hiddenSeen = (html: string) => Object.fromEntries([...html.matchAll(/name="(seen\.[^"]+)" value="([\w-]+)"/g)].map((m) => [m[1]!, m[2]!]));
const inputValue = (html: string, name: string) => new RegExp(`name="${name.replaceAll('.', '\\.')}"[^>]*value="([^"]*)"`).exec(html)?.[1];
const errorSummary = (html: string) => [...html.matchAll(/<li><a href="#([^"]+)">([^<]+)<\/a><\/li>/g)].map((m) => [m[1], m[2]]);
/** The project record and its figures (without the instant it was read at). */
const record = async () => {
  const r = await ok('GET', `/v1/projects/${ids.p}`, h.tokens.admin);
  delete r.figures.knownAt;
  return r;
};

beforeAll(async () => {
  h = await createHarness({ pages: true });
  const t = h.tokens;
  ids.ws = (await ok('POST', '/v1/workstreams', t.admin, workstreamBody())).id;
  ids.p = (await ok('POST', '/v1/projects', t.admin, projectBody(ids.ws, { manager: 'pat' }))).id;
  const benefit = async (title: string) =>
    (
      await ok('POST', `/v1/projects/${ids.p}/benefits`, t.pm, {
        title,
        type: 'cashable-saving',
        category: 'transformation',
        recurrence: 'recurring',
        mtfsRef: title,
        owner: 'Owner',
        confidencePct: 80,
      })
    ).id;
  ids.a = await benefit('Fewer placements');
  ids.b = await benefit('Shared back office');
  await ok('PUT', `/v1/projects/${ids.p}/benefits/${ids.a}/baseline`, t.pm, { phased: [{ financialYear: '2026/27', amountPence: 12_000_000 }] });
  await ok('PUT', `/v1/projects/${ids.p}/benefits/${ids.a}/forecast`, t.pm, { phased: [{ financialYear: '2026/27', amountPence: 12_000_000 }] });
  ids.risk = (
    await ok('POST', `/v1/projects/${ids.p}/risks`, t.pm, { title: 'Market capacity', owner: 'Olu', likelihood: 2, impact: 3, mitigation: 'Framework' })
  ).id;
  ids.ms = (await ok('POST', `/v1/projects/${ids.p}/milestones`, t.pm, { title: 'Go live', dueDate: '2026-10-31' })).id;
  await ok('POST', '/v1/periods/2026-09/close', t.finance);
});
afterAll(async () => {
  await h.cleanup();
});

/** The whole return as the form sends it, with the given changes. */
async function returnForm(pm: Awaited<ReturnType<typeof browser>>, changes: Record<string, string>) {
  const page = await pm.get(`/projects/${ids.p}/return?financialYear=2026%2F27`);
  expect(page.status).toBe(200);
  const form: Record<string, string> = { _csrf: csrfOf(page.html), financialYear: '2026/27', ...hiddenSeen(page.html) };
  for (const b of [ids.a, ids.b]) for (const m of OPEN) form[`forecast.${b}.${m}`] = inputValue(page.html, `forecast.${b}.${m}`)!;
  form.deliveryConfidence = 'green';
  form[`risk.${ids.risk}.likelihood`] = '2';
  form[`risk.${ids.risk}.impact`] = '3';
  form[`milestone.${ids.ms}.completedDate`] = '';
  form.commentary = '';
  return { page, form: { ...form, ...changes } };
}

describe('the monthly return page', () => {
  it('shows the open months of each saving in pounds, and saves the whole return in one go with its audit entries (303 to the project)', async () => {
    const pm = await browser(h.tokens.pm);
    const { page, form } = await returnForm(pm, {
      [`forecast.${ids.a}.2026-10`]: '1,250.50',
      [`forecast.${ids.a}.2026-11`]: '£1250.5',
      [`forecast.${ids.b}.2027-03`]: '(25.00)',
      deliveryConfidence: 'amber',
      [`risk.${ids.risk}.likelihood`]: '4',
      [`milestone.${ids.ms}.completedDate`]: '30/10/2026',
      commentary: 'Two providers left the framework; re-tendering in January.',
    });
    // Only the open months are inputs; the closed ones are not offered.
    expect(inputValue(page.html, `forecast.${ids.a}.2026-10`)).toBe('10,000.00');
    expect(inputValue(page.html, `forecast.${ids.a}.2026-09`)).toBeUndefined();
    const before = await record();
    const saved = await pm.post(`/projects/${ids.p}/return`, form);
    expect(saved.status, saved.html.slice(0, 2000)).toBe(303);
    expect(saved.location).toBe(`/projects/${ids.p}?financialYear=2026%2F27&returned=1`);

    const after = await record();
    const a = after.benefits.find((b: { id: string }) => b.id === ids.a);
    expect(a.forecast['2026-10']).toBe(125_050);
    expect(a.forecast['2026-11']).toBe(125_050);
    expect(a.forecast['2026-12']).toBe(1_000_000);
    // A closed month's forecast is left as it was.
    expect(a.forecast['2026-09']).toBe(before.benefits.find((b: { id: string }) => b.id === ids.a).forecast['2026-09']);
    expect(a.forecastUpdatedBy).toBe('pat');
    expect(after.benefits.find((b: { id: string }) => b.id === ids.b).forecast).toEqual({ '2027-03': -2_500 });
    expect(after.deliveryConfidence).toBe('amber');
    expect(after.commentary).toBe('Two providers left the framework; re-tendering in January.');
    expect(after.lastReturnBy).toBe('pat');
    expect(after.risks[0]).toMatchObject({ likelihood: 4, impact: 3, score: 12, band: 'high' });
    expect(after.milestones[0].completedDate).toBe('2026-10-30');

    // One transaction: one instant for every audit entry, each marked as the return.
    const audit = (await ok('GET', `/v1/audit?projectId=${ids.p}&limit=200`, h.tokens.admin)).items.filter(
      (e: { action: string }) => e.action === 'monthly-return',
    );
    expect(audit.map((e: { entityType: string }) => e.entityType).sort()).toEqual(['benefit', 'benefit', 'milestone', 'project', 'risk']);
    expect(new Set(audit.map((e: { at: string }) => e.at)).size).toBe(1);

    // The project page says so, shows the commentary, and the workstream report quotes it beside the amber line.
    const shown = await pm.get(`/projects/${ids.p}?financialYear=2026%2F27&returned=1`);
    expect(shown.html).toContain('Monthly return submitted.');
    expect(shown.html).toContain('re-tendering in January');
    const ws = await pm.get(`/workstreams/${ids.ws}?financialYear=2026%2F27`);
    expect(ws.html).toMatch(
      /<td class="govuk-table__cell">amber<\/td>.*<td class="govuk-table__cell">Two providers left the framework; re-tendering in January\.<\/td><\/tr>/,
    );
    // The digest to CMT quotes it beside the amber line, in the HTML and the plain text.
    const preview = await h.call('GET', '/v1/digests/preview', { token: h.tokens.admin });
    expect(preview.status).toBe(200);
    expect(preview.body.text).toContain('AMBER AND RED PROJECTS');
    expect(preview.body.text).toContain('"Two providers left the framework; re-tendering in January."');
    expect(preview.body.html).toContain('<q>Two providers left the framework; re-tendering in January.</q>');
  });

  it('keeps what was typed and names every problem in the error summary, saving nothing', async () => {
    const pm = await browser(h.tokens.pm);
    const before = await record();
    const { form } = await returnForm(pm, {
      [`forecast.${ids.a}.2026-12`]: 'twelve',
      [`forecast.${ids.b}.2027-01`]: '',
      [`milestone.${ids.ms}.completedDate`]: '31/2/2026',
      deliveryConfidence: 'red',
      commentary: '',
    });
    const refused = await pm.post(`/projects/${ids.p}/return`, form);
    expect(refused.status).toBe(400);
    expect(errorSummary(refused.html)).toEqual([
      [`forecast-${ids.a}-2026-12`, 'The forecast for December 2026 of “Fewer placements” must be an amount in pounds, like 1,250.50'],
      [`forecast-${ids.b}-2027-01`, 'Enter the forecast for January 2027 of “Shared back office” in pounds (0 if none)'],
      [`milestone-${ids.ms}-completedDate`, 'The completion date of “Go live” must be a real date, like 27/3/2026'],
      ['commentary', 'Enter a commentary: at red say why, and what is being done about it'],
    ]);
    expect(inputValue(refused.html, `forecast.${ids.a}.2026-12`)).toBe('twelve');
    expect(refused.html).toMatch(/value="red" checked/);
    expect(await record()).toEqual(before);
  });

  it('refuses a return opened before someone else changed its forecasts (409), overwriting nothing; an actual recorded meanwhile does not count', async () => {
    const pm = await browser(h.tokens.pm);
    const { form } = await returnForm(pm, { [`forecast.${ids.a}.2027-01`]: '5' });
    // Meanwhile finance records an actual on the saving (its ledger totals move, its forecast does not) ...
    await ok('POST', `/v1/projects/${ids.p}/benefits/${ids.a}/actuals`, h.tokens.finance, { month: '2026-10', amountPence: 1_000, note: 'Oct' });
    // ... and an admin changes its forecast through the API.
    await ok('PUT', `/v1/projects/${ids.p}/benefits/${ids.a}/forecast`, h.tokens.admin, { months: { '2027-01': 777_700 } });
    const before = await record();
    const refused = await pm.post(`/projects/${ids.p}/return`, form);
    expect(refused.status).toBe(409);
    expect(refused.html).toContain('Changed since this return was opened: the forecast of &quot;Fewer placements&quot; (by ada at ');
    expect(refused.html).not.toContain('Shared back office&quot; (by');
    expect(await record()).toEqual(before);
    // The form again carries the marks of now, and what was typed; resubmitted, it saves over the admin's change knowingly.
    expect(inputValue(refused.html, `forecast.${ids.a}.2027-01`)).toBe('5');
    const again = Object.fromEntries([...Object.entries(form).filter(([k]) => !k.startsWith('seen.')), ...Object.entries(hiddenSeen(refused.html))]);
    expect((await pm.post(`/projects/${ids.p}/return`, again)).status).toBe(303);
    expect((await record()).benefits.find((b: { id: string }) => b.id === ids.a).forecast['2027-01']).toBe(500);
  });

  it('saves a return opened before an actual was recorded on its saving (the ledger is not what it writes)', async () => {
    const pm = await browser(h.tokens.pm);
    const { form } = await returnForm(pm, { [`forecast.${ids.a}.2027-02`]: '7' });
    await ok('POST', `/v1/projects/${ids.p}/benefits/${ids.a}/actuals`, h.tokens.finance, { month: '2026-10', amountPence: 2_000, note: 'Oct more' });
    expect((await pm.post(`/projects/${ids.p}/return`, form)).status).toBe(303);
    expect((await record()).benefits.find((b: { id: string }) => b.id === ids.a).forecast['2027-02']).toBe(700);
  });

  it('is refused to a wrong role and to a form without its CSRF token, changing nothing', async () => {
    const before = await record();
    for (const token of [h.tokens.finance, h.tokens.otherPm, h.tokens.cmt]) {
      const b = await browser(token);
      expect((await b.get(`/projects/${ids.p}/return`)).status).toBe(403);
      const page = await b.get('/validation');
      expect((await b.post(`/projects/${ids.p}/return`, { _csrf: csrfOf(page.html), deliveryConfidence: 'red', financialYear: '2026/27' })).status).toBe(403);
    }
    const pm = await browser(h.tokens.pm);
    const { form } = await returnForm(pm, { deliveryConfidence: 'red', commentary: 'no token' });
    const { _csrf, ...withoutToken } = form;
    expect((await pm.post(`/projects/${ids.p}/return`, withoutToken)).status).toBe(403);
    expect((await pm.post(`/projects/${ids.p}/return`, { ...withoutToken, _csrf: 'x'.repeat(43) })).status).toBe(403);
    expect(await record()).toEqual(before);
  });
});

describe('the monthly return, as a use case', () => {
  const pat = () => ({ principal: { sub: 'pat', name: 'Pat', roles: ['programme-manager' as const] }, requestId: 'test' });
  it('refuses the whole return for a closed month, another project’s risk or a milestone completed tomorrow, naming each field', async () => {
    const before = await record();
    const error = await svc
      .submitMonthlyReturn(h.deps, pat(), ids.p, {
        financialYear: '2026/27',
        forecasts: { [ids.a]: { '2026-09': 1, '2026-10': 2 } },
        deliveryConfidence: 'green',
        risks: { rsk_01JD6ZQ4T5N3W8R2X7C9V1B0KM: { likelihood: 1, impact: 1 } },
        milestones: { [ids.ms]: { completedDate: '2026-11-24' } },
        seen: {},
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      status: 422,
      code: 'return-invalid',
      errors: [
        { path: `forecasts.${ids.a}.2026-09`, message: expect.stringContaining('closed') },
        { path: 'risks.rsk_01JD6ZQ4T5N3W8R2X7C9V1B0KM', message: expect.stringContaining('is not a risk of project') },
        { path: `milestones.${ids.ms}.completedDate`, message: 'is in the future (today is 2026-11-23)' },
      ],
    });
    expect(await record()).toEqual(before);
  });
});

describe('the monthly return, through the API', () => {
  it('takes the same return as JSON (POST /v1/projects/{id}/monthly-return): 200 with the record, 403 to a wrong role, 400 for a malformed one, 409 when stale', async () => {
    const path = `/v1/projects/${ids.p}/monthly-return`;
    const body = { financialYear: '2026/27', forecasts: { [ids.b]: { '2026-12': 33_300 } }, deliveryConfidence: 'amber-green' };
    for (const token of [h.tokens.finance, h.tokens.otherPm, h.tokens.cmt]) expectProblem(await h.call('POST', path, { token, body }), 403);
    expectProblem(await h.call('POST', path, { token: h.tokens.pm, body: { ...body, deliveryConfidence: 'purple' } }), 400);
    expectProblem(await h.call('POST', path, { token: h.tokens.pm, body: { ...body, seen: { [ids.b]: 'not-the-mark' } } }), 409, 'return-stale');
    const saved = await h.call('POST', path, { token: h.tokens.pm, body });
    expect(saved.status).toBe(200);
    expect(saved.body.deliveryConfidence).toBe('amber-green');
    expect(saved.body.benefits.find((b: { id: string }) => b.id === ids.b).forecast).toEqual({ '2026-12': 33_300 });
    expect(saved.headers.get('etag')).toBe(`"${saved.body.version}"`);
  });
});

describe('the validation page', () => {
  const queue = async () =>
    (await ok('GET', `/v1/actuals?validated=false&projectId=${ids.p}`, h.tokens.finance)).items as { id: string; validated?: boolean }[];

  it('validates the ticked entries together (303), refuses finance’s own entry with nothing validated, and needs a tick', async () => {
    const e1 = await ok('POST', `/v1/projects/${ids.p}/benefits/${ids.a}/actuals`, h.tokens.pm, {
      month: '2026-10',
      amountPence: 40_000,
      note: 'Oct invoices',
    });
    const e2 = await ok('POST', `/v1/projects/${ids.p}/benefits/${ids.b}/actuals`, h.tokens.pm, { month: '2026-10', amountPence: 10_000, note: 'Oct payroll' });
    const own = await ok('POST', `/v1/projects/${ids.p}/benefits/${ids.b}/actuals`, h.tokens.finance, {
      month: '2026-10',
      amountPence: 5_000,
      note: 'Journal',
    });
    const fin = await browser(h.tokens.finance);
    const page = await fin.get('/validation');
    expect(page.status).toBe(200);
    expect(page.html).toContain(`value="${e1.id}"`);
    expect(page.html).not.toContain(`value="${own.id}"`);
    const token = csrfOf(page.html);

    const none = await fin.post('/validation', { _csrf: token });
    expect(none.status).toBe(400);
    expect(errorSummary(none.html)).toEqual([['ids', 'Tick the entries to validate']]);

    const withOwn = await fin.post('/validation', [
      ['_csrf', token],
      ['ids', e1.id],
      ['ids', own.id],
    ]);
    expect(withOwn.status).toBe(403);
    expect(withOwn.html).toMatch(/Segregation of duties/);
    expect(withOwn.html).toMatch(new RegExp(`value="${e1.id}" checked`));
    expect((await queue()).map((q) => q.id)).toEqual(expect.arrayContaining([e1.id, e2.id, own.id]));

    const noToken = await fin.post('/validation', [['ids', e1.id]]);
    expect(noToken.status).toBe(403);
    expect((await queue()).map((q) => q.id)).toContain(e1.id);

    const done = await fin.post('/validation', [
      ['_csrf', token],
      ['ids', e1.id],
      ['ids', e2.id],
    ]);
    expect(done.status).toBe(303);
    expect(done.location).toBe('/validation?validated=2');
    const left = (await queue()).map((q) => q.id);
    expect(left).toContain(own.id);
    expect(left).not.toContain(e1.id);
    expect(left).not.toContain(e2.id);
    const a = (await record()).benefits.find((b: { id: string }) => b.id === ids.a);
    expect(a.validated['2026-10']).toBe(40_000);

    // A programme manager sees the queue of their own entries, without the ticks.
    const pm = await browser(h.tokens.pm);
    const pmPage = await pm.get('/validation');
    expect(pmPage.status).toBe(200);
    expect(pmPage.html).not.toContain('name="ids"');
    expect(
      (
        await pm.post('/validation', [
          ['_csrf', csrfOf(pmPage.html)],
          ['ids', own.id],
        ])
      ).status,
    ).toBe(403);
  });

  it('raises a query the recorder sees and answers on the same page', async () => {
    const entry = await ok('POST', `/v1/projects/${ids.p}/benefits/${ids.a}/actuals`, h.tokens.pm, { month: '2026-11', amountPence: 9_900, note: 'Nov' });
    const fin = await browser(h.tokens.finance);
    const form = await fin.get(`/validation?query=${entry.id}`);
    expect(form.html).toContain(`action="/validation/actual/${entry.id}/query"`);
    const fields = { _csrf: csrfOf(form.html), projectId: ids.p, parentId: ids.a };
    const blank = await fin.post(`/validation/actual/${entry.id}/query`, { ...fields, note: '  ' });
    expect(blank.status).toBe(400);
    expect(errorSummary(blank.html)).toEqual([['note', 'Enter the query (at most 1,000 characters)']]);
    const raised = await fin.post(`/validation/actual/${entry.id}/query`, { ...fields, note: 'Which invoices?' });
    expect(raised.status).toBe(303);

    const pm = await browser(h.tokens.pm);
    const mine = await pm.get('/validation');
    expect(mine.html).toContain('Which invoices?');
    expect(mine.html).toContain(`href="/validation?answer=${entry.id}"`);
    const answerPage = await pm.get(`/validation?answer=${entry.id}`);
    // Finance cannot answer its own query for the recorder.
    expect((await fin.post(`/validation/actual/${entry.id}/answer`, { ...fields, note: 'self' })).status).toBe(403);
    const answered = await pm.post(`/validation/actual/${entry.id}/answer`, {
      _csrf: csrfOf(answerPage.html),
      projectId: ids.p,
      parentId: ids.a,
      note: 'INV-1 to INV-4',
    });
    expect(answered.status).toBe(303);
    const row = (await ok('GET', `/v1/actuals?validated=false&projectId=${ids.p}`, h.tokens.finance)).items.find((q: { id: string }) => q.id === entry.id);
    expect(row.query).toMatchObject({ note: 'Which invoices?', raisedBy: 'fin', answer: 'INV-1 to INV-4', answeredBy: 'pat' });
    expect(row.queryOpen).toBe(false);
  });
});
