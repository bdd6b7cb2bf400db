/**
 * The flow table (after Suricata's flow-hash.c and flow-manager.c): finds the Flow of a decoded
 * packet, creating it on first sight, and ends flows that timed out or must make room.
 *
 * Key: protocol, IP version, VLAN ids and both endpoints as raw 16-bit units in one string, the
 * lower endpoint (address, then port) first so both directions share it; cheap to build, and the
 * Map compares the whole key, so there are no hash collisions to check. ICMP uses the message type
 * and the counterpart type (or code) as ports, like Community ID, so a request and its reply meet.
 *
 * Time is packet time. Flows are kept in least-recently-seen order: eviction takes the head, and a
 * timeout sweep walks from the head only as far as flows idle longer than the shortest timeout.
 */
import type { Packet } from '../decode/packet.ts';
import { Flow } from './flow.ts';
import type { FlowDirection, FlowEndReason, TcpState } from './flow.ts';

export const DEFAULT_MAX_FLOWS = 65536;
/** Seconds of inactivity before a flow ends, by protocol and state (flow.state / tcp.state):
 *  Suricata's default `flow-timeouts` (tcp: new 60, established 600, closed 60). */
export const DEFAULT_FLOW_TIMEOUTS: FlowTimeouts = Object.freeze({
  tcpNew: 60,
  tcpEstablished: 600,
  tcpClosed: 60,
  udpNew: 30,
  udpEstablished: 300,
  icmpNew: 30,
  icmpEstablished: 300,
  otherNew: 30,
  otherEstablished: 300,
});
/** VLAN tags beyond this many are not part of the key (the decoder already bounds them). */
const MAX_KEY_VLANS = 8;

const PROTO_ICMP = 1;
const PROTO_TCP = 6;
const PROTO_UDP = 17;
const PROTO_ICMPV6 = 58;
const ICMPV4_DEST_UNREACH = 3;
const TH_SYN = 0x02;
const TH_RST = 0x04;
const TH_ACK = 0x10;

export interface FlowTimeouts {
  tcpNew: number;
  tcpEstablished: number;
  tcpClosed: number;
  udpNew: number;
  udpEstablished: number;
  icmpNew: number;
  icmpEstablished: number;
  otherNew: number;
  otherEstablished: number;
}

export interface FlowTableConfig {
  maxFlows: number;
  timeouts: FlowTimeouts;
  /** Suricata's `vlan.use-for-tracking`: VLAN ids are part of the flow key (default true). */
  vlanTracking?: boolean;
}

/** Suricata stats counters of the flow engine, by their stats.log names. */
export interface FlowCounters {
  /** flow.total: flows created. */
  total: number;
  /** flow.memcap: times a new flow found the table full. */
  memcap: number;
  /** flows ended to make room (reason forced). */
  evicted: number;
  /** flows ended by inactivity. */
  timeout: number;
  /** flow.tcp_reuse: finished TCP sessions replaced by a new SYN. */
  tcpReuse: number;
  /** flows ended by flush(). */
  shutdown: number;
}

const ICMPV4_COUNTERPART = new Int16Array(256).fill(-1);
const ICMPV6_COUNTERPART = new Int16Array(256).fill(-1);
for (const [a, b] of [[8, 0], [13, 14], [15, 16], [10, 9], [17, 18]] as const) {
  ICMPV4_COUNTERPART[a] = b;
  ICMPV4_COUNTERPART[b] = a;
}
for (const [a, b] of [[128, 129], [130, 131], [133, 134], [135, 136], [139, 140], [144, 145]] as const) {
  ICMPV6_COUNTERPART[a] = b;
  ICMPV6_COUNTERPART[b] = a;
}

/** Whether the packet can belong to a flow: IP with its transport header decoded. */
export function packetHasFlow(p: Packet): boolean {
  if (p.ipVersion === 0 || p.isFragment) return false;
  switch (p.proto) {
    case PROTO_TCP:
      return p.tcpHeaderLength > 0;
    case PROTO_UDP:
      return p.udpLength > 0;
    case PROTO_ICMP:
    case PROTO_ICMPV6:
      return p.icmpType >= 0;
    default:
      return p.proto >= 0;
  }
}

