/**
 * The agent's HTTP(S) exchanges with the monitoring server, over node:http / node:https so a
 * private CA (`caFile`) can be trusted without touching the system's store or pulling in undici.
 * Bodies are returned as the raw bytes received (no content decoding): the bundle's signature is
 * over exactly those bytes.
 */
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { readFileSync } from 'node:fs';

export interface ServerAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** The server could not be reached or the exchange broke off (no HTTP status). */
export class ServerUnreachableError extends Error {
  override name = 'ServerUnreachableError';
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

const MAX_ANSWER_BYTES = 32 * 1024 * 1024;

export class ServerLink {
  private readonly base: URL;
  private readonly agent: HttpAgent | HttpsAgent;
  private credential: string;

  constructor(options: { serverUrl: string; credential: string; caFile: string | null; timeoutMs: number }) {
    this.base = new URL(options.serverUrl.endsWith('/') ? options.serverUrl : `${options.serverUrl}/`);
    this.credential = options.credential;
    this.timeoutMs = options.timeoutMs;
    this.agent =
      this.base.protocol === 'https:'
        ? new HttpsAgent({ keepAlive: true, ...(options.caFile !== null ? { ca: readFileSync(options.caFile) } : {}) })
        : new HttpAgent({ keepAlive: true });
  }

  private readonly timeoutMs: number;

  /** After a re-enrollment wrote a new credential. */
  setCredential(credential: string): void {
    this.credential = credential;
  }

  exchange(method: 'GET' | 'POST', path: string, options: { headers?: OutgoingHttpHeaders; body?: Uint8Array; signal?: AbortSignal } = {}): Promise<ServerAnswer> {
    const url = new URL(path.replace(/^\//, ''), this.base);
    const headers: OutgoingHttpHeaders = { authorization: `Bearer ${this.credential}`, ...options.headers };
    if (options.body !== undefined) headers['content-length'] = options.body.length;
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = send(url, { method, headers, agent: this.agent, timeout: this.timeoutMs, signal: options.signal }, (res) => {
        const parts: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_ANSWER_BYTES) {
            res.destroy(new ServerUnreachableError(`the server's answer to ${method} ${url.pathname} is over ${MAX_ANSWER_BYTES} bytes`, 'ETOOBIG'));
            return;
          }
          parts.push(chunk);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
        res.on('error', (e) => reject(unreachable(e, url)));
      });
      req.on('timeout', () => req.destroy(new ServerUnreachableError(`no answer from ${url.origin} within ${this.timeoutMs} ms`, 'ETIMEDOUT')));
      req.on('error', (e) => reject(unreachable(e, url)));
      req.end(options.body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

function unreachable(e: Error, url: URL): ServerUnreachableError {
  if (e instanceof ServerUnreachableError) return e;
  const code = (e as NodeJS.ErrnoException).code;
  return new ServerUnreachableError(`cannot reach ${url.origin}: ${code ?? e.message}`, code);
}
