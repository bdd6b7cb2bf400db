/**
 * A tiny router: the address bar is the state. Pages read the path with useLocation() and move
 * with navigate(); no dependency needed for the handful of console routes.
 */
import { useSyncExternalStore } from 'react';

const listeners = new Set<() => void>();

function notify(): void {
  for (const listener of listeners) listener();
}

window.addEventListener('popstate', notify);

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === window.location.pathname + window.location.search) return;
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  notify();
}

/**
 * A link's click inside the console: moves without reloading, unless the reader asked for a new tab
 * or window (modifier keys, middle button) — then the browser follows the real href.
 */
export function followLink(event: { defaultPrevented: boolean; button: number; metaKey: boolean; ctrlKey: boolean; shiftKey: boolean; altKey: boolean; preventDefault(): void }, to: string): void {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  navigate(to);
}

export interface Location {
  pathname: string;
  search: string;
}

let snapshot: Location = { pathname: window.location.pathname, search: window.location.search };

// useSyncExternalStore needs the same object until the address really changes.
function getSnapshot(): Location {
  const { pathname, search } = window.location;
  if (pathname !== snapshot.pathname || search !== snapshot.search) snapshot = { pathname, search };
  return snapshot;
}

export function useLocation(): Location {
  return useSyncExternalStore(subscribe, getSnapshot);
}
