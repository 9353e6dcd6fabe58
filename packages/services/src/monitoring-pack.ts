import { assertCan, fyOfMonth, isAmberOrRed, isWrittenOut, monthOfDate, type FinancialYear } from '@bt/core';
import { mapInFlight, type ProjectSummary } from '@bt/store';
import { createHash } from 'node:crypto';
import { PassThrough } from 'node:stream';
import type { Workbook, Worksheet, WorksheetProperties } from 'exceljs';
import { allWorkstreams, HISTORY_READS_IN_FLIGHT, programmeStream, workstreamsAt } from './as-at.ts';
import { dataMark, thresholdsOf, type Caller, type Deps } from './context.ts';
import { ReportTally, resolveAsAt, type AsAtQuery, type ProgrammeReport } from './report.ts';

/** Pounds with pence, negatives red: every money cell of the pack is a number in this format. */
export const POUNDS_FORMAT = '"£"#,##0.00;[Red]-"£"#,##0.00';
const PERCENT_FORMAT = '0.0%';
export const XLSX_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** One saving's line on its workstream's sheet: what Cabinet reads, and the columns the import reads back. */
export interface PackLine {
  workstreamCode: string;
  workstreamName: string;
  projectCode: string;
  projectName: string;
  directorate: string;
  sro: string;
  title: string;
  mtfsRef: string;
  category: string;
  type: string;
  recurrence: string;
  owner: string;
  confidencePct: number;
  stage: string;
  status: string;
  /** The whole baseline and the manager's forecast for the FY (what the import reads). */
  baselinePence: number;
  forecastPence: number;
  agreedPence: number;
  outturnPence: number;
  variancePence: number;
  realisedPence: number;
  rag: string | null;
  countsTowardsMtfs: boolean;
  commentary: string | null;
}

export interface WrittenOutLine {
  workstream: string;
  projectCode: string;
  projectName: string;
  title: string;
  mtfsRef: string;
  status: string;
  writtenOutOn: string;
  agreedPence: number;
  replacedBy: string;
  replacementAgreedPence: number;
  replacementOutturnPence: number;
}

export interface InvestmentLine {
  fundingSource: string;
  kind: string;
  plannedPence: number;
  actualPence: number;
}

/** Everything the pack shows, as at a moment: the programme report, and the lines behind it. */
export interface PackData {
  title: string;
  report: ProgrammeReport;
  workstreams: Array<{ id: string; code: string; name: string; lines: PackLine[] }>;
  writtenOut: WrittenOutLine[];
  investment: InvestmentLine[];
}

/** What the written-out sheet needs of a saving found to replace another, kept while the pages are read (the replaced one may come later). */
interface Replacement {
  label: string;
  agreedPence: number;
  outturnPence: number;
}

/**
 * The monthly monitoring pack's content (SPEC 6): the programme report, and
 * from the same project summaries at the same moment each saving's line, the
 * written-out savings with their replacements and investment by funding
 * source, so every total in the workbook is the report's to the penny. The
 * SRO and the savings' owners are the records' own (descriptive, as now),
 * read from each record's Query with only those fields given back.
 *
 * The programme is read a page of projects at a time (`programmeStream`):
 * each page is counted into the report, its lines made and its projects let
 * go, so what is held is the lines, never the summaries. `signal` stops the
 * read between pages (a request out of time hands the pack to the export
 * function).
 */
