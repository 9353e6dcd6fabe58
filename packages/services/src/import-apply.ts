import {
  Benefit,
  ConflictError,
  NotFoundError,
  isBaselineLocked,
  validateProject,
  type BaselineVersion,
  type CreateBenefit,
  type MonthlyPence,
  type Project,
  type DomainEvent,
  type PeriodsState,
  type ProjectFields,
  type Workstream,
} from '@bt/core';
import { stripKeys, type ChildFields, type ImportStep, type TxOp, type UndoEntity, type WorkstreamFields, type WriteContext } from '@bt/store';
import { mintId, writeContext, type Caller, type Deps } from './context.ts';
import { projectUnchangedOp } from './project-access.ts';
import { workstreamMustExist } from './projects.ts';

/** DynamoDB's limit on the writes of one transaction, less the two of the import's own journal step and a check of the periods. */
const OPS_PER_STEP = 100 - 3;
/** An import still applying this long after it began has died part-way; the next import rolls it back. */
export const IMPORT_DEADLINE_MS = 5 * 60_000;
const REASON = 'Imported from the savings tracker';

/** What an import writes, decided and checked before the first write. */
export interface ImportWork {
  workstreams: WorkstreamFields[];
  /** Existing workstreams given new MTFS targets (merged by FY). */
  targets?: Array<{ workstream: Workstream; mtfsTargets: Record<string, number> }>;
  /** What the periods were when the import was checked: a month closed meanwhile refuses the step that records an actual in it. */
  periods?: PeriodsState;
  /** New projects with their new savings. */
  newProjects: Array<{ fields: ProjectFields; benefits: NewSaving[] }>;
  /** Existing projects gaining savings, or finishing savings created without amounts. */
  existingProjects: Array<{ project: Project; benefits: NewSaving[]; finish: Array<{ before: Benefit; baseline: MonthlyPence; forecast: MonthlyPence }> }>;
}

export interface NewSaving {
  input: CreateBenefit;
  baseline: MonthlyPence;
  forecast: MonthlyPence;
  /** Realised to date, recorded as actuals (one a year) with the import as their evidence. */
  actuals?: Array<{ month: string; amountPence: number; note: string }>;
}

/** A piece of the import that must land in one transaction: its writes and how to take them back. */
interface Piece {
  ops: TxOp[];
  undo: UndoEntity[];
  /** It records an actual: its step also checks the periods are as they were when the import was checked. */
  records?: boolean;
  /** The events of what it records, published once the whole import has landed. */
  events?: DomainEvent[];
  touched?: string;
}

/**
 * Applies an import all-or-nothing. The writes go in as few transactions as
 * DynamoDB allows (100 writes each), each recording in itself how to undo it
 * in the import's journal; if any fails, every step that landed is undone
 * and the error is raised, so the import leaves nothing behind. Readers may
 * see an import arrive over the second or two it takes; never half of one
 * for good.
 */
export async function applyImport(deps: Deps, caller: Caller, work: ImportWork, onStep?: (done: number, total: number) => void | Promise<void>): Promise<void> {
  const ctx = writeContext(deps, caller);
  await rollBackAbandoned(deps, ctx);
  const steps = pack(pieces(deps, ctx, work));
  const id = mintId(deps, 'import');
  await deps.store.imports.begin({
    id,
    startedAt: ctx.now,
    startedBy: ctx.actor.sub,
    deadline: new Date(Date.parse(ctx.now) + IMPORT_DEADLINE_MS).toISOString(),
  });
  try {
    for (const [i, step] of steps.entries()) {
      const record: ImportStep = { entities: step.flatMap((p) => p.undo), touchedProjects: step.flatMap((p) => (p.touched ? [p.touched] : [])) };
      const periodsGuard = work.periods && step.some((p) => p.records) ? [deps.store.periods.unchangedOp(work.periods)] : [];
      await deps.store.commit([...step.flatMap((p) => p.ops), ...periodsGuard, ...deps.store.imports.stepOps(id, i + 1, record)]);
      await onStep?.(i + 1, steps.length);
    }
  } catch (error) {
    await rollBack(deps, ctx, id);
    throw error;
  }
  if (!(await deps.store.imports.finish(id))) {
    throw new ConflictError('import-abandoned', 'This import took too long and was rolled back; nothing of it remains. Import the file again.');
  }
  // The actuals it recorded are published once the import has landed for good (never for one taken back), as any actual is.
  const events = steps.flatMap((step) => step.flatMap((p) => p.events ?? []));
  for (let i = 0; i < events.length; i += 100) await deps.store.commit(events.slice(i, i + 100).map((e) => deps.store.outbox.enqueueOp(e)));
}

