/**
 * TCP stream reassembly, one TcpReassembler per flow (after Suricata's stream-tcp-reassemble.c).
 *
 * Each direction delivers its bytes in sequence order from the ISN+1 (or from the first segment
 * seen, on midstream pickup). Sequence numbers are turned into offsets relative to the next byte
 * expected, with a signed 32-bit difference, so wraparound at 2^32 needs no special case.
 *
 * - In-order data is handed out as a view of the packet payload: no copy.
 * - Out-of-order data is copied into a per-direction buffer, sorted and never overlapping.
 * - Overlaps: the first data seen wins (Suricata's default). Overlapping bytes that differ from
 *   buffered data raise `stream.reassembly_overlap_different_data`. Bytes already delivered are not
 *   kept, so a retransmission of them is ignored without comparison.
 * - Gaps (data that never arrives, e.g. capture loss): the gap before the first buffered segment is
 *   skipped, with `stream.reassembly_seq_gap` and `gapBefore` on the next chunk, when the receiver
 *   acknowledges data past it (it got what we missed), when the direction's buffer would exceed its
 *   cap, or when the stream ends (RST, or finish() at flow end).
 * - Memory: buffered bytes (plus a per-segment overhead) are capped per direction and against a
 *   StreamMemoryBudget shared by all flows; when the budget is full the directions that started
 *   buffering first lose their buffered data (counted), which later shows up as a gap.
 */

/** Out-of-order bytes one direction may hold before declaring the oldest gap lost. */
export const DEFAULT_MAX_BUFFERED_BYTES_PER_DIRECTION = 1 << 20;
/** Out-of-order bytes all flows together may hold. */
export const DEFAULT_STREAM_BUDGET_BYTES = 64 << 20;
/** Charged per buffered segment on top of its bytes, so floods of tiny segments are bounded too. */
export const SEGMENT_OVERHEAD_BYTES = 64;

const TH_FIN = 0x01;
const TH_SYN = 0x02;
const TH_RST = 0x04;
const TH_ACK = 0x10;

export type StreamDirection = 'toServer' | 'toClient';

export const StreamEvent = {
  overlapDifferentData: 'stream.reassembly_overlap_different_data',
  seqGap: 'stream.reassembly_seq_gap',
  /** The shared budget had no room even after reclaiming: the segment was dropped. */
  memcapDrop: 'stream.reassembly_memcap_drop',
} as const;
export type StreamEventName = (typeof StreamEvent)[keyof typeof StreamEvent];

export interface StreamAnomaly {
  name: StreamEventName;
  direction: StreamDirection;
}

/** Contiguous bytes of one direction, in stream order. `gapBefore`: bytes were lost just before. */
export interface ReassembledChunk {
  direction: StreamDirection;
  data: Uint8Array;
  gapBefore: boolean;
}

/** Where one call's results go; the caller clears and reuses it (no allocation per packet). */
export class ReassemblyOutput {
  chunks: ReassembledChunk[] = [];
  events: StreamAnomaly[] = [];
  clear(): void {
    if (this.chunks.length > 0) this.chunks = [];
    if (this.events.length > 0) this.events = [];
  }
}

export interface ReassemblyConfig {
  maxBufferedBytesPerDirection: number;
}

export const DEFAULT_REASSEMBLY_CONFIG: ReassemblyConfig = Object.freeze({
  maxBufferedBytesPerDirection: DEFAULT_MAX_BUFFERED_BYTES_PER_DIRECTION,
});

interface BufferedSegment {
  /** Relative offset of data[0]. */
  start: number;
  end: number;
  data: Uint8Array;
}

/**
 * The out-of-order memory shared by every stream. Directions holding data are kept in the order
 * they started buffering, so the oldest can be reclaimed in O(1).
 */
export class StreamMemoryBudget {
  used = 0;
  /** Bytes of buffered payload thrown away to make room (they later appear as gaps). */
  droppedBytes = 0;
  droppedSegments = 0;
  /** Segments refused because even an empty budget could not hold them. */
  refusedSegments = 0;
  /** @internal oldest buffering direction */
  head: TcpStreamDirection | null = null;
  /** @internal */
  tail: TcpStreamDirection | null = null;