export async function monitoringPackData(deps: Deps, caller: Caller, query: AsAtQuery, signal?: AbortSignal): Promise<PackData> {
  assertCan(caller.principal, 'programme:read');
  const { moment, asAt, financialYear: fy } = resolveAsAt(deps, query);
  const [all, read] = await Promise.all([allWorkstreams(deps), programmeStream(deps, moment, fy)]);
  const { settings } = read;
  const tally = new ReportTally(deps, moment, fy, all, read);
  // The same figures the report counts, worked out once for both.
  const yearOf = tally.yearOf;
  const workstreams = workstreamsAt(all, moment).sort((a, b) => a.code.localeCompare(b.code));
  const listed = new Map(workstreams.map((ws) => [ws.id, { ws, lines: [] as PackLine[] }]));
  const workstreamName = new Map(all.map((ws) => [ws.id, ws.name]));
  const writtenOut: Array<Omit<WrittenOutLine, 'replacedBy' | 'replacementAgreedPence' | 'replacementOutturnPence'> & { benefitId: string }> = [];
  const replacements = new Map<string, Replacement[]>();
  const investment = new Map<string, InvestmentLine>();
  const lastMonth = monthOfDate(asAt);

  for await (const page of read.pages) {
    signal?.throwIfAborted();
    const people = new Map(
      (await mapInFlight(page, HISTORY_READS_IN_FLIGHT, async (s) => [s.projectId, await deps.store.children.people(s.projectId)] as const)).flatMap(
        ([id, p]) => (p ? [[id, p] as const] : []),
      ),
    );
    for (const s of page) {
      tally.project(s);
      const named = people.get(s.projectId);
      const sheet = listed.get(s.workstreamId);
      for (const b of s.benefits) {
        const y = yearOf(b);
        if (b.replacesBenefitId) {
          const found = replacements.get(b.replacesBenefitId) ?? [];
          found.push({ label: `${b.title} (${s.code})`, agreedPence: y.baselinePence, outturnPence: y.outturnPence });
          replacements.set(b.replacesBenefitId, found);
        }
        if (isWrittenOut(b.status) && b.writtenOutAt && b.writtenOutAt.slice(0, 10) <= asAt)
          writtenOut.push({
            benefitId: b.id,
            workstream: workstreamName.get(s.workstreamId) ?? '',
            projectCode: s.code,
            projectName: s.name,
            title: b.title,
            mtfsRef: b.mtfsRef,
            status: b.status,
            writtenOutOn: b.writtenOutAt.slice(0, 10),
            agreedPence: isPipeline(s) ? 0 : (b.baseline[fy] ?? 0),
          });
        const hasAmounts = (b.baseline[fy] ?? 0) !== 0 || (b.forecast[fy] ?? 0) !== 0 || y.outturnPence !== 0 || y.realisedPence !== 0;
        if (!sheet || !hasAmounts) continue;
        sheet.lines.push({
          workstreamCode: sheet.ws.code,
          workstreamName: sheet.ws.name,
          projectCode: s.code,
          projectName: s.name,
          directorate: s.directorate,
          sro: named?.sro ?? '',
          title: b.title,
          mtfsRef: b.mtfsRef,
          category: b.category,
          type: b.type,
          recurrence: b.recurrence,
          owner: named?.owners.get(b.id) ?? '',
          confidencePct: b.confidencePct,
          stage: s.stage,
          status: b.status,
          baselinePence: b.baseline[fy] ?? 0,
          forecastPence: b.forecast[fy] ?? 0,
          agreedPence: y.baselinePence,
          outturnPence: y.outturnPence,
          variancePence: y.variancePence,
          realisedPence: y.realisedPence,
          rag: y.rag,
          countsTowardsMtfs: y.countsTowardsMtfs,
          commentary: isAmberOrRed(y.rag, s.deliveryConfidence) ? (s.commentary ?? null) : null,
        });
      }
      for (const i of s.investments) {
        const key = `${i.fundingSource}|${i.kind}`;
        const line = investment.get(key) ?? { fundingSource: i.fundingSource, kind: i.kind, plannedPence: 0, actualPence: 0 };
        line.plannedPence += i.planned[fy] ?? 0;
        for (const [m, v] of Object.entries(i.actual)) if (fyOfMonth(m) === fy && m <= lastMonth) line.actualPence += v;
        investment.set(key, line);
      }
    }
  }

  const order = (a: PackLine, b: PackLine) =>
    a.category.localeCompare(b.category) === 0
      ? a.projectCode.localeCompare(b.projectCode) || a.mtfsRef.localeCompare(b.mtfsRef) || a.title.localeCompare(b.title)
      : a.category === 'transformation'
        ? -1
        : 1;
  return {
    title: `${settings.councilName ? `${settings.councilName}: ` : ''}${settings.name}, monthly monitoring ${fy}`,
    report: tally.report(),
    workstreams: [...listed.values()].map(({ ws, lines }) => ({ id: ws.id, code: ws.code, name: ws.name, lines: lines.sort(order) })),
    writtenOut: writtenOut
      .map(({ benefitId, ...line }) => {
        const found = replacements.get(benefitId) ?? [];
        return {
          ...line,
          replacedBy: found.map((r) => r.label).join('; '),
          replacementAgreedPence: found.reduce((a, r) => a + r.agreedPence, 0),
          replacementOutturnPence: found.reduce((a, r) => a + r.outturnPence, 0),
        };
      })
      .sort((a, b) => a.projectCode.localeCompare(b.projectCode) || a.title.localeCompare(b.title)),
    investment: [...investment.values()]
      .filter((l) => l.plannedPence !== 0 || l.actualPence !== 0)
      .sort((a, b) => a.fundingSource.localeCompare(b.fundingSource) || a.kind.localeCompare(b.kind)),
  };
}

