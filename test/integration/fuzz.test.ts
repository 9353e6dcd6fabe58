import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
  real.benefitId = (await h.call('POST', `/v1/projects/${p}/benefits`, { token: h.tokens.pm, body: { title: 't', type: 'income', category: 'transformation', recurrence: 'recurring', mtfsRef: 'R', owner: 'o', confidencePct: 50 } })).body.id;
});
afterAll(async () => {
  await h.cleanup();
});

const idLike = fc.oneof(
  fc.constantFrom('prj_01JD6ZQ4T5N3W8R2X7C9V1B0KM', 'ben_01JD6ZQ4T5N3W8R2X7C9V1B0KM', 'ws_01JD6ZQ4T5N3W8R2X7C9V1B0KM', 'alr_01JD6ZQ4T5N3W8R2X7C9V1B0KM', '..%2F..', '%00', 'null', ''),
  fc.string({ maxLength: 40 }).map(encodeURIComponent),
);
const queryValue = fc.oneof(fc.constantFrom('2025/26', '2025-26', '-1', '0', '1', '201', '99999999999999999999', 'csv', 'json', 'year', 'month', 'true', '2025-02-30', '2025-10-31', 'open', 'critical'), fc.string({ maxLength: 20 }));
const queryKey = fc.constantFrom('limit', 'cursor', 'financialYear', 'asAt', 'format', 'granularity', 'status', 'rule', 'severity', 'projectId', 'workstreamId', 'entityId', 'dryRun', 'mapping', 'stage', 'directorate', 'junk');
const body = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc.record({ code: fc.string(), name: fc.string(), lead: fc.string(), mtfsTargets: fc.dictionary(fc.string(), fc.oneof(fc.integer(), fc.double(), fc.string())) }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
  fc.record({ month: fc.string(), amountPence: fc.oneof(fc.integer(), fc.double()), note: fc.string(), reverses: fc.string() }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
  fc.record({ months: fc.dictionary(fc.constantFrom('2025-10', '2025-13', 'x'), fc.oneof(fc.integer(), fc.double())), phased: fc.array(fc.record({ financialYear: queryValue, amountPence: fc.integer() })), reason: fc.string() }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 200 }),
  fc.constant('x'.repeat(20_000)),
);

describe('fuzzing every route', () => {
  it('never answers 5xx, and every error is problem+json', async () => {
    const statuses = new Map<number, number>();
    let checked = 0;
    const tokenFor = (who: string) => (who in h.tokens ? h.tokens[who as keyof typeof h.tokens] : who);
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 1000 }),
        fc.record({ id: fc.oneof(fc.constant('real'), idLike), benefitId: fc.oneof(fc.constant('real'), idLike), other: idLike }),
        fc.array(fc.tuple(queryKey, queryValue), { maxLength: 4 }),
        fc.option(body, { nil: undefined }),
        fc.constantFrom('admin', 'pm', 'otherPm', 'finance', 'cmt', 'feedReader', 'garbage.token.here', ''),
        fc.record({ ifMatch: fc.option(fc.constantFrom('"1"', '"0"', 'W/"1"', '*', 'banana', '"1", "2"'), { nil: undefined }), idem: fc.option(fc.string({ maxLength: 300 }), { nil: undefined }), contentType: fc.constantFrom('application/json', 'text/csv', 'text/plain', '') }),
        async (pick, ids, query, rawBody, who, headers) => {
          const route = routes[pick % routes.length]!;
          const path = route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
            const v = name === 'id' ? ids.id : name === 'benefitId' ? ids.benefitId : ids.other;
            if (v !== 'real') return v;
            return name === 'id' ? (route.path.startsWith('/v1/projects') ? real.project! : real.id!) : real.benefitId!;
          });
          const qs = query.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
          const hdrs: Record<string, string> = {};
          const token = tokenFor(who);
          if (token) hdrs.Authorization = `Bearer ${token}`;
          if (headers.ifMatch) hdrs['If-Match'] = headers.ifMatch;
          if (headers.idem !== undefined && /^[\x20-\x7e]*$/.test(headers.idem)) hdrs['Idempotency-Key'] = headers.idem;
          if (rawBody !== undefined && headers.contentType) hdrs['Content-Type'] = headers.contentType;
          const res = await h.app.request(`${path}${qs ? `?${qs}` : ''}`, { method: route.method, headers: hdrs, ...(rawBody !== undefined && route.method !== 'GET' ? { body: rawBody } : {}) });
          const text = await res.text();
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          expect(res.status, `${route.method} ${path}?${qs} → ${res.status} ${text.slice(0, 300)}`).toBeLessThan(500);
          const validate = res.status < 300 && res.headers.get('content-type')?.startsWith('application/json') ? validatorFor(route.method, route.path, res.status) : undefined;
          if (validate) {
            checked += 1;
            expect(validate(JSON.parse(text)), `${route.method} ${path} ${res.status} does not match its schema: ${JSON.stringify(validate.errors?.slice(0, 3))}`).toBe(true);
          }
          if (res.status >= 400) {
            expect(res.headers.get('content-type')).toBe('application/problem+json');
            const problem = JSON.parse(text) as { status: number; title: string; detail: string };
            expect(problem.status).toBe(res.status);
            expect(problem.detail.length).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: 2000, seed: Number(process.env.FUZZ_SEED ?? 20261123) },
    );
    // The requests reached the whole range of answers, not just the authentication gate.
    expect(checked).toBeGreaterThan(100);
    for (const status of [200, 400, 401, 403, 404, 412, 413, 415]) expect(statuses.get(status) ?? 0, `status ${status} in ${JSON.stringify([...statuses])}`).toBeGreaterThan(0);
  }, 240_000);
});
