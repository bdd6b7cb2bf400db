import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCapture, readCaptureFile } from './captureFile.ts';
import { CaptureReader } from './captureReader.ts';
import { CaptureFormatError, NotACaptureError } from './capturedPacket.ts';
import type { CapturedPacket } from './capturedPacket.ts';
import { writePcap, writePcapng } from '../testing/pcapWriter.ts';

async function collect(it: AsyncIterable<CapturedPacket>): Promise<CapturedPacket[]> {
  const out: CapturedPacket[] = [];
  for await (const p of it) out.push(p);
  return out;
}

async function* chunks(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

const records = Array.from({ length: 50 }, (_, i) => ({ data: new Uint8Array(60 + i).fill(i), tsSec: i }));

describe('readCapture', () => {
  it('reads a stream of chunks, like a tcpdump pipe', async () => {
    const reader = new CaptureReader();
    const ps = await collect(readCapture(chunks(writePcapng(records), 33), reader));
    expect(ps.map((p) => p.tsSec)).toEqual(records.map((r) => r.tsSec));
    expect(reader.stats).toMatchObject({ format: 'pcapng', packets: 50, truncated: false });
  });

  it('yields the packets before a format error, then throws it', async () => {
    const file = writePcap(records);
    new DataView(file.buffer).setUint32(24 + 16 + 60 + 8, 1 << 30, true);
    const seen: CapturedPacket[] = [];
    await expect(async () => {
      for await (const p of readCapture(chunks(file, 4096))) seen.push(p);
    }).rejects.toThrow(CaptureFormatError);
    expect(seen).toHaveLength(1);
  });
});

describe('readCaptureFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'otasuke-capture-'));

  it('reads a file from disk, detecting the format from its bytes', async () => {
    const path = join(dir, 'no-extension');
    writeFileSync(path, writePcap(records, { littleEndian: false, nanosecond: true }));
    const ps = await collect(readCaptureFile(path));
    expect(ps).toHaveLength(50);
    expect(Array.from(ps[49]!.data.subarray(0, 2))).toEqual([49, 49]);
  });

  it('reports a truncated file through the reader stats without throwing', async () => {
    const path = join(dir, 'cut.pcap');
    const file = writePcap(records);
    writeFileSync(path, file.subarray(0, file.length - 5));
    const reader = new CaptureReader();
    const ps = await collect(readCaptureFile(path, reader));
    expect(ps).toHaveLength(49);
    expect(reader.stats.truncated).toBe(true);
  });

  it('rejects a non-capture with NotACaptureError', async () => {
    const path = join(dir, 'README.pcap');
    writeFileSync(path, 'hello, this is text');
    await expect(collect(readCaptureFile(path))).rejects.toThrow(NotACaptureError);
    await expect(collect(readCaptureFile(path))).rejects.toThrow(/^not a pcap or pcapng file$/);
  });
});
