/**
 * The errors our code raises on purpose. Each has an HTTP status and a stable
 * `code`; the API maps them to RFC 9457 problem+json in one place. Anything
 * that is not an AppError is a bug and becomes a logged, generic 500.
 */
export interface FieldError {
  /** Dotted path of the failing field, e.g. `mtfsTargets.2025/26`. */
  path: string;
  message: string;
}

export abstract class AppError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;
  abstract readonly title: string;
  readonly errors?: FieldError[];
  constructor(detail: string, errors?: FieldError[]) {
    super(detail);
    if (errors) this.errors = errors;
  }
}

export class ValidationError extends AppError {
  readonly status = 400;
  readonly code = 'validation-failed';
  readonly title = 'The request is not valid';
}

export class BadRequestError extends AppError {
  readonly status = 400;
  readonly code = 'bad-request';
  readonly title = 'Bad request';
}

export class UnauthenticatedError extends AppError {
  readonly status = 401;
  readonly code = 'unauthenticated';
  readonly title = 'Authentication is required';
}

export class ForbiddenError extends AppError {
  readonly status = 403;
  readonly code = 'forbidden';
  readonly title = 'Not allowed';
}

export class NotFoundError extends AppError {
  readonly status = 404;
  readonly code = 'not-found';
  readonly title = 'Not found';
}

export class ConflictError extends AppError {
  readonly status = 409;
  readonly code: string;
  readonly title = 'Conflict with the current state';
  constructor(code: string, detail: string, errors?: FieldError[]) {
    super(detail, errors);
    this.code = code;
  }
}

export class PreconditionFailedError extends AppError {
  readonly status = 412;
  readonly code = 'precondition-failed';
  readonly title = 'The resource has changed';
}

export class PayloadTooLargeError extends AppError {
  readonly status = 413;
  readonly code = 'payload-too-large';
  readonly title = 'Request body too large';
}

export class UnsupportedMediaTypeError extends AppError {
  readonly status = 415;
  readonly code = 'unsupported-media-type';
  readonly title = 'Unsupported media type';
}

/** A well-formed request that breaks a business rule (e.g. refers to a workstream that does not exist). */
export class UnprocessableError extends AppError {
  readonly status = 422;
  readonly code: string;
  readonly title = 'The request cannot be processed';
  constructor(code: string, detail: string, errors?: FieldError[]) {
    super(detail, errors);
    this.code = code;
  }
}

export class ServiceUnavailableError extends AppError {
  readonly status = 503;
  readonly code = 'service-unavailable';
  readonly title = 'Service temporarily unavailable';
}

/** An AppError raised by another of our functions and passed back as data (the digest function, invoked by the API). */
export class RelayedError extends AppError {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    detail: string,
    errors?: FieldError[],
  ) {
    super(detail, errors);
  }
}
