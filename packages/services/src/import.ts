import {
  assertCan,
  BenefitCategory,
  BenefitType,
  CreateBenefit,
  CreateProject,
  CreateWorkstream,
  FinancialYear,
  fyOfMonth,
  fyStartYear,
  MoneyParseError,
  parsePounds,
  Recurrence,
  UnprocessableError,
  type Benefit,
  type Project,
  toMonthly,
  type Workstream,
} from '@bt/core';
import { collectAll } from '@bt/store';
import { parse } from 'csv-parse/sync';
import * as z from 'zod';
import { mintId, type Caller, type Deps } from './context.ts';
import { applyImport, type ImportWork, type NewSaving } from './import-apply.ts';

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
} as const;
type Field = keyof typeof IMPORT_COLUMNS;
/** Plus one column per FY for the baseline ("2025/26") and, optionally, "Forecast 2025/26"; pounds, "£1,234.56" or blank. */
const FY_COLUMN = /^(\d{4}\/\d{2})$/;
const FORECAST_COLUMN = /^forecast (\d{4}\/\d{2})$/i;
const REQUIRED: Field[] = ['workstreamCode', 'projectCode', 'title', 'mtfsRef', 'category', 'type', 'recurrence', 'owner'];

export const ImportProblem = z.object({
  /** 1-based row of the file, the header being row 1. */
  row: z.int(),
  column: z.string(),
  path: z.string(),
  message: z.string(),
});
export type ImportProblem = z.infer<typeof ImportProblem>;

/** What an import did (or, in a dry run, would do), and every problem by row and column. */
export const ImportResult = z
  .object({
    dryRun: z.boolean(),
    rows: z.int(),
    created: z.object({ workstreams: z.int(), projects: z.int(), benefits: z.int() }),
    unchanged: z.int(),
    problems: z.array(ImportProblem),
  })
  .meta({ id: 'ImportResult' });
export type ImportResult = z.infer<typeof ImportResult>;

interface Row {
  line: number;
  workstreamCode: string;
  workstreamName?: string | undefined;
  projectCode: string;
  projectName?: string | undefined;
  directorate?: string | undefined;
  title: string;
  mtfsRef: string;
  category: BenefitCategory;
  type: BenefitType;
  recurrence: Recurrence;
  owner: string;
  confidencePct: number;
  baseline: Record<string, number>;
  forecast: Record<string, number>;
}

const norm = (s: string) => s.trim().toLowerCase().replace(/\s+/g, ' ');

/** Synonyms finance people write for our enum values. */
function enumValue<T extends string>(options: readonly T[], raw: string, synonyms: Record<string, T> = {}): T | undefined {
  const v = norm(raw).replace(/_/g, '-');
  return (options.find((o) => o === v) ?? synonyms[v]) as T | undefined;
}

