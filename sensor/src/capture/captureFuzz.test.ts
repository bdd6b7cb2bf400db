/**
 * Property tests for the capture readers on 100k mutated files: the only errors are the typed
 * ones, packets stay within the caplen bound and inside the input, and the result does not
 * depend on how the bytes are chunked.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { CaptureReader } from './captureReader.ts';
import { CaptureFormatError, NotACaptureError } from './capturedPacket.ts';
import { PCAP_MAX_CAPLEN } from './pcap.ts';
import { applyMutations, byteMutation } from '../testing/byteMutation.ts';
import { concatBytes, pcapngBlock, writePcap, writePcapngSection } from '../testing/pcapWriter.ts';
import type { PacketRecord } from '../testing/pcapWriter.ts';

const records: PacketRecord[] = [
  { data: Uint8Array.from([1, 2, 3, 4, 5, 6]), tsSec: 1, tsNsec: 2000 },
  { data: new Uint8Array(20).fill(9), tsSec: 3, tsNsec: 4000, origLen: 60 },
];

const seeds: Uint8Array[] = [
  writePcap(records),
  writePcap(records, { littleEndian: false, nanosecond: true }),
  writePcapngSection(records),
  writePcapngSection(records, { littleEndian: false, interfaces: [{ linkType: 1, tsresol: 9 }] }),
  writePcapngSection(records, { simple: true, interfaces: [{ linkType: 101, snaplen: 8 }] }),
  concatBytes([
    writePcapngSection([{ data: Uint8Array.from([7]) }], { extraBlocks: [pcapngBlock(5, new Uint8Array(8))] }),
    writePcapngSection([{ data: Uint8Array.from([8]), interfaceId: 1 }], { littleEndian: false, interfaces: [{ linkType: 1 }, { linkType: 113 }] }),
  ]),
];

interface Outcome {
  packets: string[];
  error: string | null;
}

function run(bytes: Uint8Array, chunk: number): Outcome {
  const reader = new CaptureReader();
  const packets: string[] = [];
  const onPacket = (p: { data: Uint8Array; tsSec: number; tsNsec: number; linkType: number; interfaceId: number; origLen: number }): void => {
    // Plain checks: vitest's expect costs microseconds per call, too much at 100k runs.
    if (p.data.length > PCAP_MAX_CAPLEN || p.data.length > bytes.length) throw new Error('packet larger than allowed');
    if (!(p.tsNsec >= 0 && p.tsNsec < 1e9)) throw new Error(`nanoseconds out of range: ${p.tsNsec}`);
    let hash = 0;
    for (let i = 0; i < p.data.length; i++) hash = (hash * 31 + p.data[i]!) | 0;
    packets.push(`${p.linkType}/${p.interfaceId}/${p.tsSec}.${p.tsNsec}/${p.origLen}/${p.data.length}/${hash}`);
  };
  try {
    for (let i = 0; i < bytes.length; i += chunk) reader.push(bytes.subarray(i, i + chunk), onPacket);
    reader.end();
    return { packets, error: null };
  } catch (e) {
    if (!(e instanceof NotACaptureError) && !(e instanceof CaptureFormatError)) throw e;
    return { packets, error: e.name };
  }
}

describe('capture readers under mutation', () => {
  it('never throw untyped errors, stay bounded, and ignore chunking (100k inputs)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: seeds.length - 1 }),
        fc.array(byteMutation, { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 40 }),
        (seed, mutations, chunk) => {
          const bytes = applyMutations(seeds[seed]!, mutations);
          const whole = run(bytes, Math.max(1, bytes.length));
          const chunked = run(bytes, chunk);
          if (chunked.error !== whole.error || chunked.packets.join('|') !== whole.packets.join('|')) {
            throw new Error(`chunking changed the result: ${JSON.stringify({ whole, chunked })}`);
          }
          if (whole.packets.length > Math.ceil(bytes.length / 12)) throw new Error('more packets than records could fit');
        },
      ),
      { numRuns: 100_000 },
    );
  }, 60_000);

  it('never buffers more than one record, however large the declared lengths', () => {
    // A pcapng whose first packet block claims 1 GiB: the reader skips it as it streams.
    const file = writePcapngSection([{ data: new Uint8Array(8) }]);
    const epb = file.length - 40;
    new DataView(file.buffer).setUint32(epb + 4, 1 << 30, true);
    const reader = new CaptureReader();
    reader.push(file, () => {});
    for (let i = 0; i < 64; i++) reader.push(new Uint8Array(1 << 16), () => {});
    const stats = reader.end();
    expect(stats.truncated).toBe(true);
    expect(stats.truncatedBytes).toBe(0);
    expect(stats.skippedRecords).toBe(1);
  });
});
