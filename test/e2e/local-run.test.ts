import { execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../packages/local/src/dynamodb-local.ts';
import { cli, root, startLocalProcess } from '../support/local-process.ts';

/**
 * The product as a newcomer runs it: `node --import tsx packages/local/src/cli.ts start`
 * (what `pnpm start` runs), as a real process with its own DynamoDB Local.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'bt-local-run-'));
const children: ChildProcess[] = [];

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

async function start(port: number): Promise<{ child: ChildProcess; url: string }> {
  const run = startLocalProcess({ ...process.env, DATA_DIR: dataDir, PORT: String(port), POWERTOOLS_LOG_LEVEL: 'WARN' });
  children.push(run.child);
  return { child: run.child, url: await run.started };
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

  it('serves health, docs and the OpenAPI document, and the API with a printed token', async () => {
    port = await freePort();
    const { child, url } = await start(port);
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
