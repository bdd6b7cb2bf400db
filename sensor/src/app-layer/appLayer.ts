/**
 * What every application-layer parser shares: the direction of a byte stream, the three-way parse
 * result (after Suricata's nom parsers: done, failed, or "give me more"), the anomaly events a parser
 * raises instead of throwing, and the per-direction byte accumulator the stream parsers use.
 */
import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';

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

/** Digests fileinfo records can carry (Suricata's `force-hash`). */
export interface FileHashAlgorithms {
  md5?: boolean;
  sha1?: boolean;
  sha256?: boolean;
}

/** Hex digests of a complete file, in EVE's field order. */
export interface FileDigests {
  md5?: string;
  sha1?: string;
  sha256?: string;
}

export function wantsFileHashes(a: FileHashAlgorithms): boolean {
  return a.md5 === true || a.sha1 === true || a.sha256 === true;
}

/** The digests of `content` in one go. */
export function fileDigests(content: Uint8Array, a: FileHashAlgorithms): FileDigests {
  const d: FileDigests = {};
  if (a.md5 === true) d.md5 = createHash('md5').update(content).digest('hex');
  if (a.sha1 === true) d.sha1 = createHash('sha1').update(content).digest('hex');
  if (a.sha256 === true) d.sha256 = createHash('sha256').update(content).digest('hex');
  return d;
}

/**
 * Hashes a file as its bytes stream by, so the file need not be kept whole. Files longer than
 * `limit` get no digests (they count as truncated), so the hashing stops there.
 */
export class IncrementalFileHasher {
  private md5: Hash | null;
  private sha1: Hash | null;
  private sha256: Hash | null;
  private total = 0;

  constructor(
    algorithms: FileHashAlgorithms,
    readonly limit: number,
  ) {
    this.md5 = algorithms.md5 === true ? createHash('md5') : null;
    this.sha1 = algorithms.sha1 === true ? createHash('sha1') : null;
    this.sha256 = algorithms.sha256 === true ? createHash('sha256') : null;
  }

  update(b: Uint8Array): void {
    this.total += b.length;
    if (this.total > this.limit) {
      this.md5 = this.sha1 = this.sha256 = null;
      return;
    }
    this.md5?.update(b);
    this.sha1?.update(b);
    this.sha256?.update(b);
  }

  /** The digests, or undefined past `limit`. Call once. */
  digest(): FileDigests | undefined {
    if (this.total > this.limit) return undefined;
    const d: FileDigests = {};
    if (this.md5 !== null) d.md5 = this.md5.digest('hex');
    if (this.sha1 !== null) d.sha1 = this.sha1.digest('hex');
    if (this.sha256 !== null) d.sha256 = this.sha256.digest('hex');
    return d;
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
