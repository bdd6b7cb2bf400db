/**
 * The crash-safe on-disk spool of events bound for the server: append-only segment files of
 * checksummed records (spoolFrame.ts), read in seq order from the acknowledgement point, deleted
 * once the server has acknowledged every record in them.
 *
 * Files in the spool dir:
 * - `seg-<first seq, 16 digits>.log` — segments; a new one starts when the current one passes
 *   `segmentBytes`.
 * - `state.json` — the ack point, the next seq, the origin of the last durable record and the
 *   drop counters; replaced atomically (temp file, fsync, rename, fsync of the dir). Written before
 *   any segment is deleted or rewritten, so a seq is never handed out twice even when every segment
 *   is gone.
 *
 * fsync policy (`fsyncIntervalMs`, default 200): appends are written to the file at once (a killed
 * process loses nothing: the kernel has them) and fsynced by `commit()` — which the producer calls
 * after each batch of appends — when the last fsync is older than the interval, and by a timer
 * otherwise. So a power cut loses at most the last interval's events; 0 fsyncs on every commit (safest,
 * an fsync per capture chunk), a larger value trades more loss on power cuts for fewer disk flushes
 * (flash wear on small boxes). Only fsynced records are handed to the uplink: a record the server
 * has seen can never vanish in a power cut and have its seq handed out again.
 *
 * On open every segment is scanned: a torn record at the end of the last one (a write cut short)
 * is truncated and counted in `tornRecords`; damaged records elsewhere (CRC mismatch) are skipped
 * and counted in `damagedRecords`.
 *
 * Bounded disk: when an append would take the segments over `maxBytes`, records are dropped lowest
 * priority first (severity 3, then 2, then 1), oldest segment first — every record of that severity
 * in the segment at once, the segment being rewritten without them — and an event of lower priority
 * than all that is stored is dropped itself. Every drop is counted by reason.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, ftruncateSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { decodeFrame, encodeFrame, scanFrames } from './spoolFrame.ts';
import type { SpoolRecord } from './spoolFrame.ts';
import { SegmentIndex, chooseDrop } from './segmentIndex.ts';

export interface SpoolOptions {
  dir: string;
  /** Cap on the segment files together. */
  maxBytes: number;
  segmentBytes?: number;
  fsyncIntervalMs?: number;
  /** Told about repairs and drops (the agent's log). */
  onNotice?: (event: string, fields: Record<string, unknown>) => void;
}

export interface SpoolAppend {
  severity: number;
  origin: string;
  /** The payload for the seq the spool assigns. */
  encode(seq: number): Uint8Array;
}

export interface SpoolStats {
  backlogEvents: number;
  backlogBytes: number;
  segments: number;
  nextSeq: number;
  ackedSeq: number;
  durableSeq: number;
  /** Drops for lack of space, by reason (`spool_full_severity_3`…), since the spool was created. */
  dropped: Record<string, number>;
  droppedTotal: number;
  tornRecords: number;
  damagedRecords: number;
}

interface SpoolState {
  version: 1;
  ackedSeq: number;
  nextSeq: number;
  lastOrigin: string;
  lastOriginSeq: number;
  dropped: Record<string, number>;
  tornRecords: number;
  damagedRecords: number;
}

const STATE_FILE = 'state.json';
const SEGMENT_NAME = /^seg-(\d{16})\.log$/;
export const DEFAULT_SEGMENT_BYTES = 8 * 1024 * 1024;

export class SpoolError extends Error {
  override name = 'SpoolError';
}

export class Spool {
  private readonly segments: SegmentIndex[] = [];
  private state: SpoolState;
  private appendFd: number | null = null;
  private dirty = false;
  private lastFsync = 0;
  private fsyncTimer: NodeJS.Timeout | null = null;
  private durableSeq: number;
  private lastOrigin: { origin: string; seq: number };
  private waiters: (() => void)[] = [];
  private closed = false;
  private readonly segmentBytes: number;
  private readonly fsyncIntervalMs: number;