  constructor(readonly capBytes: number = DEFAULT_STREAM_BUDGET_BYTES) {}

  /** @internal Makes room for `need` bytes for `requester`; false when it cannot. */
  reserve(need: number, requester: TcpStreamDirection): boolean {
    while (this.used + need > this.capBytes && this.head !== null) this.head.dropBuffered();
    if (this.used + need > this.capBytes) return false;
    this.used += need;
    if (!requester.inBudget) this.link(requester);
    return true;
  }

  /** @internal */
  link(d: TcpStreamDirection): void {
    d.inBudget = true;
    d.budgetPrev = this.tail;
    d.budgetNext = null;
    if (this.tail === null) this.head = d;
    else this.tail.budgetNext = d;
    this.tail = d;
  }

  /** @internal */
  unlink(d: TcpStreamDirection): void {
    if (!d.inBudget) return;
    if (d.budgetPrev === null) this.head = d.budgetNext;
    else d.budgetPrev.budgetNext = d.budgetNext;
    if (d.budgetNext === null) this.tail = d.budgetPrev;
    else d.budgetNext.budgetPrev = d.budgetPrev;
    d.budgetPrev = null;
    d.budgetNext = null;
    d.inBudget = false;
  }
}

/** One direction of a TCP connection. */
export class TcpStreamDirection {
  started = false;
  /** Sequence number of the next byte to deliver (uint32). */
  nextSeq = 0;
  /** Offset of the next byte to deliver, counted from the stream start (delivered + skipped bytes). */
  next = 0;
  /** Offset of the FIN, -1 until one is seen. */
  finAt = -1;
  /** Highest offset the receiver acknowledged. */
  ackedUpTo = 0;
  /** All bytes up to the FIN were delivered, or the stream was reset or finished. */
  ended = false;
  /** Out-of-order bytes held, plus SEGMENT_OVERHEAD_BYTES per segment. */
  bufferedBytes = 0;
  deliveredBytes = 0;
  gaps = 0;
  overlapsDifferent = 0;
  private segments: BufferedSegment[] = [];
  private pendingGap = false;

  /** @internal StreamMemoryBudget list links. */
  inBudget = false;
  /** @internal */
  budgetPrev: TcpStreamDirection | null = null;
  /** @internal */
  budgetNext: TcpStreamDirection | null = null;

  constructor(
    readonly direction: StreamDirection,
    private readonly maxBuffered: number,
    private readonly budget: StreamMemoryBudget,
  ) {}

  get bufferedSegments(): number {
    return this.segments.length;
  }

  start(seq: number): void {
    this.started = true;
    this.nextSeq = seq >>> 0;
  }

  /** Offset of a sequence number, nearest to the next expected byte. */
  offsetOf(seq: number): number {
    return this.next + ((seq - this.nextSeq) | 0);
  }

  onData(seq: number, payload: Uint8Array, out: ReassemblyOutput): void {
    let s = this.offsetOf(seq);
    let e = s + payload.length;
    if (this.finAt >= 0 && e > this.finAt) e = this.finAt;
    if (e <= this.next || e <= s) return;
    let from = 0;
    if (s < this.next) {
      from = this.next - s;
      s = this.next;
    }
    if (this.segments.length === 0) {
      this.place(s, e, payload, from, out);
    } else {
      this.placeAround(s, e, payload, from, out);
    }
    this.skipAckedGaps(out);
    this.checkEnded();
  }

  onFin(seq: number, payloadLength: number): void {
    if (this.finAt < 0) {
      const at = this.offsetOf(seq) + payloadLength;
      if (at >= this.next) this.finAt = at;
    }
    this.checkEnded();
  }

