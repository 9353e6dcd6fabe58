import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  addMonths,
  benefitState,
  fyRange,
  investmentState,
  monthsOfFy,
  newId,
  projectState,
  type Benefit,
  type ChangeRequest,
  type HistoryChange,
  type Investment,
  type Milestone,
  type Project,
  type Risk,
  type Workstream,
} from '@bt/core';
import { keys, type Store } from '@bt/store';

/**
 * A generated programme for benchmarks: `projects` projects of `benefitsPerProject`
 * benefits over `years` FYs from 2023/24, with realised actuals for past months
 * and an investment line each. Written straight as items (the same keys and
 * summaries the repositories write), 25 at a time, because 30,000 API calls
 * would measure the seeding, not the reads.
 */
export async function seedProgramme(
  store: Store,
  raw: { doc: DynamoDBDocumentClient; tableName: string },
  options: { projects: number; benefitsPerProject: number; years: number; history?: boolean; ledgersInSummary?: boolean },
) {
  const now = '2025-11-20T09:00:00.000Z';
  const meta = { version: 1, createdAt: now, createdBy: 'bench', updatedAt: now, updatedBy: 'bench' };
  // Workstreams and projects set up in March 2023, as their history below says (a workstream counts at a moment only once it exists).
  const setUpMeta = { ...meta, createdAt: SET_UP };
  const fys = fyRange('2023/24', options.years);
  const months = fys.flatMap(monthsOfFy);
  const items: Record<string, unknown>[] = [];
  const workstreams: Workstream[] = Array.from({ length: 8 }, (_, i) => ({
    id: newId('workstream', Date.now()),
    code: `WS${i}`,
    name: `Workstream ${i}`,
    lead: 'Lead',
    // In proportion to the programme, so its gaps (mtfs-gap) are the same at every scale.
    mtfsTargets: Object.fromEntries(fys.map((fy) => [fy, 500_000 * options.projects * (i + 1)])),
    ...setUpMeta,
  }));
  for (const ws of workstreams) items.push({ ...keys.workstream(ws.id), ...keys.workstreamIndex(ws.code), entity: 'workstream', ...ws });
  for (let p = 0; p < options.projects; p++) {
    const ws = workstreams[p % workstreams.length]!;
    const project: Project = {
      id: newId('project', Date.now()),
      code: `P${String(p).padStart(5, '0')}`,
      name: `Project ${p}`,
      workstreamId: ws.id,
      directorate: ['Adults', 'Children', 'Resources', 'Place'][p % 4]!,
      sro: 'SRO',
      manager: 'pm',
      stage: 'delivery',
      deliveryConfidence: 'amber',
      // Every rule fires somewhere (RULE_EVERY below): here confidence-deteriorated.
      ...(p % RULE_EVERY.confidence === 0 ? { previousDeliveryConfidence: 'green' as const, deliveryConfidenceChangedAt: '2025-11-01T09:00:00.000Z' } : {}),
      startDate: '2023-04-01',
      endDate: '2028-03-31',
      ...setUpMeta,
    };
    items.push({ ...keys.project(project.id), ...keys.projectIndex(project.code, ws.id), entity: 'project', ...project });
    const benefits: Benefit[] = [];
    for (let b = 0; b < options.benefitsPerProject; b++) {
      const monthly = 100_000 + ((p * 7 + b * 13) % 50) * 10_000;
      const is = (rule: keyof typeof RULE_EVERY, which: number) => p % RULE_EVERY[rule] === 0 && b === which;
      // The month's forecast: short by 20% (forecast-slippage), nothing in 2023/24 (payback-slipped), a cost twice its baseline (dis-benefit-overrun).
      const forecastOf = (m: string) =>
        is('slippage', 1) ? Math.round(monthly * 0.8) : p % RULE_EVERY.payback === 0 && m < '2024-04' ? 0 : monthly - (b % 3) * 5_000;
      const cost = is('disBenefit', 6);
      const benefit: Benefit = {
        id: newId('benefit', Date.now()),
        projectId: project.id,
        title: `Saving ${p}.${b}`,
        type: (['cashable-saving', 'income', 'cost-avoidance'] as const)[b % 3]!,
        category: b % 4 === 0 ? 'mitigation' : 'transformation',
        recurrence: b % 5 === 0 ? 'one-off' : 'recurring',
        mtfsRef: is('doubleCount', 0) || is('doubleCount', 1) ? `SHARED-${p}` : `M${p}-${b}`,
        owner: 'Owner',
        confidencePct: 50 + ((b * 5) % 50),
        ...(is('writeOut', 3) ? { status: 'unachievable' as const, writtenOutAt: '2025-10-01T09:00:00.000Z' } : { status: 'active' as const }),
        ...(is('stale', 4) ? { forecastUpdatedAt: '2025-09-01T09:00:00.000Z' } : {}),
        replacedByBenefitIds: [],
        baseline: Object.fromEntries(months.map((m) => [m, cost ? -monthly : monthly])),
        baselineVersion: 1,
        forecast: Object.fromEntries(months.map((m) => [m, cost ? -monthly * 2 : forecastOf(m)])),
        // Realised 20% behind in this FY (under-realisation) for some.
        realised: Object.fromEntries(
          months.filter((m) => m < '2025-11' && !cost).map((m) => [m, is('underRealised', 5) && m >= '2025-04' ? Math.round(monthly * 0.7) : monthly - 10_000]),
        ),
        validated: Object.fromEntries(
          months.filter((m) => m < '2025-09' && !cost).map((m) => [m, is('underRealised', 5) && m >= '2025-04' ? Math.round(monthly * 0.7) : monthly - 10_000]),
        ),
        ...meta,
      };
      items.push({ ...keys.child(project.id, 'benefit', benefit.id), entity: 'benefit', ...benefit });
      benefits.push(benefit);
    }
    const line: Investment = {
      id: newId('investment', Date.now()),
      projectId: project.id,
      title: 'Implementation',
      kind: 'capital',
      fundingSource: 'flexible-capital-receipts',
      planned: { '2023-06': 5_000_000, '2024-06': 2_000_000 },
      // Spent in this FY with nothing planned in it (investment-overrun).
      actual: { '2023-06': 4_500_000, ...(p % RULE_EVERY.investment === 0 ? { '2025-07': 3_000_000 } : {}) },
      ...meta,
    };
    items.push({ ...keys.child(project.id, 'investment', line.id), entity: 'investment', ...line });
    // A milestone the first saving depends on: overdue (milestone-overdue) or not yet due with savings already realised (realised-before-milestone).
    if (p % RULE_EVERY.milestone === 0 || p % RULE_EVERY.realisedEarly === 0) {
      const milestone: Milestone = {
        id: newId('milestone', Date.now()),
        projectId: project.id,
        title: 'New model live',
        dueDate: p % RULE_EVERY.milestone === 0 ? '2025-09-30' : '2026-01-31',
        benefitIds: [benefits[0]!.id],
        ...meta,
      };
      items.push({ ...keys.child(project.id, 'milestone', milestone.id), entity: 'milestone', ...milestone });
    }
    if (p % RULE_EVERY.risk === 0) {
      const risk: Risk = {
        id: newId('risk', Date.now()),
        projectId: project.id,
        title: 'Provider market',
        owner: 'Owner',
        likelihood: 4,
        impact: 4,
        mitigation: 'Market engagement',
        status: 'open',
        score: 16,
        band: 'high',
        history: [],
        ...meta,
      };
      items.push({ ...keys.child(project.id, 'risk', risk.id), entity: 'risk', ...risk });
    }
    if (p % RULE_EVERY.changeRequest === 0) {
      const request: ChangeRequest = {
        id: newId('change', Date.now()),
        kind: 'stage-change',
        projectId: project.id,
        proposed: { stage: 'closed' },
        was: { stage: 'delivery' },
        reason: 'Delivered',
        requestedBy: 'pm',
        requestedAt: '2025-10-01T09:00:00.000Z',
        status: 'pending',
        version: 1,
      };
      items.push(
        store.changes.createOps({ actor: { sub: 'bench', name: 'Bench' }, requestId: 'bench', now, clock: () => new Date(now) }, request)[0]!.item.Put!
          .Item as Record<string, unknown>,
      );
    }
    // The summary and its ledger totals by FY exactly as the store writes them (without the snapshot for history, written below as the writes would have).
    const summary = store.summaries
      .rebuildOp({ project, benefits, investments: [line] }, 'bench', { history: false })
      .map((op) => op.item.Put!.Item as Record<string, unknown>);
    items.push(...(options.ledgersInSummary ? [asLayoutFour(summary)] : summary));
    if (options.history !== false) items.push(...projectHistory(store, project, benefits, line));
  }
  const started = performance.now();
  // Four batches in flight: DynamoDB Local takes them in parallel on the two cores.
  let next = 0;
  const writer = async () => {
    while (next < items.length) {
      let batch: Record<string, unknown>[] | undefined = items.slice(next, next + 25);
      next += 25;
      while (batch?.length) {
        const result = await raw.doc.send(new BatchWriteCommand({ RequestItems: { [raw.tableName]: batch.map((Item) => ({ PutRequest: { Item } })) } }));
        batch = result.UnprocessedItems?.[raw.tableName]?.map((r) => r.PutRequest!.Item!) as Record<string, unknown>[] | undefined;
      }
    }
  };
  await Promise.all([writer(), writer(), writer(), writer()]);
  return { items: items.length, seedSeconds: (performance.now() - started) / 1000, workstreams: workstreams.length };
}

