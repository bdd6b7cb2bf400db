/**
 * Community ID v1 (corelight community-id-spec): "1:" + base64(SHA-1(seed, ordered addresses,
 * proto, pad, ordered ports)). Endpoints are ordered so both directions hash alike; ICMP and
 * ICMPv6 use the message type as source "port" and, for request/reply types, the counterpart type
 * as destination "port" (Zeek's mapping). Other types are one-way: the code is the destination port
 * and the tuple is never flipped. Computed once per flow, so SHA-1 from node:crypto is cheap enough.
 */
import { createHash } from 'node:crypto';

const PROTO_ICMP = 1;
const PROTO_TCP = 6;
const PROTO_UDP = 17;
const PROTO_ICMPV6 = 58;
const PROTO_SCTP = 132;

/** Request/reply pairs (both ways) from the spec's reference implementation. */
const ICMPV4_COUNTERPART: ReadonlyMap<number, number> = new Map([
  [8, 0], [0, 8], [13, 14], [14, 13], [15, 16], [16, 15], [10, 9], [9, 10], [17, 18], [18, 17],
]);
const ICMPV6_COUNTERPART: ReadonlyMap<number, number> = new Map([
  [128, 129], [129, 128], [130, 131], [131, 130], [133, 134], [134, 133],
  [135, 136], [136, 135], [139, 140], [140, 139], [144, 145], [145, 144],
]);

function hasPorts(proto: number): boolean {
  return proto === PROTO_TCP || proto === PROTO_UDP || proto === PROTO_SCTP || proto === PROTO_ICMP || proto === PROTO_ICMPV6;
}

/** -1, 0, 1 comparing two addresses byte by byte, as the spec orders packed addresses. */
function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  }
  return a.length - b.length;
}

/**
 * For ICMP pass the message type as `srcPort` and the code as `dstPort`; for protocols without
 * ports the ports are ignored.
 */
export function communityId(
  proto: number,
  srcAddr: Uint8Array,
  dstAddr: Uint8Array,
  srcPort: number,
  dstPort: number,
  seed = 0,
): string {
  let sa = srcAddr;
  let da = dstAddr;
  let sp = srcPort;
  let dp = dstPort;
  let oneWay = false;
  if (proto === PROTO_ICMP || proto === PROTO_ICMPV6) {
    const counterpart = (proto === PROTO_ICMP ? ICMPV4_COUNTERPART : ICMPV6_COUNTERPART).get(srcPort);
    if (counterpart === undefined) oneWay = true;
    else dp = counterpart;
  }
  const ports = hasPorts(proto);
  if (!oneWay) {
    const c = compareBytes(sa, da);
    if (c > 0 || (c === 0 && ports && sp > dp)) {
      sa = dstAddr;
      da = srcAddr;
      const t = sp;
      sp = dp;
      dp = t;
    }
  }
  const head = new Uint8Array(2 + sa.length + da.length + 2 + (ports ? 4 : 0));
  head[0] = (seed >> 8) & 0xff;
  head[1] = seed & 0xff;
  head.set(sa, 2);
  head.set(da, 2 + sa.length);
  let o = 2 + sa.length + da.length;
  head[o++] = proto;
  head[o++] = 0;
  if (ports) {
    head[o++] = sp >> 8;
    head[o++] = sp & 0xff;
    head[o++] = dp >> 8;
    head[o] = dp & 0xff;
  }
  return `1:${createHash('sha1').update(head).digest('base64')}`;
}
