import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, expectProblem, type Harness } from '../support/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
  await h.call('POST', '/v1/workstreams', { token: h.tokens.admin, body: { code: 'ASC', name: 'Adult Social Care', lead: 'DASS' } });
});
afterAll(async () => {
  await h.cleanup();
});

const HEADER = 'Workstream code,Workstream name,Project code,Project name,Directorate,Saving,MTFS ref,Category,Type,Recurrence,Owner,Confidence (%),2025/26,2026/27,Forecast 2025/26';
const GOOD = [
  HEADER,
  'ASC,,ASC-10,Reablement,Adults,Reablement saving,ASC-25-01,Transformation,Cashable saving,Recurring,Head of Reablement,80%,"£600,000.00","£600,000",£550000',
  'ASC,,ASC-10,Reablement,Adults,Client contributions,ASC-25-02,transformation,income,recurring,Head of Finance,90,"1,250,000",,',
  'INC,Income & Debt,INC-10,Council tax,Resources,Collection up 0.5 point,INC-25-01,Mitigation,Income,One off,Head of Revenues,75,"£1,100,000.50",-,',
  'INC,Income & Debt,INC-10,Council tax,Resources,Licence dis-benefit,INC-25-02,transformation,cashable-saving,recurring,Head of ICT,100,"(£20,000)",,',
].join('\n');

const importCsv = (csv: string, query = '') => h.call('POST', `/v1/imports/savings${query}`, { token: h.tokens.admin, rawBody: csv, headers: { 'Content-Type': 'text/csv' } });
const counts = async () => ({
  workstreams: (await h.call('GET', '/v1/workstreams?limit=200', { token: h.tokens.admin })).body.items.length,
  projects: (await h.call('GET', '/v1/projects?limit=200', { token: h.tokens.admin })).body.items.length,
  audit: (await h.call('GET', '/v1/audit?limit=200', { token: h.tokens.admin })).body.items.length,
});

