import { lazySchema } from '@bt/core';
import { createRoute } from '@hono/zod-openapi';
import * as z from 'zod';
import { Problem } from './problem.ts';

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input: malformed JSON, wrong types, unknown fields, bad query (problem+json, with the failing fields).',
  401: 'No valid bearer token.',
  403: 'Your role, or your relation to this project, does not allow it.',
  404: 'No such resource.',
  409: 'Conflicts with the current state (e.g. a duplicate code).',
  412: 'If-Match names a version that is no longer current; nothing was changed.',
  413: 'Body too large.',
  415: 'Body is not application/json.',
  422: 'Well-formed but refers to something that does not exist or breaks a business rule.',
  503: 'The data store is unavailable; nothing was changed.',
};

/** The problem+json responses a route can give, for the OpenAPI document. */
export function problems(...statuses: number[]) {
  return Object.fromEntries(
    [...new Set([...statuses, 503])].map((s) => [
      s,
      { description: PROBLEM_DESCRIPTIONS[s] ?? 'Error', content: { 'application/problem+json': { schema: Problem } } },
    ]),
  );
}

export const ETagHeader = {
  ETag: { description: "The representation's version; send it back in If-Match to update safely.", schema: { type: 'string' as const } },
};

export const IfMatchHeaders = lazySchema(() =>
  z.object({
    'if-match': z.string().optional().meta({ description: 'The ETag you last received; a stale one gets 412 and changes nothing.' }),
  }),
);

export const security = [{ bearerAuth: [] }];

/** `content` of a JSON request or response, keeping the schema's type for `c.req.valid`. */
export function json<T extends z.ZodType>(schema: T) {
  return { content: { 'application/json': { schema } } } as const;
}

export const IdempotencyHeaders = lazySchema(() =>
  z.object({
    'idempotency-key': z.string().optional().meta({ description: 'Makes a retried POST return the first result and record nothing new (kept 24 hours).' }),
  }),
);

/**
 * `createRoute` with an operationId derived from the method and path
 * (`patch /v1/projects/{id}/benefits/{benefitId}` → `patchProjectsIdBenefitsBenefitId`),
 * so generated clients get stable, readable names.
 */
export function route<R extends Parameters<typeof createRoute>[0]>(config: R) {
  const words = config.path
    .replace(/^\/v1\//, '')
    .split(/[/{}-]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1));
  return createRoute({ operationId: `${config.method}${words.join('')}`, ...config });
}
