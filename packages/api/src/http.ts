import { lazySchema } from '@bt/core';
import { BadRequestError, PreconditionFailedError, UnsupportedMediaTypeError } from '@bt/core';
import { XLSX_CONTENT_TYPE, type Caller } from '@bt/services';
import type { Context, MiddlewareHandler } from 'hono';
import * as z from 'zod';
import type { AppEnv } from './env.ts';

export function caller(c: Context<AppEnv>): Caller {
  return { principal: c.get('principal'), requestId: c.get('requestId') };
}

/** Every representation's ETag is its version. */
export function etag(version: number): string {
  return `"${version}"`;
}

/**
 * The version named by `If-Match`, if any. `*` matches any current version.
 * Weak tags are compared by their value (RFC 9110 uses strong comparison for
 * If-Match, but our tags are versions, so the two are the same).
 */
export function expectedVersion(c: Context<AppEnv>): number | undefined {
  const header = c.req.header('If-Match');
  if (header === undefined || header.trim() === '*') return undefined;
  const tags = header.split(',').map((t) => t.trim());
  if (tags.length !== 1) throw new BadRequestError('If-Match must name exactly one version (the ETag you received).');
  const m = /^(?:W\/)?"(\d{1,15})"$/.exec(tags[0]!);
  // An unrecognisable tag cannot match the current version.
  if (!m) throw new PreconditionFailedError(`If-Match ${tags[0]} does not match the current version.`);
  return Number(m[1]);
}

const XLSX_TYPE = XLSX_CONTENT_TYPE;

/** A body that is not JSON (a tracker: CSV or a workbook) is refused with 415 rather than silently read as empty. */
export const requireJsonBody: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (['POST', 'PUT', 'PATCH'].includes(c.req.method)) {
    const type = (c.req.header('Content-Type') ?? '').split(';')[0]!.trim().toLowerCase();
    const spreadsheet = type === 'text/csv' || type === XLSX_TYPE;
    if (c.req.path.startsWith('/v1/imports/')) {
      if (!spreadsheet) throw new UnsupportedMediaTypeError(`Send the tracker as text/csv or ${XLSX_TYPE} (got ${type || 'no Content-Type'}).`);
    } else if (type && !/^application\/([\w.-]+\+)?json$/.test(type)) {
      throw new UnsupportedMediaTypeError(`Send the body as application/json (got ${type}).`);
    }
  }
  return next();
};

/** `limit` and `cursor` of every list. */
export const PageQuery = lazySchema(() => ({
  limit: z.coerce.number().int().min(1).max(200).default(50).meta({ description: 'Items per page, 1–200.' }),
  cursor: z.string().max(2048).optional().meta({ description: 'The nextCursor of the previous page.' }),
}));

export function pageOf<T>(schema: z.ZodType<T>, id: string) {
  return z
    .object({ items: z.array(schema), nextCursor: z.string().nullable().meta({ description: 'Pass as cursor for the next page; null on the last.' }) })
    .meta({ id });
}

/**
 * The `Idempotency-Key` header of a ledger POST: 1–255 visible ASCII characters
 * (a UUID is ideal). Absent means the POST is not retried safely.
 */
export function idempotencyKey(c: Context<AppEnv>): { key: string } | undefined {
  const key = c.req.header('Idempotency-Key');
  if (key === undefined) return undefined;
  if (!/^[\x21-\x7e]{1,255}$/.test(key)) {
    throw new BadRequestError('Idempotency-Key must be 1–255 visible ASCII characters, e.g. a UUID.', [
      { path: 'Idempotency-Key', message: 'is not a valid key' },
    ]);
  }
  return { key };
}
