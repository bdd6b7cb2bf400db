/**
 * A few typed errors with stable codes. Services throw them; one mapper (http/errorMapper.ts)
 * turns them into the uniform body `{error: {code, message, details?}, requestId}`.
 */
import type { ErrorCode } from '@otasuke/shared';

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly statusCode: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/** Also what another tenant's record answers: it must be indistinguishable from a missing one. */
export class NotFoundError extends AppError {
  constructor(what = 'resource') {
    super('not_found', 404, `${what} not found`);
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'you do not have permission for this action') {
    super('forbidden', 403, message);
  }
}

export class UnauthenticatedError extends AppError {
  constructor(message = 'sign in first') {
    super('unauthenticated', 401, message);
  }
}

export class ConflictError extends AppError {
  constructor(message: string, details?: unknown) {
    super('conflict', 409, message, details);
  }
}

export class BadRequestError extends AppError {
  constructor(message: string, details?: unknown) {
    super('bad_request', 400, message, details);
  }
}
