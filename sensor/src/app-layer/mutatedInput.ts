/**
 * fast-check arbitraries for fuzzing the parsers: real protocol messages mutated the ways hostile or
 * broken peers do (bit flips, overwritten bytes, truncation, inserted junk, lying length fields),
 * plus plain random bytes. Test-only: nothing in the sensor's runtime imports this.
 */
import fc from 'fast-check';

type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'lengthLie'; at: number; value: number }
  | { kind: 'duplicate'; at: number; len: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat(7) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.constantFrom(0, 0xff, 0x7f, 0x80, 0xc0, 0x0a, 0x0d, 0x3a) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ maxLength: 8 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('lengthLie' as const), at: fc.nat(), value: fc.constantFrom(0, 1, 0xff, 0x100, 0x3fff, 0x4001, 0xffff) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 64 }) }) },
);

function apply(input: Uint8Array, m: Mutation): Uint8Array {
  if (input.length === 0) return m.kind === 'insert' ? m.bytes : input;
  const at = m.at % input.length;
  switch (m.kind) {
    case 'flip': {
      const out = input.slice();
      out[at] = (out[at] ?? 0) ^ (1 << m.bit);
      return out;
    }
    case 'set': {
      const out = input.slice();
      out[at] = m.value;
      return out;
    }
    case 'truncate':
      return input.slice(0, at);
    case 'insert': {
      const out = new Uint8Array(input.length + m.bytes.length);
      out.set(input.subarray(0, at), 0);
      out.set(m.bytes, at);
      out.set(input.subarray(at), at + m.bytes.length);
      return out;
    }
    case 'lengthLie': {
      const out = input.slice();
      out[at] = m.value >> 8;
      if (at + 1 < out.length) out[at + 1] = m.value & 0xff;
      return out;
    }
    case 'duplicate': {
      const seg = input.subarray(at, at + m.len);
      const out = new Uint8Array(input.length + seg.length);
      out.set(input.subarray(0, at + seg.length), 0);
      out.set(input.subarray(at), at + seg.length);
      return out;
    }
  }
}

/** One of `seeds` with 0..6 mutations applied, or (1 in 8) random bytes. */
export function mutatedInput(seeds: readonly Uint8Array[], maxRandomLength = 512): fc.Arbitrary<Uint8Array> {
  const mutated = fc
    .tuple(fc.constantFrom(...seeds), fc.array(mutation, { maxLength: 6 }))
    .map(([seed, ms]) => ms.reduce(apply, seed));
  return fc.oneof({ weight: 7, arbitrary: mutated }, { weight: 1, arbitrary: fc.uint8Array({ maxLength: maxRandomLength }) });
}

/** Where to split a mutated stream into feeds (fractions of its length). */
export const splitPoints: fc.Arbitrary<number[]> = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 4 });

export function splitAt(input: Uint8Array, fractions: readonly number[]): Uint8Array[] {
  const cuts = fractions.map((f) => Math.floor(f * input.length)).sort((a, b) => a - b);
  const parts: Uint8Array[] = [];
  let prev = 0;
  for (const c of cuts) {
    parts.push(input.slice(prev, c));
    prev = c;
  }
  parts.push(input.slice(prev));
  return parts;
}

/** 100k runs as the brief asks; FUZZ_RUNS overrides for a quick local loop. */
export const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 100_000);

/** A cheap assertion for fuzz loops: vitest's `expect` costs more than the parsers under test. */
export function mustHold(condition: boolean, what: string): void {
  if (!condition) throw new Error(`fuzz invariant broken: ${what}`);
}
