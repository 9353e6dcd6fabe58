import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { PAGE_PATHS } from '../../packages/api/src/pages/paths.ts';
import { loadLocalConfig } from '../../packages/local/src/config.ts';
import { startLocal } from '../../packages/local/src/server.ts';
import { makeToken } from '../../packages/local/src/token.ts';
import { fuzzRequest, type FuzzRoute, type RealIds } from '../support/fuzz-requests.ts';

/**
 * `pnpm fuzz`: the product running locally (DynamoDB Local, the API and the
 * pages over HTTP, as `pnpm start` serves them) takes FUZZ_REQUESTS (default
 * 10,000) generated requests at every route — bodies, params, headers, sizes,
 * dates and amounts at the edges, every role, forms from other sites — with
 * FUZZ_CONCURRENCY (default 8) in flight over keep-alive connections. It
 * passes when no request got a 5xx or lost its connection, and every read
 * endpoint still answers 200 afterwards. Figures are printed and written to
 * .bench/fuzz.json.
 */
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 10_000);
const CONCURRENCY = Number(process.env.FUZZ_CONCURRENCY ?? 8);
const SEED = Number(process.env.FUZZ_SEED ?? 20261130);
const BODY_LIMIT = 65_536;

async function main(): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bt-fuzz-'));
  const config = {
    ...loadLocalConfig({ ...process.env, DATA_DIR: dataDir, PORT: '0', SEED_DEMO: 'false', SCHEDULES: 'false', BODY_LIMIT_BYTES: String(BODY_LIMIT) }),
  };
  const run = await startLocal(config);
  const started = Date.now();
  try {
    const token = (sub: string, roles: string[]) => makeToken(config.jwtSecret, { sub, roles: roles as never, name: sub }, { ttlSeconds: 3600 });
    const tokens: Record<string, string> = {
      admin: await token('ada', ['admin']),
      pm: await token('pat', ['programme-manager']),
      otherPm: await token('priya', ['programme-manager']),
      finance: await token('fin', ['finance']),
      cmt: await token('chief', ['cmt']),
      feedReader: await token('powerbi', ['feed-reader']),
    };
    const api = async (method: string, path: string, who: string, body?: unknown) => {
      const res = await fetch(`${run.url}${path}`, {
        method,
        headers: { Authorization: `Bearer ${tokens[who]}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      const json = (await res.json()) as Record<string, unknown>;
      if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
      return json as { id: string };
    };
    // A small programme for the requests to reach into.
    const ws = await api('POST', '/v1/workstreams', 'admin', { code: 'FUZZ', name: 'Fuzzed', lead: 'Lead', mtfsTargets: { '2026/27': 1_000_000_00 } });
    const project = await api('POST', '/v1/projects', 'pm', {
      code: 'FUZZ-1',
      name: 'Fuzzed project',
      workstreamId: ws.id,
      directorate: 'Resources',
      sro: 'SRO',
      startDate: '2025-04-01',
      endDate: '2028-03-31',
    });
    const p = `/v1/projects/${project.id}`;
    const benefit = await api('POST', `${p}/benefits`, 'pm', {
      title: 'Saving',
      type: 'cashable-saving',
      category: 'transformation',
      recurrence: 'recurring',
      mtfsRef: 'FZ-1',
      owner: 'Owner',
    });
    await api('PUT', `${p}/benefits/${benefit.id}/baseline`, 'pm', { phased: [{ financialYear: '2026/27', amountPence: 900_000_00 }] });
    await api('PUT', `${p}/benefits/${benefit.id}/forecast`, 'pm', { phased: [{ financialYear: '2026/27', amountPence: 400_000_00 }] });
    const actual = await api('POST', `${p}/benefits/${benefit.id}/actuals`, 'finance', { month: '2026-05', amountPence: 10_000_00, note: 'Invoice 1' });
    const investment = await api('POST', `${p}/investments`, 'pm', {
      title: 'Kit',
      kind: 'capital',
      fundingSource: 'reserves',
      phased: [{ financialYear: '2026/27', amountPence: 50_000_00 }],
    });
    const risk = await api('POST', `${p}/risks`, 'pm', { title: 'Risk', owner: 'O', likelihood: 4, impact: 5, mitigation: 'M' });
    const milestone = await api('POST', `${p}/milestones`, 'pm', { title: 'Go live', dueDate: '2026-06-30', benefitIds: [benefit.id] });
    const evaluation = (await api('POST', '/v1/alerts/evaluate', 'admin')) as unknown as { raised: { id: string }[] };
    const real: RealIds = {
      workstream: ws.id,
      project: project.id,
      benefit: benefit.id,
      actualId: actual.id,
      investmentId: investment.id,
      riskId: risk.id,
      milestoneId: milestone.id,
      ...(evaluation.raised[0] ? { alert: evaluation.raised[0].id } : {}),
    };

    const doc = (await (await fetch(`${run.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    const routes: FuzzRoute[] = [
      ...Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => ({ method: method.toUpperCase(), path }))),
      ...PAGE_PATHS.filter((path) => !path.includes('*')).flatMap((path) => [
        { method: 'GET', path },
        { method: 'POST', path },
      ]),
      { method: 'GET', path: '/health' },
      { method: 'GET', path: '/docs' },
    ];
    const requests = fc.sample(fuzzRequest(routes, real, tokens, BODY_LIMIT, run.url), { numRuns: REQUESTS, seed: SEED });

    const statuses = new Map<number, number>();
    const serverErrors: string[] = [];
    const dropped: string[] = [];
    let next = 0;
    const worker = async () => {
      for (;;) {
        const r = requests[next++];
        if (!r) return;
        const target = `${run.url}${r.path}${r.query ? `?${r.query}` : ''}`;
        try {
          const res = await fetch(target, { method: r.method, headers: r.headers, redirect: 'manual', ...(r.body !== undefined ? { body: r.body } : {}) });
          await res.arrayBuffer();
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          if (res.status >= 500) serverErrors.push(`${r.method} ${r.path}?${r.query} → ${res.status} ${(r.body ?? '').slice(0, 300)}`);
        } catch (error) {
          dropped.push(
            `${r.method} ${r.path}?${r.query}: ${error instanceof Error ? `${error.message} ${String((error.cause as Error | undefined)?.message ?? '')}` : String(error)}`,
          );
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const fuzzSeconds = (Date.now() - started) / 1000;

    // Afterwards, every read endpoint still answers.
    const reads = [
      '/health',
      '/v1/workstreams',
      `/v1/workstreams/${ws.id}`,
      '/v1/projects',
      p,
      `${p}/benefits/${benefit.id}`,
      `${p}/benefits/${benefit.id}/actuals`,
      `${p}/benefits/${benefit.id}/baselines`,
      `${p}/investments/${investment.id}/spend`,
      `${p}/risks/${risk.id}/history`,
      '/v1/reports/programme?financialYear=2026/27',
      '/v1/feeds/savings?financialYear=2026/27&format=csv',
      '/v1/feeds/savings?financialYear=2026/27&format=json',
      '/v1/feeds/investment?financialYear=2026/27&format=json',
      '/v1/feeds/changes',
      '/v1/alerts',
      '/v1/audit',
      '/v1/digests',
      '/v1/digests/preview',
    ];
    const unreadable: string[] = [];
    for (const path of reads) {
      const res = await fetch(`${run.url}${path}`, { headers: { Authorization: `Bearer ${tokens.admin}` } });
      await res.arrayBuffer();
      if (res.status !== 200) unreadable.push(`${path} → ${res.status}`);
    }
    const cookie = `bt_session=${tokens.admin}`;
    for (const path of ['/', '/alerts', `/projects/${project.id}`, `/workstreams/${ws.id}`]) {
      const res = await fetch(`${run.url}${path}`, { headers: { Cookie: cookie }, redirect: 'manual' });
      await res.arrayBuffer();
      if (res.status !== 200) unreadable.push(`page ${path} → ${res.status}`);
    }

    const result = {
      date: new Date().toISOString(),
      requests: REQUESTS,
      concurrency: CONCURRENCY,
      seed: SEED,
      routes: routes.length,
      seconds: Math.round(fuzzSeconds * 10) / 10,
      statuses: Object.fromEntries([...statuses].sort(([a], [b]) => a - b)),
      serverErrors: serverErrors.length,
      dropped: dropped.length,
      readsAfter: { checked: reads.length + 4, failing: unreadable },
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    for (const line of [...serverErrors.slice(0, 20), ...dropped.slice(0, 20), ...unreadable]) process.stderr.write(`  ${line}\n`);
    mkdirSync('.bench', { recursive: true });
    writeFileSync(join('.bench', 'fuzz.json'), `${JSON.stringify(result, null, 2)}\n`);
    const ok = serverErrors.length === 0 && dropped.length === 0 && unreadable.length === 0;
    process.stdout.write(
      `fuzz: ${ok ? 'passed' : 'FAILED'} (${REQUESTS} requests, ${serverErrors.length} 5xx, ${dropped.length} dropped, ${unreadable.length} reads failing afterwards)\n`,
    );
    return ok ? 0 : 1;
  } finally {
    await run.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