/** Every import that died part-way (past its deadline, still applying) is undone. */
export async function rollBackAbandoned(deps: Deps, ctx: WriteContext): Promise<string[]> {
  const ids = await deps.store.imports.abandoned(ctx.now);
  for (const id of ids) await rollBack(deps, ctx, id);
  return ids;
}

/**
 * Undoes every step of an import that landed, latest first: each entity with
 * its audit entry, children before their parents. An entity someone has
 * changed since (an actual recorded, a field edited) is left, with its
 * parents, and named in the journal; the summary entries of what was undone
 * are taken out of the projects that stay.
 */
export async function rollBack(deps: Deps, ctx: WriteContext, id: string): Promise<void> {
  if (!(await deps.store.imports.claimRollback(id))) return;
  const kept = new Set<string>();
  const undone: UndoEntity[] = [];
  const touched = new Set<string>();
  for (const step of await deps.store.imports.steps(id)) {
    for (const p of step.touchedProjects) touched.add(p);
    const entities = [...step.entities].reverse();
    const whole = entities.flatMap((e) => deps.store.imports.undoOps(ctx, e, id));
    if (whole.length <= 100 && !entities.some((e) => kept.has(e.entityId)) && (await deps.store.imports.tryUndo(whole))) undone.push(...entities);
    else {
      for (const entity of entities) {
        if (kept.has(entity.entityId) || !(await deps.store.imports.tryUndo(deps.store.imports.undoOps(ctx, entity, id)))) {
          kept.add(entity.entityId);
          if (entity.parentId) kept.add(entity.parentId);
        } else undone.push(entity);
      }
    }
  }
  // A project taken back whole takes its history with it.
  for (const e of undone) if (e.entityType === 'project') await deps.store.summaries.dropHistory(e.entityId);
  // The projects that stay (stored before, or kept) lose the summary entries of the savings taken away, or get their restored state back.
  for (const projectId of new Set([...touched, ...kept])) {
    const mine = undone.filter((e) => e.entityType === 'benefit' && e.projectId === projectId);
    const removed = mine.filter((e) => !e.writes.some((w) => w.restore)).map((e) => e.entityId);
    const restored = mine.flatMap((e) => e.writes.flatMap((w) => (w.restore ? [Benefit.parse(stripKeys(w.restore))] : [])));
    // Writes of one summary go one after the other, 50 entries at a time (an update expression is limited to 4 KB).
    // The moment of the rollback (not the import's start), as the project's history tells it.
    const when = { at: deps.clock().toISOString(), by: ctx.actor.sub };
    for (let i = 0; i < removed.length; i += 50) await deps.store.commit(deps.store.summaries.benefitsRemovedOp(projectId, removed.slice(i, i + 50), when));
    // Their ledger totals (the realised the import recorded), no longer read, tidied away.
    const ledgers = mine.map((e) => ({ id: e.entityId, months: e.writes.flatMap((w) => Object.keys(w.ledgerAsImported ?? {})) }));
    for (const op of deps.store.summaries.ledgerRemovedOps(projectId, ledgers)) await deps.store.commit([op]).catch(nothingToTidy);
    for (let i = 0; i < restored.length; i += 50)
      await deps.store.commit(
        deps.store.summaries.benefitsOp(
          projectId,
          restored.slice(i, i + 50).map((benefit) => ({ benefit, created: false })),
          { ...when, restored: true },
        ),
      );
  }
  await deps.store.imports.rolledBack(id, [...kept].sort());
}

