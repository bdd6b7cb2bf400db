import { describe, it, expect } from 'vitest';
import { CaptureReader, readCaptureBytes } from './captureReader.ts';
import { CaptureFormatError, NotACaptureError } from './capturedPacket.ts';
import type { CapturedPacket } from './capturedPacket.ts';
import { PCAP_MAX_CAPLEN } from './pcap.ts';
import { PCAPNG_MAX_BLOCK_BYTES } from './pcapng.ts';
import { concatBytes, pcapngBlock, writePcap, writePcapng, writePcapngSection } from '../testing/pcapWriter.ts';
import type { PacketRecord } from '../testing/pcapWriter.ts';

const packets: PacketRecord[] = [
  { data: Uint8Array.from([1, 2, 3, 4, 5]), tsSec: 1_700_000_000, tsNsec: 123_456_000 },
  { data: new Uint8Array(300).fill(7), tsSec: 1_700_000_001, tsNsec: 999_999_000, origLen: 1500 },
  { data: new Uint8Array(0), tsSec: 0, tsNsec: 0 },
];

function pushInChunks(bytes: Uint8Array, size: number): { packets: CapturedPacket[]; reader: CaptureReader } {
  const reader = new CaptureReader();
  const out: CapturedPacket[] = [];
  for (let i = 0; i < bytes.length; i += size) reader.push(bytes.subarray(i, i + size), (p) => out.push(p));
  reader.end();
  return { packets: out, reader };
}

function summary(ps: readonly CapturedPacket[]): unknown[] {
  return ps.map((p) => [p.linkType, p.tsSec, p.tsNsec, Array.from(p.data), p.origLen, p.interfaceId]);
}

describe('classic pcap', () => {
  for (const littleEndian of [true, false]) {
    for (const nanosecond of [false, true]) {
      it(`round-trips ${littleEndian ? 'little' : 'big'}-endian ${nanosecond ? 'ns' : 'µs'} files`, () => {
        const file = writePcap(packets, { littleEndian, nanosecond, linkType: 113 });
        const { packets: read, stats } = readCaptureBytes(file);
        expect(stats).toMatchObject({ format: 'pcap', packets: 3, truncated: false });
        expect(read.map((p) => [p.linkType, p.tsSec, p.tsNsec, p.data.length, p.origLen, p.interfaceId])).toEqual([
          [113, 1_700_000_000, 123_456_000, 5, 5, 0],
          [113, 1_700_000_001, 999_999_000, 300, 1500, 0],
          [113, 0, 0, 0, 0, 0],
        ]);
        expect(Array.from(read[0]!.data)).toEqual([1, 2, 3, 4, 5]);
      });
    }
  }

  it('keeps nanoseconds exactly in ns files', () => {
    const file = writePcap([{ data: new Uint8Array(1), tsSec: 5, tsNsec: 123_456_789 }], { nanosecond: true });
    expect(readCaptureBytes(file).packets[0]!.tsNsec).toBe(123_456_789);
  });

  it('returns views into the pushed chunk, not copies', () => {
    const file = writePcap(packets);
    const { packets: read } = readCaptureBytes(file);
    expect(read[0]!.data.buffer).toBe(file.buffer);
  });

  it('hands out plain Uint8Array views of a Buffer chunk, so slice() copies', () => {
    const file = Buffer.from(writePcap(packets));
    const { packets: read } = readCaptureBytes(file);
    const data = read[1]!.data;
    expect(Buffer.isBuffer(data)).toBe(false);
    expect(data.buffer).toBe(file.buffer);
    const kept = data.slice(0, 4);
    expect(kept.buffer).not.toBe(file.buffer);
    expect(kept.buffer.byteLength).toBe(4);
  });

  it('gives the same packets whatever the chunking, and stitched packets survive later pushes', () => {
    const file = writePcap(packets, { littleEndian: false });
    const whole = summary(readCaptureBytes(file).packets);
    for (const size of [1, 2, 3, 7, 16, 17, 24, 25, 100]) expect(summary(pushInChunks(file, size).packets)).toEqual(whole);
  });

  it('reports a truncated file with every complete packet and no throw', () => {
    const file = writePcap(packets);
    const cut = file.subarray(0, file.length - 150);
    const { packets: read, stats } = readCaptureBytes(cut);
    expect(read).toHaveLength(1);
    expect(stats.truncated).toBe(true);
    // What is left after the first packet: the second record (16 + 300) and third (16), minus the cut.
    expect(stats.truncatedBytes).toBe(16 + 300 + 16 - 150);
    const headerOnly = readCaptureBytes(file.subarray(0, 10));
    expect(headerOnly.packets).toHaveLength(0);
    expect(headerOnly.stats.truncated).toBe(true);
  });

  it('refuses a caplen beyond the bound with a typed error, after delivering earlier packets', () => {
    const file = writePcap([packets[0]!, { data: new Uint8Array(8) }]);
    const second = 24 + 16 + 5;
    new DataView(file.buffer).setUint32(second + 8, PCAP_MAX_CAPLEN + 1, true);
    const reader = new CaptureReader();
    const seen: CapturedPacket[] = [];
    let error: unknown;
    try {
      reader.push(file, (p) => seen.push(p));
    } catch (e) {
      error = e;
    }
    expect(seen).toHaveLength(1);
    expect(error).toBeInstanceOf(CaptureFormatError);
    expect((error as CaptureFormatError).offset).toBe(second);
    expect(() => reader.end()).toThrow(CaptureFormatError);
  });

  it('counts records whose caplen exceeds the snaplen but still delivers them', () => {
    const file = writePcap([{ data: new Uint8Array(100) }], { snaplen: 64 });
    const { packets: read, stats } = readCaptureBytes(file);
    expect(read[0]!.data.length).toBe(100);
    expect(stats.caplenOverSnaplen).toBe(1);
  });

  it('masks FCS bits out of the link type', () => {
    const file = writePcap([{ data: new Uint8Array(4) }], { linkType: 1 | 0x1000_0000 });
    expect(readCaptureBytes(file).packets[0]!.linkType).toBe(1);
  });
});

