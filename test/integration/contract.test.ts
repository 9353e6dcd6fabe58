import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AUDIENCE, createApiApp, LOCAL_ISSUER } from '@bt/api';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, TEST_SECRET, type Harness } from '../support/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.cleanup();
});

describe('the OpenAPI document', () => {
  it("lints clean with Redocly's recommended rules", async () => {
    const doc = await (await h.app.request('/openapi.json')).text();
    const problems = await lintFromString({ source: doc, absoluteRef: 'openapi.json', config: await createConfig({ extends: ['recommended'] }) });
    expect(problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message} @ ${p.location[0]?.pointer}`)).toEqual([]);
  });
});

describe('the OpenAPI document as the API function serves it', () => {
  // The API function serves the document its build wrote beside the bundle (test/e2e/lambda-bundles.test.ts builds and serves it).
  const appServing = (openApiFile: string) =>
    createApiApp(h.deps, {
      auth: { mode: 'local-hs256', secret: TEST_SECRET, issuer: LOCAL_ISSUER, audience: AUDIENCE },
      bodyLimitBytes: 65_536,
      digests: { preview: () => Promise.reject(new Error('no digests here')), sendNow: () => Promise.reject(new Error('no digests here')) },
      openApiFile,
    });

  it('serves the file as it is, with an ETag of its content, and 304 for it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bt-openapi-'));
    try {
      const file = join(dir, 'openapi.json');
      const written = '{"openapi":"3.1.0","info":{"title":"as the build wrote it","version":"1"},"paths":{}}';
      writeFileSync(file, written);
      const app = appServing(file);
      const first = await app.request('/openapi.json');
      expect(first.status).toBe(200);
      expect(first.headers.get('content-type')).toMatch(/^application\/json/);
      expect(first.headers.get('cache-control')).toBe('public, max-age=300');
      expect(await first.text()).toBe(written);
      const etag = first.headers.get('etag')!;
      expect(etag).toBe(`"${createHash('sha256').update(written).digest('base64url').slice(0, 27)}"`);
      expect((await app.request('/openapi.json', { headers: { 'If-None-Match': etag } })).status).toBe(304);
      // Read once: the file is the build's, and does not change under a running function.
      writeFileSync(file, '{}');
      expect(await (await app.request('/openapi.json')).text()).toBe(written);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('makes it from the routes when the file is not there (a bundle built without that step)', async () => {
    const served = await appServing(join(tmpdir(), 'bt-openapi-missing', 'openapi.json')).request('/openapi.json');
    expect(served.status).toBe(200);
    expect(JSON.parse(await served.text())).toEqual(JSON.parse(await (await h.app.request('/openapi.json')).text()));
  });
});
