import { lazySchema } from '@bt/core';
import {
  AppError,
  BadRequestError,
  ForbiddenError,
  NotFoundError,
  UnsupportedMediaTypeError,
  PayloadTooLargeError,
  UnauthenticatedError,
  ValidationError,
  type FieldError,
} from '@bt/core';
import { isStoreUnavailable, toUnavailable } from '@bt/store';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import * as z from 'zod';
import type { AppEnv } from './env.ts';
import { logger } from '@bt/services';

/** RFC 9457 problem details, as every error of the API is answered. */
export const Problem = lazySchema(() =>
  z
    .object({
      type: z.string().meta({ example: '/problems/validation-failed' }),
      title: z.string(),
      status: z.int(),
      detail: z.string(),
      instance: z.string().optional(),
      code: z.string().meta({ description: 'Stable machine-readable code.' }),
      requestId: z.string().optional(),
      errors: z
        .array(z.object({ path: z.string(), message: z.string() }))
        .optional()
        .meta({ description: 'The failing fields, for validation errors.' }),
    })
    .meta({ id: 'Problem' }),
);
export type Problem = z.infer<typeof Problem>;

export function problemResponse(c: Context<AppEnv>, error: AppError): Response {
  const body: Problem = {
    type: `/problems/${error.code}`,
    title: error.title,
    status: error.status,
    detail: error.message,
    instance: c.req.path,
    code: error.code,
    requestId: c.get('requestId'),
    ...(error.errors ? { errors: error.errors } : {}),
  };
  const headers: Record<string, string> = { 'Content-Type': 'application/problem+json' };
  if (error instanceof UnauthenticatedError) headers['WWW-Authenticate'] = 'Bearer realm="benefits-tracker"';
  // A body refused as too large is left unread, so the connection cannot carry another request: say so, and a client's pool opens a new one.
  if (error instanceof PayloadTooLargeError) headers.Connection = 'close';
  return c.body(JSON.stringify(body), error.status as ContentfulStatusCode, headers);
}

/** zod issues → the failing fields, with unknown keys each named. */
export function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.flatMap((issue) => {
    const base = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((k) => ({ path: base ? `${base}.${k}` : k, message: 'is not a field of this resource (or may not be set by a client)' }));
    }
    return [{ path: base || '(body)', message: issue.message }];
  });
}

export function validationError(error: z.ZodError, where: string): ValidationError {
  const errors = fieldErrors(error);
  return new ValidationError(
    `The ${where} has ${errors.length} problem${errors.length === 1 ? '' : 's'}: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}.`,
    errors,
  );
}

/** Hono's own 4xx (from its validators and middleware), in our vocabulary. */
function fromHttpException(error: HTTPException): AppError {
  switch (error.status) {
    case 401:
      return new UnauthenticatedError(error.message || 'Authentication is required.');
    case 403:
      return new ForbiddenError(error.message || 'This form was sent from another site, so it was refused. Use the form on this site.');
    case 404:
      return new NotFoundError(error.message || 'Not found.');
    case 413:
      return new PayloadTooLargeError(error.message || 'The request body is too large.');
    case 415:
      return new UnsupportedMediaTypeError('Send the body as application/json.');
    default:
      return new BadRequestError(error.message === 'Malformed JSON in request body' ? 'The request body is not valid JSON.' : error.message || 'Bad request.');
  }
}

/**
 * An error as the AppError it stands for: ours as they are, zod's and Hono's
 * 4xx in our vocabulary, the store's outage as a 503. Null for anything else:
 * a bug, which the caller logs and answers as a generic 500.
 */
export function knownError(error: Error, c: Context<AppEnv>): AppError | null {
  if (error instanceof AppError) return error;
  if (error instanceof z.ZodError) return validationError(error, 'request');
  if (error instanceof HTTPException && error.status >= 400 && error.status < 500) return fromHttpException(error);
  if (isStoreUnavailable(error)) {
    logger.warn('store unavailable', { requestId: c.get('requestId'), error });
    return toUnavailable();
  }
  return null;
}

/** The one place errors of the API become responses. Unknown errors are logged and answered with a generic 500. */
export function onError(error: Error, c: Context<AppEnv>): Response {
  const known = knownError(error, c);
  if (known) return problemResponse(c, known);
  logger.error('unhandled error', { requestId: c.get('requestId'), path: c.req.path, error });
  const body: Problem = {
    type: '/problems/internal-error',
    title: 'Internal error',
    status: 500,
    detail: 'Something went wrong on our side. It has been logged; quote the request id if you report it.',
    code: 'internal-error',
    requestId: c.get('requestId'),
  };
  return c.body(JSON.stringify(body), 500, { 'Content-Type': 'application/problem+json' });
}
