/**
 * Drives a SensorPipeline over a byte source holding a capture (a file, stdin, a tcpdump pipe):
 * bytes → CaptureReader → pipeline, packets handed over synchronously per chunk (no await per
 * packet). A truncated capture is not an error: every complete packet is processed and the result
 * says so. NotACaptureError and CaptureFormatError propagate, after the packets before them were
 * processed and the pipeline finished (NotACaptureError: nothing is written at all).
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { CaptureReader } from '../capture/captureReader.ts';
import { NotACaptureError } from '../capture/capturedPacket.ts';
import type { CapturedPacket, CaptureStats } from '../capture/capturedPacket.ts';
import { SensorPipeline } from './sensorPipeline.ts';
import type { EveEmit, SensorPipelineOptions } from './sensorPipeline.ts';

export interface CaptureRunResult {
  pipeline: SensorPipeline;
  capture: CaptureStats;
  /** Bytes of the capture read (file size for a complete file). */
  bytesRead: number;
  seconds: number;
}

export interface CaptureRunOptions extends SensorPipelineOptions {
  /** Called after each chunk of input with the bytes read and packets seen so far. */
  onProgress?: (bytesRead: number, packets: number) => void;
  /** The source overwrites a chunk's memory once the next chunk is asked for (readFileChunks with
   *  `reuseBuffer`): after each chunk the pipeline copies the bytes it still holds views of. */
  chunksReused?: boolean;
}

const READ_CHUNK_BYTES = 1 << 18;

export async function runCapture(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, emit: EveEmit, options: CaptureRunOptions = {}): Promise<CaptureRunResult> {
  const started = performance.now();
  const pipeline = new SensorPipeline(emit, options);
  const reader = new CaptureReader();
  let pcapCnt = 0;
  let bytesRead = 0;
  const chunksReused = options.chunksReused === true;
  const onPacket = (c: CapturedPacket): void => {
    pipeline.onPacket(c, ++pcapCnt);
  };
  try {
    for await (const chunk of source) {
      bytesRead += chunk.length;
      reader.push(chunk, onPacket);
      if (chunksReused) pipeline.detachInput(chunk.buffer);
      options.onProgress?.(bytesRead, pcapCnt);
    }
    reader.end();
  } catch (e) {
    // Not a capture: nothing was read, so nothing is written (not even stats).
    if (!(e instanceof NotACaptureError)) pipeline.finish();
    throw e;
  }
  await pipeline.finishAsync();
  return { pipeline, capture: reader.stats, bytesRead, seconds: (performance.now() - started) / 1000 };
}

/**
 * Chunks of a file read synchronously: the pipeline is CPU-bound, and awaiting a stream left the
 * thread idle during every read (a sixth of the time in the benchmark).
 *
 * Without `reuseBuffer` each chunk is a fresh buffer, since packets are views into it. With it,
 * every chunk is read into the same buffer: a fresh one costs page faults on every 4 KiB of input
 * (the kernel zero-fills new pages) and a GC of the old one, most of the read time; the consumer
 * must copy whatever it keeps before asking for the next chunk (runCapture's `chunksReused`).
 */
export function* readFileChunks(path: string, chunkBytes: number = READ_CHUNK_BYTES, reuseBuffer = false): Generator<Uint8Array, void, undefined> {
  const fd = openSync(path, 'r');
  try {
    // A small regular file gets a buffer of its own size, not a whole chunk.
    const st = fstatSync(fd);
    let left = st.isFile() ? st.size : Infinity;
    let reused: Uint8Array | null = null;
    for (;;) {
      // Past the size seen at open: a little, for a file still being written; a pipe: whole chunks.
      const size = left > 0 ? Math.min(chunkBytes, left) : st.isFile() ? 65536 : chunkBytes;
      let buf: Uint8Array;
      if (reused !== null && reused.length >= size) buf = reused.subarray(0, size);
      else {
        // Not zero-filled (every byte handed on is read first), and a plain Uint8Array: a Buffer's
        // slice() would not copy.
        const raw = Buffer.allocUnsafeSlow(size);
        buf = new Uint8Array(raw.buffer, raw.byteOffset, size);
        if (reuseBuffer) reused = buf;
      }
      left -= buf.length;
      let n = 0;
      while (n < buf.length) {
        const got = readSync(fd, buf, n, buf.length - n, null);
        if (got === 0) break;
        n += got;
      }
      if (n === 0) return;
      yield n === buf.length ? buf : buf.subarray(0, n);
      if (n < buf.length) return;
    }
  } finally {
    closeSync(fd);
  }
}

export function runCaptureFile(path: string, emit: EveEmit, options: CaptureRunOptions = {}): Promise<CaptureRunResult> {
  return runCapture(readFileChunks(path, READ_CHUNK_BYTES, true), emit, { ...options, chunksReused: true });
}
