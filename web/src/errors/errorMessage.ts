/**
 * The sentence a person reads for a failed call: the catalog's text for the error code, with the
 * unlock time or wait filled in; the server's own message only when the code is new to us.
 */
import type { TFunction } from 'i18next';
import i18next from 'i18next';
import { ApiError } from '../api/apiError.ts';

function detail(details: unknown, key: string): unknown {
  return typeof details === 'object' && details !== null ? (details as Record<string, unknown>)[key] : undefined;
}

export function errorMessage(error: unknown, t: TFunction<'translation'>, language: string): string {
  if (!(error instanceof ApiError)) return t('errors.unknown');
  if (error.code === 'account_locked') {
    const until = detail(error.details, 'lockedUntil');
    if (typeof until !== 'string' || Number.isNaN(Date.parse(until))) return t('errors.account_locked_untimed');
    const time = new Intl.DateTimeFormat(language, { month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit' }).format(new Date(until));
    return t('errors.account_locked', { time });
  }
  if (error.code === 'too_many_requests') {
    const seconds = detail(error.details, 'retryAfterSeconds');
    if (typeof seconds !== 'number' || seconds <= 0) return t('errors.too_many_requests_untimed');
    return t('errors.too_many_requests', { minutes: Math.max(1, Math.ceil(seconds / 60)) });
  }
  // A code this build does not know yet (newer server) falls back to the server's own message.
  const known = i18next.exists(`errors.${error.code}`);
  if (known) return t(`errors.${error.code}`);
  return error.message || t('errors.unknown');
}

/** Server-side failures get a reference number the help desk can look up in the logs. */
export function showsRequestId(error: unknown): error is ApiError & { requestId: string } {
  return error instanceof ApiError && error.requestId !== null && (error.status >= 500 || error.code === 'unknown');
}
