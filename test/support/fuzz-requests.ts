import fc from 'fast-check';

/**
 * Generated requests for every route: valid and invalid bodies, query
 * strings, path ids, headers, tokens, sizes, and amounts and dates at the
 * edges of what the API takes. Used by the in-process fuzz test (2,000
 * requests) and by `pnpm fuzz` against a running server (10,000 and more).
 */
export interface FuzzRoute {
  method: string;
  path: string;
}

export interface FuzzRequest {
  route: FuzzRoute;
  path: string;
  query: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
}

/** Real ids for path parameters, so requests reach past "not found". */
export interface RealIds {
  workstream: string;
  project: string;
  benefit: string;
  [name: string]: string;
}

export const EDGE_AMOUNTS = [
  0, 1, -1, 99_999_999_999, 100_000_000_000, 100_000_000_001, -100_000_000_001, 9_007_199_254_740_991, 9_007_199_254_740_992, -9_007_199_254_740_991, 1e308,
  -1e308, 0.5, 1e21,
];
export const EDGE_DATES = [
  '0001-01-01',
  '0999-12-31',
  '1999-12-31',
  '2000-03-31',
  '2000-04-01',
  '2025-02-29',
  '2024-02-29',
  '2025-10-31',
  '2099-03-31',
  '2099-04-01',
  '9999-12-31',
  '2025-13-01',
  '2025-10-32',
  '',
];
export const EDGE_MONTHS = [
  '0001-01',
  '0999-12',
  '2000-03',
  '2000-04',
  '2025-10',
  '2026-11',
  '2099-03',
  '2099-04',
  '9999-12',
  '2025-13',
  '2025-00',
  '25-10',
  '',
];
export const EDGE_FYS = ['2025/26', '1999/00', '2000/01', '2098/99', '2099/00', '9999/00', '0001/02', '2025/27', '2025-26', ''];

const amount = fc.oneof(fc.constantFrom(...EDGE_AMOUNTS), fc.integer(), fc.double());
const date = fc.oneof(fc.constantFrom(...EDGE_DATES), fc.string({ maxLength: 12 }));
const month = fc.oneof(fc.constantFrom(...EDGE_MONTHS), fc.string({ maxLength: 8 }));
const fy = fc.oneof(fc.constantFrom(...EDGE_FYS), fc.string({ maxLength: 8 }));

const idLike = fc.oneof(
  fc.constantFrom(
    'prj_01JD6ZQ4T5N3W8R2X7C9V1B0KM',
    'ben_01JD6ZQ4T5N3W8R2X7C9V1B0KM',
    'ws_01JD6ZQ4T5N3W8R2X7C9V1B0KM',
    'alr_01JD6ZQ4T5N3W8R2X7C9V1B0KM',
    '..%2F..',
    '%00',
    'null',
    '',
  ),
  fc.string({ maxLength: 40 }).map(encodeURIComponent),
);
const queryValue = fc.oneof(
  fc.constantFrom(
    '2025/26',
    '2025-26',
    '9999/00',
    '-1',
    '0',
    '1',
    '201',
    '99999999999999999999',
    'csv',
    'json',
    'html',
    'year',
    'month',
    'true',
    '2025-02-30',
    '2025-10-31',
    '0001-01-01',
    'open',
    'critical',
  ),
  fc.string({ maxLength: 20 }),
  fc.string({ maxLength: 60 }).map((s) => Buffer.from(s).toString('base64url')),
);
const queryKey = fc.constantFrom(
  'limit',
  'cursor',
  'financialYear',
  'asAt',
  'format',
  'granularity',
  'status',
  'rule',
  'severity',
  'projectId',
  'workstreamId',
  'entityId',
  'dryRun',
  'mapping',
  'stage',
  'directorate',
  'next',
  'junk',
);

