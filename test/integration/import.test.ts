import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { importSavings } from '@bt/services';
import { createHarness, expectProblem, projectBody, type Harness } from '../support/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
  await h.call('POST', '/v1/workstreams', { token: h.tokens.admin, body: { code: 'ASC', name: 'Adult Social Care', lead: 'DASS' } });
});
afterAll(async () => {
  await h.cleanup();
});

const HEADER =
  'Workstream code,Workstream name,Project code,Project name,Directorate,Saving,MTFS ref,Category,Type,Recurrence,Owner,Confidence (%),2025/26,2026/27,Forecast 2025/26';
const GOOD = [
  HEADER,
  'ASC,,ASC-10,Reablement,Adults,Reablement saving,ASC-25-01,Transformation,Cashable saving,Recurring,Head of Reablement,80%,"£600,000.00","£600,000",£550000',
  'ASC,,ASC-10,Reablement,Adults,Client contributions,ASC-25-02,transformation,income,recurring,Head of Finance,90,"1,250,000",,',
  'INC,Income & Debt,INC-10,Council tax,Resources,Collection up 0.5 point,INC-25-01,Mitigation,Income,One off,Head of Revenues,75,"£1,100,000.50",-,',
  'INC,Income & Debt,INC-10,Council tax,Resources,Licence dis-benefit,INC-25-02,transformation,cashable-saving,recurring,Head of ICT,100,"(£20,000)",,',
].join('\n');