function isIcmp(proto: number): boolean {
  return proto === PROTO_ICMP || proto === PROTO_ICMPV6;
}

/** Port-like values of a packet: ports, or ICMP type and counterpart type / code. */
function portsOf(p: Packet, out: Int32Array): void {
  if (isIcmp(p.proto)) {
    const counterpart = (p.proto === PROTO_ICMP ? ICMPV4_COUNTERPART : ICMPV6_COUNTERPART)[p.icmpType]!;
    out[0] = p.icmpType;
    out[1] = counterpart >= 0 ? counterpart : p.icmpCode;
  } else if (p.proto === PROTO_TCP || p.proto === PROTO_UDP) {
    out[0] = p.srcPort;
    out[1] = p.dstPort;
  } else {
    out[0] = 0;
    out[1] = 0;
  }
}

/** 32-bit FNV-1a over the key's 16-bit units, seeded. */
function hashKey(key: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * A positive 51-bit id (JSON-safe, as Suricata's), stable for a given key and start time so golden
 * outputs do not change between runs.
 */
export function flowIdOf(key: string, startSec: number, startNsec: number): number {
  const hi = hashKey(key, startSec) & 0x7ffff;
  const lo = hashKey(key, Math.imul(startNsec, 0x9e3779b1) ^ 0x5bd1e995);
  const id = hi * 0x1_0000_0000 + lo;
  return id === 0 ? 1 : id;
}

export function timeoutOf(f: Flow, t: FlowTimeouts): number {
  switch (f.proto) {
    case PROTO_TCP:
      return f.state === 'closed' ? t.tcpClosed : f.state === 'established' ? t.tcpEstablished : t.tcpNew;
    case PROTO_UDP:
      return f.state === 'new' ? t.udpNew : t.udpEstablished;
    case PROTO_ICMP:
    case PROTO_ICMPV6:
      return f.state === 'new' ? t.icmpNew : t.icmpEstablished;
    default:
      return f.state === 'new' ? t.otherNew : t.otherEstablished;
  }
}

/** True when `f` has been idle for at least its timeout at time (sec, nsec). */
export function isTimedOut(f: Flow, t: FlowTimeouts, sec: number, nsec: number): boolean {
  const idle = sec - f.lastSec;
  const limit = timeoutOf(f, t);
  return idle > limit || (idle === limit && nsec >= f.lastNsec);
}

/** A TCP session this far along is finished: a new SYN starts a new flow. */
const REUSABLE_TCP_STATES: ReadonlySet<TcpState> = new Set(['closed', 'time_wait', 'last_ack']);

export class FlowTable {
  readonly counters: FlowCounters = { total: 0, memcap: 0, evicted: 0, timeout: 0, tcpReuse: 0, shutdown: 0 };
  /** Direction of the packet of the last lookup. */
  lastDirection: FlowDirection = 'toServer';
  private readonly flows = new Map<string, Flow>();
  private head: Flow | null = null;
  private tail: Flow | null = null;
  private readonly minTimeout: number;
  /** proto/version, VLAN count, VLANs, two IPv6 addresses (8 units each), two ports. */
  private readonly keyUnits = new Uint16Array(2 + MAX_KEY_VLANS + 16 + 2);
  private readonly ports = new Int32Array(2);
  private keySrcIsLow = true;
  /** How many VLAN ids go into the key: MAX_KEY_VLANS, or 0 without VLAN tracking. */
  private readonly keyVlans: number;

  constructor(readonly config: FlowTableConfig = { maxFlows: DEFAULT_MAX_FLOWS, timeouts: DEFAULT_FLOW_TIMEOUTS }) {
    this.minTimeout = Math.min(...Object.values(config.timeouts));
    this.keyVlans = config.vlanTracking === false ? 0 : MAX_KEY_VLANS;
  }

  get size(): number {
    return this.flows.size;
  }

  /**
   * The flow of `p` (which must satisfy packetHasFlow), created if new, moved to the most recently
   * seen end. Flows that had to end first (timed out on lookup, evicted, TCP reuse) are appended to
   * `ended` with their endReason set; the caller finishes them.
   */
  lookup(p: Packet, ended: Flow[]): Flow {
    if (p.proto === PROTO_ICMP && p.icmpType === ICMPV4_DEST_UNREACH) {
      const quoted = this.quotedFlow(p);
      if (quoted !== null) return quoted;
    }
    const key = this.keyOf(p);
    const srcIsLow = this.keySrcIsLow;
    let f = this.flows.get(key);
    if (f !== undefined) {
      if (isTimedOut(f, this.config.timeouts, p.tsSec, p.tsNsec)) {
        this.end(f, 'timeout', ended);
        f = undefined;
      } else if (f.proto === PROTO_TCP && (p.tcpFlags & (TH_SYN | TH_ACK | TH_RST)) === TH_SYN && REUSABLE_TCP_STATES.has(f.tcpState)) {
        this.end(f, 'tcp_reuse', ended);
        f = undefined;
      }
    }
    if (f === undefined) {
      if (this.flows.size >= this.config.maxFlows) {
        this.counters.memcap++;
        if (this.head !== null) this.end(this.head, 'forced', ended);
      }
      f = this.create(p, key, srcIsLow);
    } else {
      this.touch(f);
    }
    this.lastDirection = srcIsLow === f.clientIsLow ? 'toServer' : 'toClient';
    return f;
  }

  /** Ends the flows idle for at least their timeout at (sec, nsec), oldest first. */
  expire(sec: number, nsec: number, ended: Flow[]): void {
    let f = this.head;
    while (f !== null && sec - f.lastSec >= this.minTimeout) {
      const next = f.lruNext;
      if (isTimedOut(f, this.config.timeouts, sec, nsec)) this.end(f, 'timeout', ended);
      f = next;
    }
  }

  /** Ends every flow (end of capture), oldest first. */
  endAll(reason: FlowEndReason, ended: Flow[]): void {
    while (this.head !== null) this.end(this.head, reason, ended);
  }

  private end(f: Flow, reason: FlowEndReason, ended: Flow[]): void {
    this.flows.delete(f.key);
    this.unlink(f);
    f.endReason = reason;
    if (reason === 'timeout') this.counters.timeout++;
    else if (reason === 'forced') this.counters.evicted++;
    else if (reason === 'tcp_reuse') this.counters.tcpReuse++;
    else this.counters.shutdown++;
    ended.push(f);
  }

  private create(p: Packet, key: string, srcIsLow: boolean): Flow {
    // A SYN/ACK seen first comes from the server: its destination is the client.
    const swap = p.proto === PROTO_TCP && (p.tcpFlags & (TH_SYN | TH_ACK)) === (TH_SYN | TH_ACK);
    const ports = this.ports;
    const hasPorts = p.proto === PROTO_TCP || p.proto === PROTO_UDP;
    const src = { addr: p.srcAddrBytes.slice(), ip: p.srcIp, port: hasPorts ? p.srcPort : 0 };
    const dst = { addr: p.dstAddrBytes.slice(), ip: p.dstIp, port: hasPorts ? p.dstPort : 0 };
    portsOf(p, ports);
    const icmp = isIcmp(p.proto);
    const f = new Flow(
      key,
      flowIdOf(key, p.tsSec, p.tsNsec),
      p.proto,
      p.ipVersion,
      p.vlan,
      swap ? dst : src,
      swap ? src : dst,
      swap ? !srcIsLow : srcIsLow,
      icmp ? p.icmpType : -1,
      icmp ? p.icmpCode : -1,
      p.tsSec,
      p.tsNsec,
    );
    this.flows.set(key, f);
    this.counters.total++;
    this.append(f);
    return f;
  }

  /** Builds the normalised key of a packet and sets keySrcIsLow. */
  private keyOf(p: Packet): string {
    portsOf(p, this.ports);
    return this.keyFor(p.ipVersion, p.proto, p.vlan, p.data, p.srcAddrAt, p.dstAddrAt, p.ipVersion === 4 ? 4 : 16, this.ports[0]!, this.ports[1]!);
  }

  /** The normalised key of a tuple whose addresses are `addrLen` bytes of `b` at `src` and `dst`
   *  (offsets, not views: no allocation per packet); sets keySrcIsLow: whether `src` sorts first. */
  private keyFor(ipVersion: number, proto: number, vlan: readonly number[], b: Uint8Array, src: number, dst: number, addrLen: number, sp: number, dp: number): string {
    const u = this.keyUnits;
    let cmp = 0;
    for (let i = 0; i < addrLen && cmp === 0; i++) cmp = b[src + i]! - b[dst + i]!;
    if (cmp === 0) cmp = sp - dp;
    const srcIsLow = cmp <= 0;
    const lo = srcIsLow ? src : dst;
    const hi = srcIsLow ? dst : src;
    let n = 0;
    u[n++] = (ipVersion << 8) | proto;
    const vlans = vlan.length < this.keyVlans ? vlan.length : this.keyVlans;
    u[n++] = vlans;
    for (let i = 0; i < vlans; i++) u[n++] = vlan[i]!;
    for (let i = 0; i < addrLen; i += 2) u[n++] = (b[lo + i]! << 8) | b[lo + i + 1]!;
    for (let i = 0; i < addrLen; i += 2) u[n++] = (b[hi + i]! << 8) | b[hi + i + 1]!;
    u[n++] = srcIsLow ? sp : dp;
    u[n++] = srcIsLow ? dp : sp;
    this.keySrcIsLow = srcIsLow;
    // Fixed-arity call for the common IPv4 untagged key: no view allocated.
    if (n === 8) return String.fromCharCode(u[0]!, u[1]!, u[2]!, u[3]!, u[4]!, u[5]!, u[6]!, u[7]!);
    return String.fromCharCode.apply(null, u.subarray(0, n) as unknown as number[]);
  }

  /**
   * An ICMPv4 destination unreachable quoting a TCP/UDP packet belongs to that packet's flow, as in
   * Suricata (ICMPV4_DEST_UNREACH_IS_VALID): returns it, live, or null to treat it as plain ICMP.
   * It travels back towards the quoted packet's sender.
   */
  private quotedFlow(p: Packet): Flow | null {
    const b = p.payload;
    if (b.length < 28 || b[0]! >> 4 !== 4) return null;
    const ihl = (b[0]! & 0x0f) << 2;
    const proto = b[9]!;
    if (ihl < 20 || b.length < ihl + 4 || (proto !== PROTO_TCP && proto !== PROTO_UDP)) return null;
    const sp = (b[ihl]! << 8) | b[ihl + 1]!;
    const dp = (b[ihl + 2]! << 8) | b[ihl + 3]!;
    const key = this.keyFor(4, proto, p.vlan, b, 12, 16, 4, sp, dp);
    const f = this.flows.get(key);
    if (f === undefined || isTimedOut(f, this.config.timeouts, p.tsSec, p.tsNsec)) return null;
    this.touch(f);
    this.lastDirection = this.keySrcIsLow === f.clientIsLow ? 'toClient' : 'toServer';
    return f;
  }

  private append(f: Flow): void {
    f.lruPrev = this.tail;
    f.lruNext = null;
    if (this.tail === null) this.head = f;
    else this.tail.lruNext = f;
    this.tail = f;
  }

  private unlink(f: Flow): void {
    if (f.lruPrev === null) this.head = f.lruNext;
    else f.lruPrev.lruNext = f.lruNext;
    if (f.lruNext === null) this.tail = f.lruPrev;
    else f.lruNext.lruPrev = f.lruPrev;
    f.lruPrev = null;
    f.lruNext = null;
  }

  private touch(f: Flow): void {
    if (this.tail === f) return;
    this.unlink(f);
    this.append(f);
  }
}