describe('pcapng', () => {
  for (const littleEndian of [true, false]) {
    it(`round-trips ${littleEndian ? 'little' : 'big'}-endian EPBs`, () => {
      const file = writePcapng(packets, { littleEndian });
      const { packets: read, stats } = readCaptureBytes(file);
      expect(stats).toMatchObject({ format: 'pcapng', packets: 3, sections: 1, truncated: false });
      expect(read.map((p) => [p.tsSec, p.tsNsec, p.data.length, p.origLen])).toEqual([
        [1_700_000_000, 123_456_000, 5, 5],
        [1_700_000_001, 999_999_000, 300, 1500],
        [0, 0, 0, 0],
      ]);
    });
  }

  it('reads per-interface link types and timestamp resolutions', () => {
    const file = writePcapng(
      [
        { data: new Uint8Array(20), interfaceId: 0, tsSec: 1_700_000_000, tsNsec: 1_000 },
        { data: new Uint8Array(21), interfaceId: 1, tsSec: 1_700_000_000, tsNsec: 123_456_789 },
        { data: new Uint8Array(22), interfaceId: 2, tsSec: 1_700_000_000, tsNsec: 500_000_000 },
      ],
      { interfaces: [{ linkType: 1 }, { linkType: 101, tsresol: 9 }, { linkType: 113, tsresol: 0x80 | 10 }] },
    );
    const { packets: read } = readCaptureBytes(file);
    expect(read.map((p) => [p.interfaceId, p.linkType, p.tsSec, p.tsNsec])).toEqual([
      [0, 1, 1_700_000_000, 1_000],
      [1, 101, 1_700_000_000, 123_456_789],
      [2, 113, 1_700_000_000, 500_000_000],
    ]);
  });

  it('reads several sections, each with its own byte order and interfaces', () => {
    const file = concatBytes([
      writePcapngSection([{ data: Uint8Array.from([1]) }], { littleEndian: true, interfaces: [{ linkType: 1 }] }),
      writePcapngSection([{ data: Uint8Array.from([2]) }], { littleEndian: false, interfaces: [{ linkType: 101 }] }),
      writePcapngSection([{ data: Uint8Array.from([3]), interfaceId: 1 }], {
        littleEndian: true,
        interfaces: [{ linkType: 1 }, { linkType: 113 }],
      }),
    ]);
    const { packets: read, stats } = readCaptureBytes(file);
    expect(stats.sections).toBe(3);
    expect(read.map((p) => [p.linkType, p.interfaceId, p.data[0]])).toEqual([
      [1, 0, 1],
      [101, 0, 2],
      [113, 1, 3],
    ]);
  });

  it('reads simple packet blocks, bounded by the snaplen', () => {
    const file = writePcapng([{ data: new Uint8Array(10).fill(1) }, { data: new Uint8Array(100).fill(2) }], {
      simple: true,
      interfaces: [{ linkType: 1, snaplen: 64 }],
    });
    const { packets: read } = readCaptureBytes(file);
    expect(read.map((p) => [p.data.length, p.origLen, p.tsSec])).toEqual([
      [10, 10, 0],
      [64, 100, 0],
    ]);
  });

  it('skips and counts unknown blocks, including ones larger than the buffer bound', () => {
    const hugeUnknown = pcapngBlock(0x0bad, new Uint8Array(PCAPNG_MAX_BLOCK_BYTES + 100));
    const file = writePcapng(packets, { extraBlocks: [pcapngBlock(4, new Uint8Array(12)), hugeUnknown] });
    const { packets: read, reader } = pushInChunks(file, 4096);
    expect(read).toHaveLength(3);
    expect(reader.stats.skippedBlocks).toBe(2);
    expect(reader.stats.truncated).toBe(false);
  });

  it('skips an oversized packet block without buffering it and keeps reading', () => {
    const big = new Uint8Array(PCAP_MAX_CAPLEN + 70_000);
    const file = writePcapng([{ data: big }, { data: Uint8Array.from([9]) }]);
    const { packets: read, reader } = pushInChunks(file, 1000);
    expect(read.map((p) => p.data.length)).toEqual([1]);
    expect(reader.stats.skippedRecords).toBe(1);
  });

  it('skips packets on an undeclared interface and packets whose caplen lies', () => {
    const file = writePcapng([{ data: new Uint8Array(8), interfaceId: 3 }, { data: new Uint8Array(8) }]);
    // Second EPB: make its caplen larger than the block.
    const secondEpb = file.length - (32 + 8);
    new DataView(file.buffer).setUint32(secondEpb + 20, 9999, true);
    const { packets: read, stats } = readCaptureBytes(file);
    expect(read).toHaveLength(0);
    expect(stats.skippedRecords).toBe(2);
  });

  it('stops with a typed error when a trailer disagrees with its header', () => {
    const file = writePcapng(packets);
    new DataView(file.buffer).setUint32(file.length - 4, 12, true);
    expect(() => readCaptureBytes(file)).toThrow(CaptureFormatError);
    expect(() => readCaptureBytes(file)).toThrow(/trailer says 12/);
  });

  it('stops with a typed error on a block length that is not a multiple of 4', () => {
    const file = writePcapng(packets);
    const firstIdb = 28;
    new DataView(file.buffer).setUint32(firstIdb + 4, 21, true);
    expect(() => readCaptureBytes(file)).toThrow(CaptureFormatError);
  });

  it('keeps 64-bit nanosecond timestamps exact', () => {
    const file = writePcapng([{ data: new Uint8Array(1), tsSec: 4_000_000_000, tsNsec: 999_999_999 }], {
      interfaces: [{ linkType: 1, tsresol: 9 }],
    });
    const p = readCaptureBytes(file).packets[0]!;
    expect([p.tsSec, p.tsNsec]).toEqual([4_000_000_000, 999_999_999]);
  });

  it('splits timestamps exactly at second boundaries for every resolution', () => {
    for (const tsresol of [0, 3, 6, 9, 0x80 | 20, 0x80 | 30]) {
      const units = (tsresol & 0x80) !== 0 ? 2 ** (tsresol & 0x7f) : 10 ** tsresol;
      const nsecPerUnit = 1e9 / units;
      for (const sec of [0, 1, 9_007_199, 8_999_999, 1_700_000_000, 4_000_000_000]) {
        // The last unit of the second before `sec`, and the first unit of `sec`.
        const lastNsec = 1e9 - Math.ceil(nsecPerUnit);
        const file = writePcapng([{ data: new Uint8Array(1), tsSec: sec, tsNsec: 0 }, ...(sec > 0 ? [{ data: new Uint8Array(1), tsSec: sec - 1, tsNsec: lastNsec }] : [])], {
          interfaces: [{ linkType: 1, tsresol }],
        });
        const read = readCaptureBytes(file).packets;
        expect([read[0]!.tsSec, read[0]!.tsNsec], `resol ${tsresol} sec ${sec}`).toEqual([sec, 0]);
        if (sec > 0) {
          expect(read[1]!.tsSec, `resol ${tsresol} sec ${sec}`).toBe(sec - 1);
          expect(read[1]!.tsNsec).toBeGreaterThanOrEqual(Math.max(0, Math.floor(lastNsec - nsecPerUnit)));
          expect(read[1]!.tsNsec).toBeLessThan(1e9);
        }
      }
    }
  });

  it('is truncated, not broken, when cut mid-block', () => {
    const file = writePcapng(packets);
    const { packets: read, stats } = readCaptureBytes(file.subarray(0, file.length - 10));
    expect(read).toHaveLength(2);
    expect(stats.truncated).toBe(true);
  });
});

describe('format detection', () => {
  it('throws NotACaptureError with the exact message for other bytes', () => {
    const text = new TextEncoder().encode('# README\nnot a capture');
    expect(() => readCaptureBytes(text)).toThrow(NotACaptureError);
    expect(() => readCaptureBytes(text)).toThrow(/^not a pcap or pcapng file$/);
    expect(() => readCaptureBytes(new Uint8Array(0))).toThrow('not a pcap or pcapng file');
  });

  it('detects by magic even when the magic arrives one byte at a time', () => {
    const file = writePcapng(packets, { littleEndian: false });
    expect(pushInChunks(file, 1).packets).toHaveLength(3);
  });

  it('refuses pushes after a failure', () => {
    const reader = new CaptureReader();
    expect(() => reader.push(Uint8Array.from([1, 2, 3, 4]), () => {})).toThrow(NotACaptureError);
    expect(() => reader.push(writePcap([]), () => {})).toThrow(NotACaptureError);
  });
});
