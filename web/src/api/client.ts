/**
 * The only way the console talks to the server: an openapi-fetch client typed by schema.d.ts,
 * which `npm run openapi` generates from the server's OpenAPI document.
 */
import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema.d.ts';
import { ApiError, toApiError } from './apiError.ts';

let csrfToken: string | null = null;

/** The session's CSRF token, from login or GET /auth/me; writes must echo it back in a header. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

const csrfMiddleware: Middleware = {
  onRequest({ request }) {
    if (csrfToken && !safeMethods.has(request.method)) request.headers.set('x-csrf-token', csrfToken);
    return request;
  },
};

export const api = createClient<paths>({ baseUrl: window.location.origin, credentials: 'same-origin' });
api.use(csrfMiddleware);

interface ApiResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/**
 * Awaits a client call and returns its data, or throws an ApiError (also for a network failure),
 * so callers (react-query, forms) handle one error type.
 */
export async function expectOk<T>(call: Promise<ApiResult<T>>): Promise<T> {
  let result: ApiResult<T>;
  try {
    result = await call;
  } catch (cause) {
    throw new ApiError(0, 'network', cause instanceof Error ? cause.message : String(cause));
  }
  if (!result.response.ok) throw toApiError(result.error, result.response);
  return result.data as T;
}