const isPipeline = (s: ProjectSummary) => s.stage === 'pipeline' || s.stage === 'business-case';

const pounds = (pence: number) => pence / 100;

/**
 * The pack as an Excel workbook, a chunk at a time as exceljs's streaming
 * writer zips it: each row is written out as soon as it is made and each
 * sheet closed before the next, so memory holds the lines (the data), not a
 * workbook of them. Real numbers in pounds, frozen headers, filters, print
 * titles, landscape on one page wide. Strings are shared (a smaller file:
 * the workstream, stage and category repeat on every line).
 */
export async function* monitoringPackChunks(data: PackData): AsyncGenerator<Uint8Array> {
  const { default: ExcelJS } = await import('exceljs');
  const out = new PassThrough();
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: true, zip: { zlib: { level: 9 } } });
  wb.creator = 'Transformation benefits tracker';
  wb.created = new Date(data.report.knownAt);
  const built = (async () => {
    summarySheet(wb, data);
    const used = new Set<string>(['Summary', 'Written out', 'Investment']);
    for (const ws of data.workstreams) workstreamSheet(wb, data, ws, sheetName(`${ws.code} ${ws.name}`, used));
    writtenOutSheet(wb, data);
    investmentSheet(wb, data);
    await wb.commit();
  })();
  // A failure while building ends the stream with it; one after the reader has gone (it stopped early) is of no one's concern.
  built.catch((error: unknown) => out.destroy(error instanceof Error ? error : new Error(String(error))));
  try {
    for await (const chunk of out) yield chunk as Uint8Array;
    await built;
  } finally {
    out.destroy();
  }
}

/** The whole workbook (the digest attaches it; the pages and a local run answer it at once). */
export async function monitoringPackXlsx(data: PackData): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of monitoringPackChunks(data)) chunks.push(chunk);
  return new Uint8Array(Buffer.concat(chunks));
}

/** A sheet name Excel accepts (31 characters, none of []:*?/\ and no straight apostrophe), unique in the workbook. */
function sheetName(wanted: string, used: Set<string>): string {
  // An apostrophe is legal in a sheet name but must be doubled in the print titles' defined name, which exceljs does not do: Excel would repair the file.
  const base = wanted
    .replace(/[[\]:*?/\\]/g, ' ')
    .replaceAll("'", '’')
    .trim()
    .slice(0, 31);
  let name = base;
  for (let n = 2; used.has(name.toLowerCase()) || used.has(name); n++) name = `${base.slice(0, 31 - String(n).length - 1)} ${n}`;
  used.add(name);
  return name;
}

/**
 * A sheet with its layout: the frozen header, the print set-up and footer are
 * given when it is made (a streamed sheet writes them before its first row),
 * then its columns' widths.
 */