/** Reads and checks every row; returns the rows or every problem found, by row and column. */
export function parseSavingsCsv(csv: string, mapping: Record<string, string> = {}): { rows: Row[]; problems: ImportProblem[]; total: number } {
  const problems: ImportProblem[] = [];
  let records: string[][];
  try {
    records = parse(csv, { bom: true, skip_empty_lines: true, relax_column_count: true, trim: false }) as string[][];
  } catch (error) {
    return { rows: [], total: 0, problems: [{ row: 0, column: '', path: 'file', message: `The file is not valid CSV: ${(error as Error).message}` }] };
  }
  if (records.length === 0) return { rows: [], total: 0, problems: [{ row: 0, column: '', path: 'file', message: 'The file is empty.' }] };
  const header = records[0]!.map((h) => h.replace(/^\uFEFF/, ''));
  // mapping: template column → the file's own header
  const fileHeaderFor = (template: string) => mapping[template] ?? template;
  const index = new Map(header.map((h, i) => [norm(h), i]));
  const col = (template: string) => index.get(norm(fileHeaderFor(template)));
  for (const f of REQUIRED) {
    if (col(IMPORT_COLUMNS[f]) === undefined)
      problems.push({ row: 1, column: fileHeaderFor(IMPORT_COLUMNS[f]), path: f, message: 'is a required column and is missing' });
  }
  const reverse = new Map(Object.entries(mapping).map(([template, own]) => [norm(own), template]));
  const years: { fy: string; i: number; kind: 'baseline' | 'forecast' }[] = [];
  header.forEach((h, i) => {
    const template = reverse.get(norm(h)) ?? h.trim();
    const b = FY_COLUMN.exec(template);
    const f = FORECAST_COLUMN.exec(template);
    const fy = b?.[1] ?? f?.[1];
    if (!fy) return;
    if (!FinancialYear.safeParse(fy).success) problems.push({ row: 1, column: h, path: 'header', message: `${fy} is not a financial year such as 2025/26` });
    else years.push({ fy, i, kind: b ? 'baseline' : 'forecast' });
  });
  if (!years.some((y) => y.kind === 'baseline'))
    problems.push({ row: 1, column: '', path: 'header', message: 'needs at least one financial-year column such as 2025/26' });
  if (problems.length) return { rows: [], problems, total: records.length - 1 };

  const rows: Row[] = [];
  const seen = new Map<string, number>();
  records.slice(1).forEach((record, n) => {
    const line = n + 2;
    const cell = (f: Field) => {
      const i = col(IMPORT_COLUMNS[f]);
      return i === undefined ? '' : (record[i] ?? '').trim();
    };
    const fail = (f: Field | string, message: string, column?: string) =>
      problems.push({ row: line, column: column ?? fileHeaderFor(IMPORT_COLUMNS[f as Field] ?? f), path: f, message });
    const before = problems.length;
    for (const f of REQUIRED) if (!cell(f)) fail(f, 'is blank');
    const category = cell('category')
      ? enumValue(BenefitCategory.options, cell('category'), { mitigating: 'mitigation', 'mitigation measure': 'mitigation' })
      : undefined;
    if (cell('category') && !category) fail('category', `"${cell('category')}" is not transformation or mitigation`);
    const type = cell('type')
      ? enumValue(BenefitType.options, cell('type'), {
          'cashable saving': 'cashable-saving',
          cashable: 'cashable-saving',
          saving: 'cashable-saving',
          'cost avoidance': 'cost-avoidance',
          'non cashable': 'non-cashable',
          'non financial': 'non-financial',
        })
      : undefined;
    if (cell('type') && !type) fail('type', `"${cell('type')}" is not one of ${BenefitType.options.join(', ')}`);
    const recurrence = cell('recurrence')
      ? enumValue(Recurrence.options, cell('recurrence'), { 'one off': 'one-off', oneoff: 'one-off', ongoing: 'recurring', permanent: 'recurring' })
      : undefined;
    if (cell('recurrence') && !recurrence) fail('recurrence', `"${cell('recurrence')}" is not recurring or one-off`);
    let confidencePct = 100;
    if (cell('confidence')) {
      const m = /^(\d{1,3})\s*%?$/.exec(cell('confidence'));
      if (!m || Number(m[1]) > 100) fail('confidence', `"${cell('confidence')}" is not a percentage from 0 to 100`);
      else confidencePct = Number(m[1]);
    }
    const baseline: Record<string, number> = {};
    const forecast: Record<string, number> = {};
    for (const y of years) {
      const raw = (record[y.i] ?? '').trim();
      if (raw === '' || raw === '-') continue;
      try {
        const pence = parsePounds(raw);
        if (pence !== 0) (y.kind === 'baseline' ? baseline : forecast)[y.fy] = pence;
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
      title: cell('title'),
      mtfsRef: cell('mtfsRef'),
      category: category!,
      type: type!,
      recurrence: recurrence!,
      owner: cell('owner'),
      confidencePct,
      baseline,
      forecast: Object.keys(forecast).length ? forecast : { ...baseline },
    });
  });
  return { rows, problems, total: records.length - 1 };
}

const IMPORTED_LEAD = 'Imported (set the lead)';

function benefitInput(r: Row) {
  return {
    title: r.title,
    type: r.type,
    category: r.category,
    recurrence: r.recurrence,
    mtfsRef: r.mtfsRef,
    owner: r.owner,
    confidencePct: r.confidencePct,
    status: 'active',
  };
}

/** The file carries annual figures: each is phased evenly over its FY. */
function phased(byFy: Record<string, number>) {
  return Object.entries(byFy).map(([financialYear, amountPence]) => ({ financialYear, amountPence }));
}

/** A stored monthly series totals to the file's annual amounts. */
const sameAmounts = (months: Record<string, number>, byFy: Record<string, number>) => {
  const totals: Record<string, number> = {};
  for (const [m, v] of Object.entries(months)) totals[fyOfMonth(m)] = (totals[fyOfMonth(m)] ?? 0) + v;
  const keys = new Set([...Object.keys(totals), ...Object.keys(byFy)]);
  return [...keys].every((k) => (totals[k] ?? 0) === (byFy[k] ?? 0));
};

