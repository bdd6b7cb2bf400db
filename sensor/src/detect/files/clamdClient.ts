/**
 * A client for ClamAV's clamd, speaking its INSTREAM command over a Unix socket or TCP:
 * `zINSTREAM\0`, then the file as chunks each preceded by its length (4 bytes, big-endian), then a
 * zero length; clamd answers one NUL-terminated line (`stream: OK`, `stream: <name> FOUND`,
 * `INSTREAM size limit exceeded. ERROR`, or another `… ERROR`).
 *
 * The adapter between the sensor and clamd: every failure (clamd down, a timeout, a reply we do not
 * understand) comes back as a verdict with a reason, never as a rejection, so a scan can never stop
 * the sensor.
 */
import { createConnection } from 'node:net';
import type { Socket } from 'node:net';

export type ClamdEndpoint = { kind: 'unix'; path: string } | { kind: 'tcp'; host: string; port: number };

export class ClamdEndpointError extends Error {
  constructor(
    readonly spec: string,
    readonly reason: string,
  ) {
    super(`invalid --clamd "${spec}": ${reason} (expected a socket path such as /run/clamav/clamd.ctl, or HOST:PORT such as 127.0.0.1:3310)`);
    this.name = 'ClamdEndpointError';
  }
}

/** `/path/to/clamd.sock` (anything with a `/`), `host:port` or `[v6]:port`. */
export function parseClamdEndpoint(spec: string): ClamdEndpoint {
  const s = spec.trim();
  if (s === '') throw new ClamdEndpointError(spec, 'empty');
  if (s.includes('/')) return { kind: 'unix', path: s };
  const m = /^\[([0-9a-fA-F:.]+)\]:(\d{1,5})$/.exec(s) ?? /^([^:[\]\s]+):(\d{1,5})$/.exec(s);
  if (m === null) throw new ClamdEndpointError(spec, 'neither a socket path nor HOST:PORT');
  const port = Number(m[2]);
  if (port < 1 || port > 65535) throw new ClamdEndpointError(spec, `port ${m[2]} is not 1–65535`);
  return { kind: 'tcp', host: m[1]!, port };
}