describe('importing a savings tracker', () => {
  it('dry-runs a well-formed file without writing, then imports it: £ signs, thousands separators, blanks, brackets', async () => {
    const before = await counts();
    const dry = await importCsv(GOOD, '?dryRun=true');
    expect(dry.status).toBe(200);
    expect(dry.body).toEqual({ dryRun: true, rows: 4, created: { workstreams: 1, projects: 2, benefits: 4 }, unchanged: 0, problems: [] });
    expect(await counts()).toEqual(before);

    const real = await importCsv(GOOD);
    expect(real.body).toMatchObject({ dryRun: false, created: { workstreams: 1, projects: 2, benefits: 4 }, problems: [] });
    const report = (await h.call('GET', '/v1/reports/programme?financialYear=2025/26', { token: h.tokens.cmt })).body;
    // Imported projects start at business case: their savings are pipeline, not agreed, until the projects are approved (SPEC 4.2).
    // 600,000 + 1,250,000 + 1,100,000.50 − 20,000
    expect(report.programme.pipelinePence).toBe(293_000_050);
    expect(report.programme.baselinePence).toBe(0);
    expect(report.programme.outturnPence).toBe(0);
    expect(report.byCategory.mitigation.pipelinePence).toBe(110_000_050);
    // Forecast 2025/26 given for the first row only; the others default to their baseline.
    const feed = (await h.call('GET', '/v1/feeds/savings?financialYear=2025/26&format=json&granularity=year', { token: h.tokens.finance })).body.rows as { forecastPence: number }[];
    expect(feed.reduce((a, r) => a + r.forecastPence, 0)).toBe(293_000_050 - 5_000_000);
    const inc = report.workstreams.find((w: { code: string }) => w.code === 'INC');
    expect(inc.name).toBe('Income & Debt');
  });

  it('changes nothing when the same file is imported again', async () => {
    const before = await counts();
    const again = await importCsv(GOOD);
    expect(again.body).toMatchObject({ created: { workstreams: 0, projects: 0, benefits: 0 }, unchanged: 4, problems: [] });
    expect(await counts()).toEqual(before);
  });

  it('reports every problem by row and column, and writes nothing', async () => {
    const bad = [
      HEADER,
      'ASC,,ASC-11,New project,Adults,Good row,ASC-26-01,transformation,income,recurring,Owner,50,"£1,000",,',
      'ASC,,ASC-11,New project,Adults,,ASC-26-02,sideways,income,recurring,Owner,150,12.345,,',
      'NOPE,,NOPE-1,,,,Orphan,,transformation,income,weekly,Owner,,abc,,',
      'ASC,,ASC-11,New project,Adults,Good row,ASC-26-01,transformation,income,recurring,Owner,50,1,,',
    ].join('\n');
    const before = await counts();
    const dry = await importCsv(bad, '?dryRun=true');
    expect(dry.status).toBe(200);
    const where = dry.body.problems.map((p: { row: number; column: string }) => `${p.row}:${p.column}`);
    expect(where).toEqual(expect.arrayContaining(['3:Saving', '3:Category', '3:Confidence (%)', '3:2025/26', '4:Saving', '4:Type', '4:Recurrence', '5:Saving']));
    expect(dry.body.problems.find((p: { row: number; column: string }) => p.row === 3 && p.column === '2025/26').message).toMatch(/fraction of a penny/);
    const real = expectProblem(await importCsv(bad), 422, 'import-invalid');
    expect(real.errors!.length).toBe(dry.body.problems.length);
    expect(await counts()).toEqual(before);
  });

  it('needs a name to create a workstream or project it does not know', async () => {
    const csv = [HEADER, 'ZZZ,,ZZZ-1,,,A saving,ZZ-1,transformation,income,recurring,Owner,50,1,,', 'ASC,,ASC-99,,,Another,ZZ-2,transformation,income,recurring,Owner,50,1,,'].join('\n');
    const dry = await importCsv(csv, '?dryRun=true');
    expect(dry.body.problems.map((p: { row: number; path: string }) => `${p.row}:${p.path}`)).toEqual(['2:workstreamName', '3:projectName']);
  });

  it('reads an Excel-saved file (BOM, CRLF) through a column mapping', async () => {
    const excel = '\uFEFF' + [
      'Theme,Theme name,Scheme,Scheme name,Dept,Proposal,Budget line,Kind,Benefit type,Recurs?,Lead officer,Confidence (%),2026/27',
      'NBW,Neighbourhoods & Waste,NBW-10,Waste rounds,Neighbourhoods,Round optimisation,NBW-26-01,transformation,cashable saving,recurring,Head of Waste,80,"£800,000"',
    ].join('\r\n') + '\r\n';
    const mapping = { 'Workstream code': 'Theme', 'Workstream name': 'Theme name', 'Project code': 'Scheme', 'Project name': 'Scheme name', Directorate: 'Dept', Saving: 'Proposal', 'MTFS ref': 'Budget line', Category: 'Kind', Type: 'Benefit type', Recurrence: 'Recurs?', Owner: 'Lead officer' };
    const r = await importCsv(excel, `?mapping=${encodeURIComponent(JSON.stringify(mapping))}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.created).toEqual({ workstreams: 1, projects: 1, benefits: 1 });
    const report = (await h.call('GET', '/v1/reports/programme?financialYear=2026/27', { token: h.tokens.cmt })).body;
    expect(report.workstreams.find((w: { code: string }) => w.code === 'NBW').pipelinePence).toBe(80_000_000);
  });

  it('is for admins, takes CSV only, and refuses a missing column or a bad mapping', async () => {
    expectProblem(await h.call('POST', '/v1/imports/savings', { token: h.tokens.pm, rawBody: GOOD, headers: { 'Content-Type': 'text/csv' } }), 403);
    expectProblem(await h.call('POST', '/v1/imports/savings', { token: h.tokens.admin, rawBody: GOOD, headers: { 'Content-Type': 'application/xml' } }), 415);
    const missing = await importCsv('Workstream code,Saving,2025/26\nASC,x,1', '?dryRun=true');
    expect(missing.body.problems.map((p: { path: string }) => p.path)).toEqual(expect.arrayContaining(['projectCode', 'mtfsRef', 'category', 'type', 'recurrence', 'owner']));
    expectProblem(await importCsv(GOOD, '?mapping=not-json'), 400);
  });
});