/**
 * Import savings (admin). With `dryRun` it checks everything — the file, and
 * the rows against what is stored — and writes nothing. A real run writes
 * only when there is no problem at all, so either every row lands or none
 * does; a saving already imported with the same amounts is left unchanged,
 * so importing the same file again changes nothing (and a run cut short is
 * finished by running it again).
 */
export async function importSavings(
  deps: Deps,
  caller: Caller,
  csv: string,
  options: { dryRun: boolean; mapping?: Record<string, string>; onProgress?: (done: number, total: number) => void | Promise<void> },
): Promise<ImportResult> {
  assertCan(caller.principal, 'workstream:create', 'Only an admin can import a savings tracker.');
  const { rows, problems, total } = parseSavingsCsv(csv, options.mapping);
  const result: ImportResult = { dryRun: options.dryRun, rows: total, created: { workstreams: 0, projects: 0, benefits: 0 }, unchanged: 0, problems };

  // What is already stored, by code.
  const workstreams = new Map<string, Workstream>((await collectAll((page) => deps.store.workstreams.list(page))).map((w) => [w.code.toUpperCase(), w]));
  const projects = new Map<string, Project>((await collectAll((page) => deps.store.projects.list({}, page))).map((p) => [p.code.toUpperCase(), p]));
  const benefitsOf = new Map<string, Benefit[]>();
  const existingBenefits = async (projectId: string) => {
    if (!benefitsOf.has(projectId)) benefitsOf.set(projectId, (await deps.store.children.record(projectId))?.benefits ?? []);
    return benefitsOf.get(projectId)!;
  };

  type Plan = { row: Row; action: 'create' | 'finish' | 'unchanged'; existing?: Benefit };
  const plans: Plan[] = [];
  const newWorkstreams = new Map<string, Row>();
  const newProjects = new Map<string, Row>();
  for (const row of rows) {
    const wsKey = row.workstreamCode.toUpperCase();
    const prKey = row.projectCode.toUpperCase();
    const ws = workstreams.get(wsKey);
    if (!ws && !newWorkstreams.has(wsKey)) {
      if (!row.workstreamName) {
        problems.push({
          row: row.line,
          column: IMPORT_COLUMNS.workstreamName,
          path: 'workstreamName',
          message: `workstream ${row.workstreamCode} does not exist: give its name to create it`,
        });
        continue;
      }
      newWorkstreams.set(wsKey, row);
    }
    const project = projects.get(prKey);
    if (project) {
      const owner = [...workstreams.values()].find((w) => w.id === project.workstreamId);
      if (owner?.code.toUpperCase() !== wsKey) {
        problems.push({
          row: row.line,
          column: IMPORT_COLUMNS.projectCode,
          path: 'projectCode',
          message: `project ${row.projectCode} belongs to workstream ${owner?.code ?? '?'}, not ${row.workstreamCode}`,
        });
        continue;
      }
      const match = (await existingBenefits(project.id)).find((b) => norm(b.title) === norm(row.title) && norm(b.mtfsRef) === norm(row.mtfsRef));
      if (match) {
        if (match.baselineVersion === 0) plans.push({ row, action: 'finish', existing: match });
        else if (sameAmounts(match.baseline, row.baseline) && sameAmounts(match.forecast, row.forecast))
          plans.push({ row, action: 'unchanged', existing: match });
        else
          problems.push({
            row: row.line,
            column: IMPORT_COLUMNS.title,
            path: 'title',
            message: `"${row.title}" was imported before with different amounts; change it through the API (a re-baseline needs a reason)`,
          });
        continue;
      }
    } else if (!newProjects.has(prKey)) {
      if (!row.projectName || !row.directorate) {
        problems.push({
          row: row.line,
          column: IMPORT_COLUMNS.projectName,
          path: 'projectName',
          message: `project ${row.projectCode} does not exist: give its name and directorate to create it`,
        });
        continue;
      }
      newProjects.set(prKey, row);
    } else if (newProjects.get(prKey)!.workstreamCode.toUpperCase() !== wsKey) {
      problems.push({
        row: row.line,
        column: IMPORT_COLUMNS.workstreamCode,
        path: 'workstreamCode',
        message: `project ${row.projectCode} is given two workstreams in this file`,
      });
      continue;
    }
    plans.push({ row, action: 'create' });
  }
  // Everything the import would create is checked with the API's own schemas first, so a row can never store what the API refuses.
  const check = (row: Row, schema: z.ZodType, value: unknown, columns: Partial<Record<string, string>>) => {
    const parsed = schema.safeParse(value);
    if (parsed.success) return;
    for (const issue of parsed.error.issues) {
      const field = String(issue.path[0] ?? '');
      problems.push({ row: row.line, column: columns[field] ?? field, path: field, message: issue.message });
    }
  };
  for (const row of newWorkstreams.values()) {
    check(
      row,
      CreateWorkstream,
      { code: row.workstreamCode, name: row.workstreamName, lead: IMPORTED_LEAD },
      { code: IMPORT_COLUMNS.workstreamCode, name: IMPORT_COLUMNS.workstreamName },
    );
  }
  for (const row of newProjects.values()) {
    check(
      row,
      CreateProject.pick({ code: true, name: true, directorate: true }),
      { code: row.projectCode, name: row.projectName, directorate: row.directorate },
      {
        code: IMPORT_COLUMNS.projectCode,
        name: IMPORT_COLUMNS.projectName,
        directorate: IMPORT_COLUMNS.directorate,
      },
    );
  }
  for (const plan of plans) {
    if (plan.action !== 'create') continue;
    const r = plan.row;
    check(r, CreateBenefit, benefitInput(r), { title: IMPORT_COLUMNS.title, mtfsRef: IMPORT_COLUMNS.mtfsRef, owner: IMPORT_COLUMNS.owner });
  }
  result.problems.sort((a, b) => a.row - b.row || a.column.localeCompare(b.column));
  result.unchanged = plans.filter((p) => p.action === 'unchanged').length;
  result.created = { workstreams: newWorkstreams.size, projects: newProjects.size, benefits: plans.filter((p) => p.action !== 'unchanged').length };
  if (result.problems.length > 0) {
    if (options.dryRun) return result;
    throw new UnprocessableError(
      'import-invalid',
      `The file has ${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}; nothing was imported. Fix them (a dry run lists them) and import again.`,
      result.problems.map((p) => ({ path: `row ${p.row}: ${p.column || p.path}`, message: p.message })),
    );
  }
  if (options.dryRun) return result;

  // Everything is decided before the first write, and applied all-or-nothing (import-apply.ts).
  const ids = new Map<string, string>();
  const work: ImportWork = { workstreams: [], newProjects: [], existingProjects: [] };
  for (const [key, row] of newWorkstreams) {
    const id = mintId(deps, 'workstream');
    ids.set(key, id);
    work.workstreams.push({ id, code: row.workstreamCode, name: row.workstreamName!, lead: IMPORTED_LEAD, mtfsTargets: {} });
  }
  const workstreamId = (code: string) => workstreams.get(code.toUpperCase())?.id ?? ids.get(code.toUpperCase())!;
  const saving = (r: Row): NewSaving => ({
    input: CreateBenefit.parse(benefitInput(r)),
    baseline: toMonthly({ phased: phased(r.baseline) }),
    forecast: toMonthly({ phased: phased(r.forecast) }),
  });
  const savingsOf = (key: string) => plans.filter((p) => p.action !== 'unchanged' && p.row.projectCode.toUpperCase() === key);
  for (const [key, row] of newProjects) {
    // The project runs over the FYs its savings are in.
    const years = rows
      .filter((r) => r.projectCode.toUpperCase() === key)
      .flatMap((r) => Object.keys(r.baseline))
      .map(fyStartYear);
    const first = years.length ? Math.min(...years) : fyStartYear(fyOfMonth(deps.clock().toISOString().slice(0, 7)));
    const last = years.length ? Math.max(...years) : first;
    const input = CreateProject.parse({
      code: row.projectCode,
      name: row.projectName!,
      workstreamId: workstreamId(row.workstreamCode),
      directorate: row.directorate!,
      sro: 'Imported (set the SRO)',
      manager: caller.principal.sub,
      stage: 'business-case',
      deliveryConfidence: 'amber',
      startDate: `${first}-04-01`,
      endDate: `${last + 1}-03-31`,
    });
    work.newProjects.push({
      fields: { id: mintId(deps, 'project'), ...input, manager: input.manager ?? caller.principal.sub },
      benefits: savingsOf(key).map((p) => saving(p.row)),
    });
  }
  for (const [key, project] of projects) {
    const mine = savingsOf(key);
    if (!mine.length) continue;
    work.existingProjects.push({
      project,
      benefits: mine.filter((p) => !p.existing).map((p) => saving(p.row)),
      finish: mine.filter((p) => p.existing).map((p) => ({ before: p.existing!, ...omitInput(saving(p.row)) })),
    });
  }
  await applyImport(deps, caller, work, options.onProgress);
  return result;
}

const omitInput = ({ baseline, forecast }: NewSaving) => ({ baseline, forecast });
