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
  type HistoryChange,
  type Investment,
  type Project,
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
  options: { projects: number; benefitsPerProject: number; years: number },
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
    mtfsTargets: Object.fromEntries(fys.map((fy) => [fy, 500_000_000 * (i + 1)])),
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
      startDate: '2023-04-01',
      endDate: '2028-03-31',
      ...setUpMeta,
    };
    items.push({ ...keys.project(project.id), ...keys.projectIndex(project.code, ws.id), entity: 'project', ...project });
    const benefits: Benefit[] = [];
    for (let b = 0; b < options.benefitsPerProject; b++) {
      const monthly = 100_000 + ((p * 7 + b * 13) % 50) * 10_000;
      const benefit: Benefit = {
        id: newId('benefit', Date.now()),
        projectId: project.id,
        title: `Saving ${p}.${b}`,
        type: (['cashable-saving', 'income', 'cost-avoidance'] as const)[b % 3]!,
        category: b % 4 === 0 ? 'mitigation' : 'transformation',
        recurrence: b % 5 === 0 ? 'one-off' : 'recurring',
        mtfsRef: `M${p}-${b}`,
        owner: 'Owner',
        confidencePct: 50 + ((b * 5) % 50),
        status: 'active',
        replacedByBenefitIds: [],
        baseline: Object.fromEntries(months.map((m) => [m, monthly])),
        baselineVersion: 1,
        forecast: Object.fromEntries(months.map((m) => [m, monthly - (b % 3) * 5_000])),
        realised: Object.fromEntries(months.filter((m) => m < '2025-11').map((m) => [m, monthly - 10_000])),
        validated: Object.fromEntries(months.filter((m) => m < '2025-09').map((m) => [m, monthly - 10_000])),
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
      actual: { '2023-06': 4_500_000 },
      ...meta,
    };
    items.push({ ...keys.child(project.id, 'investment', line.id), entity: 'investment', ...line });
    // The summary exactly as the store writes it (its first item; the second is a snapshot for history, written below as the writes would have).
    items.push(store.summaries.rebuildOp({ project, benefits, investments: [line] }, 'bench')[0]!.item.Put!.Item as Record<string, unknown>);
    items.push(...projectHistory(store, project, benefits, line));
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
