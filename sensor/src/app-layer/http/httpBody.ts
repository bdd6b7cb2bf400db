/**
 * Message bodies: chunked transfer decoding as a resumable state machine (a chunk header may be
 * split anywhere) and content decoding (gzip, deflate, br) with a hard output cap so a decompression bomb stops at
 * the cap and is reported instead of filling memory.
 */
import { brotliDecompressSync, constants, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';


/** Body bytes kept per message for detection and file extraction; the total is still counted. */
export const HTTP_MAX_STORED_BODY = 1024 * 1024;
/** Decompressed bytes kept per body. */
export const HTTP_MAX_DECOMPRESSED_BODY = 1024 * 1024;
/** Output/input ratio past which hitting the cap is called a bomb. One deflate layer tops out near
 *  1032:1; text compresses about 10:1, so 100 separates the two. */
export const HTTP_COMPRESSION_BOMB_RATIO = 100;
/** A chunk-size line (with extensions) longer than this is garbage. */
export const HTTP_MAX_CHUNK_LINE = 1024;

type ChunkState = 'size' | 'data' | 'dataEnd' | 'trailer' | 'done';

export interface ChunkedStep {
  consumed: number;
  /** Views into the input: the de-chunked data found in it. */
  data: Uint8Array[];
  done: boolean;
  anomaly?: string;
}

/** RFC 9112 7.1 chunked decoding, resumable at any byte. */
export class ChunkedDecoder {
  private state: ChunkState = 'size';
  private remaining = 0;
  private line: number[] = [];

  constructor(private readonly invalidLenAnomaly: string) {}

  get done(): boolean {
    return this.state === 'done';
  }

  /** Consume what it can of `b`. On an anomaly the body is over: the caller stops decoding it. */
  feed(b: Uint8Array): ChunkedStep {
    const data: Uint8Array[] = [];
    let i = 0;
    while (i < b.length && this.state !== 'done') {
      if (this.state === 'data') {
        const n = Math.min(this.remaining, b.length - i);
        data.push(b.subarray(i, i + n));
        i += n;
        this.remaining -= n;
        if (this.remaining === 0) this.state = 'dataEnd';
        continue;
      }
      // Line-oriented states: gather up to LF, bounded.
      const lf = b.indexOf(0x0a, i);
      const end = lf < 0 ? b.length : lf;
      if (this.line.length + (end - i) > HTTP_MAX_CHUNK_LINE) return { consumed: b.length, data, done: true, anomaly: this.invalidLenAnomaly };
      for (let k = i; k < end; k++) this.line.push(b[k] ?? 0);
      if (lf < 0) {
        i = b.length;
        break;
      }
      i = lf + 1;
      let text = String.fromCharCode(...this.line);
      this.line = [];
      if (text.endsWith('\r')) text = text.slice(0, -1);
      if (this.state === 'dataEnd') {
        if (text !== '') return { consumed: i, data, done: true, anomaly: this.invalidLenAnomaly };
        this.state = 'size';
      } else if (this.state === 'size') {
        const hex = (text.split(';')[0] ?? '').trim();
        if (!/^[0-9a-fA-F]{1,8}$/.test(hex)) return { consumed: i, data, done: true, anomaly: this.invalidLenAnomaly };
        this.remaining = parseInt(hex, 16);
        this.state = this.remaining === 0 ? 'trailer' : 'data';
      } else if (text === '') this.state = 'done';
    }
    return { consumed: i, data, done: this.state === 'done' };
  }
}

export interface DecodedBody {
  body: Uint8Array;
  /** True when the output cap was reached (the body shown is the first `cap` bytes). */
  truncated: boolean;
  anomaly?: 'http.compression_bomb' | 'http.gzip_decompression_failed';
}

type Inflate = (b: Uint8Array, opts: { maxOutputLength: number; finishFlush: number }) => Buffer;

const DECODERS: Record<string, Inflate[]> = {
  gzip: [gunzipSync],
  'x-gzip': [gunzipSync],
  // "deflate" is meant to be zlib-wrapped but many servers send raw deflate.
  deflate: [inflateSync, inflateRawSync],
};

function runInflate(fn: Inflate, input: Uint8Array, cap: number): Buffer {
  return fn(input, { maxOutputLength: cap, finishFlush: constants.Z_SYNC_FLUSH });
}

function isTooLarge(e: unknown): boolean {
  return e instanceof RangeError || (e instanceof Error && (e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE');
}

/**
 * Undo a Content-Encoding. Unknown encodings pass through. Truncated input (a capped stored body)
 * yields what decodes. When output would pass `cap`, the longest input prefix whose output fits is
 * found by halving, so the cost stays a few multiples of `cap`.
 */
export function decodeContentEncoding(body: Uint8Array, encoding: string | undefined, cap = HTTP_MAX_DECOMPRESSED_BODY): DecodedBody {
  const enc = (encoding ?? '').trim().toLowerCase();
  if (enc === '' || enc === 'identity' || body.length === 0) return { body, truncated: false };
  if (enc === 'br') {
    try {
      return { body: brotliDecompressSync(body, { maxOutputLength: cap }), truncated: false };
    } catch (e) {
      return isTooLarge(e)
        ? { body: new Uint8Array(0), truncated: true, anomaly: 'http.compression_bomb' }
        : { body, truncated: false, anomaly: 'http.gzip_decompression_failed' };
    }
  }
  const fns = DECODERS[enc];
  if (!fns) return { body, truncated: false };
  // A failed inflate costs a thrown error; a wrong gzip magic is caught without one.
  if (fns[0] === gunzipSync && (body[0] !== 0x1f || body[1] !== 0x8b)) return { body, truncated: false, anomaly: 'http.gzip_decompression_failed' };
  for (const fn of fns) {
    try {
      return { body: runInflate(fn, body, cap), truncated: false };
    } catch (e) {
      if (!isTooLarge(e)) continue;
      let len = body.length >> 1;
      let out: Buffer = Buffer.alloc(0);
      while (len > 0) {
        try {
          out = runInflate(fn, body.subarray(0, len), cap);
          break;
        } catch (inner) {
          if (!isTooLarge(inner)) break;
          len >>= 1;
        }
      }
      const bomb = len === 0 || out.length / len > HTTP_COMPRESSION_BOMB_RATIO;
      return bomb ? { body: out, truncated: true, anomaly: 'http.compression_bomb' } : { body: out, truncated: true };
    }
  }
  return { body, truncated: false, anomaly: 'http.gzip_decompression_failed' };
}