function addSheet(wb: Workbook, name: string, headerRow: number, widths: number[], properties?: Partial<WorksheetProperties>): Worksheet {
  const ws = wb.addWorksheet(name, {
    ...(properties ? { properties } : {}),
    views: [{ state: 'frozen', ySplit: headerRow, xSplit: 0 }],
    pageSetup: {
      orientation: 'landscape',
      paperSize: 9,
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0,
      printTitlesRow: `${headerRow}:${headerRow}`,
      margins: { left: 0.4, right: 0.4, top: 0.5, bottom: 0.5, header: 0.3, footer: 0.3 },
    },
    headerFooter: { oddFooter: '&L&A&RPage &P of &N' },
  });
  ws.columns = widths.map((width) => ({ width }));
  return ws;
}

function title(ws: Worksheet, data: PackData, text: string) {
  ws.getCell('A1').value = text;
  ws.getCell('A1').font = { bold: true, size: 14 };
  ws.getCell('A2').value = `${data.title}. Figures as known at ${data.report.knownAt.replace('T', ' ').slice(0, 16)} UTC (as at ${data.report.asAt}).`;
  ws.getCell('A2').font = { italic: true };
}

function header(ws: Worksheet, row: number, labels: string[]) {
  const r = ws.getRow(row);
  labels.forEach((label, i) => {
    const cell = r.getCell(i + 1);
    cell.value = label;
    cell.font = { bold: true };
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFD9E2EC' } };
    cell.alignment = { wrapText: true, vertical: 'top' };
    cell.border = { bottom: { style: 'thin' } };
  });
}

function money(ws: Worksheet, ref: string, pence: number | null) {
  const cell = ws.getCell(ref);
  cell.value = pence === null ? null : pounds(pence);
  cell.numFmt = POUNDS_FORMAT;
}

function summarySheet(wb: Workbook, data: PackData) {
  const ws = addSheet(wb, 'Summary', 4, [44, 18, 18, 18, 18, 14, 14], { tabColor: { argb: 'FF1D70B8' } });
  const p = data.report.programme;
  title(ws, data, 'Summary');
  header(ws, 4, ['Measure', 'Value']);
  const measures: Array<[string, number | null, 'money' | 'percent']> = [
    ['MTFS target', p.mtfsTargetPence, 'money'],
    ['Agreed savings (baseline)', p.baselinePence, 'money'],
    ['Pipeline (not yet agreed)', p.pipelinePence, 'money'],
    ['Unidentified (target − agreed)', p.unidentifiedPence, 'money'],
    ['Forecast outturn', p.outturnPence, 'money'],
    ['Gap (target − outturn)', p.gapPence, 'money'],
    ['Risk-adjusted outturn', p.riskAdjustedOutturnPence, 'money'],
    ['Risk-adjusted gap', p.riskAdjustedGapPence, 'money'],
    ['Realised to date', p.realisedPence, 'money'],
    ['Validated to date', p.validatedPence, 'money'],
    ['Delivery rate (realised ÷ agreed)', p.deliveryRate, 'percent'],
    ['Net revenue budget', p.netBudgetPence, 'money'],
    ['Outturn as a share of the net budget', p.shareOfNetBudget, 'percent'],
    ['Investment planned', p.investmentPlannedPence, 'money'],
    ['Investment spent to date', p.investmentActualPence, 'money'],
  ];
  measures.forEach(([label, value, kind], i) => {
    const row = 5 + i;
    ws.getCell(`A${row}`).value = label;
    if (kind === 'money') money(ws, `B${row}`, value);
    else {
      ws.getCell(`B${row}`).value = value;
      ws.getCell(`B${row}`).numFmt = PERCENT_FORMAT;
    }
  });
  let row = 5 + measures.length + 1;
  header(ws, row, ['Status (BRAG)', 'Count', 'Agreed (£)', 'Forecast (£)']);
  const b = data.report.statusBuckets;
  const buckets: Array<[string, { count: number; baselinePence: number; forecastPence: number }]> = [
    ['Blue: delivered', b.delivered],
    ['Green: on track', b.green],
    ['Amber: at risk', b.amber],
    ['Red: needs replacing', b.red],
    ['Written out', b.writtenOut],
  ];
  for (const [label, bucket] of buckets) {
    row++;
    ws.getCell(`A${row}`).value = label;
    ws.getCell(`B${row}`).value = bucket.count;
    money(ws, `C${row}`, bucket.baselinePence);
    money(ws, `D${row}`, bucket.forecastPence);
  }
  row += 2;
  header(ws, row, ['Workstream', 'MTFS target (£)', 'Agreed (£)', 'Outturn (£)', 'Gap (£)', 'Delivery RAG', 'MTFS RAG']);
  const first = row;
  for (const w of data.report.workstreams) {
    row++;
    ws.getCell(`A${row}`).value = `${w.code} ${w.name}`;
    money(ws, `B${row}`, w.mtfsTargetPence);
    money(ws, `C${row}`, w.baselinePence);
    money(ws, `D${row}`, w.outturnPence);
    money(ws, `E${row}`, w.gapPence);
    ws.getCell(`F${row}`).value = w.rag ?? '';
    ws.getCell(`G${row}`).value = w.mtfsRag ?? '';
  }
  ws.autoFilter = `A${first}:G${row}`;
  row += 2;
  header(ws, row, ['Category (counts towards the MTFS)', 'Agreed (£)', 'Outturn (£)', 'Gap (£)']);
  for (const [label, f] of [
    ['Transformation', data.report.byCategory.transformation],
    ['Mitigation', data.report.byCategory.mitigation],
  ] as const) {
    row++;
    ws.getCell(`A${row}`).value = label;
    money(ws, `B${row}`, f.baselinePence);
    money(ws, `C${row}`, f.outturnPence);
    money(ws, `D${row}`, f.gapPence);
  }
  ws.commit();
}

