import { execFile, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../packages/local/src/dynamodb-local.ts';
import { DEMO_DIGEST_WEEKS, DEMO_PROGRAMME } from '../../packages/local/src/demo.ts';
import { cli, root, startLocalProcess } from '../support/local-process.ts';

/**
 * The product as a newcomer runs it: `node --import tsx packages/local/src/cli.ts start`
 * (what `pnpm start` runs), as a real process with its own DynamoDB Local.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'bt-local-run-'));
// The servers' registry (in the temp directory) of this test alone: other tests' servers are not its business.
const registryTmp = mkdtempSync(join(tmpdir(), 'bt-registry-'));
const children: ChildProcess[] = [];

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(registryTmp, { recursive: true, force: true });
});

async function start(port: number): Promise<{ child: ChildProcess; url: string; seconds: number }> {
  const began = performance.now();
  const run = startLocalProcess({ ...process.env, DATA_DIR: dataDir, PORT: String(port), POWERTOOLS_LOG_LEVEL: 'WARN', TMPDIR: registryTmp });
  children.push(run.child);
  const url = await run.started;
  return { child: run.child, url, seconds: (performance.now() - began) / 1000 };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntil(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

describe('the local run', () => {
  let workstreamId = '';
  let token = '';
  let port = 0;

  it('starts on an empty data dir with the whole demo seeded, and serves health, docs and the OpenAPI document, and the API with a printed token', async () => {
    port = await freePort();
    const { child, url, seconds } = await start(port);
    // A benchmark line, not a timed assertion (README, Benchmarks: the goal is 10 s on the development machine).
    console.log(`bench: the first start on an empty data dir answered in ${seconds.toFixed(1)} s, the demo seeded`);
    expect(url).toBe(`http://127.0.0.1:${port}`);
    expect(await (await fetch(`${url}/health`)).json()).toEqual({ status: 'ok', store: 'ok' });
    const docs = await fetch(`${url}/docs`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('/docs/assets/swagger-ui-dist/swagger-ui-bundle.js');
    expect((await fetch(`${url}/docs/assets/swagger-ui-dist/swagger-ui-bundle.js`)).status).toBe(200);
    const doc = (await (await fetch(`${url}/openapi.json`)).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/v1/workstreams', '/v1/workstreams/{id}', '/v1/projects', '/v1/projects/{id}', '/v1/audit']),
    );
    // An unknown path gets the API's problem+json, not a bare text 404.
    const missing = await fetch(`${url}/no/such/path`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/^application\/problem\+json/);

    const printed = await promisify(execFile)(process.execPath, [...cli, 'token', '--role', 'admin', '--sub', 'e2e'], {
      cwd: root,
      env: { ...process.env, DATA_DIR: dataDir },
    });
    token = printed.stdout.trim();
    // The demo is complete when it answers: every workstream and project, the twelve weekly digests, today's alerts, the months closed.
    const get = async (path: string) => (await (await fetch(`${url}${path}`, { headers: { Authorization: `Bearer ${token}` } })).json()) as any;
    const report = await get('/v1/reports/programme');
    expect(report.workstreams.map((w: { code: string }) => w.code).sort()).toEqual(DEMO_PROGRAMME.map((w) => w.code).sort());
    expect(report.programme.projectCount).toBe(DEMO_PROGRAMME.flatMap((w) => w.projects).length);
    expect((await get('/v1/digests?limit=50')).items).toHaveLength(DEMO_DIGEST_WEEKS);
    expect((await get('/v1/alerts?status=open&limit=10')).items.length).toBeGreaterThan(0);
    expect((await get('/v1/periods')).closedThrough).not.toBeNull();
    const created = await fetch(`${url}/v1/workstreams`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ code: 'E2E', name: 'Income & Debt', lead: 'Head of Revenues', mtfsTargets: { '2025/26': 220_000_000 } }),
    });
    expect(created.status).toBe(201);
    workstreamId = ((await created.json()) as { id: string }).id;

    // SIGKILL gives the server no chance to clean up: the watchdog must still stop java.
    const javaPid = Number(readFileSync(join(dataDir, 'dynamodb-local.pid'), 'utf8'));
    expect(alive(javaPid)).toBe(true);
    child.kill('SIGKILL');
    expect(await waitUntil(() => !alive(javaPid), 15_000)).toBe(true);
  });

  it("signs tokens with the running server's key, refuses when there is none, and a token signed with another key gets a 401 that says so", async () => {
    const { child, url } = await start(port);
    const elsewhere = mkdtempSync(join(tmpdir(), 'bt-elsewhere-'));
    const run = (args: string[], env: NodeJS.ProcessEnv) => {
      const out = spawnSync(process.execPath, [...cli, ...args], { cwd: root, env: { ...env, TMPDIR: registryTmp }, encoding: 'utf8' });
      return { code: out.status, stdout: out.stdout, stderr: out.stderr };
    };
    const { DATA_DIR: _d, LOCAL_JWT_SECRET: _s, ...bare } = process.env;
    const status = async (token: string) => {
      const res = await fetch(`${url}/v1/workstreams`, { headers: { Authorization: `Bearer ${token}` } });
      return { status: res.status, body: (await res.json()) as { detail: string } };
    };
    try {
      // Without DATA_DIR, from another directory: the one running server's key.
      const found = run(['token', '--role', 'cmt'], { ...bare, PWD: elsewhere });
      expect(found.code, found.stderr).toBe(0);
      expect(found.stderr).toContain(`Signed with the key of the server running at ${url}`);
      expect((await status(found.stdout.trim())).status).toBe(200);
      // A data directory no server has used: refused, and nothing written there.
      const none = run(['token', '--role', 'cmt'], { ...bare, DATA_DIR: join(elsewhere, 'unused') });
      expect(none.code).toBe(2);
      expect(none.stderr).toContain('has no key (jwt-secret) yet');
      expect(none.stdout).toBe('');
      expect(existsSync(join(elsewhere, 'unused'))).toBe(false);
      // A key of another data directory: the server answers 401 and says why.
      writeFileSync(join(elsewhere, 'jwt-secret'), 'another-data-directory-key-0123456789abcdef');
      const other = run(['token', '--role', 'cmt'], { ...bare, DATA_DIR: elsewhere });
      expect(other.code).toBe(0);
      const refused = await status(other.stdout.trim());
      expect(refused.status).toBe(401);
      expect(refused.body.detail).toContain('signed with a different key');
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  });

  it("gives every command a --help with its options and an example, and prints a job's result as JSON on stdout, its logs on stderr, no SDK notice", async () => {
    const commands = ['start', 'token', 'evaluate-alerts', 'seed-demo', 'send-digest', 'preview-digest', 'import-savings'];
    const helps = await Promise.all(
      commands.map((c) => promisify(execFile)(process.execPath, [...cli, c, '--', '--help'], { cwd: root, env: { ...process.env, TMPDIR: registryTmp } })),
    );
    for (const [i, h] of helps.entries()) {
      expect(h.stdout, commands[i]).toContain('Example:');
      expect(h.stderr, commands[i]).toBe('');
    }
    // As a newcomer's shell has it: no setting that silences the SDK (the test run sets one).
    const { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: _quiet, ...shell } = process.env;
    const job = await promisify(execFile)(process.execPath, [...cli, 'evaluate-alerts'], {
      cwd: root,
      env: { ...shell, DATA_DIR: dataDir, POWERTOOLS_LOG_LEVEL: 'INFO', TMPDIR: registryTmp },
    });
    expect(JSON.parse(job.stdout)).toMatchObject({ asAt: expect.any(String), raised: expect.any(Array) });
    expect(job.stderr).toContain('"level":"INFO"');
    expect(job.stderr).not.toMatch(/NodeVersionSupport|end-of-support|no longer support/i);
    // A file that cannot be read is said in a line, with the exit code of a usage error, before the store is started.
    const missing = await promisify(execFile)(process.execPath, [...cli, 'import-savings', join(dataDir, 'no-such-tracker.xlsx'), '--dry-run'], {
      cwd: root,
      env: { ...process.env, DATA_DIR: dataDir, TMPDIR: registryTmp },
    }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => error,
    );
    expect([missing.code, missing.stderr]).toEqual([2, `Cannot read ${join(dataDir, 'no-such-tracker.xlsx')}: there is no such file\n`]);
  });

  it('keeps the data across a restart, and stops java on SIGTERM', async () => {
    const { child, url } = await start(port);
    const read = await fetch(`${url}/v1/workstreams/${workstreamId}`, { headers: { Authorization: `Bearer ${token}` } });
    expect(read.status).toBe(200);
    expect(((await read.json()) as { code: string }).code).toBe('E2E');

    const javaPid = Number(readFileSync(join(dataDir, 'dynamodb-local.pid'), 'utf8'));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(await waitUntil(() => !alive(javaPid), 15_000)).toBe(true);
  });
});