  private constructor(
    private readonly options: SpoolOptions,
    state: SpoolState,
  ) {
    this.state = state;
    this.durableSeq = state.nextSeq - 1;
    this.lastOrigin = { origin: state.lastOrigin, seq: state.lastOriginSeq };
    this.segmentBytes = options.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
    this.fsyncIntervalMs = options.fsyncIntervalMs ?? 200;
  }

  static open(options: SpoolOptions): Spool {
    mkdirSync(options.dir, { recursive: true, mode: 0o700 });
    const state = readState(options.dir, options.onNotice);
    const spool = new Spool(options, state);
    spool.load();
    return spool;
  }

  private load(): void {
    const files = readdirSync(this.options.dir);
    // Leftovers of an atomic write cut short (the old file is still in place).
    for (const n of files) if (n.endsWith('.tmp')) rmSync(join(this.options.dir, n), { force: true });
    const names = files.filter((n) => SEGMENT_NAME.test(n)).sort();
    let maxSeq = 0;
    let originAtMax = { origin: '', seq: 0 };
    for (const [i, name] of names.entries()) {
      const path = join(this.options.dir, name);
      const bytes = readFileSync(path);
      const scan = scanFrames(bytes);
      const last = i === names.length - 1;
      if (scan.tornTail) {
        if (last) {
          // A write cut short: drop its bytes so appends continue on a clean boundary.
          const fd = openSync(path, 'r+');
          try {
            ftruncateSync(fd, scan.validEnd);
            fsyncSync(fd);
          } finally {
            closeSync(fd);
          }
          this.state.tornRecords++;
          this.notice('spool_torn_record', { segment: name, bytes: bytes.length - scan.validEnd });
        } else {
          this.state.damagedRecords++;
        }
      }
      if (scan.damaged > 0) {
        this.state.damagedRecords += scan.damaged;
        this.notice('spool_damaged_records', { segment: name, count: scan.damaged });
      }
      const segment = new SegmentIndex(name, path);
      for (const r of scan.records) {
        if (r.seq <= maxSeq) continue; // out of order: damage that passed the CRC; never resend an older seq
        maxSeq = r.seq;
        originAtMax = { origin: r.origin, seq: r.seq };
        segment.push(r.seq, r.offset, r.size, r.severity);
      }
      segment.fileBytes = last && scan.tornTail ? scan.validEnd : bytes.length;
      segment.ackThrough(this.state.ackedSeq);
      this.segments.push(segment);
    }
    if (maxSeq >= this.state.nextSeq) this.state.nextSeq = maxSeq + 1;
    // The state names the newest durable record; if that record is not acknowledged yet it must be
    // in a segment — when it is not (damage), resume from what the segments do hold.
    const stateRecordLost = this.lastOrigin.seq > this.state.ackedSeq && originAtMax.seq < this.lastOrigin.seq;
    if (originAtMax.seq > this.lastOrigin.seq || stateRecordLost) this.lastOrigin = originAtMax;
    // After a kill the kernel still had the bytes; after a power cut only what reached the disk is
    // here. Either way, what is read now is durable from here on.
    this.durableSeq = this.state.nextSeq - 1;
    this.state.lastOrigin = this.lastOrigin.origin;
    this.state.lastOriginSeq = this.lastOrigin.seq;
    this.writeState();
    this.deleteAcknowledged(true);
  }

  private notice(event: string, fields: Record<string, unknown>): void {
    this.options.onNotice?.(event, fields);
  }

  /** Origin of the newest record ever spooled (durably): where a replayed source resumes. */
  get resumeOrigin(): string {
    return this.lastOrigin.origin;
  }