/** The import cut into pieces that each must land whole. */
function pieces(deps: Deps, ctx: WriteContext, work: ImportWork): Piece[] {
  const out: Piece[] = [];
  const newWorkstreams = new Set<string>();
  for (const fields of work.workstreams) {
    const { workstream, ops } = deps.store.workstreams.createOps(ctx, fields);
    newWorkstreams.add(workstream.id);
    out.push({ ops, undo: [deps.store.imports.undoWorkstream(workstream)] });
  }
  for (const { workstream, mtfsTargets } of work.targets ?? []) {
    const { workstream: next, ops } = deps.store.workstreams.updateOps(ctx, workstream, { ...workstream, mtfsTargets }, 'targets-imported');
    out.push({ ops, undo: [deps.store.imports.undoChangedWorkstream(workstream, next)] });
  }
  for (const { fields, benefits } of work.newProjects) {
    validateProject(fields);
    const { project, ops } = deps.store.projects.createOps(ctx, fields);
    const created = benefits.map((b) => newBenefit(deps, ctx, project, b));
    // Room for the workstream guard and the summary with its history entry.
    const [first, ...rest] = chunks(created, OPS_PER_STEP - ops.length - 3);
    const guard = newWorkstreams.has(fields.workstreamId) ? [] : [workstreamMustExist(deps, fields.workstreamId)];
    out.push({
      ops: [
        ...ops,
        ...guard,
        ...deps.store.summaries.rebuildOp({ project, benefits: (first ?? []).map((c) => c.benefit), investments: [] }, ctx.actor.sub),
        ...(first ?? []).flatMap((c) => c.ops),
      ],
      undo: [deps.store.imports.undoProject(project), ...(first ?? []).map((c) => c.undo)],
      records: (first ?? []).some((c) => c.actuals.length > 0),
      events: (first ?? []).flatMap((c) => c.events),
    });
    for (const chunk of rest) out.push(savingsPiece(deps, ctx, project, chunk, false));
  }
  for (const { project, benefits, finish } of work.existingProjects) {
    const created = benefits.map((b) => newBenefit(deps, ctx, project, b));
    const finished = finish.map((f) => finishedBenefit(deps, ctx, project, f));
    const all = [...created.map((c) => ({ ...c, created: true })), ...finished.map((f) => ({ ...f, created: false }))];
    // Room for the summary with its history entry, and the guard that the project is as read.
    for (const chunk of chunks(all, OPS_PER_STEP - 3)) out.push(savingsPiece(deps, ctx, project, chunk, true));
  }
  return out;
}

interface SavingWrites {
  benefit: Benefit;
  ops: TxOp[];
  undo: UndoEntity;
  created?: boolean;
  /** The actuals recorded with it (their ledger amounts go into the project's history). */
  actuals: Array<{ benefitId: string; month: string; amountPence: number }>;
  events: DomainEvent[];
}

/** Savings of a project already stored: their writes, one update of its summary, and a guard that the project is as read. */
function savingsPiece(deps: Deps, ctx: WriteContext, project: Project, chunk: SavingWrites[], existed: boolean): Piece {
  return {
    ops: [
      ...chunk.flatMap((c) => c.ops),
      ...deps.store.summaries.benefitsOp(
        project.id,
        chunk.map((c) => ({ benefit: c.benefit, created: c.created ?? true })),
        { at: ctx.now, by: ctx.actor.sub, actuals: chunk.flatMap((c) => c.actuals) },
      ),
      projectUnchangedOp(deps, project),
    ],
    undo: chunk.map((c) => c.undo),
    records: chunk.some((c) => c.actuals.length > 0),
    events: chunk.flatMap((c) => c.events),
    ...(existed ? { touched: project.id } : {}),
  };
}

/**
 * A new saving written whole: the benefit with its baseline and forecast, its
 * id → project reference, its first baseline version, and its realised to
 * date as actuals recorded by the importer (evidence: the import), which go
 * to finance's validation queue like any other.
 */