/** The line columns of a workstream sheet; the first fourteen and the FY's baseline and forecast are the import's own headers. */
export function lineHeaders(fy: FinancialYear): string[] {
  return [
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
    'Stage',
    `Baseline ${fy}`,
    `Forecast ${fy}`,
    'Agreed (£)',
    'Outturn (£)',
    'Variance (£)',
    'Realised to date (£)',
    'BRAG',
    'Counts towards MTFS',
    'Commentary (amber and red)',
  ];
}

/** Where the totals are on a workstream sheet (rows), and its header row. */
export const WORKSTREAM_SHEET = { totals: { transformation: 5, mitigation: 6, workstream: 7, target: 8, gap: 9 }, header: 11 } as const;

function workstreamSheet(wb: Workbook, data: PackData, w: PackData['workstreams'][number], name: string) {
  const fy = data.report.financialYear;
  const H = WORKSTREAM_SHEET.header;
  const ws = addSheet(wb, name, H, [8, 22, 10, 26, 14, 20, 30, 12, 14, 15, 11, 20, 11, 12, 15, 15, 15, 15, 15, 15, 8, 10, 50]);
  title(ws, data, `${w.code} ${w.name}`);
  const report = data.report.workstreams.find((x) => x.id === w.id);
  const first = H + 1;
  const last = Math.max(first, H + w.lines.length);
  const range = (col: string) => `${col}$${first}:${col}$${last}`;
  // The totals, above the lines so the filter below never hides them: formulas over the lines, with their values.
  const T = WORKSTREAM_SHEET.totals;
  ws.getCell(`P${T.transformation - 1}`).value = 'Counting towards the MTFS';
  ws.getCell(`P${T.transformation - 1}`).font = { bold: true };
  for (const [col, label] of [
    ['Q', 'Agreed (£)'],
    ['R', 'Outturn (£)'],
    ['S', 'Variance (£)'],
    ['T', 'Realised to date (£)'],
  ] as const) {
    ws.getCell(`${col}${T.transformation - 1}`).value = label;
    ws.getCell(`${col}${T.transformation - 1}`).font = { bold: true };
  }
  const sum = (lines: PackLine[], key: 'agreedPence' | 'outturnPence' | 'variancePence' | 'realisedPence') =>
    lines.filter((l) => l.countsTowardsMtfs).reduce((a, l) => a + l[key], 0);
  const totalRows: Array<[number, string, PackLine[], string]> = [
    [T.transformation, 'Transformation', w.lines.filter((l) => l.category === 'transformation'), `${range('I')},"transformation",`],
    [T.mitigation, 'Mitigation', w.lines.filter((l) => l.category === 'mitigation'), `${range('I')},"mitigation",`],
    [T.workstream, 'Workstream', w.lines, ''],
  ];
  for (const [row, label, lines, criteria] of totalRows) {
    ws.getCell(`P${row}`).value = label;
    for (const [col, key] of [
      ['Q', 'agreedPence'],
      ['R', 'outturnPence'],
      ['S', 'variancePence'],
      ['T', 'realisedPence'],
    ] as const) {
      const cell = ws.getCell(`${col}${row}`);
      cell.value = { formula: `SUMIFS(${range(col)},${criteria}${range('V')},"Yes")`, result: pounds(sum(lines, key)) };
      cell.numFmt = POUNDS_FORMAT;
    }
  }
  ws.getCell(`P${T.target}`).value = `MTFS target ${fy}`;
  money(ws, `R${T.target}`, report?.mtfsTargetPence ?? 0);
  ws.getCell(`P${T.gap}`).value = 'Gap (target − outturn)';
  ws.getCell(`R${T.gap}`).value = { formula: `R${T.target}-R${T.workstream}`, result: pounds((report?.mtfsTargetPence ?? 0) - sum(w.lines, 'outturnPence')) };
  ws.getCell(`R${T.gap}`).numFmt = POUNDS_FORMAT;
  for (const r of [T.workstream, T.gap]) ws.getRow(r).font = { bold: true };

  header(ws, H, lineHeaders(fy));
  w.lines.forEach((l, i) => {
    const row = ws.getRow(first + i);
    row.values = [
      l.workstreamCode,
      l.workstreamName,
      l.projectCode,
      l.projectName,
      l.directorate,
      l.sro,
      l.title,
      l.mtfsRef,
      l.category,
      l.type,
      l.recurrence,
      l.owner,
      l.confidencePct / 100,
      l.stage,
      pounds(l.baselinePence),
      pounds(l.forecastPence),
      pounds(l.agreedPence),
      pounds(l.outturnPence),
      pounds(l.variancePence),
      pounds(l.realisedPence),
      l.rag ?? '',
      l.countsTowardsMtfs ? 'Yes' : 'No',
      l.commentary ?? '',
    ];
    row.getCell(13).numFmt = '0%';
    for (let c = 15; c <= 20; c++) row.getCell(c).numFmt = POUNDS_FORMAT;
    row.getCell(23).alignment = { wrapText: true, vertical: 'top' };
    row.alignment = { vertical: 'top' };
    row.commit();
  });
  ws.autoFilter = `A${H}:W${last}`;
  ws.commit();
}

