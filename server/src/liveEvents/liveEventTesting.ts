/** A reader of the live event stream over real HTTP (Node's fetch), for the tests. */
import type { LiveIncidentEvent } from '@otasuke/shared';
import type { Session } from '../testing/testPlatform.ts';

/** One open stream: its events and comment lines as they arrive. */
export interface Reader {
  status: number;
  events: LiveIncidentEvent[];
  comments: string[];
  ended: boolean;
  body: string;
  waitFor(predicate: () => boolean, what: string, timeoutMs?: number): Promise<void>;
  close(): void;
}

export async function open(baseUrl: string, session: Session | null, headers: Record<string, string> = {}): Promise<Reader> {
  const abort = new AbortController();
  const response = await fetch(`${baseUrl}/api/v1/events`, { headers: { accept: 'text/event-stream', ...(session ? { cookie: session.cookie } : {}), ...headers }, signal: abort.signal });
  const reader: Reader = {
    status: response.status,
    events: [],
    comments: [],
    ended: false,
    body: '',
    async waitFor(predicate, what, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      while (!predicate()) {
        if (Date.now() > until) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(reader.events)} ${reader.comments.length} comments, ended ${reader.ended}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close: () => abort.abort(),
  };
  if (response.status !== 200 || !response.body) {
    reader.body = await response.text();
    reader.ended = true;
    return reader;
  }
  const decoder = new TextDecoder();
  let buffer = '';
  void (async () => {
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          let type = '';
          let data = '';
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) reader.comments.push(line.slice(1).trim());
            else if (line.startsWith('event: ')) type = line.slice(7);
            else if (line.startsWith('data: ')) data += line.slice(6);
          }
          if (data) {
            const event = JSON.parse(data) as LiveIncidentEvent;
            if (event.type !== type) throw new Error(`event line ${type} carries ${event.type}`);
            reader.events.push(event);
          }
        }
      }
    } catch (error) {
      // Aborted by the test, or a malformed event (kept in body for the failure message).
      if (!abort.signal.aborted) reader.body = String(error);
    }
    reader.ended = true;
  })();
  return reader;
}