  /** The receiver acknowledged `ack`: anything before it we never saw is lost. */
  onAck(ack: number, out: ReassemblyOutput): void {
    const a = this.offsetOf(ack);
    if (a > this.ackedUpTo) {
      this.ackedUpTo = a;
      this.skipAckedGaps(out);
      this.checkEnded();
    }
  }

  /** Stream end: skip every remaining gap and deliver all buffered data. */
  finish(out: ReassemblyOutput): void {
    while (this.segments.length > 0) this.skipGap(out);
    this.ended = true;
  }

  /** @internal Called by the budget to reclaim this direction's buffer. */
  dropBuffered(): void {
    this.budget.droppedSegments += this.segments.length;
    for (const seg of this.segments) this.budget.droppedBytes += seg.data.length;
    this.budget.used -= this.bufferedBytes;
    this.bufferedBytes = 0;
    this.segments = [];
    this.budget.unlink(this);
  }

  /** Splits [s, e) around buffered segments (first seen wins) and places the uncovered pieces. */
  private placeAround(s: number, e: number, payload: Uint8Array, from: number, out: ReassemblyOutput): void {
    const segs = this.segments;
    // First buffered segment ending after s (ends are sorted since segments never overlap).
    let lo = 0;
    let hi = segs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (segs[mid]!.end <= s) lo = mid + 1;
      else hi = mid;
    }
    const base = s - from;
    let pieces: number[] | null = null;
    let cursor = s;
    let differs = false;
    for (let i = lo; i < segs.length && cursor < e; i++) {
      const seg = segs[i]!;
      if (seg.start >= e) break;
      if (seg.start > cursor) (pieces ??= []).push(cursor, seg.start);
      const oStart = Math.max(cursor, seg.start);
      const oEnd = Math.min(e, seg.end);
      if (!differs) {
        for (let k = oStart; k < oEnd; k++) {
          if (payload[k - base] !== seg.data[k - seg.start]) {
            differs = true;
            break;
          }
        }
      }
      cursor = seg.end;
    }
    if (cursor < e) (pieces ??= []).push(cursor, e);
    if (differs) {
      this.overlapsDifferent++;
      out.events.push({ name: StreamEvent.overlapDifferentData, direction: this.direction });
    }
    if (pieces === null) {
      // Wholly covered by buffered data; it may still complete the stream up to them.
      this.drain(out);
      return;
    }
    for (let i = 0; i < pieces.length; i += 2) {
      let ps = pieces[i]!;
      const pe = pieces[i + 1]!;
      if (pe <= this.next) continue;
      if (ps < this.next) ps = this.next;
      this.place(ps, pe, payload, ps - base, out);
    }
  }

  /** Delivers [s, e) (payload from `from`) when it is next in line, else buffers a copy. */
  private place(s: number, e: number, payload: Uint8Array, from: number, out: ReassemblyOutput): void {
    if (s === this.next) {
      // The whole payload (the common case) is handed on as it is: no view to make.
      this.emit(from === 0 && e - s === payload.length ? payload : payload.subarray(from, from + (e - s)), out);
      this.drain(out);
      return;
    }
    const need = e - s + SEGMENT_OVERHEAD_BYTES;
    while (this.bufferedBytes + need > this.maxBuffered) {
      if (this.segments.length > 0 && this.segments[0]!.start < s) {
        this.skipGap(out);
        if (this.next >= s) {
          // The run we skipped to ends where this piece begins.
          if (this.next === s) {
            this.emit(payload.subarray(from, from + (e - s)), out);
            this.drain(out);
          }
          return;
        }
      } else {
        // This piece is the oldest data we have: skip the gap up to it.
        this.markGap(s, out);
        this.emit(payload.subarray(from, from + (e - s)), out);
        this.drain(out);
        return;
      }
    }
    if (!this.budget.reserve(need, this)) {
      this.budget.refusedSegments++;
      out.events.push({ name: StreamEvent.memcapDrop, direction: this.direction });
      return;
    }
    this.bufferedBytes += need;
    const segs = this.segments;
    let lo = 0;
    let hi = segs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (segs[mid]!.start < s) lo = mid + 1;
      else hi = mid;
    }
    segs.splice(lo, 0, { start: s, end: e, data: payload.slice(from, from + (e - s)) });
  }

  private emit(data: Uint8Array, out: ReassemblyOutput): void {
    this.next += data.length;
    this.nextSeq = (this.nextSeq + data.length) >>> 0;
    this.deliveredBytes += data.length;
    out.chunks.push({ direction: this.direction, data, gapBefore: this.pendingGap });
    this.pendingGap = false;
  }

  /** Delivers buffered segments that have become contiguous. */
  private drain(out: ReassemblyOutput): void {
    const segs = this.segments;
    let taken = 0;
    let freed = 0;
    while (taken < segs.length && segs[taken]!.start <= this.next) {
      const seg = segs[taken++]!;
      freed += seg.data.length + SEGMENT_OVERHEAD_BYTES;
      if (seg.end > this.next) this.emit(seg.data.subarray(this.next - seg.start), out);
    }
    if (taken > 0) {
      segs.splice(0, taken);
      this.release(freed);
    }
  }

  private release(n: number): void {
    this.bufferedBytes -= n;
    this.budget.used -= n;
    if (this.segments.length === 0) this.budget.unlink(this);
  }

  private markGap(to: number, out: ReassemblyOutput): void {
    const skipped = to - this.next;
    this.next = to;
    this.nextSeq = (this.nextSeq + skipped) >>> 0;
    this.gaps++;
    this.pendingGap = true;
    out.events.push({ name: StreamEvent.seqGap, direction: this.direction });
  }

  /** Gives up on the bytes before the first buffered segment and delivers from there. */
  private skipGap(out: ReassemblyOutput): void {
    this.markGap(this.segments[0]!.start, out);
    this.drain(out);
  }

  private skipAckedGaps(out: ReassemblyOutput): void {
    while (this.segments.length > 0 && this.segments[0]!.start <= this.ackedUpTo) this.skipGap(out);
  }

  private checkEnded(): void {
    if (this.finAt >= 0 && this.next >= this.finAt) this.ended = true;
  }
}

