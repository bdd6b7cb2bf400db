/**
 * Every failed API call becomes an ApiError carrying the server's stable error code, so pages show
 * a translated message chosen by code (never by matching on the English text, never raw JSON).
 */
import type { components } from './schema.d.ts';

export type ServerErrorCode = components['schemas']['ErrorBody']['error']['code'];
/** Server codes plus the two the browser produces itself. */
export type ErrorCode = ServerErrorCode | 'network' | 'unknown';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details: unknown = undefined,
    readonly requestId: string | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

interface ErrorBodyShape {
  error: { code: string; message: string; details?: unknown };
  requestId?: string;
}

function isErrorBody(body: unknown): body is ErrorBodyShape {
  if (typeof body !== 'object' || body === null || !('error' in body)) return false;
  const error = (body as { error: unknown }).error;
  return typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string' && typeof (error as { message?: unknown }).message === 'string';
}

export function toApiError(body: unknown, response: Response): ApiError {
  const requestId = response.headers.get('x-request-id');
  if (!isErrorBody(body)) return new ApiError(response.status, 'unknown', `HTTP ${response.status}`, undefined, requestId);
  // An unknown code still keeps the server's message, which the UI shows as the fallback.
  return new ApiError(response.status, body.error.code as ErrorCode, body.error.message, body.error.details, body.requestId ?? requestId);
}
