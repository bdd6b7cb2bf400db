import { describe, expect, it } from 'vitest';
import { PatternPrefilter } from './patternPrefilter.ts';

const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));

/** Rules reported for `data`, sorted and de-duplicated. */
function found(pf: PatternPrefilter, data: Uint8Array): number[] {
  const out = new Set<number>();
  pf.scan(data, (id) => out.add(id));
  return [...out].sort((a, b) => a - b);
}

/** The same answer by brute force: every pattern searched case-insensitively. */
function bruteForce(patterns: readonly Uint8Array[], data: Uint8Array): number[] {
  const fold = (b: number): number => (b >= 0x41 && b <= 0x5a ? b | 0x20 : b);
  const out: number[] = [];
  patterns.forEach((p, id) => {
    for (let i = 0; i + p.length <= data.length; i++) {
      let j = 0;
      while (j < p.length && fold(data[i + j]!) === fold(p[j]!)) j++;
      if (j === p.length) {
        out.push(id);
        return;
      }
    }
  });
  return out;
}

/** mulberry32, seeded: the same inputs on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('PatternPrefilter', () => {
  it('finds patterns of every length, case-insensitively, at the edges of the buffer', () => {
    const pf = new PatternPrefilter();
    const patterns = ['A', 'zq', 'cmd', '/etc/passwd', 'User-Agent: evil', '\x00\x00\x00\x00', '\x00\x01'];
    patterns.forEach((p, id) => pf.add(bytes(p), id));
    pf.build();
    expect(found(pf, bytes('GET /ETC/PASSWD HTTP/1.0'))).toEqual([0, 3]);
    expect(found(pf, bytes('zQ'))).toEqual([1]);
    expect(found(pf, bytes('xCmD'))).toEqual([2]);
    expect(found(pf, bytes('user-agent: EVIL'))).toEqual([0, 4]);
    expect(found(pf, new Uint8Array(64))).toEqual([5]);
    expect(found(pf, new Uint8Array([0, 0, 0, 1]))).toEqual([6]);
    expect(found(pf, bytes(''))).toEqual([]);
    expect(found(pf, bytes('b'))).toEqual([]);
  });

  it('reports every rule of a pattern shared by several rules, once per scan', () => {
    const pf = new PatternPrefilter();
    pf.add(bytes('malware'), 7);
    pf.add(bytes('MALWARE'), 9);
    const calls: number[] = [];
    pf.scan(bytes('malware malware MalWare'), (id) => calls.push(id));
    expect(calls).toEqual([7, 9]);
    expect(pf.size).toBe(1);
    expect(pf.maxLength).toBe(7);
  });

  it('agrees with a brute-force search on random patterns and buffers', () => {
    const rand = prng(42);
    // A small alphabet so patterns occur, with NULs and letters of both cases.
    const alphabet = bytes('\x00\x01aAbBcC/.:');
    const pick = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => alphabet[Math.floor(rand() * alphabet.length)]!);
    for (let round = 0; round < 20; round++) {
      const patterns = Array.from({ length: 60 }, () => pick(1 + Math.floor(rand() * 9)));
      const pf = new PatternPrefilter();
      patterns.forEach((p, id) => pf.add(p, id));
      pf.build();
      for (let k = 0; k < 10; k++) {
        const data = pick(Math.floor(rand() * 200));
        // Rules whose patterns fold to the same bytes share one pattern: all of them are reported.
        const want = bruteForce(patterns, data);
        expect(found(pf, data)).toEqual(want);
      }
    }
  });

  it('agrees with brute force when long patterns dominate (shift table) and short ones are few (native search)', () => {
    const rand = prng(7);
    const alphabet = bytes('\x00\x01aAbBcC/.:');
    const pick = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => alphabet[Math.floor(rand() * alphabet.length)]!);
    for (let round = 0; round < 20; round++) {
      // At most two short patterns (few case variants), the rest 4–11 bytes.
      const patterns = Array.from({ length: 40 }, (_, i) => pick(i < 2 ? 2 + i : 4 + Math.floor(rand() * 8)));
      const pf = new PatternPrefilter();
      patterns.forEach((p, id) => pf.add(p, id));
      pf.build();
      for (let k = 0; k < 10; k++) {
        // Long and short buffers: the long ones are walked as two halves.
        const data = pick(Math.floor(rand() * (k % 2 === 0 ? 60 : 400)));
        expect(found(pf, data)).toEqual(bruteForce(patterns, data));
      }
    }
  });

  it('stays usable after more patterns are added (rebuilds on the next scan)', () => {
    const pf = new PatternPrefilter();
    pf.add(bytes('first'), 1);
    expect(found(pf, bytes('the first one'))).toEqual([1]);
    pf.add(bytes('second'), 2);
    expect(found(pf, bytes('first and second'))).toEqual([1, 2]);
  });
});