const importCsv = (csv: string, query = '') =>
  h.call('POST', `/v1/imports/savings${query}`, { token: h.tokens.admin, rawBody: csv, headers: { 'Content-Type': 'text/csv' } });
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
    expect(dry.body).toEqual({
      dryRun: true,
      rows: 4,
      created: { workstreams: 1, projects: 2, benefits: 4 },
      recorded: { actuals: 0, targets: 0 },
      unchanged: 0,
      problems: [],
    });
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
    const feed = (await h.call('GET', '/v1/feeds/savings?financialYear=2025/26&format=json&granularity=year', { token: h.tokens.finance })).body.rows as {
      forecastPence: number;
    }[];
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
    expect(where).toEqual(
      expect.arrayContaining(['3:Saving', '3:Category', '3:Confidence (%)', '3:2025/26', '4:Saving', '4:Type', '4:Recurrence', '5:Saving']),
    );
    expect(dry.body.problems.find((p: { row: number; column: string }) => p.row === 3 && p.column === '2025/26').message).toMatch(/fraction of a penny/);
    const real = expectProblem(await importCsv(bad), 422, 'import-invalid');
    expect(real.errors!.length).toBe(dry.body.problems.length);
    expect(await counts()).toEqual(before);
  });

  it('needs a name to create a workstream or project it does not know', async () => {
    const csv = [
      HEADER,
      'ZZZ,,ZZZ-1,,,A saving,ZZ-1,transformation,income,recurring,Owner,50,1,,',
      'ASC,,ASC-99,,,Another,ZZ-2,transformation,income,recurring,Owner,50,1,,',
    ].join('\n');
    const dry = await importCsv(csv, '?dryRun=true');
    expect(dry.body.problems.map((p: { row: number; path: string }) => `${p.row}:${p.path}`)).toEqual(['2:workstreamName', '3:projectName']);
  });

  it("checks what it would create with the API's own schemas, in the API's plain words", async () => {
    const csv = [HEADER, `ASC,,ASC-98,${'N'.repeat(201)},Adults,A saving,ZZ-3,transformation,income,recurring,Owner,50,1,,`].join('\n');
    const dry = await importCsv(csv, '?dryRun=true');
    expect(dry.body.problems).toEqual([{ row: 2, column: 'Project name', path: 'name', message: 'must have at most 200 characters' }]);
  });

  it('reads an Excel-saved file (BOM, CRLF) through a column mapping', async () => {
    const excel = `\uFEFF${[
      'Theme,Theme name,Scheme,Scheme name,Dept,Proposal,Budget line,Kind,Benefit type,Recurs?,Lead officer,Confidence (%),2026/27',
      'NBW,Neighbourhoods & Waste,NBW-10,Waste rounds,Neighbourhoods,Round optimisation,NBW-26-01,transformation,cashable saving,recurring,Head of Waste,80,"£800,000"',
    ].join('\r\n')}\r\n`;
    const mapping = {
      'Workstream code': 'Theme',
      'Workstream name': 'Theme name',
      'Project code': 'Scheme',
      'Project name': 'Scheme name',
      Directorate: 'Dept',
      Saving: 'Proposal',
      'MTFS ref': 'Budget line',
      Category: 'Kind',
      Type: 'Benefit type',
      Recurrence: 'Recurs?',
      Owner: 'Lead officer',
    };
    const r = await importCsv(excel, `?mapping=${encodeURIComponent(JSON.stringify(mapping))}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.created).toEqual({ workstreams: 1, projects: 1, benefits: 1 });
    const report = (await h.call('GET', '/v1/reports/programme?financialYear=2026/27', { token: h.tokens.cmt })).body;
    expect(report.workstreams.find((w: { code: string }) => w.code === 'NBW').pipelinePence).toBe(80_000_000);
  });

  it('is for finance and admins, takes CSV or a workbook only, and refuses a missing column or a bad mapping', async () => {
    for (const token of [h.tokens.pm, h.tokens.cmt, h.tokens.feedReader])
      expectProblem(await h.call('POST', '/v1/imports/savings', { token, rawBody: GOOD, headers: { 'Content-Type': 'text/csv' } }), 403);
    expect(
      (await h.call('POST', '/v1/imports/savings?dryRun=true', { token: h.tokens.finance, rawBody: GOOD, headers: { 'Content-Type': 'text/csv' } })).status,
    ).toBe(200);
    expectProblem(await h.call('POST', '/v1/imports/savings', { token: h.tokens.admin, rawBody: GOOD, headers: { 'Content-Type': 'application/xml' } }), 415);
    const missing = await importCsv('Workstream code,Saving,2025/26\nASC,x,1', '?dryRun=true');
    expect(missing.body.problems.map((p: { path: string }) => p.path)).toEqual(
      expect.arrayContaining(['projectCode', 'mtfsRef', 'category', 'type', 'recurrence', 'owner']),
    );
    expectProblem(await importCsv(GOOD, '?mapping=not-json'), 400);
  });
});

describe('a real council tracker', () => {
  const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
  const post = (body: Uint8Array | string, query: string, token = h.tokens.finance) =>
    h.app.request(`/v1/imports/savings${query}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': typeof body === 'string' ? 'text/csv' : XLSX },
      body: typeof body === 'string' ? body : Buffer.from(body),
    });

  /** A tracker as finance keep it: a merged title, a note, a blank row, the header on row 4, amounts typed every way, a blank row and a totals row. */
  async function councilTracker(): Promise<Uint8Array> {
    const { default: ExcelJS } = await import('exceljs');
    const wb = new ExcelJS.Workbook();
    const notes = wb.addWorksheet('Notes');
    notes.getCell('A1').value = 'Read me first: the savings are on the next sheet.';
    const ws = wb.addWorksheet('Savings 2026-27');
    ws.mergeCells('A1:P1');
    ws.getCell('A1').value = 'Anytown Borough Council: MTFS savings tracker 2026/27';
    ws.getCell('A2').value = 'Prepared by Corporate Finance, 1 December 2026';
    ws.addRow([]);
    ws.getRow(4).values = [
      'Workstream code',
      'Workstream name',
      'Project code',
      'Project name',
      'Directorate',
      'SRO',
      'Saving',
      'MTFS ref',
      'Category',
      'Type',
      'Recurrence',
      'Owner',
      'Confidence (%)',
      'Baseline 2026/27',
      'Forecast 2026/27',
      '2027/28',
    ];
    const rows: unknown[][] = [
      [
        'ASC',
        '',
        'ASC-40',
        'Home first',
        'Adults',
        'Director of Adult Social Services',
        'Step-down beds',
        'ASC-26-11',
        'Transformational',
        'Cashable',
        'Recurrent',
        'Head of Commissioning',
        0.8,
        '£1.2m',
        1_150_000,
        '350k',
      ],
      [
        'ASC',
        '',
        'ASC-40',
        'Home first',
        'Adults',
        'Director of Adult Social Services',
        'Day opportunities',
        'ASC-26-12',
        'Mitigation',
        'Income generation',
        'One off',
        'Head of Day Services',
        0.5,
        250_000.5,
        '(1,234)',
        null,
      ],
      [],
      [
        'ASC',
        '',
        'ASC-41',
        'Shared Lives',
        'Adults',
        'Director of Adult Social Services',
        'Shared Lives carers',
        'ASC-26-13',
        'transformation',
        'cost avoidance',
        'non-recurrent',
        'Shared Lives lead',
        1,
        '£75k',
        '-',
        null,
      ],
      ['Total', '', '', '', '', '', '', '', '', '', '', '', null, { formula: 'SUM(N5:N8)', result: 1_525_000.5 }, null, null],
    ];
    rows.forEach((values, i) => {
      ws.getRow(5 + i).values = values as never;
    });
    for (let r = 5; r <= 8; r++) {
      ws.getCell(`M${r}`).numFmt = '0%';
      for (const c of ['N', 'O', 'P']) ws.getCell(`${c}${r}`).numFmt = '"£"#,##0.00';
    }
    return new Uint8Array(await wb.xlsx.writeBuffer());
  }

  it('reads the workbook (the sheet named, the header below the titles, blank and total rows skipped, amounts as councils write them) for finance, all or nothing, and again changes nothing', async () => {
    const file = await councilTracker();
    // The first sheet is the notes: it has no header row, and says so.
    const wrongSheet = await (await post(file, '?dryRun=true')).json();
    expect(wrongSheet.problems.map((p: { path: string }) => p.path)).toContain('projectCode');
    const missing = await (await post(file, `?dryRun=true&sheet=${encodeURIComponent('No such sheet')}`)).json();
    expect(missing.problems).toEqual([expect.objectContaining({ path: 'sheet', message: expect.stringContaining('"Savings 2026-27"') })]);

    const sheet = `&sheet=${encodeURIComponent('Savings 2026-27')}`;
    const dry = await post(file, `?dryRun=true${sheet}`);
    const result = await dry.json();
    expect(result).toEqual({
      dryRun: true,
      rows: 3,
      created: { workstreams: 0, projects: 2, benefits: 3 },
      recorded: { actuals: 0, targets: 0 },
      unchanged: 0,
      problems: [],
    });
    const real = await (await post(file, `?dryRun=false${sheet}`)).json();
    expect(real.created).toEqual({ workstreams: 0, projects: 2, benefits: 3 });

    const projects = (await h.call('GET', '/v1/projects?limit=200', { token: h.tokens.admin })).body.items as { id: string; code: string; sro: string }[];
    const home = projects.find((p) => p.code === 'ASC-40')!;
    expect(home.sro).toBe('Director of Adult Social Services');
    const record = (await h.call('GET', `/v1/projects/${home.id}`, { token: h.tokens.admin })).body;
    const total = (m: Record<string, number>, fy: string) =>
      Object.entries(m)
        .filter(([k]) => (fy === '2026/27' ? k >= '2026-04' && k <= '2027-03' : k >= '2027-04' && k <= '2028-03'))
        .reduce((a, [, v]) => a + v, 0);
    const beds = record.benefits.find((b: { mtfsRef: string }) => b.mtfsRef === 'ASC-26-11');
    expect(beds).toMatchObject({ category: 'transformation', type: 'cashable-saving', recurrence: 'recurring', confidencePct: 80 });
    expect(total(beds.baseline, '2026/27')).toBe(120_000_000);
    expect(total(beds.forecast, '2026/27')).toBe(115_000_000);
    expect(total(beds.baseline, '2027/28')).toBe(35_000_000);
    const day = record.benefits.find((b: { mtfsRef: string }) => b.mtfsRef === 'ASC-26-12');
    expect(day).toMatchObject({ category: 'mitigation', type: 'income', recurrence: 'one-off', confidencePct: 50 });
    expect(total(day.baseline, '2026/27')).toBe(25_000_050);
    expect(total(day.forecast, '2026/27')).toBe(-123_400);

    const again = await (await post(file, `?dryRun=false${sheet}`)).json();
    expect(again).toMatchObject({ created: { workstreams: 0, projects: 0, benefits: 0 }, unchanged: 3, problems: [] });
  });

  it('reads the CSV Excel saves from such a sheet: a title row above the header, the comma-only blank rows and rules of dashes, without a false repeat', async () => {
    const csv = [
      'Anytown Borough Council savings tracker,,,,,,,,,,,,',
      ',,,,,,,,,,,,',
      'Workstream code,Workstream name,Project code,Project name,Directorate,Saving,MTFS ref,Category,Type,Recurrence,Owner,Confidence (%),2026/27',
      'ASC,,ASC-42,Technology-enabled care,Adults,Sensors at home,ASC-26-21,Transformation,Cashable saving,Recurrent,TEC lead,70%,£1.5m',
      ',,,,,,,,,,,,',
      // A rule under a block: hyphens, en and em dashes, equals signs.
      '---,\u2013\u2013\u2013,\u2014\u2014,===,,,,,,,,,',
      ',,,,,,,,,,,,',
      'ASC,,ASC-42,Technology-enabled care,Adults,Falls response,ASC-26-22,Transformation,Cashable saving,One off,TEC lead,60%,"(1,234)"',
      ',,,,,,,,,,,,',
    ].join('\r\n');
    const result = await (await post(csv, '?dryRun=true')).json();
    expect(result).toEqual({
      dryRun: true,
      rows: 2,
      created: { workstreams: 0, projects: 1, benefits: 2 },
      recorded: { actuals: 0, targets: 0 },
      unchanged: 0,
      problems: [],
    });
    // A problem names the file's own row.
    const bad = await (await post(csv.replace('£1.5m', '£1.5q'), '?dryRun=true')).json();
    expect(bad.problems).toEqual([expect.objectContaining({ row: 4, column: '2026/27' })]);
  });

  it('imports realised to date as actuals of the new savings (recorded by the importer, awaiting validation) and MTFS targets; again, changes nothing', async () => {
    const csv = (realised: string, target2: string) =>
      [
        'Workstream code,Project code,Project name,Directorate,Saving,MTFS ref,Category,Type,Recurrence,Owner,2026/27,Realised 2026/27,MTFS target 2026/27',
        `ASC,ASC-50,Digital front door,Adults,Online assessments,ASC-26-50,Transformation,Cashable,Recurring,Digital lead,£400k,${realised},£5m`,
        `ASC,ASC-50,Digital front door,Adults,Assistive tech,ASC-26-51,Transformation,Cashable,Recurring,Digital lead,£100k,,${target2}`,
      ].join('\n');
    const first = await (await post(csv('£100k', '£5m'), '?dryRun=false')).json();
    expect(first).toMatchObject({ created: { workstreams: 0, projects: 1, benefits: 2 }, recorded: { actuals: 1, targets: 1 }, problems: [] });
    const ws = (await h.call('GET', '/v1/workstreams?limit=200', { token: h.tokens.admin })).body.items.find((w: { code: string }) => w.code === 'ASC');
    expect(ws.mtfsTargets['2026/27']).toBe(500_000_000);
    const project = (await h.call('GET', '/v1/projects?limit=200', { token: h.tokens.admin })).body.items.find((p: { code: string }) => p.code === 'ASC-50');
    const record = (await h.call('GET', `/v1/projects/${project.id}`, { token: h.tokens.admin })).body;
    const online = record.benefits.find((b: { mtfsRef: string }) => b.mtfsRef === 'ASC-26-50');
    expect(Object.values(online.realised)).toEqual([10_000_000]);
    // In the project's summary (its project is at business case: pipeline, so not yet in the MTFS figures).
    const summary = (await h.store.summaries.all()).find((x) => x.projectId === project.id)!;
    expect(Object.values(summary.benefits.find((b) => b.id === online.id)!.realised)).toEqual([10_000_000]);
    // In finance's queue, recorded by the finance officer who imported it, with the import as its evidence: someone else validates it.
    const queued = (await h.call('GET', `/v1/actuals?validated=false&projectId=${project.id}`, { token: h.tokens.admin })).body.items;
    expect(queued).toEqual([expect.objectContaining({ kind: 'actual', parentId: online.id, amountPence: 10_000_000, recordedBy: 'fin' })]);
    expect(queued[0].note).toContain('from the savings tracker imported by fin (test)');
    // Published as any actual is, once the import has landed.
    expect((await h.store.outbox.pending(500)).map((e) => e.id)).toContain(`${queued[0].id}.recorded`);

    const again = await (await post(csv('£100k', '£5m'), '?dryRun=false')).json();
    expect(again).toMatchObject({ created: { workstreams: 0, projects: 0, benefits: 0 }, recorded: { actuals: 0, targets: 0 }, unchanged: 2, problems: [] });
    // A different realised for a saving already in the ledger, or two targets for one workstream: told, row by row, nothing written.
    const wrong = await (await post(csv('£120k', '£6m'), '?dryRun=true')).json();
    expect(wrong.problems).toEqual([
      expect.objectContaining({
        row: 2,
        column: 'Realised 2026/27',
        message: expect.stringContaining('has £100,000.00 realised in 2026/27 in its ledger, not £120,000.00'),
      }),
      expect.objectContaining({
        row: 3,
        column: 'MTFS target 2026/27',
        message: expect.stringContaining('a target of £5,000,000.00 for 2026/27, this row £6,000,000.00'),
      }),
    ]);
  });

  it('says so of a file that looks like a workbook but is not one, writing nothing (a dry run lists it; a real run is a 422)', async () => {
    const broken = new Uint8Array([0x50, 0x4b, 0x03, 0x04, ...new TextEncoder().encode('not really a zip')]);
    const dry = await (await post(broken, '?dryRun=true')).json();
    expect(dry.problems).toEqual([expect.objectContaining({ path: 'file', message: expect.stringContaining('not a workbook Excel can open') })]);
    const real = await post(broken, '?dryRun=false');
    expect(real.status).toBe(422);
    expect(real.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it('leaves workstreams to admins: finance importing an unknown workstream is told so, nothing written', async () => {
    const csv = [
      'Workstream code,Workstream name,Project code,Project name,Directorate,Saving,MTFS ref,Category,Type,Recurrence,Owner,2026/27',
      'NEW,New workstream,NEW-01,New project,Resources,A saving,NEW-26-01,Transformation,Cashable,Recurring,Owner,100',
    ].join('\n');
    const result = await (await post(csv, '?dryRun=true')).json();
    expect(result.problems).toEqual([
      expect.objectContaining({ row: 2, path: 'workstreamCode', message: expect.stringContaining('only an admin creates workstreams') }),
    ]);
    expect((await (await post(csv, '?dryRun=true', h.tokens.admin)).json()).problems).toEqual([]);
  });
});

describe('an import lands whole or not at all', () => {
  const admin = { principal: { sub: 'ada', name: 'Ada (test)', roles: ['admin' as const] }, requestId: 'import-test' };

  /** Every item of the table but the audit trail and import journals, by key: what an import may not leave behind. */
  async function table(): Promise<Map<string, unknown>> {
    const out = new Map<string, unknown>();
    let start: Record<string, unknown> | undefined;
    do {
      const page = await h.raw.send(new ScanCommand({ TableName: h.tableName, ConsistentRead: true, ExclusiveStartKey: start }));
      for (const item of page.Items ?? []) if (!/^(AUDIT|IMPORT|IDEM)#/.test(String(item.pk))) out.set(`${item.pk}|${item.sk}`, item);
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }

  /** A file big enough to need several transactions: savings for an existing project (one finishing a saving created without amounts) and three new projects of 30 savings. */
  async function setUp(prefix: string) {
    const ws = (await h.call('POST', '/v1/workstreams', { token: h.tokens.admin, body: { code: `${prefix}W`, name: 'Workstream', lead: 'Lead' } })).body;
    const project = (
      await h.call('POST', '/v1/projects', {
        token: h.tokens.admin,
        body: {
          code: `${prefix}-0`,
          name: 'Existing',
          workstreamId: ws.id,
          directorate: 'Adults',
          sro: 'SRO',
          manager: 'pat',
          stage: 'delivery',
          deliveryConfidence: 'green',
          startDate: '2025-04-01',
          endDate: '2027-03-31',
        },
      })
    ).body;
    const empty = (
      await h.call('POST', `/v1/projects/${project.id}/benefits`, {
        token: h.tokens.admin,
        body: {
          title: 'Waiting for amounts',
          type: 'cashable-saving',
          category: 'transformation',
          recurrence: 'recurring',
          mtfsRef: `${prefix}-E`,
          owner: 'Owner',
          confidencePct: 50,
        },
      })
    ).body;
    // With realised to date (recorded as actuals of the new savings) and a target for the new workstream: all of it taken back too.
    const rows = [
      `${HEADER},Realised 2026/27,MTFS target 2026/27`,
      `${prefix}W,,${prefix}-0,,,Waiting for amounts,${prefix}-E,transformation,cashable saving,recurring,Owner,50,"£12,000",,,,`,
    ];
    rows.push(`${prefix}W,,${prefix}-0,,,Added to existing,${prefix}-A,transformation,cashable saving,recurring,Owner,50,"£24,000",,,£300,`);
    for (const p of [1, 2, 3])
      for (let s = 0; s < 30; s++)
        rows.push(
          `${prefix}N,New workstream,${prefix}-${p},Project ${p},Resources,Saving ${s},${prefix}-${p}-${s},transformation,income,recurring,Owner,60,"£${1_000 + s}",,,£${s + 1},£2m`,
        );
    return { ws, project, empty, csv: rows.join('\n') };
  }

  it('takes back every step that landed when a later one fails, and leaves the stored projects as they were', async () => {
    const { ws, project, empty, csv } = await setUp('RB');
    const reportBefore = (await h.call('GET', '/v1/reports/programme?financialYear=2025/26', { token: h.tokens.cmt })).body;
    const before = await table();
    let steps = 0;
    let intruder: { id: string; code: string } | undefined;
    const error = await importSavings(h.deps, admin, csv, {
      dryRun: false,
      // After the first transaction, someone takes the code of a project the file creates later.
      onProgress: async (done, total) => {
        steps = total;
        if (done === 1) intruder = (await h.call('POST', '/v1/projects', { token: h.tokens.admin, body: { ...projectBody(ws.id), code: 'RB-3' } })).body;
      },
    }).catch((e: unknown) => e);
    expect(steps).toBeGreaterThanOrEqual(3);
    expect(error).toMatchObject({ code: 'duplicate-code' });

    // Nothing of the import remains: the table is as before, but for the intruder's project.
    const after = await table();
    const intruders = [...after.keys()].filter((k) => !before.has(k));
    // The intruder's project and its history's first entry (its creation).
    const history = intruders.filter((k) => k.startsWith(`PRJ#${intruder!.id}|~H#`));
    expect(history).toHaveLength(1);
    expect(intruders.filter((k) => !history.includes(k)).sort()).toEqual(
      [`CODE#project#RB-3|CODE`, `PRJ#${intruder!.id}|PRJ`, `PRJ#${intruder!.id}|SUMMARY`].sort(),
    );
    for (const [key, item] of before) expect(after.get(key), key).toEqual(item);
    const emptyNow = (await h.call('GET', `/v1/projects/${project.id}/benefits/${empty.id}`, { token: h.tokens.admin })).body;
    expect(emptyNow).toMatchObject({ version: empty.version, baselineVersion: 0, baseline: {} });
    // The report's figures too (the intruder's project has no savings).
    expect((await h.call('GET', '/v1/reports/programme?financialYear=2025/26', { token: h.tokens.cmt })).body.programme).toEqual({
      ...reportBefore.programme,
      projectCount: reportBefore.programme.projectCount + 1,
    });

    // The trail says what happened: each entity created, then taken back.
    const trail: { action: string; entityType: string }[] = [];
    for (let cursor = ''; ; ) {
      const page = (await h.call('GET', `/v1/audit?limit=200${cursor ? `&cursor=${cursor}` : ''}`, { token: h.tokens.admin })).body;
      trail.push(...page.items);
      if (!page.nextCursor) break;
      cursor = encodeURIComponent(page.nextCursor);
    }
    const rolledBack = trail.filter((e) => e.action === 'import-rolled-back');
    expect(rolledBack.filter((e) => e.entityType === 'workstream').length).toBe(1);
    expect(rolledBack.filter((e) => e.entityType === 'benefit').length).toBeGreaterThanOrEqual(2);
  });

  it('leaves a saving someone recorded an actual against meanwhile, with its project and workstream, and names them', async () => {
    const { ws, csv } = await setUp('LB');
    let saving: { projectId: string; id: string } | undefined;
    const error = await importSavings(h.deps, admin, csv, {
      dryRun: false,
      onProgress: async (done) => {
        if (done !== 2) return;
        // The second transaction created project LB-1 with its first savings: finance records an actual against one.
        const listed = (await h.call('GET', '/v1/projects?limit=200', { token: h.tokens.admin })).body.items as { id: string; code: string }[];
        const lb1 = listed.find((p) => p.code === 'LB-1')!;
        const record = (await h.call('GET', `/v1/projects/${lb1.id}`, { token: h.tokens.admin })).body;
        saving = { projectId: lb1.id, id: record.benefits[0].id };
        const actual = await h.call('POST', `/v1/projects/${lb1.id}/benefits/${saving.id}/actuals`, {
          token: h.tokens.finance,
          body: { month: '2025-06', amountPence: 1_234, note: 'Invoice run' },
        });
        expect(actual.status, JSON.stringify(actual.body)).toBe(201);
        await h.call('POST', '/v1/projects', { token: h.tokens.admin, body: { ...projectBody(ws.id), code: 'LB-3' } });
      },
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'duplicate-code' });

    // The saving with its actual stays, and so do its project and workstream; the project's other savings are gone, from its record and its summary.
    const record = (await h.call('GET', `/v1/projects/${saving!.projectId}`, { token: h.tokens.admin })).body;
    expect(record.benefits.map((b: { id: string }) => b.id)).toEqual([saving!.id]);
    // Kept whole: finance's actual and the realised to date the import recorded with it (Saving 0's £1, this month).
    const kept = { '2025-06': 1_234, [h.deps.clock().toISOString().slice(0, 7)]: 100 };
    expect(record.benefits[0].realised).toEqual(kept);
    const report = (await h.call('GET', '/v1/reports/programme?financialYear=2025/26', { token: h.tokens.cmt })).body;
    const lbn = report.workstreams.find((w: { code: string }) => w.code === 'LBN');
    const summary = (await h.store.summaries.all()).find((x) => x.projectId === saving!.projectId)!;
    expect(summary.benefits.map((b) => [b.id, b.realised])).toEqual([[saving!.id, kept]]);
    // Its ledger totals by FY hold the kept saving's only: those of the savings taken away were tidied out.
    const years = await h.raw.send(
      new QueryCommand({
        TableName: h.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :year)',
        ExpressionAttributeValues: { ':pk': `PRJ#${saving!.projectId}`, ':year': '~Y#' },
      }),
    );
    const totals = (years.Items ?? []).flatMap((i) => Object.keys(i).filter((k) => /^[rva]\d{4}-\d{2}/.test(k)));
    expect(totals.length).toBeGreaterThan(0);
    expect(totals.filter((k) => !k.endsWith(saving!.id))).toEqual([]);
    // Saving 0's £1,000, its project being at business case.
    expect(lbn.pipelinePence).toBe(100_000);
    expect(lbn.projectCount).toBe(1);
    // Nothing is left in flight, and the journal names what it had to leave.
    expect(await h.store.imports.abandoned('9999')).toEqual([]);
    const { Items } = await h.raw.send(
      new ScanCommand({
        TableName: h.tableName,
        FilterExpression: 'entity = :e AND #s = :s',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':e': 'import', ':s': 'rolled-back' },
      }),
    );
    const heads = (Items ?? []).filter((i) => (i.leftBehind as string[]).length > 0);
    expect(heads.map((i) => [...(i.leftBehind as string[])].sort())).toEqual([[saving!.id, saving!.projectId, ws.id === lbn.id ? 'never' : lbn.id].sort()]);
  });

  it('rolls back an import that died part-way once its deadline passes, and a late step of it can never land', async () => {
    const { csv } = await setUp('AB');
    const before = await table();
    let release!: () => void;
    let stalled!: () => void;
    const atStall = new Promise<void>((resolve) => (stalled = resolve));
    // The first import stops after its first transaction, as a process that died would.
    const first = importSavings(h.deps, admin, csv, {
      dryRun: false,
      onProgress: (done) => {
        if (done !== 1) return;
        stalled();
        return new Promise<void>((resolve) => (release = resolve));
      },
    }).catch((e: unknown) => e);
    await atStall;
    expect((await table()).size).toBeGreaterThan(before.size);

    // Six minutes on, the next import finds it abandoned and takes it back before doing its own work.
    h.advanceClock(6 * 60_000);
    const other = [HEADER, 'ABX,Other,ABX-1,Other project,Adults,Other saving,ABX-1-1,transformation,income,recurring,Owner,50,"£5",,'].join('\n');
    expect((await importCsv(other)).status).toBe(200);
    const afterRollback = await table();
    for (const [key, item] of before) expect(afterRollback.get(key), key).toEqual(item);
    expect([...afterRollback.keys()].filter((k) => !before.has(k)).every((k) => !k.includes('AB-'))).toBe(true);

    // The stalled import wakes: its next step is refused, and it leaves nothing.
    release();
    expect(await first).toMatchObject({ code: 'import-abandoned' });
    const end = await table();
    expect([...end.keys()].filter((k) => !afterRollback.has(k))).toEqual([]);
  });
});
