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
 * copy: the caller parses the fresh chunk in place and only a leftover tail is kept. A tail that
 * keeps growing (a record or head arriving a byte at a time) is appended in a buffer that grows by
 * doubling and is kept by offset, so hostile segmentation costs linear, not quadratic, copying.
 * A cap bounds what a hostile peer can make us hold.
 *
 * Views returned by `join` are valid until the next `join`: parsers copy what they keep.
 */
export class PendingBytes {
  private buf: Uint8Array = new Uint8Array(0);
  private start = 0;
  private end = 0;
  constructor(readonly cap: number) {}

  get length(): number {
    return this.end - this.start;
  }

  /** The pending bytes followed by `chunk`, as one view; returns `chunk` itself when nothing is pending. */
  join(chunk: Uint8Array): Uint8Array {
    if (this.end === this.start) return chunk;
    const pending = this.end - this.start;
    const need = pending + chunk.length;
    if (this.start + need > this.buf.length) {
      if (need <= this.buf.length) this.buf.copyWithin(0, this.start, this.end);
      else {
        const grown = new Uint8Array(Math.max(need, this.buf.length * 2));
        grown.set(this.buf.subarray(this.start, this.end), 0);
        this.buf = grown;
      }
      this.start = 0;
      this.end = pending;
    }
    this.buf.set(chunk, this.end);
    this.end += chunk.length;
    return this.buf.subarray(this.start, this.end);
  }

  /** Keep `rest`, the unconsumed tail of what `join` returned (or of the caller's chunk, which is
   *  copied since it may be reused). False when it exceeds the cap: nothing is kept and the caller
   *  raises its limit anomaly. */
  keep(rest: Uint8Array): boolean {
    if (rest.length > this.cap) {
      this.clear();
      return false;
    }
    if (rest.length === 0) {
      this.start = this.end = 0;
      return true;
    }
    if (rest.buffer === this.buf.buffer) {
      this.start = rest.byteOffset - this.buf.byteOffset;
      this.end = this.start + rest.length;
      return true;
    }
    if (this.buf.length < rest.length) this.buf = new Uint8Array(Math.max(rest.length, 2 * this.buf.length, 256));
    this.buf.set(rest, 0);
    this.start = 0;
    this.end = rest.length;
    return true;
  }

  clear(): void {
    this.start = this.end = 0;
    // Drop a large buffer so an idle flow does not pin it.
    if (this.buf.length > 4096) this.buf = new Uint8Array(0);
  }
}

/** Keeps the first `cap` bytes of a message body (HTTP, SMTP DATA) for detection and file
 *  extraction, and counts all of them. */
export class BodyStore {
  private readonly parts: Uint8Array[] = [];
  private stored = 0;
  total = 0;
  constructor(readonly cap: number) {}

  append(b: Uint8Array): void {
    this.total += b.length;
    const room = this.cap - this.stored;
    if (room <= 0 || b.length === 0) return;
    const piece = b.length <= room ? b : b.subarray(0, room);
    // Copy: the caller's chunk is a view into a buffer that will be reused.
    this.parts.push(piece.slice());
    this.stored += piece.length;
  }

  get truncated(): boolean {
    return this.total > this.stored;
  }

  bytes(): Uint8Array {
    if (this.parts.length === 1) return this.parts[0] ?? new Uint8Array(0);
    const out = new Uint8Array(this.stored);
    let o = 0;
    for (const p of this.parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
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

/** Add an anomaly unless this feed already raised it for that direction: a flood of bad lines
 *  raises one event per feed, not one per line. */
export function raiseOnce(anomalies: AppLayerAnomaly[], name: string, direction: Direction): void {
  for (const a of anomalies) if (a.name === name && a.direction === direction) return;
  anomalies.push({ name, direction });
}