const SET_UP = '2023-03-01T09:00:00.000Z';

/**
 * A project's summary as layout 4 stored it, every month of its ledger totals
 * inside it and no FY items (which the code of today still reads): the
 * "before" of the ledger totals by FY, measured by the same code.
 */
function asLayoutFour([head, ...years]: Record<string, unknown>[]): Record<string, unknown> {
  const summary = structuredClone(head!);
  const entries = { r: 'benefits', v: 'benefits', a: 'investments' } as const;
  for (const year of years) {
    for (const [name, amount] of Object.entries(year)) {
      const m = /^([rva])(\d{4}-\d{2})(.+)$/.exec(name);
      if (!m) continue;
      const total = m[1] as keyof typeof entries;
      const entry = (summary[entries[total]] as Record<string, Record<string, Record<string, number>>>)[m[3]!]!;
      entry[total] = { ...entry[total], [m[2]!]: amount as number };
    }
  }
  return { ...summary, format: 4 };
}

/**
 * One project in every so many makes a rule fire, so a run exercises every
 * rule (unvalidated actuals, one-off fall-out and the MTFS gaps fire from
 * the programme as it is).
 */
const RULE_EVERY = {
  slippage: 5,
  disBenefit: 7,
  underRealised: 4,
  stale: 3,
  investment: 8,
  milestone: 9,
  realisedEarly: 10,
  risk: 6,
  payback: 11,
  confidence: 12,
  doubleCount: 13,
  writeOut: 14,
  changeRequest: 15,
} as const;

