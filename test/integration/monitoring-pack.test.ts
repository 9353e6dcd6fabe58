import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { monitoringPackData, POUNDS_FORMAT, WORKSTREAM_SHEET } from '@bt/services';
import { collectAll } from '@bt/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, expectProblem, type Harness } from '../support/harness.ts';

/**
 * The monthly monitoring pack (SPEC 6, issue 19) of the demo programme, opened
 * with exceljs and checked cell by cell against the programme report of the
 * same moment, to the penny; opened by LibreOffice; and imported back
 * unchanged (the round trip).
 */
let h: Harness;
const dir = mkdtempSync(join(tmpdir(), 'bt-pack-'));
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

beforeAll(async () => {
  // A copy of the demo: the round trip imports into it.
  h = await createHarness({ demoCopy: true });
});
afterAll(async () => {
  await h.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

async function pack(query: string, token = h.tokens.finance) {
  const res = await h.app.request(`/v1/reports/monitoring-pack${query}`, { headers: { Authorization: `Bearer ${token}` } });
  expect(res.status, await res.clone().text()).toBe(200);
  expect(res.headers.get('content-type')).toBe(XLSX);
  const bytes = new Uint8Array(await res.arrayBuffer());
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  return { wb, bytes, disposition: res.headers.get('content-disposition') };
}

const report = async (query: string) => (await h.call('GET', `/v1/reports/programme${query}`, { token: h.tokens.finance })).body;
/** A money cell: a real number in pounds, in the pack's pounds format, as pence. */
function pence(ws: ExcelJS.Worksheet, ref: string): number {
  const cell = ws.getCell(ref);
  const v = cell.value;
  // A formula's cached result: exceljs reads a cached 0 back as no result (the file holds <v>0</v>, as Excel writes it).
  const n = typeof v === 'number' ? v : ((v as { formula?: string; result?: number }).result ?? ((v as { formula?: string }).formula ? 0 : undefined));
  expect(typeof n, `${ws.name}!${ref}`).toBe('number');
  expect(cell.numFmt, `${ws.name}!${ref}`).toBe(POUNDS_FORMAT);
  return Math.round(n! * 100);
}
const labelRow = (ws: ExcelJS.Worksheet, label: string) => {
  for (let r = 1; r <= ws.rowCount; r++) if (ws.getCell(`A${r}`).value === label) return r;
  throw new Error(`${ws.name} has no row "${label}"`);
};

describe('the monthly monitoring pack', () => {
  for (const asAt of ['', '2026-09-30']) {
    it(`matches the programme report to the penny, sheet by sheet${asAt ? ', as at a past month-end' : ''}`, async () => {
      const q = `?financialYear=2026%2F27${asAt ? `&asAt=${asAt}` : ''}`;
      const [{ wb, disposition }, r] = await Promise.all([pack(q), report(q)]);
      expect(disposition).toMatch(/attachment; filename="monitoring-pack-2026-27-\d{4}-\d{2}-\d{2}.*\.xlsx"/);
      const sheetOf = (w: { code: string; name: string }) => `${w.code} ${w.name}`.replaceAll("'", '’').slice(0, 31);
      expect(wb.worksheets.map((w) => w.name)).toEqual(['Summary', ...r.workstreams.map(sheetOf), 'Written out', 'Investment']);

      const summary = wb.getWorksheet('Summary')!;
      const p = r.programme;
      for (const [label, value] of [
        ['MTFS target', p.mtfsTargetPence],
        ['Agreed savings (baseline)', p.baselinePence],
        ['Forecast outturn', p.outturnPence],
        ['Gap (target − outturn)', p.gapPence],
        ['Risk-adjusted gap', p.riskAdjustedGapPence],
        ['Realised to date', p.realisedPence],
        ['Investment planned', p.investmentPlannedPence],
      ] as const)
        expect(pence(summary, `B${labelRow(summary, label)}`), label).toBe(value);
      expect(summary.getCell(`B${labelRow(summary, 'Delivery rate (realised ÷ agreed)')}`).value).toBe(p.deliveryRate);
      expect(summary.getCell(`B${labelRow(summary, 'Outturn as a share of the net budget')}`).value).toBe(p.shareOfNetBudget);
      const red = labelRow(summary, 'Red: needs replacing');
      expect(summary.getCell(`B${red}`).value).toBe(r.statusBuckets.red.count);
      expect(pence(summary, `C${red}`)).toBe(r.statusBuckets.red.baselinePence);
      // Frozen headers, a filter on the workstream table, print titles, landscape.
      expect(summary.views[0]).toMatchObject({ state: 'frozen', ySplit: 4 });
      expect(summary.autoFilter).toMatch(/^A\d+:G\d+$/);
      expect(summary.pageSetup).toMatchObject({ orientation: 'landscape', printTitlesRow: '4:4', fitToWidth: 1 });

      for (const w of r.workstreams) {
        const ws = wb.getWorksheet(sheetOf(w))!;
        const T = WORKSTREAM_SHEET.totals;
        expect(pence(ws, `Q${T.workstream}`), `${w.code} agreed`).toBe(w.baselinePence);
        expect(pence(ws, `R${T.workstream}`), `${w.code} outturn`).toBe(w.outturnPence);
        expect(pence(ws, `R${T.target}`), `${w.code} target`).toBe(w.mtfsTargetPence);
        expect(pence(ws, `R${T.gap}`), `${w.code} gap`).toBe(w.gapPence);
        expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: WORKSTREAM_SHEET.header });
        expect(ws.pageSetup.printTitlesRow, ws.name).toBe(`${WORKSTREAM_SHEET.header}:${WORKSTREAM_SHEET.header}`);
        expect(ws.autoFilter).toMatch(new RegExp(`^A${WORKSTREAM_SHEET.header}:W\\d+$`));
        // The lines are real numbers that add up to the totals; transformation and mitigation kept apart, each with its own total.
        const lines: { category: unknown; counts: boolean; agreed: number; outturn: number; brag: unknown; commentary: unknown }[] = [];
        for (let row = WORKSTREAM_SHEET.header + 1; row <= ws.rowCount; row++) {
          if (!ws.getCell(`G${row}`).value) continue;
          lines.push({
            category: ws.getCell(`I${row}`).value,
            counts: ws.getCell(`V${row}`).value === 'Yes',
            agreed: pence(ws, `Q${row}`),
            outturn: pence(ws, `R${row}`),
            brag: ws.getCell(`U${row}`).value,
            commentary: ws.getCell(`W${row}`).value,
          });
        }
        const total = (ls: typeof lines, k: 'agreed' | 'outturn') => ls.filter((l) => l.counts).reduce((a, l) => a + l[k], 0);
        expect(total(lines, 'outturn')).toBe(w.outturnPence);
        const transformation = lines.filter((l) => l.category === 'transformation');
        expect(pence(ws, `R${T.transformation}`)).toBe(total(transformation, 'outturn'));
        expect(pence(ws, `R${T.mitigation}`)).toBe(
          total(
            lines.filter((l) => l.category === 'mitigation'),
            'outturn',
          ),
        );
        // Transformation first, then mitigation: never interleaved.
        expect(lines.map((l) => l.category)).toEqual([
          ...transformation.map(() => 'transformation'),
          ...lines.slice(transformation.length).map(() => 'mitigation'),
        ]);
        // No commentary beside a green or blue line.
        for (const l of lines) if (l.brag === 'green' || l.brag === 'blue') expect(l.commentary).toBe('');
      }

      const investment = wb.getWorksheet('Investment')!;
      const totalRow = labelRow(investment, 'Total');
      expect(pence(investment, `C${totalRow}`)).toBe(p.investmentPlannedPence);
      expect(pence(investment, `D${totalRow}`)).toBe(p.investmentActualPence);
    });
  }

  it('quotes the commentary beside amber and red lines, and lists the write-out with its replacement', async () => {
    const { wb } = await pack('?financialYear=2026%2F27');
    const asc = wb.worksheets.find((w) => w.name.startsWith('ASC'))!;
    const quoted: string[] = [];
    asc.eachRow((row) => {
      const c = row.getCell(23).value;
      if (typeof c === 'string' && c.includes('Home care market capacity')) quoted.push(String(row.getCell(21).value));
    });
    expect(quoted.length).toBeGreaterThan(0);
    const out = wb.getWorksheet('Written out')!;
    expect(out.getCell('D5').value).toBe('Day-centre consolidation');
    expect(out.getCell('I5').value).toContain('Shared Lives expansion');
  });

  it('names on each line the SRO and the saving’s owner as the project’s record has them (read with those fields only)', async () => {
    const data = await monitoringPackData(h.deps, { principal: { sub: 'fin', name: 'Finance', roles: ['finance'] }, requestId: 'pack-people' }, {});
    const lines = data.workstreams.flatMap((w) => w.lines);
    expect(lines.length).toBeGreaterThan(0);
    const byCode = new Map((await collectAll((page) => h.store.projects.list({}, page))).map((p) => [p.code, p]));
    for (const line of lines) {
      const project = byCode.get(line.projectCode)!;
      const record = (await h.store.children.record(project.id))!;
      expect(line.sro).toBe(project.sro);
      expect(line.sro).not.toBe('');
      expect(line.owner).toBe(record.benefits.find((b) => b.title === line.title)!.owner);
    }
  });

  it('is for those who read the programme: not the feed reader', async () => {
    expectProblem(await h.call('GET', '/v1/reports/monitoring-pack', { token: h.tokens.feedReader }), 403);
    expectProblem(await h.call('GET', '/v1/reports/monitoring-pack?format=pdf', { token: h.tokens.finance }), 400);
  });

  it('opens in LibreOffice without repair, whose CSV of the summary carries the same figures', async () => {
    const [{ bytes }, r] = await Promise.all([pack('?financialYear=2026%2F27'), report('?financialYear=2026%2F27')]);
    const file = join(dir, 'pack.xlsx');
    writeFileSync(file, bytes);
    // Its own profile directory, so a LibreOffice open elsewhere on the machine is never in the way.
    execFileSync(
      'soffice',
      [`-env:UserInstallation=file://${join(dir, 'profile')}`, '--headless', '--norestore', '--convert-to', 'csv', '--outdir', dir, file],
      { stdio: 'pipe', timeout: 120_000 },
    );
    const rows = parse(readFileSync(join(dir, 'pack.csv'), 'utf8'), { relax_column_count: true }) as string[][];
    const target = rows.find((row) => row[0] === 'MTFS target')!;
    expect(Math.round(Number(target[1]!.replace(/[£,]/g, '')) * 100)).toBe(r.programme.mtfsTargetPence);
  });

  it('imports back changing nothing: each workstream sheet read by the import, every saving unchanged', async () => {
    const q = '?financialYear=2026%2F27';
    const [{ wb, bytes }, before] = await Promise.all([pack(q), report(q)]);
    for (const ws of wb.worksheets.filter((w) => !['Summary', 'Written out', 'Investment'].includes(w.name))) {
      const lines = ws.rowCount - WORKSTREAM_SHEET.header;
      for (const dryRun of ['true', 'false']) {
        const res = await h.app.request(`/v1/imports/savings?dryRun=${dryRun}&sheet=${encodeURIComponent(ws.name)}`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${h.tokens.admin}`, 'Content-Type': XLSX },
          body: Buffer.from(bytes),
        });
        const result = await res.json();
        expect(result, ws.name).toMatchObject({ created: { workstreams: 0, projects: 0, benefits: 0 }, unchanged: lines, problems: [] });
      }
    }
    const after = await report(q);
    expect({ ...after, knownAt: '' }).toEqual({ ...before, knownAt: '' });
  });
});
