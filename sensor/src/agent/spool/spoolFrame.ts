/**
 * The byte layout of one spool record, pure (no files): encode, and decode at an offset of a
 * buffer, telling a complete record from a torn one (bytes missing at the end) and from a damaged
 * one (CRC mismatch, impossible length).
 *
 *   offset  size  field
 *   0       4     magic 'OSP1' — lets a reader find the next record after damage
 *   4       4     body length (u32 BE), the bytes from `seq` to the end of the payload
 *   8       4     CRC-32 (zlib's) of the length field and the body
 *   12      8     seq (u64 BE)
 *   20      1     severity 1–3
 *   21      2     origin length (u16 BE)
 *   23      n     origin (UTF-8): where the event came from, e.g. `capture-0001.pcap#17`
 *   23+n    m     payload: the NDJSON line of the SensorEvent, without the newline
 */
import { crc32 } from 'node:zlib';

export const FRAME_MAGIC = 0x4f535031; // 'OSP1'
export const FRAME_HEADER_BYTES = 12;
const BODY_FIXED_BYTES = 11;
/** A body larger than this is damage, not a record (events are ≤ 64 KiB on the wire). */
export const MAX_FRAME_BODY_BYTES = 1024 * 1024;

export interface SpoolRecord {
  seq: number;
  severity: number;
  /** Empty when the event has no replayable source (live capture). */
  origin: string;
  payload: Uint8Array;
}

export function encodeFrame(record: SpoolRecord): Uint8Array {
  const origin = Buffer.from(record.origin, 'utf8');
  if (origin.length > 0xffff) throw new RangeError(`spool record origin is ${origin.length} bytes, over 65535`);
  const bodyLength = BODY_FIXED_BYTES + origin.length + record.payload.length;
  if (bodyLength > MAX_FRAME_BODY_BYTES) throw new RangeError(`spool record is ${bodyLength} bytes, over ${MAX_FRAME_BODY_BYTES}`);
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + bodyLength);
  out.writeUInt32BE(FRAME_MAGIC, 0);
  out.writeUInt32BE(bodyLength, 4);
  out.writeBigUInt64BE(BigInt(record.seq), 12);
  out.writeUInt8(record.severity, 20);
  out.writeUInt16BE(origin.length, 21);
  origin.copy(out, 23);
  out.set(record.payload, 23 + origin.length);
  out.writeUInt32BE(frameCrc(out, 0, bodyLength), 8);
  return out;
}

function frameCrc(buf: Uint8Array, at: number, bodyLength: number): number {
  const lengthField = buf.subarray(at + 4, at + 8);
  return crc32(buf.subarray(at + FRAME_HEADER_BYTES, at + FRAME_HEADER_BYTES + bodyLength), crc32(lengthField)) >>> 0;
}

export type FrameDecode =
  | { kind: 'record'; record: SpoolRecord; size: number }
  /** The buffer ends inside a record (header or body): a torn tail if nothing follows. */
  | { kind: 'incomplete' }
  /** Not a record here: bad magic, impossible length or CRC mismatch. */
  | { kind: 'damaged'; reason: 'magic' | 'length' | 'crc' };

export function decodeFrame(buf: Uint8Array, at: number): FrameDecode {
  if (buf.length - at < FRAME_HEADER_BYTES) return { kind: 'incomplete' };
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (view.getUint32(at) !== FRAME_MAGIC) return { kind: 'damaged', reason: 'magic' };
  const bodyLength = view.getUint32(at + 4);
  if (bodyLength < BODY_FIXED_BYTES || bodyLength > MAX_FRAME_BODY_BYTES) return { kind: 'damaged', reason: 'length' };
  const size = FRAME_HEADER_BYTES + bodyLength;
  if (buf.length - at < size) return { kind: 'incomplete' };
  if (view.getUint32(at + 8) !== frameCrc(buf, at, bodyLength)) return { kind: 'damaged', reason: 'crc' };
  const originLength = view.getUint16(at + 21);
  if (BODY_FIXED_BYTES + originLength > bodyLength) return { kind: 'damaged', reason: 'length' };
  const seq = Number(view.getBigUint64(at + 12));
  const origin = Buffer.from(buf.buffer, buf.byteOffset + at + 23, originLength).toString('utf8');
  const payload = buf.slice(at + 23 + originLength, at + size);
  return { kind: 'record', record: { seq, severity: view.getUint8(at + 20), origin, payload }, size };
}

export interface ScannedRecord extends SpoolRecord {
  /** Offset of the record in the scanned bytes, and its size there. */
  offset: number;
  size: number;
}

export interface FrameScan {
  records: ScannedRecord[];
  /** Damaged stretches skipped (each counted once, however many records it held). */
  damaged: number;
  /** Where the valid data ends: bytes after it are a torn record (or damage up to the end). */
  validEnd: number;
  /** True when bytes after `validEnd` exist and no record starts in them. */
  tornTail: boolean;
}

/**
 * Reads every record of a segment's bytes. After damage it looks for the next offset where a
 * whole record with a good CRC starts (the magic alone is not trusted), so one flipped bit costs
 * one record, not the rest of the segment.
 */
export function scanFrames(buf: Uint8Array): FrameScan {
  const records: ScannedRecord[] = [];
  let damaged = 0;
  let at = 0;
  let validEnd = 0;
  while (at < buf.length) {
    const decoded = decodeFrame(buf, at);
    if (decoded.kind === 'record') {
      records.push({ ...decoded.record, offset: at, size: decoded.size });
      at += decoded.size;
      validEnd = at;
      continue;
    }
    const next = findNextFrame(buf, at + 1);
    if (next < 0) break;
    damaged++;
    at = next;
  }
  return { records, damaged, validEnd, tornTail: validEnd < buf.length };
}

function findNextFrame(buf: Uint8Array, from: number): number {
  const magic = [0x4f, 0x53, 0x50, 0x31];
  for (let i = from; i + FRAME_HEADER_BYTES <= buf.length; i++) {
    if (buf[i] !== magic[0] || buf[i + 1] !== magic[1] || buf[i + 2] !== magic[2] || buf[i + 3] !== magic[3]) continue;
    if (decodeFrame(buf, i).kind === 'record') return i;
  }
  return -1;
}
