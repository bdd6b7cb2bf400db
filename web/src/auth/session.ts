/**
 * The signed-in session lives in react-query under one key: GET /auth/me fills it (null when
 * signed out), login fills it directly, logout and any 401 empty it. The CSRF token rides along.
 */
import { useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { api, expectOk, setCsrfToken } from '../api/client.ts';
import { hasStoredLanguage, isLanguage, setLanguage } from '../i18n/i18n.ts';
import { peekEarlySession, requestSession, takeEarlySession, type SessionInfo } from './sessionRequest.ts';

export type { SessionInfo };
export type Role = SessionInfo['user']['role'];

export const sessionKey = ['session'] as const;

async function fetchSession(): Promise<SessionInfo | null> {
  const session = await (takeEarlySession() ?? requestSession());
  if (session) applySession(session);
  else setCsrfToken(null);
  return session;
}

/** The session as the console starts: already asked for by the first script, usually already here. */
export async function primeSession(queryClient: QueryClient, deadline: Promise<void>): Promise<SessionInfo | null | undefined> {
  const early = peekEarlySession();
  if (!early) return undefined;
  const settled = await Promise.race([early.then((session) => ({ session }), () => null), deadline.then(() => null)]);
  // Slow or failed: the session query takes the request over (and shows its loader or its error).
  if (!settled) return undefined;
  takeEarlySession();
  if (settled.session) applySession(settled.session);
  else setCsrfToken(null);
  queryClient.setQueryData(sessionKey, settled.session);
  return settled.session;
}

function applySession(session: SessionInfo): void {
  setCsrfToken(session.csrfToken);
  // The account's language applies until the reader picks one on this browser.
  if (!hasStoredLanguage() && isLanguage(session.user.locale)) void setLanguage(session.user.locale, { remember: false });
}

export function useSession() {
  return useQuery({ queryKey: sessionKey, queryFn: fetchSession, staleTime: Infinity, retry: false });
}

export function signedIn(queryClient: QueryClient, session: SessionInfo): void {
  applySession(session);
  queryClient.setQueryData(sessionKey, session);
}

/** Forget everything cached for the old session (another user may sign in next). */
export function signedOut(queryClient: QueryClient): void {
  setCsrfToken(null);
  queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== sessionKey[0] });
  queryClient.setQueryData(sessionKey, null);
}

export function useSignOut(): () => Promise<void> {
  const queryClient = useQueryClient();
  return async () => {
    try {
      await expectOk(api.POST('/api/v1/auth/logout'));
    } finally {
      // Even if the server is unreachable, this page stops showing the signed-in console.
      signedOut(queryClient);
    }
  };
}
