import {
  can,
  assertCan,
  CreateBenefit,
  CreateProject,
  CreateWorkstream,
  formatPounds,
  fyOfMonth,
  fyStartYear,
  isPeriodClosed,
  todayInLondon,
  UnprocessableError,
  type Benefit,
  type Project,
  toMonthly,
  type Workstream,
} from '@bt/core';
import { collectAll } from '@bt/store';
import type * as z from 'zod';
import { mintId, type Caller, type Deps } from './context.ts';
import { applyImport, type ImportWork, type NewSaving } from './import-apply.ts';
import { csvRecords, IMPORT_COLUMNS, NO_YEARS, norm, parseSavingsRecords, type ImportResult, type Row } from './import-parse.ts';
import { isXlsx, xlsxRecords } from './xlsx-read.ts';

export { IMPORT_COLUMNS, ImportProblem, ImportResult } from './import-parse.ts';

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
const sameAmounts = (months: Record<string, number>, byFy: Record<string, number>, years: readonly string[]) => {
  const totals: Record<string, number> = {};
  for (const [m, v] of Object.entries(months)) totals[fyOfMonth(m)] = (totals[fyOfMonth(m)] ?? 0) + v;
  // Only the years the file has columns for: a file of one year says nothing about the others.
  return years.every((k) => (totals[k] ?? 0) === (byFy[k] ?? 0));
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
  file: string | Uint8Array,
  options: {
    dryRun: boolean;
    mapping?: Record<string, string>;
    /** A workbook's sheet (default: its first). */
    sheet?: string | undefined;
    onProgress?: (done: number, total: number) => void | Promise<void>;
  },
): Promise<ImportResult> {
  assertCan(caller.principal, 'savings:import', 'Only finance or an admin can import a savings tracker.');
  const read = await recordsOf(file, options.sheet);
  const { rows, problems, total, years } =
    'problem' in read ? { rows: [], problems: [read.problem], total: 0, years: NO_YEARS } : parseSavingsRecords(read.records, options.mapping);
  const result: ImportResult = {
    dryRun: options.dryRun,
    rows: total,
    created: { workstreams: 0, projects: 0, benefits: 0 },
    recorded: { actuals: 0, targets: 0 },
    unchanged: 0,
    problems,
  };

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
      if (!can(caller.principal, 'workstream:create')) {
        problems.push({
          row: row.line,
          column: IMPORT_COLUMNS.workstreamCode,
          path: 'workstreamCode',
          message: `workstream ${row.workstreamCode} does not exist, and only an admin creates workstreams: ask one to, or to import this file`,
        });
        continue;
      }
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
        // Without forecast columns the file's forecast is its baseline (for new savings); a stored forecast is the manager's, not compared.
        else if (sameAmounts(match.baseline, row.baseline, years.baseline) && sameAmounts(match.forecast, row.forecast, years.forecast))
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
  // Realised to date: recorded as an actual of a saving this import creates; a saving stored before must already have it in its ledger.
  const periods = await deps.store.periods.get();
  const currentMonth = todayInLondon(deps.clock()).slice(0, 7);
  const actualsOf = new Map<Row, NonNullable<NewSaving['actuals']>>();
  const today = todayInLondon(deps.clock());
  for (const plan of plans) {
    const r = plan.row;
    for (const [fy, amount] of Object.entries(r.realised)) {
      const column = `Realised ${fy}`;
      if (plan.existing) {
        const inLedger = Object.entries(plan.existing.realised)
          .filter(([m]) => fyOfMonth(m) === fy)
          .reduce((a, [, v]) => a + v, 0);
        if (inLedger !== amount)
          problems.push({
            row: r.line,
            column,
            path: `realised.${fy}`,
            message: `"${r.title}" has ${formatPounds(inLedger)} realised in ${fy} in its ledger, not ${formatPounds(amount)}: record the difference as an actual, with its evidence`,
          });
        continue;
      }
      if (amount === 0) continue;
      // One actual for the year so far, in its latest month that has begun.
      const month = [currentMonth, `${Number(fy.slice(0, 4)) + 1}-03`].sort()[0]!;
      if (`${fy.slice(0, 4)}-04` > currentMonth)
        problems.push({ row: r.line, column, path: `realised.${fy}`, message: `${fy} has not begun: nothing can be realised in it yet` });
      else if (isPeriodClosed(periods, month))
        problems.push({
          row: r.line,
          column,
          path: `realised.${fy}`,
          message: `${month} is closed: realised to date cannot be recorded in it; a finance manager reopens it, or leave this column blank`,
        });
      else
        actualsOf.set(r, [
          ...(actualsOf.get(r) ?? []),
          { month, amountPence: amount, note: `Realised to date ${fy}, from the savings tracker imported by ${caller.principal.name} on ${today}` },
        ]);
    }
  }
  if (actualsOf.size && !can(caller.principal, 'actuals:record'))
    problems.push({ row: 0, column: '', path: 'realised', message: 'your role may not record actuals' });

  // MTFS targets: every row of a workstream that gives one for a year says the same.
  const targets = new Map<string, Map<string, { pence: number; line: number }>>();
  for (const row of rows) {
    for (const [fy, pence] of Object.entries(row.targets)) {
      const ws = targets.get(row.workstreamCode.toUpperCase()) ?? new Map<string, { pence: number; line: number }>();
      const earlier = ws.get(fy);
      if (earlier && earlier.pence !== pence)
        problems.push({
          row: row.line,
          column: `MTFS target ${fy}`,
          path: `targets.${fy}`,
          message: `row ${earlier.line} gives workstream ${row.workstreamCode} a target of ${formatPounds(earlier.pence)} for ${fy}, this row ${formatPounds(pence)}`,
        });
      else if (pence < 0) problems.push({ row: row.line, column: `MTFS target ${fy}`, path: `targets.${fy}`, message: 'a target cannot be negative' });
      else ws.set(fy, { pence, line: earlier?.line ?? row.line });
      targets.set(row.workstreamCode.toUpperCase(), ws);
    }
  }
  const targetChanges: NonNullable<ImportWork['targets']> = [];
  for (const [key, byFy] of targets) {
    const ws = workstreams.get(key);
    if (!ws) continue;
    const changed = [...byFy].filter(([fy, t]) => (ws.mtfsTargets[fy] ?? 0) !== t.pence);
    if (changed.length)
      targetChanges.push({ workstream: ws, mtfsTargets: { ...ws.mtfsTargets, ...Object.fromEntries(changed.map(([fy, t]) => [fy, t.pence])) } });
  }
  if (targets.size && !can(caller.principal, 'workstream:set-targets'))
    problems.push({ row: 0, column: '', path: 'targets', message: 'your role may not set MTFS targets' });

  result.problems.sort((a, b) => a.row - b.row || a.column.localeCompare(b.column));
  result.unchanged = plans.filter((p) => p.action === 'unchanged').length;
  result.created = { workstreams: newWorkstreams.size, projects: newProjects.size, benefits: plans.filter((p) => p.action !== 'unchanged').length };
  result.recorded = {
    actuals: [...actualsOf.values()].reduce((a, l) => a + l.length, 0),
    targets: targetChanges.reduce((a, t) => a + Object.keys(t.mtfsTargets).filter((fy) => t.mtfsTargets[fy] !== t.workstream.mtfsTargets[fy]).length, 0),
  };
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
  const work: ImportWork = { workstreams: [], newProjects: [], existingProjects: [], targets: targetChanges, periods };
  for (const [key, row] of newWorkstreams) {
    const id = mintId(deps, 'workstream');
    ids.set(key, id);
    const given = Object.fromEntries([...(targets.get(key) ?? new Map<string, { pence: number }>())].map(([fy, t]) => [fy, t.pence]));
    work.workstreams.push({ id, code: row.workstreamCode, name: row.workstreamName!, lead: IMPORTED_LEAD, mtfsTargets: given });
  }
  const workstreamId = (code: string) => workstreams.get(code.toUpperCase())?.id ?? ids.get(code.toUpperCase())!;
  const saving = (r: Row): NewSaving => ({
    input: CreateBenefit.parse(benefitInput(r)),
    baseline: toMonthly({ phased: phased(r.baseline) }),
    forecast: toMonthly({ phased: phased(r.forecast) }),
    ...(actualsOf.has(r) ? { actuals: actualsOf.get(r) } : {}),
  });
  const savingsOf = (key: string) => plans.filter((p) => p.action !== 'unchanged' && p.row.projectCode.toUpperCase() === key);
  for (const [key, row] of newProjects) {
    // The project runs over the FYs its savings are in.
    const years = rows
      .filter((r) => r.projectCode.toUpperCase() === key)
      .flatMap((r) => [...Object.keys(r.baseline), ...Object.keys(r.realised)])
      .map(fyStartYear);
    const first = years.length ? Math.min(...years) : fyStartYear(fyOfMonth(deps.clock().toISOString().slice(0, 7)));
    const last = years.length ? Math.max(...years) : first;
    const input = CreateProject.parse({
      code: row.projectCode,
      name: row.projectName!,
      workstreamId: workstreamId(row.workstreamCode),
      directorate: row.directorate!,
      sro: row.sro ?? 'Imported (set the SRO)',
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

/** The file's records: a workbook (.xlsx, by its first bytes) or CSV text. */
async function recordsOf(file: string | Uint8Array, sheet: string | undefined) {
  if (typeof file !== 'string') {
    if (isXlsx(file)) return xlsxRecords(file, sheet);
    file = new TextDecoder('utf-8').decode(file);
  }
  if (sheet !== undefined)
    return { problem: { row: 0, column: '', path: 'sheet', message: 'A CSV file has no sheets: send the workbook, or leave out sheet.' } };
  return csvRecords(file);
}
