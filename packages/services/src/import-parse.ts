import { lazySchema } from '@bt/core';
import { BenefitCategory, BenefitType, FinancialYear, MoneyParseError, parseAmount, Recurrence } from '@bt/core';
import * as z from 'zod';

/**
 * Import of a savings tracker kept in Excel: one row per saving. The template
 * columns (any order; headers matched without regard to case or spaces):
 */
export const IMPORT_COLUMNS = {
  workstreamCode: 'Workstream code',
  workstreamName: 'Workstream name',
  projectCode: 'Project code',
  projectName: 'Project name',
  directorate: 'Directorate',
  title: 'Saving',
  mtfsRef: 'MTFS ref',
  category: 'Category',
  type: 'Type',
  recurrence: 'Recurrence',
  owner: 'Owner',
  confidence: 'Confidence (%)',
  sro: 'SRO',
} as const;
type Field = keyof typeof IMPORT_COLUMNS;
/** Plus one column per FY for the baseline ("2025/26" or "Baseline 2025/26") and, optionally, "Forecast 2025/26"; pounds, "£1,234.56", "£1.2m", "350k", "(1,234)" or blank. */
const FY_COLUMN = /^(?:baseline )?(\d{4}\/\d{2})$/i;
const FORECAST_COLUMN = /^forecast (\d{4}\/\d{2})$/i;
/** Optionally "Realised 2025/26" (or "Realised to date 2025/26"): realised so far, recorded as an actual of a saving the import creates. */
const REALISED_COLUMN = /^realised(?: to date)? (\d{4}\/\d{2})$/i;
/** Optionally "MTFS target 2025/26": the row's workstream's target for the year (every row of a workstream giving one must agree). */
const TARGET_COLUMN = /^mtfs target (\d{4}\/\d{2})$/i;
type YearKind = 'baseline' | 'forecast' | 'realised' | 'target';
const REQUIRED: Field[] = ['workstreamCode', 'projectCode', 'title', 'mtfsRef', 'category', 'type', 'recurrence', 'owner'];

export const ImportProblem = lazySchema(() =>
  z.object({
    /** 1-based row of the file, the header being row 1. */
    row: z.int(),
    column: z.string(),
    path: z.string(),
    message: z.string(),
  }),
);
export type ImportProblem = z.infer<typeof ImportProblem>;

/** What an import did (or, in a dry run, would do), and every problem by row and column. */
export const ImportResult = lazySchema(() =>
  z
    .object({
      dryRun: z.boolean(),
      rows: z.int(),
      created: z.object({ workstreams: z.int(), projects: z.int(), benefits: z.int() }),
      /** Actuals recorded for new savings' realised to date, and MTFS targets set or changed on existing workstreams. */
      recorded: z.object({ actuals: z.int(), targets: z.int() }),
      unchanged: z.int(),
      problems: z.array(ImportProblem),
    })
    .meta({ id: 'ImportResult' }),
);
export type ImportResult = z.infer<typeof ImportResult>;

export interface Row {
  line: number;
  workstreamCode: string;
  workstreamName?: string | undefined;
  projectCode: string;
  projectName?: string | undefined;
  directorate?: string | undefined;
  sro?: string | undefined;
  title: string;
  mtfsRef: string;
  category: BenefitCategory;
  type: BenefitType;
  recurrence: Recurrence;
  owner: string;
  confidencePct: number;
  baseline: Record<string, number>;
  forecast: Record<string, number>;
  /** Realised to date by FY (blank: not given). */
  realised: Record<string, number>;
  /** The workstream's MTFS target by FY (blank: not given). */
  targets: Record<string, number>;
}

export const norm = (s: string) => s.trim().toLowerCase().replace(/\s+/g, ' ');

/** Synonyms finance people write for our enum values. */
function enumValue<T extends string>(options: readonly T[], raw: string, synonyms: Record<string, T> = {}): T | undefined {
  const v = norm(raw).replace(/_/g, '-');
  return (options.find((o) => o === v) ?? synonyms[v]) as T | undefined;
}

/** A CSV file's records (cells as text); a file that is not CSV is one problem. csv-parse is loaded with the first file (beside the API's bundle: functions/bundling.ts). */
export async function csvRecords(csv: string): Promise<{ records: string[][] } | { problem: ImportProblem }> {
  const { parse } = await import('csv-parse/sync');
  try {
    return { records: parse(csv, { bom: true, relax_column_count: true, trim: false }) as string[][] };
  } catch (error) {
    return { problem: { row: 0, column: '', path: 'file', message: `The file is not valid CSV: ${(error as Error).message}` } };
  }
}

