/**
 * Integer reads from byte arrays in either byte order. Plain indexed reads beat a DataView per
 * chunk in V8 and need no allocation; callers have already checked the bounds.
 */

export function readU16(b: Uint8Array, o: number, littleEndian: boolean): number {
  return littleEndian ? (b[o]! | (b[o + 1]! << 8)) : ((b[o]! << 8) | b[o + 1]!);
}

export function readU32(b: Uint8Array, o: number, littleEndian: boolean): number {
  return littleEndian
    ? (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0
    : ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}
