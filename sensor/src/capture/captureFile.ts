/**
 * The file-and-stream entry of capture: turns any async byte source (a file stream, stdin, a
 * `tcpdump -U -w -` pipe) into an async iterator of packets. Pass your own CaptureReader to read
 * its stats (truncation, skipped blocks) once the iterator is done.
 */
import { createReadStream } from 'node:fs';
import { CaptureReader } from './captureReader.ts';
import type { CapturedPacket } from './capturedPacket.ts';

/** Read-ahead per chunk: large enough that stitching across chunks is rare. */
const READ_CHUNK_BYTES = 1 << 20;

export async function* readCapture(
  source: AsyncIterable<Uint8Array>,
  reader: CaptureReader = new CaptureReader(),
): AsyncGenerator<CapturedPacket, void, undefined> {
  let batch: CapturedPacket[] = [];
  const collect = (p: CapturedPacket): void => {
    batch.push(p);
  };
  for await (const chunk of source) {
    let failure: unknown = null;
    try {
      reader.push(chunk, collect);
    } catch (e) {
      failure = e;
    }
    const ready = batch;
    batch = [];
    yield* ready;
    if (failure !== null) throw failure;
  }
  reader.end();
}

export function readCaptureFile(path: string, reader?: CaptureReader): AsyncGenerator<CapturedPacket, void, undefined> {
  return readCapture(createReadStream(path, { highWaterMark: READ_CHUNK_BYTES }), reader);
}