function writtenOutSheet(wb: Workbook, data: PackData) {
  const ws = addSheet(wb, 'Written out', 4, [22, 10, 26, 30, 12, 13, 14, 15, 40, 15, 15]);
  title(ws, data, 'Savings written out, and their replacements');
  header(ws, 4, [
    'Workstream',
    'Project code',
    'Project name',
    'Saving',
    'MTFS ref',
    'Status',
    'Written out on',
    'Agreed (£)',
    'Replaced by',
    "Replacements' agreed (£)",
    "Replacements' outturn (£)",
  ]);
  data.writtenOut.forEach((l, i) => {
    const row = ws.getRow(5 + i);
    row.values = [
      l.workstream,
      l.projectCode,
      l.projectName,
      l.title,
      l.mtfsRef,
      l.status,
      l.writtenOutOn,
      pounds(l.agreedPence),
      l.replacedBy || 'Not yet replaced',
      pounds(l.replacementAgreedPence),
      pounds(l.replacementOutturnPence),
    ];
    for (const c of [8, 10, 11]) row.getCell(c).numFmt = POUNDS_FORMAT;
    row.commit();
  });
  ws.autoFilter = `A4:K${Math.max(5, 4 + data.writtenOut.length)}`;
  ws.commit();
}

function investmentSheet(wb: Workbook, data: PackData) {
  const ws = addSheet(wb, 'Investment', 4, [30, 12, 18, 18, 18]);
  title(ws, data, 'Investment by funding source');
  header(ws, 4, ['Funding source', 'Kind', 'Planned (£)', 'Spent to date (£)', 'Variance (£)']);
  data.investment.forEach((l, i) => {
    const row = ws.getRow(5 + i);
    row.values = [l.fundingSource, l.kind, pounds(l.plannedPence), pounds(l.actualPence), pounds(l.actualPence - l.plannedPence)];
    for (const c of [3, 4, 5]) row.getCell(c).numFmt = POUNDS_FORMAT;
  });
  const last = 4 + data.investment.length;
  const total = ws.getRow(last + 1);
  total.getCell(1).value = 'Total';
  const sum = (key: 'plannedPence' | 'actualPence') => data.investment.reduce((a, l) => a + l[key], 0);
  const lastRow = Math.max(5, last);
  total.getCell(3).value = { formula: `SUM(C5:C${lastRow})`, result: pounds(sum('plannedPence')) };
  total.getCell(4).value = { formula: `SUM(D5:D${lastRow})`, result: pounds(sum('actualPence')) };
  total.getCell(5).value = { formula: `SUM(E5:E${lastRow})`, result: pounds(sum('actualPence') - sum('plannedPence')) };
  for (const c of [3, 4, 5]) total.getCell(c).numFmt = POUNDS_FORMAT;
  total.font = { bold: true };
  ws.autoFilter = `A4:E${lastRow}`;
  ws.commit();
}