/**
 * A row that holds no saving: blank, or only separators (the ",,,,," lines a
 * spreadsheet's CSV export writes, rules of dashes, en and em dashes written
 * as escapes so that the bundles stay ASCII), or a total.
 */
function isFiller(record: string[]): boolean {
  const cells = record.map((c) => c.trim()).filter((c) => !/^[\s,;|_=\-\u2013\u2014]*$/.test(c));
  return cells.length === 0 || /^(grand |sub-?)?totals?:?$/i.test(cells[0]!);
}

export const NO_YEARS = { baseline: [], forecast: [], realised: [] };

/** How many rows above the header a tracker may have (titles, notes, a date). */
const HEADER_SEARCH_ROWS = 30;

/**
 * Reads and checks every row of a sheet (cells as text, the first record
 * the file's row 1): finds the header row below any title rows, skips blank,
 * separator and total rows, and returns the rows or every problem found, by
 * the file's own row and column.
 */
export interface ParsedSavings {
  rows: Row[];
  problems: ImportProblem[];
  total: number;
  /** The FYs the file has baseline, forecast and realised columns for: a saving imported before is compared in these only. */
  years: { baseline: string[]; forecast: string[]; realised: string[] };
}

export function parseSavingsRecords(records: string[][], mapping: Record<string, string> = {}): ParsedSavings {
  const problems: ImportProblem[] = [];
  if (records.every(isFiller)) return { rows: [], total: 0, problems: [{ row: 0, column: '', path: 'file', message: 'The file is empty.' }], years: NO_YEARS };
  // mapping: template column → the file's own header
  const fileHeaderFor = (template: string) => mapping[template] ?? template;
  const required = REQUIRED.map((f) => norm(fileHeaderFor(IMPORT_COLUMNS[f])));
  const clean = (h: string) => norm(h.replace(/^\uFEFF/, ''));
  // The header row: the first with every required column, else the one with the most of them (its missing ones are reported).
  const candidates = records.slice(0, HEADER_SEARCH_ROWS).map((r, i) => ({ i, found: required.filter((h) => r.some((c) => clean(c) === h)).length }));
  const headerAt = (candidates.find((c) => c.found === required.length) ?? candidates.reduce((a, b) => (b.found > a.found ? b : a))).i;
  const header = records[headerAt]!.map((h) => h.replace(/^\uFEFF/, ''));
  const headerRow = headerAt + 1;
  const body = records
    .slice(headerAt + 1)
    .map((record, n) => ({ record, line: headerRow + 1 + n }))
    .filter(({ record }) => !isFiller(record));
  const index = new Map(header.map((h, i) => [norm(h), i]));
  const col = (template: string) => index.get(norm(fileHeaderFor(template)));
  for (const f of REQUIRED) {
    if (col(IMPORT_COLUMNS[f]) === undefined)
      problems.push({ row: headerRow, column: fileHeaderFor(IMPORT_COLUMNS[f]), path: f, message: 'is a required column and is missing' });
  }
  const reverse = new Map(Object.entries(mapping).map(([template, own]) => [norm(own), template]));
  const years: { fy: string; i: number; kind: YearKind }[] = [];
  header.forEach((h, i) => {
    const template = reverse.get(norm(h)) ?? h.trim();
    const found = (
      [
        ['baseline', FY_COLUMN],
        ['forecast', FORECAST_COLUMN],
        ['realised', REALISED_COLUMN],
        ['target', TARGET_COLUMN],
      ] as const
    ).flatMap(([kind, re]) => {
      const m = re.exec(template);
      return m ? [{ kind, fy: m[1]! }] : [];
    })[0];
    if (!found) return;
    if (!FinancialYear.safeParse(found.fy).success)
      problems.push({ row: headerRow, column: h, path: 'header', message: `${found.fy} is not a financial year such as 2025/26` });
    else years.push({ fy: found.fy, i, kind: found.kind });
  });
  if (!years.some((y) => y.kind === 'baseline'))
    problems.push({ row: headerRow, column: '', path: 'header', message: 'needs at least one financial-year column such as 2025/26' });
  const fileYears = {
    baseline: years.filter((y) => y.kind === 'baseline').map((y) => y.fy),
    forecast: years.filter((y) => y.kind === 'forecast').map((y) => y.fy),
    realised: years.filter((y) => y.kind === 'realised').map((y) => y.fy),
  };
  if (problems.length) return { rows: [], problems, total: body.length, years: fileYears };

  const rows: Row[] = [];
  const seen = new Map<string, number>();
  body.forEach(({ record, line }) => {
    const cell = (f: Field) => {
      const i = col(IMPORT_COLUMNS[f]);
      return i === undefined ? '' : (record[i] ?? '').trim();
    };
    const fail = (f: Field | string, message: string, column?: string) =>
      problems.push({ row: line, column: column ?? fileHeaderFor(IMPORT_COLUMNS[f as Field] ?? f), path: f, message });
    const before = problems.length;
    for (const f of REQUIRED) if (!cell(f)) fail(f, 'is blank');
    const category = cell('category')
      ? enumValue(BenefitCategory.options, cell('category'), {
          mitigating: 'mitigation',
          'mitigation measure': 'mitigation',
          mitigations: 'mitigation',
          transformational: 'transformation',
          'transformation programme': 'transformation',
        })
      : undefined;
    if (cell('category') && !category) fail('category', `"${cell('category')}" is not transformation or mitigation`);
    const type = cell('type')
      ? enumValue(BenefitType.options, cell('type'), {
          'cashable saving': 'cashable-saving',
          cashable: 'cashable-saving',
          saving: 'cashable-saving',
          'cost avoidance': 'cost-avoidance',
          'cost avoided': 'cost-avoidance',
          'non cashable': 'non-cashable',
          'non financial': 'non-financial',
          'income generation': 'income',
          'additional income': 'income',
          'fees and charges': 'income',
        })
      : undefined;
    if (cell('type') && !type) fail('type', `"${cell('type')}" is not one of ${BenefitType.options.join(', ')}`);
    const recurrence = cell('recurrence')
      ? enumValue(Recurrence.options, cell('recurrence'), {
          'one off': 'one-off',
          oneoff: 'one-off',
          'one-time': 'one-off',
          'one time': 'one-off',
          'non-recurrent': 'one-off',
          'non recurrent': 'one-off',
          'non-recurring': 'one-off',
          'non recurring': 'one-off',
          temporary: 'one-off',
          ongoing: 'recurring',
          permanent: 'recurring',
          recurrent: 'recurring',
          'full year': 'recurring',
        })
      : undefined;
    if (cell('recurrence') && !recurrence) fail('recurrence', `"${cell('recurrence')}" is not recurring or one-off`);
    let confidencePct = 100;
    if (cell('confidence')) {
      const m = /^(\d{1,3})\s*%?$/.exec(cell('confidence'));
      if (!m || Number(m[1]) > 100) fail('confidence', `"${cell('confidence')}" is not a percentage from 0 to 100`);
      else confidencePct = Number(m[1]);
    }
    const amounts: Record<YearKind, Record<string, number>> = { baseline: {}, forecast: {}, realised: {}, target: {} };
    const { baseline, forecast } = amounts;
    for (const y of years) {
      const raw = (record[y.i] ?? '').trim();
      if (raw === '' || raw === '-') continue;
      try {
        const pence = parseAmount(raw);
        // A blank or zero baseline or forecast is no amount; a realised or target of 0 is said on purpose.
        if (pence !== 0 || y.kind === 'realised' || y.kind === 'target') amounts[y.kind][y.fy] = pence;
      } catch (error) {
        fail(`${y.kind}.${y.fy}`, error instanceof MoneyParseError ? error.message : `"${raw}" is not an amount`, header[y.i]);
      }
    }
    const key = `${norm(cell('projectCode'))}|${norm(cell('mtfsRef'))}|${norm(cell('title'))}`;
    if (seen.has(key)) fail('title', `repeats row ${seen.get(key)} (same project, MTFS ref and saving)`);
    seen.set(key, line);
    if (problems.length > before) return;
    rows.push({
      line,
      workstreamCode: cell('workstreamCode'),
      workstreamName: cell('workstreamName') || undefined,
      projectCode: cell('projectCode'),
      projectName: cell('projectName') || undefined,
      directorate: cell('directorate') || undefined,
      sro: cell('sro') || undefined,
      title: cell('title'),
      mtfsRef: cell('mtfsRef'),
      category: category!,
      type: type!,
      recurrence: recurrence!,
      owner: cell('owner'),
      confidencePct,
      baseline,
      forecast: Object.keys(forecast).length ? forecast : { ...baseline },
      realised: amounts.realised,
      targets: amounts.target,
    });
  });
  return { rows, problems, total: body.length, years: fileYears };
}