const body = (limit: number) =>
  fc.oneof(
    fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
    fc
      .record({ code: fc.string(), name: fc.string(), lead: fc.string(), mtfsTargets: fc.dictionary(fy, amount) }, { requiredKeys: [] })
      .map((v) => JSON.stringify(v)),
    fc.record({ month, amountPence: amount, note: fc.string(), reverses: fc.string() }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
    fc
      .record(
        {
          months: fc.dictionary(month, amount),
          phased: fc.array(fc.record({ financialYear: fy, amountPence: amount, fromMonth: month }, { requiredKeys: ['financialYear', 'amountPence'] })),
          reason: fc.string(),
        },
        { requiredKeys: [] },
      )
      .map((v) => JSON.stringify(v)),
    fc
      .record(
        { startDate: date, endDate: date, dueDate: date, completedDate: fc.option(date, { nil: null }), stage: fc.string(), deliveryConfidence: fc.string() },
        { requiredKeys: [] },
      )
      .map((v) => JSON.stringify(v)),
    fc
      .record(
        {
          measure: fc.record({ name: fc.string(), unit: fc.string(), baselineValue: amount, targetValue: amount, pencePerUnit: amount }),
          confidencePct: amount,
          savingsAtRiskPence: amount,
          likelihood: amount,
          impact: amount,
        },
        { requiredKeys: [] },
      )
      .map((v) => JSON.stringify(v)),
    fc.string({ maxLength: 200 }),
    fc.constantFrom('token=x&next=%2F%09%2Fevil.example', 'next=/\r\n/x', '--xyz\r\nContent-Disposition: form-data; name="token"\r\n\r\nabc'),
    fc.constant('x'.repeat(Math.min(limit * 2, 2_000_000))),
    fc.constant(`{"title":"${'y'.repeat(Math.max(0, limit - 40))}"}`),
  );

/** Well-formed bodies of the API's own shapes with one or more values at an edge: these get past validation of the shape and test the bounds. */
const edgeBody = fc.oneof(
  fc.record({ month, amountPence: amount, note: fc.constantFrom('Invoice 42', 'x') }).map((v) => JSON.stringify(v)),
  fc.record({ months: fc.dictionary(month, amount, { maxKeys: 3 }) }).map((v) => JSON.stringify(v)),
  fc
    .record({ phased: fc.array(fc.record({ financialYear: fy, amountPence: amount }), { minLength: 1, maxLength: 2 }), reason: fc.constant('Re-baseline') })
    .map((v) => JSON.stringify(v)),
  fc.record({ mtfsTargets: fc.dictionary(fy, amount, { maxKeys: 2 }) }).map((v) => JSON.stringify(v)),
  fc.record({ startDate: date, endDate: date }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
  fc
    .record({
      code: fc.constantFrom('ASC 01', 'WS£€', 'OK1', 'a'.repeat(40)),
      name: fc.constant('Name'),
      lead: fc.constant('Lead'),
      mtfsTargets: fc.dictionary(fy, amount, { maxKeys: 2 }),
    })
    .map((v) => JSON.stringify(v)),
  fc.record({ title: fc.constant('M'), dueDate: date, completedDate: date }, { requiredKeys: ['title', 'dueDate'] }).map((v) => JSON.stringify(v)),
  fc
    .record({ measure: fc.record({ name: fc.constant('Rate'), unit: fc.constant('pp'), baselineValue: amount, targetValue: amount, pencePerUnit: amount }) })
    .map((v) => JSON.stringify(v)),
  fc
    .record({ likelihood: fc.integer({ min: 1, max: 5 }), impact: fc.integer({ min: 1, max: 5 }), savingsAtRiskPence: amount }, { requiredKeys: [] })
    .map((v) => JSON.stringify(v)),
  fc
    .record({
      title: fc.constant('Kit'),
      kind: fc.constant('capital'),
      fundingSource: fc.constant('reserves'),
      months: fc.dictionary(month, amount, { maxKeys: 2 }),
    })
    .map((v) => JSON.stringify(v)),
  fc.record({ ids: fc.array(fc.string(), { maxLength: 3 }), note: fc.string() }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
);

export const TOKEN_NAMES = ['admin', 'pm', 'otherPm', 'finance', 'cmt', 'feedReader', 'garbage.token.here', ''] as const;

/** One generated request against `routes`, with `real` ids for some path parameters. */
export function fuzzRequest(
  routes: FuzzRoute[],
  real: RealIds,
  tokens: Record<string, string>,
  bodyLimit: number,
  siteOrigin = 'http://localhost',
): fc.Arbitrary<FuzzRequest> {
  return fc.oneof(anyRequest(routes, real, tokens, bodyLimit, siteOrigin), edgeRequest(routes, real, tokens));
}

/** A write of a well-formed shape with values at the edges, by someone allowed to write, at a real resource. */
function edgeRequest(routes: FuzzRoute[], real: RealIds, tokens: Record<string, string>): fc.Arbitrary<FuzzRequest> {
  const writes = routes.filter((r) => r.path.startsWith('/v1/') && ['POST', 'PUT', 'PATCH'].includes(r.method));
  return fc
    .record({
      pick: fc.integer({ min: 0, max: 100_000 }),
      body: edgeBody,
      who: fc.constantFrom('admin', 'pm', 'finance'),
      ifMatch: fc.option(fc.constantFrom('"0"', '"1"', '"999"'), { nil: undefined }),
    })
    .map(({ pick, body, who, ifMatch }) => {
      const route = writes[pick % writes.length]!;
      const path = route.path.replace(/\{(\w+)\}/g, (_, name: string) =>
        name === 'id'
          ? route.path.startsWith('/v1/projects')
            ? real.project
            : route.path.includes('alerts')
              ? (real.alert ?? real.workstream)
              : real.workstream
          : (real[name] ?? real.benefit),
      );
      return {
        route,
        path,
        method: route.method,
        query: '',
        headers: { Authorization: `Bearer ${tokens[who]}`, 'Content-Type': 'application/json', ...(ifMatch ? { 'If-Match': ifMatch } : {}) },
        body,
      };
    });
}

function anyRequest(routes: FuzzRoute[], real: RealIds, tokens: Record<string, string>, bodyLimit: number, siteOrigin: string): fc.Arbitrary<FuzzRequest> {
  return fc
    .record({
      pick: fc.integer({ min: 0, max: 100_000 }),
      ids: fc.record({
        id: fc.oneof(fc.constant('real'), idLike),
        benefitId: fc.oneof(fc.constant('real'), idLike),
        other: fc.oneof(fc.constant('real'), idLike),
      }),
      query: fc.array(fc.tuple(queryKey, queryValue), { maxLength: 4 }),
      rawBody: fc.option(body(bodyLimit), { nil: undefined }),
      who: fc.constantFrom(...TOKEN_NAMES),
      ifMatch: fc.option(fc.constantFrom('"1"', '"0"', 'W/"1"', '*', 'banana', '"1", "2"'), { nil: undefined }),
      idem: fc.option(fc.oneof(fc.string({ maxLength: 300 }), fc.constantFrom('a#b', '%23', 'key')), { nil: undefined }),
      contentType: fc.constantFrom('application/json', 'text/csv', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=xyz', ''),
      origin: fc.constantFrom(undefined, 'https://evil.example', 'same'),
    })
    .map(({ pick, ids, query, rawBody, who, ifMatch, idem, contentType, origin }) => {
      const route = routes[pick % routes.length]!;
      const path = route.path.replace(/\{(\w+)\}|:(\w+)/g, (_, a: string | undefined, b: string | undefined) => {
        const name = a ?? b!;
        const v = name === 'id' ? ids.id : name === 'benefitId' ? ids.benefitId : ids.other;
        if (v !== 'real') return v;
        if (name === 'id')
          return route.path.startsWith('/v1/projects') || route.path.startsWith('/projects')
            ? real.project
            : route.path.includes('alerts')
              ? (real.alert ?? real.workstream)
              : real.workstream;
        return real[name] ?? real.benefit;
      });
      const headers: Record<string, string> = {};
      const token = who in tokens ? tokens[who]! : who;
      if (token) headers.Authorization = `Bearer ${token}`;
      if (ifMatch) headers['If-Match'] = ifMatch;
      if (idem !== undefined && /^[\x20-\x7e]*$/.test(idem)) headers['Idempotency-Key'] = idem;
      if (rawBody !== undefined && contentType) headers['Content-Type'] = contentType;
      if (origin) headers.Origin = origin === 'same' ? siteOrigin : origin;
      return {
        route,
        path,
        method: route.method,
        query: query.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&'),
        headers,
        body: rawBody !== undefined && route.method !== 'GET' && route.method !== 'HEAD' ? rawBody : undefined,
      };
    });
}
