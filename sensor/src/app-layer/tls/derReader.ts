/**
 * A minimal DER (X.690) TLV reader for certificates. Every length is checked against its parent's
 * end, long-form lengths are limited to 4 bytes, indefinite lengths and high tag numbers are
 * refused: a hostile certificate can make us stop, never read outside the buffer or loop.
 */

export interface DerNode {
  /** The identifier octet (class, constructed bit and tag number). */
  tag: number;
  /** Offset of the value's first byte. */
  start: number;
  /** Offset just past the value. */
  end: number;
}

export const DER_TAG = {
  INTEGER: 0x02, BIT_STRING: 0x03, OCTET_STRING: 0x04, NULL: 0x05, OID: 0x06, UTF8_STRING: 0x0c, PRINTABLE_STRING: 0x13,
  T61_STRING: 0x14, IA5_STRING: 0x16, UTC_TIME: 0x17, GENERALIZED_TIME: 0x18, UNIVERSAL_STRING: 0x1c, BMP_STRING: 0x1e,
  SEQUENCE: 0x30, SET: 0x31,
} as const;

/** Read the TLV at `offset`, which must end by `limit`; undefined when it does not fit. */
export function readDer(b: Uint8Array, offset: number, limit: number): DerNode | undefined {
  if (offset + 2 > limit || limit > b.length) return undefined;
  const tag = b[offset] ?? 0;
  if ((tag & 0x1f) === 0x1f) return undefined;
  let len = b[offset + 1] ?? 0;
  let start = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || start + n > limit) return undefined;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (b[start + i] ?? 0);
    start += n;
  }
  const end = start + len;
  if (end > limit) return undefined;
  return { tag, start, end };
}

/** The children of a constructed node, at most `max` of them. */
export function derChildren(b: Uint8Array, node: DerNode, max = 64): DerNode[] | undefined {
  const out: DerNode[] = [];
  let pos = node.start;
  while (pos < node.end) {
    if (out.length >= max) return undefined;
    const c = readDer(b, pos, node.end);
    if (!c) return undefined;
    out.push(c);
    pos = c.end;
  }
  return out;
}

/** Dotted-decimal OID text; arcs above 2^53 are not something real certificates carry. */
export function derOid(b: Uint8Array, node: DerNode): string | undefined {
  if (node.end - node.start > 64 || node.end === node.start) return undefined;
  const arcs: number[] = [];
  let v = 0;
  for (let i = node.start; i < node.end; i++) {
    const c = b[i] ?? 0;
    v = v * 128 + (c & 0x7f);
    if (!(c & 0x80)) {
      if (arcs.length === 0) {
        const first = v < 80 ? Math.floor(v / 40) : 2;
        arcs.push(first, v - first * 40);
      } else arcs.push(v);
      v = 0;
    }
  }
  return arcs.join('.');
}
