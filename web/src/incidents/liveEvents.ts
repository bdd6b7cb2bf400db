/**
 * The server's live event stream (`GET /api/v1/events`, server-sent events) as a React hook. The
 * browser's EventSource reconnects by itself after a dropped connection (the server asks for 5 s);
 * a refused one (signed out, too many tabs: 401 / 429) is closed for good by the browser, so the
 * hook opens a new one after `reopenMs`. Callers keep a slow poll while the state is not `open`.
 */
import { useEffect, useRef, useState } from 'react';
import type { components, paths } from '../api/schema.d.ts';

export type LiveIncidentEvent = components['schemas']['LiveIncidentEvent'];
export type LiveState = 'connecting' | 'open' | 'down';

/** The stream's path, checked against the API document (EventSource cannot go through openapi-fetch). */
export const eventsPath = '/api/v1/events' satisfies keyof paths;
const eventTypes: ReadonlyArray<LiveIncidentEvent['type']> = ['incident.created', 'incident.updated'];

export function useLiveIncidentEvents(onEvent: (event: LiveIncidentEvent) => void, reopenMs = 30_000): LiveState {
  const [state, setState] = useState<LiveState>('connecting');
  // The latest callback, without reopening the stream when it changes.
  const handler = useRef(onEvent);
  useEffect(() => {
    handler.current = onEvent;
  }, [onEvent]);

  useEffect(() => {
    if (typeof EventSource === 'undefined') {
      setState('down');
      return;
    }
    let source: EventSource | null = null;
    let reopen: ReturnType<typeof setTimeout> | null = null;
    let disposed = false;
    const listener = (message: MessageEvent<string>) => {
      try {
        handler.current(JSON.parse(message.data) as LiveIncidentEvent);
      } catch {
        // A line this console does not understand is skipped; the next refetch shows the truth.
      }
    };
    const connect = () => {
      source = new EventSource(eventsPath, { withCredentials: true });
      setState('connecting');
      source.onopen = () => setState('open');
      source.onerror = () => {
        if (disposed || !source) return;
        setState('down');
        if (source.readyState === EventSource.CLOSED) {
          source.close();
          reopen = setTimeout(connect, reopenMs);
        }
      };
      for (const type of eventTypes) source.addEventListener(type, listener as EventListener);
    };
    connect();
    return () => {
      disposed = true;
      if (reopen) clearTimeout(reopen);
      source?.close();
    };
  }, [reopenMs]);

  return state;
}
