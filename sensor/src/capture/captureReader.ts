/**
 * Incremental capture reader: feed it byte chunks as they arrive (file stream, stdin, a
 * `tcpdump -U -w -` pipe) and it calls back with each complete packet. The format is detected from
 * the magic bytes, never from a file name.
 *
 * Zero-copy: a packet lying wholly inside a pushed chunk is a subarray of that chunk. Only a
 * record that straddles two chunks is stitched into a fresh buffer, sized to that record, which
 * the reader never writes again, so packets stay valid after later pushes. Memory held by the
 * reader is bounded by the largest record it accepts (PCAPNG_MAX_BLOCK_BYTES).
 *
 * Errors: NotACaptureError when the first bytes are neither format; CaptureFormatError when the
 * structure breaks. Packets before the error have already been delivered; the reader then stays
 * failed and rethrows on every call.
 */
import { NotACaptureError } from './capturedPacket.ts';
import type { CapturedPacket, CaptureStats } from './capturedPacket.ts';
import { pcapMagic, PcapRecordParser } from './pcap.ts';
import { PCAPNG_SHB_TYPE, PcapngBlockParser } from './pcapng.ts';
import { readU32 } from './byteOrder.ts';

const MAGIC_BYTES = 4;

export class CaptureReader {
  readonly stats: CaptureStats = {
    format: null,
    packets: 0,
    truncated: false,
    truncatedBytes: 0,
    skippedBlocks: 0,
    skippedRecords: 0,
    caplenOverSnaplen: 0,
    sections: 0,
  };
  private parser: PcapRecordParser | PcapngBlockParser | null = null;
  private tail: Uint8Array = new Uint8Array(0);
  private tailStart = 0;
  private tailLen = 0;
  /** Stream offset of the next unconsumed byte, for error messages. */
  private offset = 0;
  private failure: Error | null = null;
  private ended = false;

  push(chunk: Uint8Array, onPacket: (p: CapturedPacket) => void): void {
    if (this.failure !== null) throw this.failure;
    if (this.ended) throw new Error('CaptureReader.push after end()');
    try {
      // Packets must be plain Uint8Array views: on a Node Buffer (what file streams and stdin
      // yield) `slice()` does not copy, so the copies later stages make of bytes they keep (flow
      // addresses, out-of-order segments, bodies) would pin the whole read chunk.
      this.consume(Buffer.isBuffer(chunk) ? new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength) : chunk, onPacket);
    } catch (e) {
      this.failure = e as Error;
      throw e;
    }
  }

  /** Marks the end of the stream and returns the final counters. */
  end(): CaptureStats {
    if (this.failure !== null) throw this.failure;
    this.ended = true;
    if (this.parser === null) {
      // Fewer than four bytes in total: nothing identifies this as a capture.
      this.failure = new NotACaptureError();
      throw this.failure;
    }
    if (this.tailLen > 0 || !this.parser.atBoundary()) {
      this.stats.truncated = true;
      this.stats.truncatedBytes = this.tailLen;
    }
    return this.stats;
  }

  private consume(chunk: Uint8Array, onPacket: (p: CapturedPacket) => void): void {
    let off = 0;
    const n = chunk.length;
    while (this.tailLen > 0) {
      const start = this.tailStart;
      const r = this.step(this.tail, start, start + this.tailLen, onPacket);
      if (r >= 0) {
        this.tailStart += r;
        this.tailLen -= r;
        this.offset += r;
        continue;
      }
      const need = -r;
      const missing = need - this.tailLen;
      const take = Math.min(missing, n - off);
      if (take === 0) return;
      this.appendTail(chunk, off, take, need);
      off += take;
      if (take < missing) return;
    }
    while (off < n) {
      const r = this.step(chunk, off, n, onPacket);
      if (r >= 0) {
        off += r;
        this.offset += r;
      } else {
        this.appendTail(chunk, off, n - off, -r);
        off = n;
      }
    }
  }

  /** Copies bytes into the stitching buffer, growing it (into a fresh array) to hold `need`. */
  private appendTail(src: Uint8Array, from: number, count: number, need: number): void {
    const end = this.tailStart + this.tailLen;
    if (this.tailLen === 0 || end + count > this.tail.length) {
      const next = new Uint8Array(Math.max(need, this.tailLen + count));
      next.set(this.tail.subarray(this.tailStart, end), 0);
      this.tail = next;
      this.tailStart = 0;
    }
    this.tail.set(src.subarray(from, from + count), this.tailStart + this.tailLen);
    this.tailLen += count;
  }

  /** Returns bytes consumed (0 only when the format was just detected) or -needed. */
  private step(buf: Uint8Array, off: number, end: number, onPacket: (p: CapturedPacket) => void): number {
    const parser = this.parser;
    if (parser !== null) return parser.step(buf, off, end, this.offset, onPacket);
    if (end - off < MAGIC_BYTES) return -MAGIC_BYTES;
    if (readU32(buf, off, true) === PCAPNG_SHB_TYPE) {
      this.parser = new PcapngBlockParser(this.stats);
      this.stats.format = 'pcapng';
    } else if (pcapMagic(buf, off) !== null) {
      this.parser = new PcapRecordParser(this.stats);
      this.stats.format = 'pcap';
    } else {
      throw new NotACaptureError();
    }
    return 0;
  }
}

/** Reads a whole in-memory capture; convenient for tests and small files. */
export function readCaptureBytes(bytes: Uint8Array): { packets: CapturedPacket[]; stats: CaptureStats } {
  const reader = new CaptureReader();
  const packets: CapturedPacket[] = [];
  reader.push(bytes, (p) => packets.push(p));
  return { packets, stats: reader.end() };
}