export function formatClamdEndpoint(e: ClamdEndpoint): string {
  return e.kind === 'unix' ? e.path : e.host.includes(':') ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`;
}

/** Why a scan gave no verdict. */
export type ClamdFailure = 'unreachable' | 'timeout' | 'size_limit' | 'clamd_error' | 'protocol';

export type ClamdVerdict =
  | { status: 'clean' }
  | { status: 'infected'; signature: string }
  | { status: 'failed'; reason: ClamdFailure; detail: string };

/** What scans a file: clamd, or a stand-in in tests. Never rejects. */
export interface FileScanner {
  scan(content: Uint8Array): Promise<ClamdVerdict>;
}

type RequestOutcome = { line: string } | { failure: ClamdFailure; detail: string; closedByClamd?: boolean };

/** Longest reply accepted; clamd's lines are short (a signature name is at most a few hundred bytes). */
const MAX_REPLY_BYTES = 4096;

/** Reads clamd's INSTREAM reply line (without its NUL or newline). */
export function parseInstreamReply(line: string): ClamdVerdict {
  const text = line.replace(/[\0\r\n]+$/, '');
  if (/size limit exceeded/i.test(text)) return { status: 'failed', reason: 'size_limit', detail: text };
  // The answer names the stream: `stream: …`; with IDSESSION it is prefixed `<n>: stream: …`.
  const m = /^(?:\d+: )?stream: (.*)$/.exec(text);
  if (m === null) {
    if (/ERROR$/.test(text)) return { status: 'failed', reason: 'clamd_error', detail: text };
    return { status: 'failed', reason: 'protocol', detail: `unexpected reply "${text.slice(0, 200)}"` };
  }
  const rest = m[1]!;
  if (rest === 'OK') return { status: 'clean' };
  const found = /^(.+) FOUND$/.exec(rest);
  if (found !== null) return { status: 'infected', signature: found[1]! };
  if (/ ERROR$/.test(rest)) return { status: 'failed', reason: 'clamd_error', detail: rest };
  return { status: 'failed', reason: 'protocol', detail: `unexpected reply "${text.slice(0, 200)}"` };
}

/** The INSTREAM request for `content`, split into chunks of at most `chunkBytes`. */
export function instreamFrames(content: Uint8Array, chunkBytes: number): Uint8Array[] {
  const frames: Uint8Array[] = [Buffer.from('zINSTREAM\0', 'latin1')];
  for (let off = 0; off < content.length; off += chunkBytes) {
    const piece = content.subarray(off, Math.min(content.length, off + chunkBytes));
    const len = Buffer.alloc(4);
    len.writeUInt32BE(piece.length, 0);
    frames.push(len, piece);
  }
  frames.push(new Uint8Array(4));
  return frames;
}

export interface ClamdClientOptions {
  /** Whole scan, connect to verdict. */
  timeoutMs?: number;
  /** INSTREAM chunk size; clamd's StreamMaxLength bounds the total, not the chunk. */
  chunkBytes?: number;
}

export class ClamdClient implements FileScanner {
  private readonly timeoutMs: number;
  private readonly chunkBytes: number;

  constructor(
    readonly endpoint: ClamdEndpoint,
    options: ClamdClientOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.chunkBytes = options.chunkBytes ?? 64 * 1024;
  }

  private connect(): Socket {
    const e = this.endpoint;
    return e.kind === 'unix' ? createConnection({ path: e.path }) : createConnection({ host: e.host, port: e.port });
  }

  /** One request on a fresh connection; resolves with the reply line or a failure. */
  private request(frames: readonly Uint8Array[]): Promise<RequestOutcome> {
    return new Promise((resolve) => {
      const socket = this.connect();
      const chunks: Buffer[] = [];
      let got = 0;
      let settled = false;
      let connected = false;
      const settle = (r: RequestOutcome): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.destroy();
        resolve(r);
      };
      const timer = setTimeout(() => settle({ failure: 'timeout', detail: `no answer from clamd within ${this.timeoutMs} ms` }), this.timeoutMs);
      socket.on('connect', () => {
        connected = true;
        for (const f of frames) socket.write(f);
      });
      socket.on('data', (d: Buffer) => {
        chunks.push(d);
        got += d.length;
        const all = Buffer.concat(chunks);
        const end = all.indexOf(0);
        if (end >= 0) settle({ line: all.subarray(0, end).toString('latin1') });
        else if (got > MAX_REPLY_BYTES) settle({ failure: 'protocol', detail: 'reply longer than expected' });
      });
      socket.on('end', () => {
        // clamd closes after a reply it did not NUL-terminate (e.g. a size-limit error on some versions).
        const text = Buffer.concat(chunks).toString('latin1').trim();
        settle(text === '' ? { failure: 'clamd_error', detail: 'clamd closed the connection without an answer', closedByClamd: true } : { line: text });
      });
      socket.on('error', (err: NodeJS.ErrnoException) => {
        // clamd stops reading and resets once a stream passes StreamMaxLength: the reply may be read already.
        const text = Buffer.concat(chunks).toString('latin1').replace(/\0.*$/s, '').trim();
        if (text !== '') settle({ line: text });
        else if (connected && (err.code === 'EPIPE' || err.code === 'ECONNRESET')) settle({ failure: 'clamd_error', detail: `clamd closed the connection (${err.code})`, closedByClamd: true });
        else settle({ failure: 'unreachable', detail: `cannot reach clamd at ${formatClamdEndpoint(this.endpoint)}: ${err.code ?? err.message}` });
      });
    });
  }

  async scan(content: Uint8Array): Promise<ClamdVerdict> {
    const r = await this.request(instreamFrames(content, this.chunkBytes));
    if ('failure' in r && r.closedByClamd && content.length > 0 && (await this.ping())) {
      // Past StreamMaxLength clamd answers and closes at once; our remaining writes can fail before its
      // answer is read, and the reset can discard it. A clamd that still answers PING closed the stream
      // for its size, the only reason it drops a well-formed INSTREAM.
      return { status: 'failed', reason: 'size_limit', detail: `clamd closed the stream of ${content.length} bytes (${r.detail}) and still answers PING: the file is larger than its StreamMaxLength` };
    }
    if ('failure' in r) return { status: 'failed', reason: r.failure, detail: r.detail };
    return parseInstreamReply(r.line);
  }

  /** True when clamd answers PING with PONG. */
  async ping(): Promise<boolean> {
    const r = await this.request([Buffer.from('zPING\0', 'latin1')]);
    return 'line' in r && r.line.trim() === 'PONG';
  }
}