  /**
   * Appends one event; returns its seq, or null when the spool is full of events that matter more
   * (the event is dropped and counted).
   */
  append(event: SpoolAppend): number | null {
    if (this.closed) throw new SpoolError('the spool is closed');
    const seq = this.state.nextSeq;
    const frame = encodeFrame({ seq, severity: event.severity, origin: event.origin, payload: event.encode(seq) });
    if (!this.makeRoom(event.severity, frame.length)) {
      this.countDrop(`spool_full_severity_${event.severity}`, 1);
      this.writeState();
      return null;
    }
    let segment = this.segments.at(-1);
    if (segment === undefined || segment.fileBytes >= this.segmentBytes) {
      this.sealAppendFile();
      const name = `seg-${String(seq).padStart(16, '0')}.log`;
      segment = new SegmentIndex(name, join(this.options.dir, name));
      this.segments.push(segment);
    }
    this.appendFd ??= openSync(segment.path, 'a');
    const offset = segment.fileBytes;
    writeAll(this.appendFd, frame);
    segment.push(seq, offset, frame.length, event.severity);
    this.state.nextSeq = seq + 1;
    this.lastOrigin = { origin: event.origin, seq };
    this.dirty = true;
    if (this.fsyncTimer === null) {
      this.fsyncTimer = setTimeout(() => {
        this.fsyncTimer = null;
        if (this.closed) return;
        try {
          this.sync();
        } catch (e) {
          // Tried again at the next commit; the records stay unsent until they are durable.
          this.notice('spool_fsync_failed', { error: (e as Error).message });
        }
      }, this.fsyncIntervalMs);
      this.fsyncTimer.unref();
    }
    return seq;
  }

  /** End of a batch of appends: fsync now if the last fsync is older than the interval. */
  commit(): void {
    if (!this.dirty || Date.now() - this.lastFsync < this.fsyncIntervalMs) return;
    try {
      this.sync();
    } catch (e) {
      // Tried again at the next commit or by the timer; the records stay unsent until durable.
      this.notice('spool_fsync_failed', { error: (e as Error).message });
    }
  }