/** The file a pack downloads as: its FY and the date it is as at. */
function packFilename(financialYear: FinancialYear, asAt: string): string {
  return `monitoring-pack-${financialYear.replace('/', '-')}-${asAt.slice(0, 10)}.xlsx`;
}

/** The pack for a request: its content and the workbook, and the file name to save it as. */
export async function monitoringPack(deps: Deps, caller: Caller, query: AsAtQuery): Promise<{ data: PackData; bytes: Uint8Array; filename: string }> {
  const data = await monitoringPackData(deps, caller, query);
  const bytes = await monitoringPackXlsx(data);
  return { data, bytes, filename: packFilename(data.report.financialYear, data.report.asAt) };
}

/** The pack's workbook for a request, its content read and then its bytes made a chunk at a time (`signal`: see monitoringPackData). */
export async function* monitoringPackFile(deps: Deps, caller: Caller, query: AsAtQuery, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  yield* monitoringPackChunks(await monitoringPackData(deps, caller, query, signal));
}

/** Changes when the workbook's layout does, so a pack stored before a release is not served after it. */
const PACK_LAYOUT = 1;

/**
 * The pack's ETag, as the feeds': what it shows changes only with a change
 * to the data (every change writes an audit entry, a change of SRO or owner
 * too), the moment, the FY and the settings. One small read: a client's
 * If-None-Match is answered 304, and a pack stored once (named by it) serves
 * every request for it until the data changes. `settled` as the feeds'
 * (`dataMark`).
 */
export async function monitoringPackEtag(
  deps: Deps,
  caller: Caller,
  query: AsAtQuery,
): Promise<{ etag: string; settled: boolean; settlesInMs: number; filename: string }> {
  assertCan(caller.principal, 'programme:read');
  const { moment, financialYear } = resolveAsAt(deps, query);
  const { latest, settled, settlesInMs } = await dataMark(deps);
  const hash = createHash('sha256')
    .update(JSON.stringify(['monitoring-pack', PACK_LAYOUT, latest, moment.asAt, moment.past, financialYear, thresholdsOf(deps)]))
    .digest('base64url');
  return { etag: `"${hash.slice(0, 27)}"`, settled, settlesInMs, filename: packFilename(financialYear, moment.asAt) };
}

/** Where a pack is stored in the exports bucket: named by its ETag, as the feeds are. */
export function packFileKey(etag: string, filename: string): string {
  return `packs/${etag.replaceAll('"', '')}/${filename}`;
}