/**
 * A project's history as the product's writes would have left it: the
 * project, its savings and its investment line set up in March 2023, then an
 * entry for every actual (recorded on the 5th of the month after) and every
 * validation (the 8th), and the spend — one entry per write, as each is its
 * own transaction. About 600 entries for a project of 10 savings.
 */
function projectHistory(store: Store, project: Project, benefits: Benefit[], line: Investment): Record<string, unknown>[] {
  const item = (at: string, changes: HistoryChange[]) =>
    store.summaries.historyOp(project.id, { at, by: 'bench' }, changes).item.Put!.Item as Record<string, unknown>;
  const setUp = SET_UP;
  const on = (month: string, day: number) => `${addMonths(month, 1)}-${String(day).padStart(2, '0')}T10:00:00.000Z`;
  const out = [
    item(setUp, [{ k: 'project', project: projectState(project) }]),
    ...benefits.map((b) => item(setUp, [{ k: 'benefit', benefit: benefitState(b) }])),
    item(setUp, [{ k: 'investment', investment: investmentState(line) }]),
  ];
  for (const b of benefits) {
    for (const [month, amountPence] of Object.entries(b.realised))
      out.push(item(on(month, 5), [{ k: 'ledger', of: 'benefit', id: b.id, total: 'realised', month, amountPence }]));
    for (const [month, amountPence] of Object.entries(b.validated))
      out.push(item(on(month, 8), [{ k: 'ledger', of: 'benefit', id: b.id, total: 'validated', month, amountPence }]));
  }
  for (const [month, amountPence] of Object.entries(line.actual))
    out.push(item(on(month, 5), [{ k: 'ledger', of: 'investment', id: line.id, total: 'actual', month, amountPence }]));
  return out;
}
