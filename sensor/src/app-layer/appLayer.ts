/**
 * What every application-layer parser shares: the direction of a byte stream, the three-way parse
 * result (after Suricata's nom parsers: done, failed, or "give me more"), the anomaly events a parser
 * raises instead of throwing, and the per-direction byte accumulator the stream parsers use.
 */

export type Direction = 'toServer' | 'toClient';

/** A named anomaly, spelled as Suricata's `app-layer-event:` names (`dns.malformed_data`) so rules
 *  can match them; the parser never decides whether it alerts. */
export interface AppLayerAnomaly {
  name: string;
  direction: Direction;
}

export type ParseResult<T> =
  | { status: 'ok'; value: T; consumed: number }
  | { status: 'error'; anomaly: string }
  /** Nothing usable yet: `consumed` bytes may be dropped, at least `needed` more bytes are wanted. */
  | { status: 'incomplete'; consumed: number; needed: number };

/** What a per-flow parser hands back from one feed: the records completed by these bytes and the
 *  anomalies they raised. */
export interface FeedResult<R> {
  records: R[];
  anomalies: AppLayerAnomaly[];
}

/**
 * Bytes of one direction not yet consumed by a parser. The common case (nothing pending) costs no
 * copy: the caller parses the fresh chunk in place and only a leftover tail is kept. A cap bounds
 * what a hostile peer can make us hold.
 */
export class PendingBytes {
  private buf: Uint8Array = new Uint8Array(0);
  constructor(readonly cap: number) {}

  get length(): number {
    return this.buf.length;
  }

  /** The pending bytes followed by `chunk`, as one view; returns `chunk` itself when nothing is pending. */
  join(chunk: Uint8Array): Uint8Array {
    if (this.buf.length === 0) return chunk;
    const joined = new Uint8Array(this.buf.length + chunk.length);
    joined.set(this.buf, 0);
    joined.set(chunk, this.buf.length);
    this.buf = new Uint8Array(0);
    return joined;
  }

  /** Keep `rest` (a copy, since the caller's chunk may be reused). False when it exceeds the cap:
   *  nothing is kept and the caller raises its limit anomaly. */
  keep(rest: Uint8Array): boolean {
    if (rest.length > this.cap) {
      this.buf = new Uint8Array(0);
      return false;
    }
    this.buf = rest.length === 0 ? new Uint8Array(0) : rest.slice();
    return true;
  }

  clear(): void {
    this.buf = new Uint8Array(0);
  }
}

/** Bytes as a string one char per byte. Only used for fields that are output, never per packet. */
export function latin1(bytes: Uint8Array, start = 0, end = bytes.length): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, Math.max(0, end - start)).toString('latin1');
}

/** Index of the first `\n` at or after `from`, or -1. */
export function indexOfLf(bytes: Uint8Array, from = 0): number {
  return bytes.indexOf(0x0a, from);
}

/** End of a line without its `\r\n` or `\n`. */
export function lineEnd(bytes: Uint8Array, lf: number, start: number): number {
  return lf > start && bytes[lf - 1] === 0x0d ? lf - 1 : lf;
}

export function hexColon(bytes: Uint8Array, upper: boolean): string {
  const parts: string[] = new Array<string>(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    const h = (bytes[i] ?? 0).toString(16).padStart(2, '0');
    parts[i] = upper ? h.toUpperCase() : h;
  }
  return parts.join(':');
}
