/**
 * Mutations of valid bytes for fuzz tests: bit flips, byte overwrites, truncation, and "length
 * lies" that write boundary values (0, 1, max, around the real length) as 16- or 32-bit integers
 * in either byte order, which is what breaks length-driven parsers. Deterministic: the caller's
 * generator (fast-check) supplies every choice, so failures shrink and replay.
 */
import fc from 'fast-check';

export type ByteMutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'lie16'; at: number; pick: number; littleEndian: boolean }
  | { kind: 'lie32'; at: number; pick: number; littleEndian: boolean };

/** Positions are fractions of the input length (0..1), so one mutation fits any input. */
const position = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });

export const byteMutation: fc.Arbitrary<ByteMutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: position, bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('set' as const), at: position, value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: position }),
  fc.record({ kind: fc.constant('lie16' as const), at: position, pick: fc.integer({ min: 0, max: 7 }), littleEndian: fc.boolean() }),
  fc.record({ kind: fc.constant('lie32' as const), at: position, pick: fc.integer({ min: 0, max: 7 }), littleEndian: fc.boolean() }),
);

function lieValue(pick: number, length: number, max: number): number {
  const values = [0, 1, max, length - 1, length, length + 1, Math.floor(max / 2), 12];
  return Math.max(0, Math.min(max, values[pick % values.length]!));
}

/** Returns a mutated copy (the input is never changed). */
export function applyMutations(input: Uint8Array, mutations: readonly ByteMutation[]): Uint8Array {
  let b = input.slice();
  for (const m of mutations) {
    if (b.length === 0) break;
    const at = Math.floor(m.at * b.length);
    switch (m.kind) {
      case 'flip':
        b[at] = b[at]! ^ (1 << m.bit);
        break;
      case 'set':
        b[at] = m.value;
        break;
      case 'truncate':
        b = b.slice(0, at);
        break;
      case 'lie16': {
        if (at + 2 > b.length) break;
        const v = lieValue(m.pick, b.length, 0xffff);
        new DataView(b.buffer).setUint16(at, v, m.littleEndian);
        break;
      }
      case 'lie32': {
        if (at + 4 > b.length) break;
        const v = lieValue(m.pick, b.length, 0xffff_ffff);
        new DataView(b.buffer).setUint32(at, v, m.littleEndian);
        break;
      }
    }
  }
  return b;
}
