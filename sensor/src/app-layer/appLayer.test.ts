import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PendingBytes } from './appLayer.ts';

describe('PendingBytes', () => {
  it('joins, keeps tails by offset and copies foreign tails', () => {
    const p = new PendingBytes(100);
    const chunk = Uint8Array.from([1, 2, 3, 4]);
    expect(p.join(chunk)).toBe(chunk);
    expect(p.keep(chunk.subarray(2))).toBe(true);
    chunk.fill(9); // the caller reuses its buffer: what was kept must not change
    const joined = p.join(Uint8Array.from([5]));
    expect([...joined]).toEqual([3, 4, 5]);
    expect(p.keep(joined.subarray(1))).toBe(true);
    expect([...p.join(Uint8Array.from([6, 7]))]).toEqual([4, 5, 6, 7]);
    expect(p.keep(new Uint8Array(101))).toBe(false);
    expect(p.length).toBe(0);
  });

  it('matches a naive concatenation under any feed/consume pattern', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.uint8Array({ maxLength: 40 }), fc.nat(60)), { maxLength: 50 }), (steps) => {
        const p = new PendingBytes(1 << 20);
        let naive: number[] = [];
        for (const [chunk, consume] of steps) {
          const joined = p.join(chunk.slice());
          naive = [...naive, ...chunk];
          expect([...joined]).toEqual(naive);
          const n = Math.min(consume, joined.length);
          p.keep(joined.subarray(n));
          naive = naive.slice(n);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('costs linear copying when a large tail arrives a byte at a time', () => {
    const p = new PendingBytes(1 << 20);
    const one = new Uint8Array(1);
    const t = Date.now();
    for (let i = 0; i < 200_000; i++) p.keep(p.join(one));
    expect(p.length).toBe(200_000);
    expect(Date.now() - t).toBeLessThan(2000);
  });
});