/** Both directions of one TCP connection. */
export class TcpReassembler {
  readonly toServer: TcpStreamDirection;
  readonly toClient: TcpStreamDirection;
  /** A RST was seen: both directions were flushed and later data is ignored. */
  reset = false;

  constructor(budget: StreamMemoryBudget, config: ReassemblyConfig = DEFAULT_REASSEMBLY_CONFIG) {
    this.toServer = new TcpStreamDirection('toServer', config.maxBufferedBytesPerDirection, budget);
    this.toClient = new TcpStreamDirection('toClient', config.maxBufferedBytesPerDirection, budget);
  }

  /** Feeds one segment; chunks and anomalies are appended to `out`. */
  onSegment(direction: StreamDirection, seq: number, ack: number, flags: number, payload: Uint8Array, out: ReassemblyOutput): void {
    if (this.reset) return;
    const d = direction === 'toServer' ? this.toServer : this.toClient;
    const peer = direction === 'toServer' ? this.toClient : this.toServer;
    if ((flags & TH_RST) !== 0) {
      this.reset = true;
      this.finish(out);
      return;
    }
    const syn = (flags & TH_SYN) !== 0;
    // Data on a SYN starts after the SYN's own sequence number.
    const dataSeq = syn ? (seq + 1) >>> 0 : seq;
    if (!d.started) d.start(dataSeq);
    if (payload.length > 0 && !d.ended) d.onData(dataSeq, payload, out);
    if ((flags & TH_FIN) !== 0) d.onFin(dataSeq, payload.length);
    if ((flags & TH_ACK) !== 0 && peer.started) peer.onAck(ack, out);
  }

  /** Flow end: delivers everything still buffered in both directions, skipping gaps. */
  finish(out: ReassemblyOutput): void {
    this.toServer.finish(out);
    this.toClient.finish(out);
  }
}
