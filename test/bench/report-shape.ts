import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDynamo, RequestCounter, Store } from '@bt/store';
import { startDynamoDbLocal } from '../../packages/local/src/dynamodb-local.ts';
import { benchApp, benchMachine } from './app.ts';
import { seedProgramme } from './programme.ts';
import { recorder } from './replay.ts';

/**
 * `pnpm bench:report`: what the programme report for an FY reads, and how
 * long it takes, as projects have more savings (10, 20 and 40 each, 500
 * projects: issue 20's shape) — with the ledger totals by FY (layout 5) and,
 * in the same run, as layout 4 kept them (every ledger month inside the
 * summary), read by the same code. Per shape: DynamoDB requests and bytes
 * read by one report, then 5 alternating rounds of the two (DynamoDB Local,
 * then its answers replayed from memory: the product's own CPU), min and
 * median of the ratios. `BENCH_REPORT_PROJECTS`, `BENCH_REPORT_SAVINGS=10,20,40`.
 */
const PROJECTS = Number(process.env.BENCH_REPORT_PROJECTS ?? 500);
const SAVINGS = (process.env.BENCH_REPORT_SAVINGS ?? '10,20,40').split(',').map(Number);
const ROUNDS = 5;
const REPORT = '/v1/reports/programme?financialYear=2025/26';
const NOW = '2025-11-20T09:00:00Z';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number, places = 2) => Number(x.toFixed(places));

async function main() {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  const dynamo = await startDynamoDbLocal();
  const results: Record<string, unknown> = {
    date: new Date().toISOString(),
    machine: benchMachine(),
    projects: PROJECTS,
    shapes: {},
  };
  const lines: string[] = [];
  try {
    for (const savings of SAVINGS) {
      const layouts = [] as Array<{ name: 'by FY' | 'layout 4'; store: Store; counter: RequestCounter; read: (path: string) => Promise<unknown> }>;
      for (const [name, ledgersInSummary] of [
        ['by FY', false],
        ['layout 4', true],
      ] as const) {
        const tableName = `report${savings}${ledgersInSummary ? 'four' : 'years'}`;
        const counter = new RequestCounter();
        const store = new Store({ region: 'eu-west-2', endpoint: dynamo.endpoint, tableName }, counter);
        await store.ensureTable();
        const raw = { doc: createDynamo({ region: 'eu-west-2', endpoint: dynamo.endpoint }).doc, tableName };
        const seeded = await seedProgramme(store, raw, { projects: PROJECTS, benefitsPerProject: savings, years: 5, history: false, ledgersInSummary });
        console.log(`${savings} savings a project, ${name}: seeded ${seeded.items} items in ${seeded.seedSeconds.toFixed(1)} s`);
        layouts.push({ name, store, counter, read: await benchApp(store, NOW) });
      }
      const shape: Record<string, unknown> = {};
      const times = new Map<string, number[]>();
      const replayed = new Map<string, number[]>();
      const tapes = new Map<string, ReturnType<typeof recorder>>();
      for (const l of layouts) {
        await l.read(REPORT);
        l.counter.reset();
        const tape = recorder(l.store);
        await l.read(REPORT);
        shape[l.name] = { requests: l.counter.total, byCommand: Object.fromEntries(l.counter.byCommand), mibRead: tape.megabytes };
        tapes.set(l.name, tape);
        tape.stop();
        times.set(l.name, []);
        replayed.set(l.name, []);
      }
      const timed = async (read: () => Promise<unknown>) => {
        const t0 = performance.now();
        await read();
        return (performance.now() - t0) / 1000;
      };
      // Alternating rounds against DynamoDB Local.
      for (let r = 0; r < ROUNDS; r++) for (const l of layouts) times.get(l.name)!.push(await timed(() => l.read(REPORT)));
      // The same, DynamoDB's answers replayed from memory (recorded afresh, then replayed alternately).
      const replayers = layouts.map((l) => ({ l, tape: recorder(l.store) }));
      for (const { l } of replayers) await l.read(REPORT);
      for (const { tape } of replayers) tape.replay();
      for (let r = 0; r < ROUNDS; r++) for (const { l } of replayers) replayed.get(l.name)!.push(await timed(() => l.read(REPORT)));
      for (const { tape } of replayers) tape.stop();
      const ratios = (m: Map<string, number[]>) => m.get('layout 4')!.map((t, i) => t / m.get('by FY')![i]!);
      for (const l of layouts) {
        Object.assign(shape[l.name] as object, {
          seconds: { min: round(Math.min(...times.get(l.name)!)), median: round(median(times.get(l.name)!)) },
          replayedSeconds: { min: round(Math.min(...replayed.get(l.name)!), 3), median: round(median(replayed.get(l.name)!), 3) },
        });
      }
      shape.layoutFourOverByFy = {
        dynamoDbLocal: { min: round(Math.min(...ratios(times))), median: round(median(ratios(times))) },
        replayed: { min: round(Math.min(...ratios(replayed))), median: round(median(ratios(replayed))) },
      };
      (results.shapes as Record<string, unknown>)[`${savings}`] = shape;
      console.log(`${savings} savings a project:`, JSON.stringify(shape));
      for (const l of layouts) {
        const s = shape[l.name] as { requests: number; mibRead: number; seconds: { median: number }; replayedSeconds: { median: number } };
        lines.push(`| ${savings} | ${l.name} | ${s.requests} | ${s.mibRead} | ${s.seconds.median} s | ${s.replayedSeconds.median} s |`);
      }
      for (const l of layouts) l.store.destroy();
    }
  } finally {
    await dynamo.stop();
  }
  mkdirSync('.bench', { recursive: true });
  writeFileSync(join('.bench', 'report-shape.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\n${PROJECTS} projects, report for 2025/26 (median of ${ROUNDS} alternating rounds):`);
  console.log('| savings a project | ledger totals | DynamoDB requests | MiB read | report | report, DynamoDB replayed |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const line of lines) console.log(line);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
