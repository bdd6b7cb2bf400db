/**
 * GET /auth/me on its own, without react-query or i18n, so the console's first script can ask for
 * the session before the rest of the console has even been downloaded (startup/earlyRequests.ts).
 */
import { ApiError } from '../api/apiError.ts';
import { api, expectOk } from '../api/client.ts';
import type { components } from '../api/schema.d.ts';

export type SessionInfo = components['schemas']['SessionInfo'];

/** The signed-in session, or null when nobody is signed in on this browser. */
export async function requestSession(): Promise<SessionInfo | null> {
  try {
    return await expectOk(api.GET('/api/v1/auth/me'));
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

let earlySession: Promise<SessionInfo | null> | null = null;

/** Called once by the first script. */
export function startEarlySession(): void {
  earlySession = requestSession();
  // Taken by the session query; if that never happens its failure is nobody's concern.
  earlySession.catch(() => undefined);
}

/** The early request, left in place (the session query still takes it). */
export function peekEarlySession(): Promise<SessionInfo | null> | null {
  return earlySession;
}

/** The early request, once: a later check (after sign-out, a retry) asks the server again. */
export function takeEarlySession(): Promise<SessionInfo | null> | null {
  const early = earlySession;
  earlySession = null;
  return early;
}
