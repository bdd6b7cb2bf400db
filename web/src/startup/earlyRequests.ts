/**
 * The console's first script, a few kilobytes that run while the rest is still downloading: it asks
 * for the session and, opened at the queue, for the queue's first page, so the answers are here by
 * the time React starts (main.tsx primes the caches with them; startup/firstScreen.ts).
 */
import { startEarlySession } from '../auth/sessionRequest.ts';
import { startEarlyFirstPage } from '../incidents/queueFirstPage.ts';

const publicPaths = new Set(['/login', '/forgot-password', '/reset-password']);

if (!publicPaths.has(window.location.pathname)) {
  startEarlySession();
  // The analysts' first screen; a signed-out or non-analyst reader's request fails with 401/403 and is dropped.
  if (window.location.pathname === '/incidents') startEarlyFirstPage();
}
