import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fileDigests, IncrementalFileHasher, PendingBytes } from './appLayer.ts';

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

describe('IncrementalFileHasher', () => {
  const all = { md5: true, sha1: true, sha256: true };

  it('gives the digests of one-shot hashing, however the file is cut', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.array(fc.nat({ max: 3000 }), { maxLength: 12 }), (file, cuts) => {
        const h = new IncrementalFileHasher(all, 4096);
        let from = 0;
        for (const cut of [...cuts].sort((a, b) => a - b)) {
          const to = Math.min(cut, file.length);
          if (to < from) continue;
          h.update(file.subarray(from, to));
          from = to;
        }
        h.update(file.subarray(from));
        expect(h.digest()).toEqual(fileDigests(file, all));
      }),
    );
  });

  it('computes only the digests asked for', () => {
    const h = new IncrementalFileHasher({ sha1: true }, 100);
    h.update(new Uint8Array([1, 2, 3]));
    expect(h.digest()).toEqual(fileDigests(new Uint8Array([1, 2, 3]), { sha1: true }));
    expect(Object.keys(fileDigests(new Uint8Array(0), { sha1: true }))).toEqual(['sha1']);
  });

  it('gives no digests once the file passes its limit, exactly at the limit it does', () => {
    const at = new IncrementalFileHasher(all, 10);
    at.update(new Uint8Array(6));
    at.update(new Uint8Array(4));
    expect(at.digest()).toEqual(fileDigests(new Uint8Array(10), all));
    const past = new IncrementalFileHasher(all, 10);
    past.update(new Uint8Array(6));
    past.update(new Uint8Array(5));
    expect(past.digest()).toBeUndefined();
  });
});
