/**
 * Generated segment sequences (~110k in total): whatever order, duplication or overlap the segments
 * of a stream arrive in, the reassembled stream is the original; with first-seen-wins overlaps it is
 * what a byte-by-byte model predicts; with segments missing, gaps are marked exactly where data is
 * missing; and buffered memory never exceeds its caps.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { ReassemblyOutput, StreamMemoryBudget, TcpReassembler } from './tcpReassembler.ts';

const SYN = 0x02;
const ACK = 0x10;

interface Segment {
  start: number;
  end: number;
}

/** A stream, the intervals that cover it (each boundary set yields adjacent pieces), then extras. */
const coveredStream = fc
  .record({
    length: fc.integer({ min: 1, max: 300 }),
    cuts: fc.array(fc.nat({ max: 299 }), { maxLength: 12 }),
    extras: fc.array(fc.tuple(fc.nat({ max: 299 }), fc.integer({ min: 1, max: 80 })), { maxLength: 6 }),
    isn: fc.oneof(fc.constant(0xffffffff - 150), fc.nat({ max: 0xffffffff })),
    seed: fc.nat(),
  })
  .map(({ length, cuts, extras, isn, seed }) => {
    const points = [...new Set(cuts.filter((c) => c > 0 && c < length))].sort((a, b) => a - b);
    const bounds = [0, ...points, length];
    const segments: Segment[] = [];
    for (let i = 0; i + 1 < bounds.length; i++) segments.push({ start: bounds[i]!, end: bounds[i + 1]! });
    for (const [s, n] of extras) {
      const start = s % length;
      segments.push({ start, end: Math.min(length, start + n) });
    }
    return { length, segments, isn, seed };
  });

function streamBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed | 1;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) | 0;
    out[i] = x >>> 24;
  }
  return out;
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const c of chunks) n += c.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

function feed(isn: number, order: readonly Segment[], payloadOf: (s: Segment) => Uint8Array, r: TcpReassembler, out: ReassemblyOutput): void {
  r.onSegment('toServer', isn, 0, SYN, new Uint8Array(0), out);
  for (const s of order) r.onSegment('toServer', (isn + 1 + s.start) >>> 0, 0, ACK, payloadOf(s), out);
  r.finish(out);
}

describe('TcpReassembler properties', () => {
  it('any permutation with duplicates reassembles to exactly the original stream', () => {
    fc.assert(
      fc.property(
        coveredStream.chain((c) => fc.record({ c: fc.constant(c), order: fc.shuffledSubarray(c.segments, { minLength: c.segments.length }) })),
        fc.array(fc.nat(), { maxLength: 4 }),
        ({ c, order }, dupIdx) => {
          const data = streamBytes(c.length, c.seed);
          const withDups = [...order];
          for (const i of dupIdx) withDups.splice(i % (withDups.length + 1), 0, order[i % order.length]!);
          const budget = new StreamMemoryBudget(1 << 20);
          const r = new TcpReassembler(budget);
          const out = new ReassemblyOutput();
          feed(c.isn, withDups, (s) => data.subarray(s.start, s.end), r, out);
          // Plain comparisons: expect() per run dominates the time of 35k runs.
          return (
            Buffer.compare(concat(out.chunks.map((k) => k.data)), data) === 0 &&
            !out.chunks.some((k) => k.gapBefore) &&
            out.events.length === 0 &&
            budget.used === 0
          );
        },
      ),
      { numRuns: 35_000 },
    );
  }, 30_000);

  it('overlaps with different data: each byte comes from the first segment seen that covers it', () => {
    fc.assert(
      fc.property(
        coveredStream.chain((c) => fc.record({ c: fc.constant(c), order: fc.shuffledSubarray(c.segments, { minLength: c.segments.length }) })),
        ({ c, order }) => {
          // Every segment carries its own bytes, so overlaps differ.
          const payloads = new Map<Segment, Uint8Array>();
          order.forEach((s, i) => payloads.set(s, streamBytes(s.end - s.start, c.seed + i * 7919)));
          const expected = new Int16Array(c.length).fill(-1);
          for (const s of order) {
            const p = payloads.get(s)!;
            for (let k = s.start; k < s.end; k++) if (expected[k] === -1) expected[k] = p[k - s.start]!;
          }
          const r = new TcpReassembler(new StreamMemoryBudget(1 << 20));
          const out = new ReassemblyOutput();
          feed(c.isn, order, (s) => payloads.get(s)!, r, out);
          const got = concat(out.chunks.map((k) => k.data));
          return got.length === expected.length && got.every((b, i) => b === expected[i]);
        },
      ),
      { numRuns: 25_000 },
    );
  }, 30_000);

  it('missing segments: the delivered bytes are the covered ones, a gap marked before each hole', () => {
    fc.assert(
      fc.property(
        coveredStream.chain((c) =>
          fc.record({ c: fc.constant(c), order: fc.shuffledSubarray(c.segments, { minLength: 0, maxLength: c.segments.length }) }),
        ),
        ({ c, order }) => {
          const data = streamBytes(c.length, c.seed);
          const covered = new Uint8Array(c.length);
          for (const s of order) covered.fill(1, s.start, s.end);
          const expected: string[] = [];
          for (let k = 0; k < c.length; k++) {
            if (covered[k] === 1) expected.push(`${k > 0 && covered[k - 1] === 0 ? '|' : ''}${data[k]}`);
          }
          const r = new TcpReassembler(new StreamMemoryBudget(1 << 20));
          const out = new ReassemblyOutput();
          feed(c.isn, order, (s) => data.subarray(s.start, s.end), r, out);
          const got: string[] = [];
          for (const k of out.chunks) k.data.forEach((b, i) => got.push(`${i === 0 && k.gapBefore ? '|' : ''}${b}`));
          return got.join(',') === expected.join(',');
        },
      ),
      { numRuns: 25_000 },
    );
  }, 30_000);

  it('memory never exceeds the per-direction cap nor the shared budget', () => {
    const segment = fc.record({
      flow: fc.nat({ max: 2 }),
      toServer: fc.boolean(),
      offset: fc.integer({ min: -40, max: 400 }),
      length: fc.integer({ min: 0, max: 60 }),
      flags: fc.constantFrom(ACK, ACK, ACK, ACK | 0x01, 0x04, SYN),
      ack: fc.integer({ min: -20, max: 400 }),
    });
    fc.assert(
      fc.property(
        fc.array(segment, { maxLength: 40 }),
        fc.integer({ min: 70, max: 600 }),
        fc.integer({ min: 70, max: 900 }),
        (segments, perDirection, budgetBytes) => {
          const budget = new StreamMemoryBudget(budgetBytes);
          const flows = [0, 1, 2].map(() => new TcpReassembler(budget, { maxBufferedBytesPerDirection: perDirection }));
          const out = new ReassemblyOutput();
          const payload = new Uint8Array(60).fill(0x61);
          for (const s of segments) {
            const r = flows[s.flow]!;
            r.onSegment(s.toServer ? 'toServer' : 'toClient', (1000 + s.offset) >>> 0, (1000 + s.ack) >>> 0, s.flags, payload.subarray(0, s.length), out);
            let sum = 0;
            for (const f of flows) {
              if (f.toServer.bufferedBytes > perDirection || f.toClient.bufferedBytes > perDirection) return false;
              sum += f.toServer.bufferedBytes + f.toClient.bufferedBytes;
            }
            if (budget.used !== sum || budget.used > budgetBytes) return false;
            out.clear();
          }
          for (const f of flows) f.finish(out);
          return budget.used === 0;
        },
      ),
      { numRuns: 20_000 },
    );
  }, 30_000);
});
