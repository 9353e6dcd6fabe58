/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatPounds, type Role } from '@bt/core';
import ExcelJS from 'exceljs';
import type { Browser, Page } from 'playwright-core';
import { accessibilityViolations, launchChromium } from '../support/browser.ts';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadLocalConfig } from '../../packages/local/src/config.ts';
import { runAlertJob, runDigestJob } from '../../packages/local/src/schedules.ts';
import { startLocal, type LocalRun } from '../../packages/local/src/server.ts';
import { makeToken } from '../../packages/local/src/token.ts';

/**
 * The pages as a person uses them: the local run with the demo programme,
 * Debian's Chromium (playwright-core, no browser download), key numbers on
 * screen checked against the API, screenshots, and axe-core for accessibility.
 */
const out = join(import.meta.dirname, '..', '..', 'test-results');
const dataDir = mkdtempSync(join(tmpdir(), 'bt-pages-'));
let run: LocalRun;
let browser: Browser;
let page: Page;
let token: string;
let config: ReturnType<typeof loadLocalConfig>;

beforeAll(async () => {
  config = loadLocalConfig({
    DATA_DIR: dataDir,
    PORT: '0',
    LOCAL_JWT_SECRET: 'pages-test-secret-0123456789abcdef012345',
    SCHEDULES: 'false',
    SEED_DEMO: 'true',
    // The run's DynamoDB Local, a table of its own: the first start seeds the demo into it, as on a new machine.
    DYNAMODB_ENDPOINT: inject('dynamoEndpoint'),
    TABLE_NAME: `pages-${randomUUID()}`,
  });
  run = await startLocal(config);
  await runAlertJob(run.deps, run.sink);
  await runDigestJob(run.deps, run.sink, { settings: config.digest, mailer: run.mailer });
  token = await makeToken(config.jwtSecret, { sub: 'chief', name: 'Chief Executive', roles: ['cmt'] });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  mkdirSync(out, { recursive: true });
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await run?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const api = async (path: string) => (await fetch(`${run.url}${path}`, { headers: { Authorization: `Bearer ${token}` } })).json() as Promise<any>;

describe('the pages', () => {
  const signInAs = async (sub: string, roles: Role[]) => {
    await page.goto(`${run.url}/sign-out`);
    await page.fill('#token', await makeToken(config.jwtSecret, { sub, name: sub, roles }));
    await page.click('button[type=submit]');
  };
  const asUser = async (sub: string, roles: Role[]) => makeToken(config.jwtSecret, { sub, roles });
  const apiAs = async (bearer: string, path: string, init: { method?: string; body?: unknown } = {}) => {
    const res = await fetch(`${run.url}${path}`, {
      method: init.method ?? 'GET',
      headers: { Authorization: `Bearer ${bearer}`, ...(init.body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    return { status: res.status, body: (await res.json()) as any };
  };

  it('send a visitor without a token to sign in, and sign them in with one', async () => {
    await page.goto(`${run.url}/`);
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: join(out, 'page-sign-in.png') });
    await page.fill('#token', 'not-a-token');
    await page.click('button[type=submit]');
    expect(await page.textContent('.govuk-error-summary')).toContain('There is a problem');
    await page.fill('#token', token);
    await page.click('button[type=submit]');
    expect(new URL(page.url()).pathname).toBe('/');
  });

  it('show the programme overview with the API’s figures, a chart and its table', async () => {
    const report = await api('/v1/reports/programme');
    await page.goto(`${run.url}/`);
    for (const [label, key] of [
      ['MTFS target', 'mtfsTargetPence'],
      ['Forecast', 'forecastPence'],
      ['Forecast outturn', 'outturnPence'],
      ['Risk-adjusted outturn', 'riskAdjustedOutturnPence'],
      ['Realised to date', 'realisedPence'],
      ['Gap to MTFS target', 'gapPence'],
      ['Pipeline (not yet approved)', 'pipelinePence'],
      ['Net revenue budget', 'netBudgetPence'],
    ] as const) {
      const value = report.programme[key];
      expect(await page.textContent(`[data-figure="${label}"]`)).toBe(value === null ? '–' : formatPounds(value));
    }
    // The current FY, with a link to each earlier year of the programme (its target runs from 2023/24).
    for (const fy of ['2023/24', '2024/25', '2025/26']) expect(await page.locator('nav[aria-label="Financial years"] a', { hasText: fy }).count(), fy).toBe(1);
    expect(await page.textContent('nav[aria-label="Financial years"] [aria-current=page]')).toBe(report.financialYear);
    expect(await page.locator('svg[role=img]').count()).toBeGreaterThan(0);
    expect(await page.locator('table caption', { hasText: 'Workstreams' }).count()).toBe(1);
    expect(await page.locator('table caption', { hasText: 'Headline figures in each digest sent' }).count()).toBe(1);
    // The demo's twelve weekly digests: realised to date rises week by week.
    const trend = page.locator('table:has(caption:has-text("Headline figures in each digest sent")) tbody tr');
    expect(await trend.count()).toBe(12);
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: join(out, 'page-overview.png'), fullPage: true });
    // The button downloads the monthly monitoring pack, whose summary carries the same target.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=monitoring-pack]')]);
    expect(download.suggestedFilename()).toMatch(/^monitoring-pack-\d{4}-\d{2}-\d{4}-\d{2}-\d{2}\.xlsx$/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile((await download.path())!);
    const summary = wb.getWorksheet('Summary')!;
    expect(summary.getCell('A5').value).toBe('MTFS target');
    expect(Math.round((summary.getCell('B5').value as number) * 100)).toBe(report.programme.mtfsTargetPence);
    // 2023/24: the worked example's delivery rate.
    await page.goto(`${run.url}/?financialYear=2023%2F24`);
    expect(await page.textContent('main')).toContain('87.6%');
  });

  it('show a workstream and a project with its charts, risk matrix, milestones and audit trail', async () => {
    const report = await api('/v1/reports/programme');
    const ws = report.workstreams.find((w: { code: string }) => w.code === 'ICT');
    await page.goto(`${run.url}/workstreams/${ws.id}`);
    expect(await page.textContent('[data-figure="Forecast"]')).toBe(formatPounds(ws.forecastPence));
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.click('a:has-text("ICT-01")');
    const projectId = new URL(page.url()).pathname.split('/').pop()!;
    const project = await api(`/v1/projects/${projectId}`);
    expect(await page.textContent('[data-figure="NPV"]')).toBe(formatPounds(project.figures.npvPence));
    expect(await page.textContent('[data-figure="Payback"]')).toBe(project.figures.paybackFinancialYear ?? 'Not within 30 years');
    expect(await page.locator('caption', { hasText: 'Open risks by likelihood' }).count()).toBe(1);
    expect(await page.textContent('main')).toContain('Overdue');
    expect(await page.textContent('main')).toContain('Your role does not include the audit trail');
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: join(out, 'page-project.png'), fullPage: true });
    // A programme manager sees the project's audit trail.
    const pm = await makeToken(config.jwtSecret, { sub: 'pat', roles: ['programme-manager'] });
    await page.goto(`${run.url}/sign-out`);
    await page.fill('#token', pm);
    await page.click('button[type=submit]');
    await page.goto(`${run.url}/projects/${projectId}`);
    expect(await page.locator('caption', { hasText: 'The latest changes' }).count()).toBe(1);
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.goto(`${run.url}/sign-out`);
    await page.fill('#token', token);
    await page.click('button[type=submit]');
  });

  it('show the figures as at a past date with the "figures as at" control, and the movement since then with its causes', async () => {
    // A date before this FY's first quarter was recorded: the demo's actuals for June come in on 5 July.
    const fy = (await api('/v1/reports/programme')).financialYear as string;
    const then = `${fy.slice(0, 4)}-07-01`;
    const past = await api(`/v1/reports/programme?asAt=${then}`);
    const now = await api('/v1/reports/programme');
    expect(past.programme.realisedPence).toBeLessThan(now.programme.realisedPence);
    await page.goto(`${run.url}/`);
    await page.fill('#asAt', then);
    await page.click('[data-testid=as-at] button');
    expect(new URL(page.url()).searchParams.get('asAt')).toBe(then);
    expect(await page.textContent('[data-figure="Realised to date"]')).toBe(formatPounds(past.programme.realisedPence));
    expect(await page.textContent('[data-testid=as-at]')).toContain('As known at');
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: join(out, 'page-overview-as-at.png'), fullPage: true });

    const movement = await api(`/v1/reports/programme/movement?from=${then}`);
    await page.click('a.govuk-service-navigation__link:has-text("Movement")');
    await page.fill('#from', then);
    await page.click('[data-testid=movement-form] button');
    const rows = page.locator('[data-testid=movement-programme] tbody tr');
    expect(await rows.count()).toBe(4);
    const realisedChange = movement.programme.change.realisedPence as number;
    expect(await rows.nth(2).textContent()).toContain(formatPounds(Math.abs(realisedChange)));
    // The causes behind it: actuals recorded since then, each with who and when.
    expect(
      movement.workstreams
        .flatMap((w: { projects: { causes: { kind: string }[] }[] }) => w.projects.flatMap((p) => p.causes))
        .some((c: { kind: string }) => c.kind === 'actual'),
    ).toBe(true);
    await page.locator('details summary').first().click();
    expect(await page.locator('details table').first().textContent()).toContain('demo-finance-officer');
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: join(out, 'page-movement.png'), fullPage: true });
  });

  it('let finance approve a change request with a note at /changes (CSRF token, error summary, 303), and refuse the requester, the wrong role and a form without the token', async () => {
    // The demo's project manager asks to write a saving out (its project is approved: a change request).
    const pmToken = await makeToken(config.jwtSecret, { sub: 'demo-pm', roles: ['programme-manager'] });
    const report = await api('/v1/reports/programme');
    const ws = report.workstreams.find((w: { code: string }) => w.code === 'ICT');
    const projects = (await api(`/v1/projects?workstreamId=${ws.id}`)).items as { id: string; code: string }[];
    const record = await api(`/v1/projects/${projects[0]!.id}`);
    const benefit = record.benefits.find((b: { status: string }) => b.status === 'active');
    const asked = await fetch(`${run.url}/v1/projects/${record.id}/benefits/${benefit.id}`, {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${pmToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ status: 'withdrawn', reason: 'Supplier withdrew' }),
    });
    expect(asked.status).toBe(202);
    const request = await asked.json();
    const requestNow = async () =>
      (await (await fetch(`${run.url}/v1/changes/${request.id}`, { headers: { Authorization: `Bearer ${token}` } })).json()) as { status: string };

    // The requester sees it, but no form to decide it.
    await signInAs('demo-pm', ['programme-manager']);
    await page.goto(`${run.url}/changes`);
    expect(await page.locator(`[data-testid="decide-${request.id}"]`).count()).toBe(0);
    expect(await page.textContent('[data-testid=changes]')).toContain('Supplier withdrew');
    // Posting anyway, with the session's own token, is refused and changes nothing.
    const session = (await page.context().cookies()).find((c) => c.name === 'bt_session')!.value;
    const csrf = createHash('sha256').update(`csrf:${session}`).digest('base64url');
    const forged = await page.request.post(`${run.url}/changes/${request.id}`, {
      form: { _csrf: csrf, note: 'My own', decision: 'approve' },
      headers: { Origin: run.url },
    });
    expect(forged.status()).toBe(403);
    expect((await requestNow()).status).toBe('pending');

    // Finance: a form without the token is refused, nothing changed.
    await signInAs('fin-page', ['finance']);
    const noToken = await page.request.post(`${run.url}/changes/${request.id}`, {
      form: { note: 'Agreed', decision: 'approve' },
      headers: { Origin: run.url },
    });
    expect(noToken.status()).toBe(403);
    expect(await noToken.text()).toContain('Nothing was changed');
    expect((await requestNow()).status).toBe('pending');

    // A blank note: the error summary, the form kept; then approved with a note: 303 back to the list.
    await page.goto(`${run.url}/changes`);
    const form = page.locator(`[data-testid="decide-${request.id}"]`);
    await form.locator('button[value=approve]').click();
    expect(await page.textContent('.govuk-error-summary')).toContain('Enter a note saying why');
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.fill(`#note-${request.id}`, 'Agreed at the finance review');
    await page.locator(`[data-testid="decide-${request.id}"] button[value=approve]`).click();
    expect(new URL(page.url()).searchParams.get('decided')).toBe(request.id);
    expect(await page.textContent('[data-testid=decided]')).toContain(request.id);
    expect(await requestNow()).toMatchObject({ status: 'approved', decidedBy: 'fin-page', decisionNote: 'Agreed at the finance review' });
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.goto(`${run.url}/changes?status=approved`);
    await page.screenshot({ path: join(out, 'page-changes.png'), fullPage: true });
    await signInAs('chief', ['cmt']);
  });

  it('let a project’s manager fill in the monthly return (forecasts in pounds, confidence, risks, milestones, commentary), and refuse a wrong role and a form without the token', async () => {
    const projects = (await api('/v1/projects?limit=100')).items as { id: string; code: string }[];
    const cus = projects.find((p) => p.code === 'CUS-01')!;
    const before = await api(`/v1/projects/${cus.id}`);
    const benefit = before.benefits.find((b: { status: string }) => b.status === 'active');
    // The first open month of this FY (the return's default year).
    const periods = (await api('/v1/periods')) as { financialYear: string; months: { month: string; status: string }[] };
    const fy = periods.financialYear;
    const month = periods.months.find((p) => p.status === 'open')!.month;

    // CMT reads the project but has no return to fill in; the URL answers 403 with a page.
    await page.goto(`${run.url}/projects/${cus.id}`);
    expect(await page.locator('[data-testid=return-link]').count()).toBe(0);
    const refused = await page.goto(`${run.url}/projects/${cus.id}/return`);
    expect(refused?.status()).toBe(403);

    await signInAs('demo-pm', ['programme-manager']);
    await page.goto(`${run.url}/projects/${cus.id}`);
    await page.click('[data-testid=return-link]');
    expect(new URL(page.url()).pathname).toBe(`/projects/${cus.id}/return`);
    expect(await accessibilityViolations(page)).toEqual([]);
    const input = `#forecast-${benefit.id}-${month}`;
    // Wrong: words for money, red with no commentary. The error summary names both, and what was typed stays.
    await page.fill(input, 'about two grand');
    await page.check('#deliveryConfidence-red');
    await page.fill('#commentary', '');
    await page.click('button:has-text("Submit the return")');
    const summary = await page.textContent('.govuk-error-summary');
    expect(summary).toContain('must be an amount in pounds, like 1,250.50');
    expect(summary).toContain('Enter a commentary: at red');
    expect(await page.inputValue(input)).toBe('about two grand');
    expect(await page.isChecked('#deliveryConfidence-red')).toBe(true);
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: join(out, 'page-return-errors.png'), fullPage: true });
    // The error summary's link takes you to the field.
    await page.click(`.govuk-error-summary a[href="#forecast-${benefit.id}-${month}"]`);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe(`forecast-${benefit.id}-${month}`);
    expect((await api(`/v1/projects/${cus.id}`)).version).toBe(before.version);

    // Right: pounds as finance writes them, and a commentary; 303 to the project, which shows it.
    await page.fill(input, '£1,250.50');
    await page.fill('#commentary', 'Channel shift is slower than planned; a push on online council tax forms starts next month.');
    await page.click('button:has-text("Submit the return")');
    expect(new URL(page.url()).pathname).toBe(`/projects/${cus.id}`);
    expect(await page.textContent('[data-testid=returned]')).toContain('Monthly return submitted');
    expect(await page.textContent('[data-testid=commentary]')).toContain('Channel shift is slower than planned');
    const after = await api(`/v1/projects/${cus.id}`);
    expect(after.benefits.find((b: { id: string }) => b.id === benefit.id).forecast[month]).toBe(125_050);
    expect(after).toMatchObject({ deliveryConfidence: 'red', lastReturnBy: 'demo-pm' });
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: join(out, 'page-project-after-return.png'), fullPage: true });

    // A form without the token: 403, nothing changed.
    const noToken = await page.request.post(`${run.url}/projects/${cus.id}/return`, {
      form: { financialYear: fy, deliveryConfidence: 'green', [`forecast.${benefit.id}.${month}`]: '1' },
      headers: { Origin: run.url },
    });
    expect(noToken.status()).toBe(403);
    expect((await api(`/v1/projects/${cus.id}`)).version).toBe(after.version);
    await signInAs('chief', ['cmt']);
  });

  it('let finance validate ticked entries and query one at /validation, the recorder answer it, and refuse a wrong role and a form without the token', async () => {
    const projects = (await api('/v1/projects?limit=100')).items as { id: string; code: string }[];
    const nbw = projects.find((p) => p.code === 'NBW-01')!;
    const record = await api(`/v1/projects/${nbw.id}`);
    const benefit = record.benefits.find((b: { status: string }) => b.status === 'active');
    const month = ((await api('/v1/periods')).months as { month: string; status: string }[]).find((p) => p.status === 'open')!.month;
    const pm = await asUser('demo-pm', ['programme-manager']);
    const record1 = await apiAs(pm, `/v1/projects/${nbw.id}/benefits/${benefit.id}/actuals`, {
      method: 'POST',
      body: { month, amountPence: 41_000, note: 'Reduced agency invoices (browser test)' },
    });
    const record2 = await apiAs(pm, `/v1/projects/${nbw.id}/benefits/${benefit.id}/actuals`, {
      method: 'POST',
      body: { month, amountPence: 9_000, note: 'Mileage claims down (browser test)' },
    });
    expect([record1.status, record2.status]).toEqual([201, 201]);
    const [e1, e2] = [record1.body, record2.body];

    await signInAs('fin-page', ['finance']);
    await page.goto(`${run.url}/validation`);
    expect(await page.textContent('[data-testid=queue]')).toContain('Reduced agency invoices (browser test)');
    expect(await accessibilityViolations(page)).toEqual([]);
    // Nothing ticked: the error summary.
    await page.click('button:has-text("Validate the ticked entries")');
    expect(await page.textContent('.govuk-error-summary')).toContain('Tick the entries to validate');
    // A form without the token: 403, nothing validated.
    const noToken = await page.request.post(`${run.url}/validation`, { form: { ids: e1.id }, headers: { Origin: run.url } });
    expect(noToken.status()).toBe(403);
    const queue = async () => ((await api(`/v1/actuals?validated=false&projectId=${nbw.id}&limit=200`)).items as { id: string }[]).map((q) => q.id);
    expect(await queue()).toContain(e1.id);
    await page.check(`#ids-${e1.id}`);
    await page.click('button:has-text("Validate the ticked entries")');
    expect(await page.textContent('[data-testid=validated]')).toContain('1 entry validated');
    expect(await queue()).not.toContain(e1.id);

    // A query on the other: the recorder sees it and answers.
    await page.click(`a[href="/validation?query=${e2.id}"]`);
    await page.fill('#note', 'Which claims? Attach the mileage report.');
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.click('button:has-text("Raise the query")');
    expect(await page.textContent('[data-testid=noted]')).toContain(e2.id);
    await page.screenshot({ path: join(out, 'page-validation.png'), fullPage: true });

    // CMT may read the queue but not validate: a forged POST with its own token is refused.
    await signInAs('chief', ['cmt']);
    await page.goto(`${run.url}/validation`);
    const session = (await page.context().cookies()).find((c) => c.name === 'bt_session')!.value;
    const csrf = createHash('sha256').update(`csrf:${session}`).digest('base64url');
    const wrongRole = await page.request.post(`${run.url}/validation`, { form: { _csrf: csrf, ids: e2.id }, headers: { Origin: run.url } });
    expect(wrongRole.status()).toBe(403);
    expect(await queue()).toContain(e2.id);

    await signInAs('demo-pm', ['programme-manager']);
    await page.goto(`${run.url}/validation`);
    expect(await page.textContent('[data-testid=queue]')).toContain('Which claims? Attach the mileage report.');
    await page.click(`a[href="/validation?answer=${e2.id}"]`);
    await page.fill('#note', 'Claims MC-114 to MC-120; report attached to the finance ticket.');
    await page.click('button:has-text("Send the answer")');
    expect(await page.textContent('[data-testid=noted]')).toContain(e2.id);
    const row = (await api(`/v1/actuals?validated=false&projectId=${nbw.id}&limit=200`)).items.find((q: { id: string }) => q.id === e2.id);
    expect(row.query).toMatchObject({ raisedBy: 'fin-page', answeredBy: 'demo-pm' });
    expect(await accessibilityViolations(page)).toEqual([]);
    await signInAs('chief', ['cmt']);
  });

  it("show a project's years as links, each saving's actuals ledger with evidence and validation, and replacement lineage both ways", async () => {
    const projects = (await api('/v1/projects?limit=100')).items as { id: string; code: string }[];
    const asc = projects.find((p) => p.code === 'ASC-02')!;
    const record = await api(`/v1/projects/${asc.id}`);
    const original = record.benefits.find((b: { title: string }) => b.title === 'Day-centre consolidation');
    const replacement = record.benefits.find((b: { title: string }) => b.title === 'Shared Lives expansion');
    await page.goto(`${run.url}/projects/${asc.id}`);
    // Every FY of the project, each a link but the one shown.
    const shown = (await api('/v1/reports/programme')).financialYear as string;
    const years = Object.keys(record.figures.byYear).filter((y) => y !== shown);
    expect(await page.locator('nav[aria-label="Financial years of the project"] a').count()).toBe(years.length);
    expect(await page.textContent(`[data-testid="lineage-${original.id}"]`)).toContain('Replaced by Shared Lives expansion');
    expect(await page.textContent(`[data-testid="lineage-${replacement.id}"]`)).toContain('Replaces Day-centre consolidation');
    const ledger = await api(`/v1/projects/${asc.id}/benefits/${replacement.id}/actuals?limit=200`);
    expect(ledger.items.length).toBeGreaterThan(0);
    const text = await page.locator('table', { hasText: 'Shared Lives expansion: actuals with their evidence and validation' }).textContent();
    expect(text).toContain(ledger.items[0].note);
    expect(text).toContain('demo-finance-manager');
    expect(await accessibilityViolations(page)).toEqual([]);
  });

  it('list alerts with filters that work without JavaScript', async () => {
    const critical = (await api('/v1/alerts?severity=critical&status=open')).items;
    await page.goto(`${run.url}/alerts`);
    await page.selectOption('#severity', 'critical');
    await page.selectOption('#status', 'open');
    await page.click('button:has-text("Filter")');
    expect(new URL(page.url()).search).toContain('severity=critical');
    expect(await page.locator('[data-testid=alerts] tbody tr').count()).toBe(critical.length);
    expect(critical.length).toBeGreaterThan(0);
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: join(out, 'page-alerts.png'), fullPage: true });
  });

  it('answer a role that may not read the programme with a page that says so, not an API problem', async () => {
    const feedReader = await makeToken(config.jwtSecret, { sub: 'powerbi', name: 'Power BI', roles: ['feed-reader'] });
    await page.goto(`${run.url}/sign-out`);
    await page.fill('#token', feedReader);
    await page.click('button[type=submit]');
    const res = await page.goto(`${run.url}/`);
    expect(res?.status()).toBe(403);
    expect(res?.headers()['content-type']).toMatch(/^text\/html/);
    expect(await page.textContent('h1')).toBe('Not allowed');
    expect(await page.textContent('main')).toContain('Request id');
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.goto(`${run.url}/sign-out`);
    await page.fill('#token', token);
    await page.click('button[type=submit]');
  });

  it('are keyboard navigable: the first Tab reaches the skip link', async () => {
    await page.goto(`${run.url}/`);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to main content');
  });
});