  /** fsync what was appended; the records become visible to `peek`. */
  sync(): void {
    if (this.fsyncTimer !== null) {
      clearTimeout(this.fsyncTimer);
      this.fsyncTimer = null;
    }
    if (!this.dirty) return;
    if (this.appendFd !== null) fsyncSync(this.appendFd);
    this.dirty = false;
    this.lastFsync = Date.now();
    this.durableSeq = this.state.nextSeq - 1;
    this.state.lastOrigin = this.lastOrigin.origin;
    this.state.lastOriginSeq = this.lastOrigin.seq;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves when new durable records arrive (or at once if there are some). */
  waitForRecords(signal?: AbortSignal): Promise<void> {
    if (this.durableCount(1) > 0 || signal?.aborted || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        signal?.removeEventListener('abort', done);
        resolve();
      };
      this.waiters.push(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  /** Durable records not acknowledged, counted up to `limit`. */
  durableCount(limit = Infinity): number {
    let n = 0;
    for (const s of this.segments) {
      for (let i = s.start; i < s.length && s.seqs[i]! <= this.durableSeq; i++) if (++n >= limit) return n;
    }
    return n;
  }

  /** The oldest durable records not acknowledged, in seq order; nothing is removed. */
  peek(maxEvents: number, maxBytes = Infinity): SpoolRecord[] {
    const out: SpoolRecord[] = [];
    let bytes = 0;
    for (const segment of this.segments) {
      let end = segment.start;
      while (end < segment.length && out.length + (end - segment.start) < maxEvents && segment.seqs[end]! <= this.durableSeq) {
        const size = segment.sizes[end]!;
        if (bytes + size > maxBytes && out.length + (end - segment.start) > 0) break;
        bytes += size;
        end++;
      }
      if (end > segment.start) out.push(...this.readRecords(segment, segment.start, end));
      if (end < segment.length || out.length >= maxEvents) break;
    }
    return out;
  }

  private readRecords(segment: SegmentIndex, from: number, to: number): SpoolRecord[] {
    const first = segment.offsets[from]!;
    const last = segment.offsets[to - 1]! + segment.sizes[to - 1]!;
    const buf = Buffer.allocUnsafe(last - first);
    const fd = openSync(segment.path, 'r');
    try {
      let n = 0;
      while (n < buf.length) {
        const got = readSync(fd, buf, n, buf.length - n, first + n);
        if (got === 0) break;
        n += got;
      }
    } finally {
      closeSync(fd);
    }
    const out: SpoolRecord[] = [];
    for (let i = from; i < to; i++) {
      const decoded = decodeFrame(buf, segment.offsets[i]! - first);
      if (decoded.kind === 'record' && decoded.record.seq === segment.seqs[i]) out.push(decoded.record);
      else {
        // Damaged since it was written (a bad sector, a flipped bit): skip it, keep the rest.
        this.state.damagedRecords++;
        this.notice('spool_damaged_records', { segment: segment.name, seq: segment.seqs[i], count: 1 });
        out.push({ seq: segment.seqs[i]!, severity: segment.severities[i]!, origin: '', payload: new Uint8Array(0) });
      }
    }
    return out;
  }

  /** The server has the records up to `seq` (accepted, duplicate or rejected): forget them. */
  ack(seq: number): void {
    if (seq <= this.state.ackedSeq) return;
    this.state.ackedSeq = Math.min(seq, this.durableSeq);
    for (const segment of this.segments) segment.ackThrough(this.state.ackedSeq);
    this.writeState();
    this.deleteAcknowledged();
  }

  /** `all`: also the last segment when it is not full (at open and close, when nothing appends). */
  private deleteAcknowledged(all = false): void {
    while (this.segments.length > 0) {
      const first = this.segments[0]!;
      const appending = this.segments.length === 1;
      if (first.pending > 0 || (appending && !all && first.fileBytes < this.segmentBytes)) break;
      if (appending) this.sealAppendFile();
      rmSync(first.path, { force: true });
      this.segments.shift();
    }
  }

  private sealAppendFile(): void {
    if (this.appendFd === null) return;
    if (this.dirty) this.sync();
    closeSync(this.appendFd);
    this.appendFd = null;
  }

  private totalBytes(): number {
    let n = 0;
    for (const s of this.segments) n += s.fileBytes;
    return n;
  }

  private makeRoom(severity: number, size: number): boolean {
    if (size > this.options.maxBytes) return false;
    for (let guard = 0; this.totalBytes() + size > this.options.maxBytes; guard++) {
      if (guard > this.segments.length * 4 + 8) return false;
      // Bytes already acknowledged in the oldest segment go first: they cost nothing to drop.
      const oldest = this.segments[0];
      if (oldest !== undefined && oldest.start > 0) {
        this.rewrite(oldest, () => false);
        continue;
      }
      const choice = chooseDrop(this.segments, severity);
      if (choice.drop === 'incoming') return false;
      const dropped = choice.segment.pendingOfSeverity(choice.severity);
      this.rewrite(choice.segment, (s) => s === choice.severity);
      this.countDrop(`spool_full_severity_${choice.severity}`, dropped);
      this.notice('spool_full_dropped', { severity: choice.severity, count: dropped, segment: choice.segment.name });
    }
    return true;
  }

  /** Rewrites a segment keeping only its pending records whose severity is not dropped. */
  private rewrite(segment: SegmentIndex, dropSeverity: (severity: number) => boolean): void {
    const isAppend = segment === this.segments.at(-1);
    if (isAppend) this.sealAppendFile();
    else if (this.dirty) this.sync();
    // The state (next seq, drop counts) reaches the disk before any record leaves it.
    this.writeState();
    const keep: number[] = [];
    for (let i = segment.start; i < segment.length; i++) if (!dropSeverity(segment.severities[i]!)) keep.push(i);
    const replacement = new SegmentIndex(segment.name, segment.path);
    const parts: Buffer[] = [];
    if (keep.length > 0) {
      const all = readFileSync(segment.path);
      let offset = 0;
      for (const i of keep) {
        const at = segment.offsets[i]!;
        const size = segment.sizes[i]!;
        parts.push(all.subarray(at, at + size));
        replacement.push(segment.seqs[i]!, offset, size, segment.severities[i]!);
        offset += size;
      }
    }
    const index = this.segments.indexOf(segment);
    if (keep.length === 0 && !isAppend) {
      rmSync(segment.path, { force: true });
      this.segments.splice(index, 1);
      return;
    }
    writeFileAtomic(segment.path, Buffer.concat(parts));
    replacement.fileBytes = parts.reduce((n, p) => n + p.length, 0);
    this.segments[index] = replacement;
  }

  private countDrop(reason: string, count: number): void {
    if (count <= 0) return;
    this.state.dropped[reason] = (this.state.dropped[reason] ?? 0) + count;
  }

  private writeState(): void {
    writeFileAtomic(join(this.options.dir, STATE_FILE), Buffer.from(`${JSON.stringify(this.state)}\n`));
  }

  stats(): SpoolStats {
    let backlogEvents = 0;
    let backlogBytes = 0;
    for (const s of this.segments) {
      backlogEvents += s.pending;
      backlogBytes += s.pendingBytes();
    }
    const droppedTotal = Object.values(this.state.dropped).reduce((a, b) => a + b, 0);
    return {
      backlogEvents,
      backlogBytes,
      segments: this.segments.length,
      nextSeq: this.state.nextSeq,
      ackedSeq: this.state.ackedSeq,
      durableSeq: this.durableSeq,
      dropped: { ...this.state.dropped },
      droppedTotal,
      tornRecords: this.state.tornRecords,
      damagedRecords: this.state.damagedRecords,
    };
  }

  close(): void {
    if (this.closed) return;
    this.sync();
    this.writeState();
    if (this.appendFd !== null) closeSync(this.appendFd);
    this.appendFd = null;
    this.deleteAcknowledged(true);
    this.closed = true;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

function readState(dir: string, onNotice: SpoolOptions['onNotice']): SpoolState {
  const fresh: SpoolState = { version: 1, ackedSeq: 0, nextSeq: 1, lastOrigin: '', lastOriginSeq: 0, dropped: {}, tornRecords: 0, damagedRecords: 0 };
  let text: string;
  try {
    text = readFileSync(join(dir, STATE_FILE), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return fresh;
    throw e;
  }
  try {
    const s = JSON.parse(text) as Partial<SpoolState>;
    const n = (v: unknown): number => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : 0);
    return {
      version: 1,
      ackedSeq: n(s.ackedSeq),
      nextSeq: Math.max(1, n(s.nextSeq)),
      lastOrigin: typeof s.lastOrigin === 'string' ? s.lastOrigin : '',
      lastOriginSeq: n(s.lastOriginSeq),
      dropped: typeof s.dropped === 'object' && s.dropped !== null ? Object.fromEntries(Object.entries(s.dropped).map(([k, v]) => [k, n(v)])) : {},
      tornRecords: n(s.tornRecords),
      damagedRecords: n(s.damagedRecords),
    };
  } catch {
    // Written atomically, so this is outside damage; the segments still give the highest seq.
    onNotice?.('spool_state_unreadable', { file: join(dir, STATE_FILE) });
    return fresh;
  }
}

function writeAll(fd: number, data: Uint8Array): void {
  let off = 0;
  while (off < data.length) off += writeSync(fd, data, off);
}

/** Temp file, fsync, rename over, fsync of the directory: the file is either old or new. */
export function writeFileAtomic(path: string, data: Uint8Array): void {
  const temporary = `${path}.tmp`;
  writeFileSync(temporary, data);
  const fd = openSync(temporary, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
  const dirFd = openSync(join(path, '..'), 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}

/** Size of the files in a spool dir (tests, diagnostics). */
export function spoolDiskBytes(dir: string): number {
  let n = 0;
  for (const name of readdirSync(dir)) if (SEGMENT_NAME.test(name)) n += statSync(join(dir, name)).size;
  return n;
}
