import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fuzzRequest } from '../support/fuzz-requests.ts';
import { createHarness, projectBody, workstreamBody, type Harness } from '../support/harness.ts';

/**
 * Thousands of generated requests — valid and invalid bodies, query strings,
 * path ids, headers and tokens — at every route of the OpenAPI document: none
 * gets a 5xx, every error is problem+json with a matching status, and every
 * JSON success matches the schema the OpenAPI document gives for it.
 */
let h: Harness;
let routes: { method: string; path: string }[];
let validatorFor: (method: string, path: string, status: number) => ValidateFunction | undefined;
const real: Record<string, string> = {};

beforeAll(async () => {
  h = await createHarness({ bodyLimitBytes: 16_384 });
  const doc = (await (await h.app.request('/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
  routes = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => ({ method: method.toUpperCase(), path })));
  // Each documented JSON response schema, compiled against the document's components (OpenAPI 3.1 is JSON Schema 2020-12).
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ $id: 'openapi.json', components: (doc as unknown as { components: unknown }).components });
  const cache = new Map<string, ValidateFunction | undefined>();
  validatorFor = (method, path, status) => {
    const key = `${method} ${path} ${status}`;
    if (!cache.has(key)) {
      const op = doc.paths[path]?.[method.toLowerCase()] as { responses?: Record<string, { content?: Record<string, { schema?: unknown }> }> } | undefined;
      const schema = op?.responses?.[String(status)]?.content?.['application/json']?.schema;
      cache.set(key, schema ? ajv.compile(JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"openapi.json#/components/') ?? '{}')) : undefined);
    }
    return cache.get(key);
  };
  real.id = (await h.call('POST', '/v1/workstreams', { token: h.tokens.admin, body: workstreamBody() })).body.id;
  const p = (await h.call('POST', '/v1/projects', { token: h.tokens.pm, body: projectBody(real.id!) })).body.id;
  real.project = p;
  real.benefitId = (
    await h.call('POST', `/v1/projects/${p}/benefits`, {
      token: h.tokens.pm,
      body: { title: 't', type: 'income', category: 'transformation', recurrence: 'recurring', mtfsRef: 'R', owner: 'o', confidencePct: 50 },
    })
  ).body.id;
});
afterAll(async () => {
  await h.cleanup();
});

describe('fuzzing every route', () => {
  it('never answers 5xx, and every error is problem+json', async () => {
    const statuses = new Map<number, number>();
    let checked = 0;
    const tokens: Record<string, string> = { ...h.tokens };
    await fc.assert(
      fc.asyncProperty(fuzzRequest(routes, { workstream: real.id!, project: real.project!, benefit: real.benefitId! }, tokens, 16_384), async (r) => {
        const path = r.path;
        const qs = r.query;
        const res = await h.app.request(`${path}${qs ? `?${qs}` : ''}`, {
          method: r.method,
          headers: r.headers,
          ...(r.body !== undefined ? { body: r.body } : {}),
        });
        const text = await res.text();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        expect(res.status, `${r.method} ${path}?${qs} → ${res.status} ${text.slice(0, 300)}`).toBeLessThan(500);
        const validate =
          res.status < 300 && res.headers.get('content-type')?.startsWith('application/json') ? validatorFor(r.method, r.route.path, res.status) : undefined;
        if (validate) {
          checked += 1;
          expect(
            validate(JSON.parse(text)),
            `${r.method} ${path} ${res.status} does not match its schema: ${JSON.stringify(validate.errors?.slice(0, 3))}`,
          ).toBe(true);
        }
        if (res.status >= 400) {
          expect(res.headers.get('content-type')).toBe('application/problem+json');
          const problem = JSON.parse(text) as { status: number; title: string; detail: string };
          expect(problem.status).toBe(res.status);
          expect(problem.detail.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 2500, seed: Number(process.env.FUZZ_SEED ?? 20261123) },
    );
    // The requests reached the whole range of answers, not just the authentication gate.
    expect(checked).toBeGreaterThan(100);
    for (const status of [200, 400, 401, 403, 404, 412, 413, 415])
      expect(statuses.get(status) ?? 0, `status ${status} in ${JSON.stringify([...statuses])}`).toBeGreaterThan(0);
  }, 240_000);
});