function newBenefit(deps: Deps, ctx: WriteContext, project: Pick<Project, 'id' | 'stage'>, saving: NewSaving): SavingWrites {
  const id = mintId(deps, 'benefit');
  const hasBaseline = Object.keys(saving.baseline).length > 0;
  const entries = (saving.actuals ?? []).map((a) =>
    deps.store.ledger.newEntry('actual', {
      id: mintId(deps, 'actual'),
      benefitId: id,
      month: a.month,
      amountPence: a.amountPence,
      note: a.note,
      recordedBy: ctx.actor.sub,
      recordedAt: ctx.now,
    }),
  );
  const realised: MonthlyPence = {};
  for (const e of entries) realised[e.month] = (realised[e.month] ?? 0) + e.amountPence;
  const fields: ChildFields<'benefit'> = {
    id,
    projectId: project.id,
    ...saving.input,
    replacedByBenefitIds: [],
    baseline: saving.baseline,
    baselineVersion: hasBaseline ? 1 : 0,
    forecast: saving.forecast,
    ...(Object.keys(saving.forecast).length ? { forecastUpdatedAt: ctx.now, forecastUpdatedBy: ctx.actor.sub } : {}),
    realised,
    validated: {},
  };
  const { item, ops } = deps.store.children.createOps(ctx, 'benefit', fields);
  ops.push(deps.store.children.benefitRefOp(id, project.id));
  if (hasBaseline) ops.push(deps.store.ledger.baselineVersionOp(baselineVersion(ctx, id, 1, saving.baseline, project.stage)));
  for (const entry of entries) {
    ops.push(
      deps.store.ledger.appendOp('actual', id, entry, project.id),
      deps.store.audit.entryOp(ctx, { entityType: 'benefit', entityId: id, projectId: project.id, action: 'actual-recorded', before: null, after: entry }),
    );
  }
  return {
    benefit: item,
    ops,
    undo: deps.store.imports.undoNewBenefit(
      item,
      entries.map((e) => e.id),
    ),
    actuals: entries.map((e) => ({ benefitId: id, month: e.month, amountPence: e.amountPence })),
    events: entries.map((entry) => ({
      id: `${entry.id}.recorded`,
      source: 'benefits-tracker' as const,
      detailType: 'ActualRecorded' as const,
      time: ctx.now,
      detail: { projectId: project.id, benefitId: id, actual: entry },
    })),
  };
}

/** A saving created earlier without amounts, given the file's: its next version, undone by putting the earlier one back. */
function finishedBenefit(
  deps: Deps,
  ctx: WriteContext,
  project: Pick<Project, 'id' | 'stage'>,
  f: { before: Benefit; baseline: MonthlyPence; forecast: MonthlyPence },
): SavingWrites {
  const { before } = f;
  const version = before.baselineVersion + 1;
  const next: Benefit = {
    ...before,
    baseline: f.baseline,
    baselineVersion: version,
    forecast: f.forecast,
    forecastUpdatedAt: ctx.now,
    forecastUpdatedBy: ctx.actor.sub,
  };
  const { item, ops } = deps.store.children.updateOps(ctx, 'benefit', before, next, 'imported');
  ops.push(deps.store.ledger.baselineVersionOp(baselineVersion(ctx, before.id, version, f.baseline, project.stage)));
  return { benefit: item, ops, undo: deps.store.imports.undoChangedBenefit(before, item), actuals: [], events: [] };
}

function baselineVersion(ctx: WriteContext, benefitId: string, version: number, months: MonthlyPence, stage: Project['stage']): BaselineVersion {
  return { benefitId, version, months, reason: REASON, rebaseline: isBaselineLocked(stage), setAt: ctx.now, setBy: ctx.actor.sub };
}

/** Savings in groups whose writes fit in `room`. */
function chunks<T extends { ops: TxOp[] }>(items: T[], room: number): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let size = 0;
  for (const item of items) {
    if (current.length && size + item.ops.length > room) {
      out.push(current);
      current = [];
      size = 0;
    }
    current.push(item);
    size += item.ops.length;
  }
  if (current.length) out.push(current);
  return out;
}

/** Pieces packed into as few transactions as fit, never two writes of one summary in one transaction. */
function pack(all: Piece[]): Piece[][] {
  const steps: Piece[][] = [];
  let current: Piece[] = [];
  let size = 0;
  let items = new Set<string>();
  for (const piece of all) {
    // A transaction may touch an item once: a project's summary, or the workstream two new projects check.
    const mine = itemsOf(piece);
    const clash = mine.some((k) => items.has(k));
    if (current.length && (clash || size + piece.ops.length > OPS_PER_STEP)) {
      steps.push(current);
      current = [];
      size = 0;
      items = new Set();
    }
    current.push(piece);
    size += piece.ops.length;
    for (const k of mine) items.add(k);
  }
  if (current.length) steps.push(current);
  return steps;
}

/** The keys of the items a piece's writes and checks touch. */
function itemsOf(piece: Piece): string[] {
  return piece.ops.map(({ item }) => {
    const key = (item.Put?.Item ?? item.Update?.Key ?? item.Delete?.Key ?? item.ConditionCheck?.Key) as { pk?: unknown; sk?: unknown } | undefined;
    return `${String(key?.pk)}|${String(key?.sk)}`;
  });
}

/** A ledger tidy that found no FY item: there was nothing to take away. */
function nothingToTidy(error: unknown): void {
  if (!(error instanceof NotFoundError)) throw error;
}
