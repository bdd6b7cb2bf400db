/**
 * The rule engine as a DetectionStage. Rules are compiled once (RuleEngine.build); per packet or
 * app-layer record the prefilter of each buffer names the candidate rules (fast patterns found),
 * rules without a fast pattern are always candidates of their unit, and IP-only rules are looked up
 * by address (a CIDR index) once per flow direction. Candidates are then checked fully in rule
 * order, flowbit setters first (as Suricata orders them), and thresholds decide what is raised.
 */
import { createHash } from 'node:crypto';
import { httpEve } from '../../app-layer/http/httpFlow.ts';
import type { HttpTransaction } from '../../app-layer/http/httpFlow.ts';
import type { Packet } from '../../decode/packet.ts';
import type { Flow, FlowDirection } from '../../flow/flow.ts';
import type { AppRecordOut } from '../../pipeline/appSession.ts';
import type { DetectionStage, FlowMetadata, RaiseAlert, RaisedAlert } from '../detectionStage.ts';
import { dnsBuffer, httpBuffer, packetHeaderBuffer, sshBuffer, tlsBuffer } from './appBuffers.ts';
import type { BufferSide } from './appBuffers.ts';
import { InspectBuffer, matchOps, transform } from './bufferMatch.ts';
import type { MatchState } from './bufferMatch.ts';
import { builtInClassifications } from './classification.ts';
import type { Classifications } from './classification.ts';
import { PatternPrefilter } from './patternPrefilter.ts';
import { toKey } from './ruleAddress.ts';
import { BIDIRECTIONAL_BUFFERS, BUFFER_SOURCE } from './ruleModel.ts';
import type { BufferInspection, BufferName, PacketCheck, Rule, ThresholdSpec } from './ruleModel.ts';
import { testNumber, vlanIdMatches } from './ruleParser.ts';
import type { ThresholdConfig } from './thresholdConfig.ts';

/** Threshold/detection_filter entries kept; past this the table is cleared (bounded memory). */
const MAX_THRESHOLD_ENTRIES = 100_000;
/** Payload bytes inspected per packet. */
const MAX_PAYLOAD_BYTES = 65_535;

type Unit = Rule['unit'];
const APP_UNITS: readonly Unit[] = ['http', 'dns', 'tls', 'ssh', 'file', 'quic'];

interface FlowRuleState {
  bits: Set<string>;
  /** App-layer records waiting for the next packet of their direction (Suricata inspects a
   *  direction's transactions on that direction's packets). */
  queue: { record: AppRecordOut; side: FlowDirection }[];
  /** Bit 1: IP-only rules checked toServer; bit 2: toClient. */
  ipOnlyDone: number;
  /** The TLS handshake was logged: the rest is encrypted, so payload content is no longer
   *  inspected (Suricata's default `encryption-handling`); header-only rules still run. */
  encrypted: boolean;
  /** Flow variables set by pcre `flow:` captures, in the order first set. */
  vars?: Map<string, string>;
  /** The payload group's merged prefilter per direction, chosen once per flow and app protocol
   *  (`headsApp`); undefined: not chosen yet, null: scanned component by component. */
  headsApp?: string | null;
  headsToServer?: PatternPrefilter | null;
  headsToClient?: PatternPrefilter | null;
}

/** Flowbits with these prefixes are logged as EVE `traffic.id` / `traffic.label`. */
const TRAFFIC_ID = 'traffic/id/';
const TRAFFIC_LABEL = 'traffic/label/';

interface ThresholdEntry {
  count: number;
  start: number;
  alerted: boolean;
}

/** What the engine holds per unit: a prefilter per buffer, and the rules always checked. */
interface UnitIndex {
  prefilters: Map<BufferName, PatternPrefilter>;
  always: number[];
}

/** Addresses of the alert's src and dest as the rule header sees them. */
interface Endpoints {
  srcData: Uint8Array;
  srcAt: number;
  dstData: Uint8Array;
  dstAt: number;
  len: number;
  sport: number;
  dport: number;
}

/** Buffers whose value depends on the side inspected (rules choose the side with flow:). */
const DIRECTIONAL_BUFFERS: ReadonlySet<BufferName> = new Set<BufferName>(['file.data', 'http.stream', 'http.header', 'http.header.raw', 'http.cookie', 'http.connection', 'http.content_len', 'http.protocol', 'http.content_type', 'http.start', 'http.header_names', 'ssh.proto', 'ssh.software']);
/** HTTP buffers holding a message body (http.stream: head and body). */
const BODY_BUFFERS: ReadonlySet<BufferName> = new Set<BufferName>(['file.data', 'http.request_body', 'http.response_body', 'http.stream']);
const BOTH_SIDES: readonly BufferSide[] = ['toServer', 'toClient'];
const TO_SERVER: readonly BufferSide[] = ['toServer'];
const TO_CLIENT: readonly BufferSide[] = ['toClient'];

const PROTO_NUM: Partial<Record<Rule['proto'], number>> = { tcp: 6, udp: 17 };

const TLS_VERSION_NUMBERS: Readonly<Record<string, number>> = { SSLv2: 0x0200, SSLv3: 0x0300, TLSv1: 0x0301, 'TLS 1.0': 0x0301, 'TLS 1.1': 0x0302, 'TLS 1.2': 0x0303, 'TLS 1.3': 0x0304 };
const SSL_NAMES: Readonly<Record<string, number>> = { sslv2: 0x0200, sslv3: 0x0300, 'tls1.0': 0x0301, 'tls1.1': 0x0302, 'tls1.2': 0x0303, 'tls1.3': 0x0304 };

/**
 * Rules by the addresses their header names: prefix length → masked address → rule ids. IPv4
 * prefixes are keyed by number (no allocation per lookup), IPv6 by a string of the masked bytes.
 * A lookup costs one map probe per distinct prefix length, whatever the number of rules.
 */
class CidrIndex {
  private readonly v4 = new Map<number, Map<number, number[]>>();
  private v4Prefixes: number[] = [];
  private readonly v6 = new Map<number, Map<string, number[]>>();

  /** False when a range is not a CIDR (an `a-b` range): the caller keeps the rule elsewhere. */
  add(ranges: readonly { lo: Uint8Array; hi: Uint8Array }[], ruleId: number): boolean {
    if (ranges.length === 0) return false;
    for (const r of ranges) if (prefixOf(r.lo, r.hi) < 0) return false;
    for (const r of ranges) {
      const prefix = prefixOf(r.lo, r.hi);
      const isV4 = prefix >= 96 && isMappedV4(r.lo);
      if (isV4) {
        const p4 = prefix - 96;
        let m = this.v4.get(p4);
        if (m === undefined) {
          this.v4.set(p4, (m = new Map()));
          this.v4Prefixes = [...this.v4.keys()];
        }
        const key = maskV4(((r.lo[12]! << 24) | (r.lo[13]! << 16) | (r.lo[14]! << 8) | r.lo[15]!) >>> 0, p4);
        push(m, key, ruleId);
      } else {
        let m = this.v6.get(prefix);
        if (m === undefined) this.v6.set(prefix, (m = new Map()));
        push(m, maskedKey(r.lo, prefix), ruleId);
      }
    }
    return true;
  }

  get empty(): boolean {
    return this.v4.size === 0 && this.v6.size === 0;
  }

  /** `len` bytes of address at `at` in `data`. */
  lookup(data: Uint8Array, at: number, len: number, onRule: (id: number) => void): void {
    if (at < 0) return;
    if (len === 4) {
      const a = ((data[at]! << 24) | (data[at + 1]! << 16) | (data[at + 2]! << 8) | data[at + 3]!) >>> 0;
      const prefixes = this.v4Prefixes;
      for (let i = 0; i < prefixes.length; i++) {
        const p = prefixes[i]!;
        const list = this.v4.get(p)!.get(maskV4(a, p));
        if (list !== undefined) for (let k = 0; k < list.length; k++) onRule(list[k]!);
      }
      return;
    }
    if (this.v6.size === 0) return;
    const key = toKey(data.subarray(at, at + len));
    for (const [prefix, m] of this.v6) {
      const list = m.get(maskedKey(key, prefix));
      if (list !== undefined) for (const id of list) onRule(id);
    }
  }
}

function push<K>(m: Map<K, number[]>, key: K, id: number): void {
  const list = m.get(key);
  if (list === undefined) m.set(key, [id]);
  else if (list[list.length - 1] !== id) list.push(id);
}

function isMappedV4(k: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (k[i] !== 0) return false;
  return k[10] === 0xff && k[11] === 0xff;
}

function maskV4(a: number, prefix: number): number {
  return prefix === 0 ? 0 : (a & (0xffffffff << (32 - prefix))) >>> 0;
}

/** Files the rule under its source addresses, else its destination ones; false when neither is a
 *  positive list of CIDRs. */
function indexByAddress(r: Rule, bySrc: CidrIndex, byDst: CidrIndex): boolean {
  // The narrower side: indexing by $HOME_NET would make the rule a candidate of every inside packet.
  const src = r.src.any || r.src.hasExcludes() ? -1 : narrowness(r.src.ranges);
  const dst = r.dst.any || r.dst.hasExcludes() ? -1 : narrowness(r.dst.ranges);
  if (src < 0 && dst < 0) return false;
  if (src >= dst) return bySrc.add(r.src.ranges, r.id);
  return byDst.add(r.dst.ranges, r.id);
}

/** The shortest prefix of the ranges (IPv4 counted as IPv4), or -1 when one is too broad to index
 *  (shorter than /16 for IPv4, /48 for IPv6) or not a CIDR. */
function narrowness(ranges: readonly { lo: Uint8Array; hi: Uint8Array }[]): number {
  if (ranges.length === 0) return -1;
  let min = 128;
  for (const r of ranges) {
    const p = prefixOf(r.lo, r.hi);
    if (p < 0) return -1;
    const v4 = isMappedV4(r.lo) && p >= 96;
    const bits = v4 ? p - 96 : p;
    if (bits < (v4 ? 16 : 48)) return -1;
    min = Math.min(min, v4 ? bits : bits / 4);
  }
  return min;
}

function prefixOf(lo: Uint8Array, hi: Uint8Array): number {
  let bit = 0;
  while (bit < 128) {
    const byte = bit >> 3;
    const m = 0x80 >> (bit & 7);
    if ((lo[byte]! & m) !== (hi[byte]! & m)) break;
    bit++;
  }
  for (let b = bit; b < 128; b++) {
    const byte = b >> 3;
    const m = 0x80 >> (b & 7);
    if ((lo[byte]! & m) !== 0 || (hi[byte]! & m) === 0) return -1;
  }
  return bit;
}

function maskedKey(key: Uint8Array, prefix: number): string {
  let s = '';
  const full = prefix >> 3;
  for (let i = 0; i < full; i++) s += String.fromCharCode(key[i]!);
  const rest = prefix & 7;
  if (rest > 0) s += String.fromCharCode(key[full]! & ((0xff << (8 - rest)) & 0xff));
  return s;
}

/** Merged prefilters kept per (protocol, app, ports) combination; past this, components are scanned
 *  one by one (traffic with many port combinations must not rebuild prefilters per packet). */
const MAX_MERGED_HEADS = 256;
/** A rule naming at most this many ports is filed under each of them. */
const MAX_HEAD_PORTS = 32;
const TRANSPORTS = ['', 'tcp', 'udp', 'icmp'] as const;
const EMPTY_PREFILTER = new PatternPrefilter();

/**
 * Payload rules grouped as Suricata's signature group heads: by transport (tcp, udp, icmp, any),
 * by app-layer protocol for `alert http/dns/smtp…` rules, and by destination (else source) port
 * when the rule names a few. A packet scans one prefilter merged from the components that can
 * apply to it (any-port rules of its transport and app, plus those of its ports), so a web packet
 * never looks for SMB or Oracle patterns. Merged prefilters are built on first use.
 */
class PayloadGroupHeads {
  private readonly components = new Map<string, Rule[]>();
  private readonly componentFilters = new Map<string, PatternPrefilter>();
  private readonly merged = new Map<number, PatternPrefilter>();
  private readonly appIndex = new Map<string, number>();
  /** Ports some component is filed under, per side. */
  private readonly dstPorts = new Set<number>();
  private readonly srcPorts = new Set<number>();
  private readonly keys: string[] = [];
  patterns = 0;

  add(r: Rule): void {
    const t = r.proto === 'tcp' || r.proto === 'udp' || r.proto === 'icmp' ? r.proto : r.proto === 'ip' || r.proto === 'pkthdr' ? 'any' : `app:${r.proto}`;
    let key = t;
    if (t !== 'any' && t !== 'icmp' && !r.bidirectional) {
      const dst = r.dstPorts.list(MAX_HEAD_PORTS);
      const src = dst === undefined ? r.srcPorts.list(MAX_HEAD_PORTS) : undefined;
      if (dst !== undefined) {
        for (const p of dst) this.file(`${t}|d${p}`, r);
        for (const p of dst) this.dstPorts.add(p);
        this.patterns++;
        return;
      }
      if (src !== undefined) {
        for (const p of src) this.file(`${t}|s${p}`, r);
        for (const p of src) this.srcPorts.add(p);
        this.patterns++;
        return;
      }
      key = t;
    }
    this.file(key, r);
    this.patterns++;
  }

  private file(key: string, r: Rule): void {
    let list = this.components.get(key);
    if (list === undefined) this.components.set(key, (list = []));
    list.push(r);
  }

  scan(payload: Uint8Array, ipProto: number, app: string | null, sport: number, dport: number, onRule: (id: number) => void): void {
    const pf = this.select(ipProto, app, sport, dport);
    if (pf !== null) pf.scan(payload, onRule);
    else for (const k of this.keys) this.componentFilter(k).scan(payload, onRule);
  }

  /** The merged prefilter of a packet of `ipProto`, `app` and ports; null when past
   *  MAX_MERGED_HEADS (then the components of `keys` are scanned one by one). */
  select(ipProto: number, app: string | null, sport: number, dport: number): PatternPrefilter | null {
    if (this.components.size === 0) return EMPTY_PREFILTER;
    const ti = ipProto === 6 ? 1 : ipProto === 17 ? 2 : ipProto === 1 || ipProto === 58 ? 3 : 0;
    const t = TRANSPORTS[ti]!;
    const rawApp = app === null || app === 'failed' ? '' : app;
    let ai = this.appIndex.get(rawApp);
    if (ai === undefined) this.appIndex.set(rawApp, (ai = this.appIndex.size));
    const d = ti === 1 || ti === 2 ? (this.dstPorts.has(dport) ? dport : -1) : -1;
    const sp = ti === 1 || ti === 2 ? (this.srcPorts.has(sport) ? sport : -1) : -1;
    // A number, not a string: no allocation per packet.
    const id = ((ai * 4 + ti) * 65537 + d + 1) * 65537 + sp + 1;
    let pf = this.merged.get(id);
    if (pf === undefined) {
      const keys = this.componentKeys(t, rawApp === '' ? '' : `app:${rawApp}`, d, sp);
      if (this.merged.size >= MAX_MERGED_HEADS) return null;
      pf = new PatternPrefilter();
      for (const k of keys) for (const r of this.components.get(k)!) pf.add(r.fastPattern!.op.bytes, r.id);
      pf.build();
      this.merged.set(id, pf);
    }
    return pf;
  }

  /** The components that exist for a packet of transport `t`, app `a`, ports `d`/`sp` (-1: none). */
  private componentKeys(t: string, a: string, d: number, sp: number): string[] {
    const keys = this.keys;
    keys.length = 0;
    const bases = ['any'];
    if (t !== '') bases.push(t);
    if (a !== '') bases.push(a);
    for (const b of bases) {
      if (this.components.has(b)) keys.push(b);
      if (d >= 0 && this.components.has(`${b}|d${d}`)) keys.push(`${b}|d${d}`);
      if (sp >= 0 && this.components.has(`${b}|s${sp}`)) keys.push(`${b}|s${sp}`);
    }
    return keys;
  }

  private componentFilter(key: string): PatternPrefilter {
    let pf = this.componentFilters.get(key);
    if (pf === undefined) {
      pf = new PatternPrefilter();
      for (const r of this.components.get(key)!) pf.add(r.fastPattern!.op.bytes, r.id);
      pf.build();
      this.componentFilters.set(key, pf);
    }
    return pf;
  }
}

export interface RuleEngineOptions {
  classifications?: Classifications;
  thresholdConfig?: ThresholdConfig;
}

export class RuleEngine implements DetectionStage {
  readonly name = 'rules';
  readonly rules: readonly Rule[];
  private readonly classes: Classifications;
  private readonly units = new Map<Unit, UnitIndex>();
  private readonly ipOnlySrc = new CidrIndex();
  private readonly ipOnlyDst = new CidrIndex();
  private readonly ipOnlyAny: number[] = [];
  /** Packet payload rules with a fast pattern, by protocol and port (signature group heads). */
  private readonly payloadHeads = new PayloadGroupHeads();
  /** The packet unit's prefilters other than payload (as an array: no iterator per packet). */
  private readonly packetPrefilters: PatternPrefilter[];
  /** HTTP rules whose fast pattern is in a body (file.data, request/response body, http.stream):
   *  one prefilter, so each body is scanned once, not once per buffer name. */
  private readonly httpBodies = new PatternPrefilter();
  private httpStreamPatterns = false;
  /** Packet rules without a fast pattern: by source or destination address when the header
   *  names them, else by the packet's protocol. */
  private readonly packetSrc = new CidrIndex();
  private readonly packetDst = new CidrIndex();
  private readonly packetAlways: Record<'ip' | 'tcp' | 'udp' | 'icmp', number[]> = { ip: [], tcp: [], udp: [], icmp: [] };
  /** Packet rules without a fast pattern and with broad addresses, by the port they name. */
  private readonly byDstPort = new Map<number, number[]>();
  private readonly bySrcPort = new Map<number, number[]>();
  private readonly hasIpOnly: boolean;
  /** A `<>` rule was indexed by address: look both addresses up in both indexes. */
  private readonly hasBidirectionalIndexed: boolean;
  /** Candidate de-duplication: stamp per rule. */
  private readonly mark: Uint32Array;
  private stamp = 0;
  /** Candidates of the current unit: the first `candCount` entries (never shrunk: setting an
   *  array's length costs a runtime call per packet). */
  private readonly cands: number[] = [];
  private candCount = 0;
  /** Sort key: flowbit setters (without checks) first, then rule order. */
  private readonly order: Int32Array;
  private readonly flowState = new Map<Flow, FlowRuleState>();
  private readonly thresholds = new Map<string, ThresholdEntry>();
  private readonly thresholdOf = new Map<number, ThresholdSpec | null>();
  private readonly suppressions: ThresholdConfig['suppressions'];
  private nowSec = 0;
  private readonly st: MatchState = { steps: 0, vars: new Map(), captured: [] };
  /** Packet variables (pcre `pkt:` captures) of the packet being inspected. */
  private pktVars: Record<string, string>[] = [];
  /** The last flow ended and its metadata, for the flow record written just after onFlowEnd. */
  private ended: { flow: Flow; meta: FlowMetadata | undefined } | null = null;
  /** Counters for the bench and stats. */
  readonly counters = { candidates: 0, matches: 0, alerts: 0 };

  constructor(rules: readonly Rule[], options: RuleEngineOptions = {}) {
    this.rules = rules;
    this.classes = options.classifications ?? builtInClassifications();
    this.mark = new Uint32Array(rules.length);
    this.order = new Int32Array(rules.length);
    const cfg = options.thresholdConfig;
    this.suppressions = cfg?.suppressions ?? [];
    for (const u of ['packet', ...APP_UNITS] as Unit[]) this.units.set(u, { prefilters: new Map(), always: [] });
    let ipOnly = false;
    for (const r of rules) {
      // Suricata's order for flowbits: rules that only set first, then the readers, then those that
      // only unset or toggle, so a bit set and cleared on one packet is seen by its readers.
      const writes = r.flowbits.length > 0 && r.flowbits.every((f) => f.cmd === 'set' || f.cmd === 'unset' || f.cmd === 'toggle');
      const setsOnly = writes && r.flowbits.every((f) => f.cmd === 'set');
      this.order[r.id] = (setsOnly ? 0 : writes ? 2 << 24 : 1 << 24) + r.id;
      if (cfg !== undefined) {
        const o = cfg.thresholds.find((t) => t.gid === r.gid && (t.sid === r.sid || t.sid === 0));
        if (o !== undefined) this.thresholdOf.set(r.id, o.spec);
      }
      if (r.ipOnly) {
        ipOnly = true;
        if (!indexByAddress(r, this.ipOnlySrc, this.ipOnlyDst)) this.ipOnlyAny.push(r.id);
        continue;
      }
      const unit = this.units.get(r.unit)!;
      if (r.fastPattern === undefined) {
        if (r.unit === 'packet' && !indexByAddress(r, this.packetSrc, this.packetDst) && !this.indexByPort(r)) {
          this.packetAlways[r.proto === 'tcp' || r.proto === 'udp' || r.proto === 'icmp' ? r.proto : 'ip'].push(r.id);
        }
        unit.always.push(r.id);
        continue;
      }
      if (r.unit === 'packet' && r.fastPattern.buffer === 'payload') {
        this.payloadHeads.add(r);
        continue;
      }
      if (r.unit === 'http' && BODY_BUFFERS.has(r.fastPattern.buffer)) {
        this.httpBodies.add(r.fastPattern.op.bytes, r.id);
        if (r.fastPattern.buffer === 'http.stream') this.httpStreamPatterns = true;
        continue;
      }
      let pf = unit.prefilters.get(r.fastPattern.buffer);
      if (pf === undefined) unit.prefilters.set(r.fastPattern.buffer, (pf = new PatternPrefilter()));
      pf.add(r.fastPattern.op.bytes, r.id);
    }
    for (const u of this.units.values()) for (const pf of u.prefilters.values()) pf.build();
    this.packetPrefilters = [...this.units.get('packet')!.prefilters.values()];
    this.httpBodies.build();
    this.hasIpOnly = ipOnly;
    this.hasBidirectionalIndexed = rules.some((r) => r.bidirectional);
  }

  /** Rules per unit with and without a fast pattern (for the load summary and the bench). */
  describe(): { unit: string; prefiltered: number; always: number }[] {
    const out: { unit: string; prefiltered: number; always: number }[] = [];
    for (const [unit, idx] of this.units) {
      let n = unit === 'packet' ? this.payloadHeads.patterns : unit === 'http' ? this.httpBodies.size : 0;
      for (const pf of idx.prefilters.values()) n += pf.size;
      out.push({ unit, prefiltered: n, always: idx.always.length });
    }
    out.push({ unit: 'ip-only', prefiltered: 0, always: this.ipOnlyAny.length });
    return out;
  }

  /** Files a TCP/UDP rule under its destination (else source) ports when they are few. */
  private indexByPort(r: Rule): boolean {
    if ((r.proto !== 'tcp' && r.proto !== 'udp') || r.bidirectional) return false;
    const dst = r.dstPorts.list(16);
    const src = dst === undefined ? r.srcPorts.list(16) : undefined;
    const ports = dst ?? src;
    if (ports === undefined) return false;
    const m = dst !== undefined ? this.byDstPort : this.bySrcPort;
    for (const p of ports) push(m, p, r.id);
    return true;
  }

  private begin(): void {
    this.candCount = 0;
    if (++this.stamp === 0xffffffff) {
      this.mark.fill(0);
      this.stamp = 1;
    }
  }

  private readonly addCand = (id: number): void => {
    if (this.mark[id] === this.stamp) return;
    this.mark[id] = this.stamp;
    this.cands[this.candCount++] = id;
  };

  private sortCands(): void {
    const order = this.order;
    const c = this.cands;
    // Insertion sort: a packet has a handful of candidates, often already in order.
    const n = this.candCount;
    for (let i = 1; i < n; i++) {
      const v = c[i]!;
      const k = order[v]!;
      let j = i - 1;
      while (j >= 0 && order[c[j]!]! > k) {
        c[j + 1] = c[j]!;
        j--;
      }
      c[j + 1] = v;
    }
    this.counters.candidates += n;
  }

  private state(flow: Flow): FlowRuleState {
    let s = this.flowState.get(flow);
    if (s === undefined) {
      s = { bits: new Set(), ipOnlyDone: 0, queue: [], encrypted: false };
      this.flowState.set(flow, s);
    }
    return s;
  }

  onTick(sec: number): void {
    this.nowSec = sec;
  }

  onFlowEnd(flow: Flow, raise: RaiseAlert): void {
    const s = this.flowState.get(flow);
    if (s !== undefined && s.queue.length > 0) {
      const q = s.queue;
      s.queue = [];
      for (const e of q) this.inspectRecord(e.record, e.side, raise);
    }
    this.ended = s === undefined ? null : { flow, meta: this.flowMetadata(flow) };
    this.flowState.delete(flow);
  }

  /** Flowbits and flow variables of the flow (Suricata's EVE metadata); `traffic/…` bits apart. */
  flowMetadata(flow: Flow): FlowMetadata | undefined {
    const s = this.flowState.get(flow);
    if (s === undefined) return this.ended?.flow === flow ? this.ended.meta : undefined;
    if (s.bits.size === 0 && (s.vars === undefined || s.vars.size === 0)) return undefined;
    const out: FlowMetadata = {};
    const flowbits: string[] = [];
    for (const bit of s.bits) {
      if (bit.startsWith(TRAFFIC_ID)) ((out.traffic ??= {}).id ??= []).push(bit.slice(TRAFFIC_ID.length));
      else if (bit.startsWith(TRAFFIC_LABEL)) ((out.traffic ??= {}).label ??= []).push(bit.slice(TRAFFIC_LABEL.length));
      else flowbits.push(bit);
    }
    const flowvars = s.vars === undefined ? [] : [...s.vars].map(([name, value]) => ({ [name]: value }));
    if (flowbits.length > 0 || flowvars.length > 0) {
      out.metadata = {};
      if (flowbits.length > 0) out.metadata.flowbits = flowbits;
      if (flowvars.length > 0) out.metadata.flowvars = flowvars;
    }
    return out;
  }

  packetVars(): readonly Record<string, string>[] | undefined {
    return this.pktVars.length > 0 ? this.pktVars : undefined;
  }

  onPacket(packet: Packet, flow: Flow | null, direction: FlowDirection, raise: RaiseAlert): void {
    if (packet.tsSec > this.nowSec) this.nowSec = packet.tsSec;
    if (this.pktVars.length > 0) this.pktVars = [];
    let encrypted = false;
    let s: FlowRuleState | undefined;
    if (flow !== null) {
      s = this.flowState.get(flow);
      if (s !== undefined) {
        if (s.queue.length > 0) this.drain(s, direction, raise, packet);
        encrypted = s.encrypted;
      }
    }
    if (packet.ipVersion === 0 || packet.isFragment) return;
    this.begin();
    let payload = packet.payload;
    if (payload.length > MAX_PAYLOAD_BYTES) payload = payload.subarray(0, MAX_PAYLOAD_BYTES);
    if (payload.length > 0 && !encrypted) {
      const app = (flow?.appState as { proto?: string | null } | null | undefined)?.proto ?? null;
      if (flow !== null && packet.proto === flow.proto && (packet.proto === 6 || packet.proto === 17)) {
        // The group depends on the flow's protocol, ports and app only: chosen once per direction.
        if (s === undefined) s = this.state(flow);
        if (s.headsApp !== app) {
          s.headsApp = app;
          s.headsToServer = s.headsToClient = undefined;
        }
        let pf = direction === 'toServer' ? s.headsToServer : s.headsToClient;
        if (pf === undefined) {
          pf = this.payloadHeads.select(packet.proto, app, packet.srcPort, packet.dstPort);
          if (direction === 'toServer') s.headsToServer = pf;
          else s.headsToClient = pf;
        }
        if (pf !== null) pf.scan(payload, this.addCand);
        else this.payloadHeads.scan(payload, packet.proto, app, packet.srcPort, packet.dstPort, this.addCand);
      } else this.payloadHeads.scan(payload, packet.proto, app, packet.srcPort, packet.dstPort, this.addCand);
      const pfs = this.packetPrefilters;
      for (let i = 0; i < pfs.length; i++) pfs[i]!.scan(payload, this.addCand);
    }
    const pa = this.packetAlways;
    for (let i = 0; i < pa.ip.length; i++) this.addCand(pa.ip[i]!);
    const always = packet.proto === 6 ? pa.tcp : packet.proto === 17 ? pa.udp : packet.proto === 1 || packet.proto === 58 ? pa.icmp : null;
    if (always !== null) for (let i = 0; i < always.length; i++) this.addCand(always[i]!);
    const alen = packet.ipVersion === 4 ? 4 : 16;
    if (packet.proto === 6 || packet.proto === 17) {
      const d = this.byDstPort.get(packet.dstPort);
      if (d !== undefined) for (let i = 0; i < d.length; i++) this.addCand(d[i]!);
      const sp = this.bySrcPort.get(packet.srcPort);
      if (sp !== undefined) for (let i = 0; i < sp.length; i++) this.addCand(sp[i]!);
    }
    if (!this.packetSrc.empty) {
      this.packetSrc.lookup(packet.data, packet.srcAddrAt, alen, this.addCand);
      if (this.hasBidirectionalIndexed) this.packetSrc.lookup(packet.data, packet.dstAddrAt, alen, this.addCand);
    }
    if (!this.packetDst.empty) {
      this.packetDst.lookup(packet.data, packet.dstAddrAt, alen, this.addCand);
      if (this.hasBidirectionalIndexed) this.packetDst.lookup(packet.data, packet.srcAddrAt, alen, this.addCand);
    }
    if (this.hasIpOnly) {
      const bit = direction === 'toServer' ? 1 : 2;
      if (flow !== null && s === undefined) s = this.state(flow);
      if (s === undefined || (s.ipOnlyDone & bit) === 0) {
        if (s !== undefined) s.ipOnlyDone |= bit;
        this.ipOnlySrc.lookup(packet.data, packet.srcAddrAt, alen, this.addCand);
        this.ipOnlyDst.lookup(packet.data, packet.dstAddrAt, alen, this.addCand);
        if (this.hasBidirectionalIndexed) {
          this.ipOnlySrc.lookup(packet.data, packet.dstAddrAt, alen, this.addCand);
          this.ipOnlyDst.lookup(packet.data, packet.srcAddrAt, alen, this.addCand);
        }
        for (let i = 0; i < this.ipOnlyAny.length; i++) this.addCand(this.ipOnlyAny[i]!);
      }
    }
    if (this.candCount === 0) return;
    this.sortCands();
    const len = packet.ipVersion === 4 ? 4 : 16;
    const ep: Endpoints = { srcData: packet.data, srcAt: packet.srcAddrAt, dstData: packet.data, dstAt: packet.dstAddrAt, len, sport: packet.srcPort, dport: packet.dstPort };
    let buf: InspectBuffer | null = null;
    for (let c = 0; c < this.candCount; c++) {
      const r = this.rules[this.cands[c]!]!;
      if (!this.packetProtoOk(r, packet, flow)) continue;
      if (!this.flowOk(r, flow, direction, false)) continue;
      // Packet checks (flags, ip_proto, dsize…) before the address groups: cheaper, and most fail.
      if (!packetChecksOk(r.packetChecks, packet)) continue;
      if (!headerOk(r, ep)) continue;
      if (r.inspections.length > 0) {
        if (encrypted) continue;
        if (buf === null) buf = new InspectBuffer(payload);
        if (!this.inspect(r.inspections, (name) => (name === 'payload' ? [payload] : packetHeaderBuffer(packet, name)), buf)) continue;
      }
      if (!this.flowbitsOk(r, flow)) continue;
      this.matched(r, flow, direction, raise, { packet, src: packet.srcAddrBytes, dst: packet.dstAddrBytes });
    }
  }

  /** Queues the record for the next packet of each direction it has rules for. */
  onAppRecord(record: AppRecordOut): void {
    const type = record.eventType;
    if (type !== 'http' && type !== 'dns' && type !== 'tls' && type !== 'ssh' && type !== 'quic') return;
    const st = this.state(record.flow);
    const q = st.queue;
    // The handshake is logged once the server's flight is complete; what follows is encrypted.
    if (type === 'tls') st.encrypted = true;
    if (type === 'dns' || type === 'quic') {
      q.push({ record, side: record.direction });
      return;
    }
    const source = record.source;
    if (type === 'http' && source?.http === undefined) return;
    if (type !== 'http' || source!.phase === 'request' || source!.requestSeen !== true) q.push({ record, side: 'toServer' });
    if (type !== 'http' || source!.phase !== 'request') q.push({ record, side: 'toClient' });
  }

  private drain(s: FlowRuleState, direction: FlowDirection, raise: RaiseAlert, packet?: Packet): void {
    const q = s.queue;
    let keep = 0;
    const ready: { record: AppRecordOut; side: FlowDirection }[] = [];
    for (let i = 0; i < q.length; i++) {
      const e = q[i]!;
      if (e.side === direction) ready.push(e);
      else q[keep++] = e;
    }
    q.length = keep;
    for (const e of ready) this.inspectRecord(e.record, e.side, raise, packet);
  }

  /** `packet`: the packet inspected with the record (payload content of a DNS rule reads it). */
  private inspectRecord(record: AppRecordOut, only: FlowDirection, raise: RaiseAlert, packet?: Packet): void {
    const type = record.eventType;
    if (type === 'http') {
      const source = record.source;
      const tx = source?.http;
      if (tx === undefined) return;
      this.appUnit('http', record, (name, side) => httpBuffer(tx, name, side), raise, only);
      if (source!.phase !== 'request' && only === 'toClient' && this.units.get('file')!.always.length > 0) this.fileUnit(record, tx, raise);
    } else if (type === 'dns') {
      const dns = record.fields.dns as Parameters<typeof dnsBuffer>[0] & { rcode?: string; type?: string } | undefined;
      if (dns === undefined) return;
      const payload = packet === undefined ? [] : [packet.payload];
      this.appUnit('dns', record, (name) => (name === 'payload' ? payload : dnsBuffer(dns, name)), raise, only);
    } else if (type === 'tls') {
      const tls = record.fields.tls as Parameters<typeof tlsBuffer>[0] | undefined;
      if (tls === undefined) return;
      const certs = record.source?.tlsCerts ?? [];
      // The server's chain: only to the client (Suricata registers tls.certs for that direction).
      this.appUnit('tls', record, (name, side) => (name === 'tls.certs' ? (side === 'toClient' ? certs : []) : tlsBuffer(tls, name)), raise, only);
    } else if (type === 'quic') {
      const quic = record.fields.quic as Parameters<typeof tlsBuffer>[0] | undefined;
      if (quic === undefined) return;
      this.appUnit('quic', record, (name) => tlsBuffer(quic, name), raise, only);
    } else if (type === 'ssh') {
      const ssh = record.fields.ssh as Parameters<typeof sshBuffer>[0] | undefined;
      if (ssh === undefined) return;
      this.appUnit('ssh', record, (name, side) => sshBuffer(ssh, name, side), raise, only);
    }
  }

  finish(raise: RaiseAlert): void {
    for (const [flow] of this.flowState) this.onFlowEnd(flow, raise);
    this.flowState.clear();
    this.thresholds.clear();
  }

  private appUnit(unitName: Unit, record: AppRecordOut, rawBufferOf: (name: BufferName, side: BufferSide) => readonly Uint8Array[], raise: RaiseAlert, only?: FlowDirection): void {
    const unit = this.units.get(unitName)!;
    // Buffers are built once per inspection (header blocks, decoded URIs), for the scan and for
    // every candidate rule.
    const built = new Map<string, readonly Uint8Array[]>();
    const bufferOf = (name: BufferName, side: BufferSide): readonly Uint8Array[] => {
      const key = side === 'toServer' ? `>${name}` : `<${name}`;
      let v = built.get(key);
      if (v === undefined) built.set(key, (v = rawBufferOf(name, side)));
      return v;
    };
    this.begin();
    for (const [name, pf] of unit.prefilters) {
      const fixed: BufferSide = BUFFER_SOURCE[name].toClient ? 'toClient' : 'toServer';
      if (!DIRECTIONAL_BUFFERS.has(name)) {
        const values = bufferOf(name, fixed);
        for (let i = 0; i < values.length; i++) pf.scan(values[i]!, this.addCand);
        continue;
      }
      // Direction-dependent buffers: a rule inspected on one side reads that side's value only.
      for (const side of only === undefined ? BOTH_SIDES : only === 'toServer' ? TO_SERVER : TO_CLIENT) {
        const values = bufferOf(name, side);
        for (let i = 0; i < values.length; i++) pf.scan(values[i]!, this.addCand);
      }
    }
    if (unitName === 'http' && this.httpBodies.size > 0) this.scanHttpBodies(bufferOf, only);
    for (let i = 0; i < unit.always.length; i++) this.addCand(unit.always[i]!);
    if (this.candCount === 0) return;
    this.sortCands();
    const flow = record.flow;
    const dns = unitName === 'dns' ? (record.fields.dns as DnsView) : undefined;
    const tlsVersion = unitName === 'tls' ? TLS_VERSION_NUMBERS[String((record.fields.tls as { version?: string }).version)] : undefined;
    for (let c = 0; c < this.candCount; c++) {
      const r = this.rules[this.cands[c]!]!;
      if (!appProtoOk(r, unitName)) continue;
      // ssl_version reads the version of the side inspected (client's to server, server's to client).
      const side = ruleSide(r, unitName === 'dns' ? record.direction : (unitName === 'tls' && r.sslVersions !== undefined) || (unitName === 'http' && r.inspections.length > 0) ? only : undefined);
      if (side === undefined || (only !== undefined && side !== only)) continue;
      if (unitName === 'dns' && side !== record.direction) continue;
      if (!this.flowOk(r, flow, side, true)) continue;
      if (!headerOk(r, flowEndpoints(flow, side))) continue;
      if (r.dnsRcode !== undefined && !testNumber(r.dnsRcode, dnsRcode(dns))) continue;
      if (r.dnsRrtype !== undefined && !(dns?.queries ?? []).some((q) => testNumber(r.dnsRrtype!, DNS_TYPES[q.rrtype] ?? -1))) continue;
      if (r.tlsVersions !== undefined && (tlsVersion === undefined || r.tlsVersions.versions.includes(tlsVersion) === r.tlsVersions.negated)) continue;
      if (r.sslVersions !== undefined) {
        const sideVersion = tlsSideVersion(record.fields.tls as TlsVersionView, side) ?? tlsVersion;
        if (sideVersion === undefined) continue;
        const listed = r.sslVersions.names.some((n) => SSL_NAMES[n] === sideVersion);
        if (listed === r.sslVersions.negated) continue;
      }
      if (r.packetChecks.length > 0 && unitName === 'http') {
        const uri = record.source?.http?.request?.uri;
        if (uri === undefined || !r.packetChecks.every((p) => p.kind !== 'urilen' || testNumber(p.test, uri.length))) continue;
      }
      if (r.inspections.length > 0 && !this.inspect(r.inspections, (name) => bufferOf(name, side), null)) continue;
      if (!this.flowbitsOk(r, flow)) continue;
      this.matched(r, flow, side, raise, { record, src: side === 'toServer' ? flow.srcAddr : flow.dstAddr, dst: side === 'toServer' ? flow.dstAddr : flow.srcAddr });
    }
  }

  private fileUnit(record: AppRecordOut, tx: HttpTransaction, raise: RaiseAlert): void {
    const bodies: { side: FlowDirection; body: Uint8Array }[] = [];
    if (tx.request !== undefined && tx.request.body.length > 0 && !tx.request.bodyTruncated) bodies.push({ side: 'toServer', body: tx.request.body });
    if (tx.response !== undefined && tx.response.body.length > 0 && !tx.response.bodyTruncated) bodies.push({ side: 'toClient', body: tx.response.body });
    if (bodies.length === 0) return;
    const flow = record.flow;
    for (const id of this.units.get('file')!.always) {
      const r = this.rules[id]!;
      const fh = r.fileHashes!;
      for (const b of bodies) {
        if (r.flow?.toServer && b.side !== 'toServer') continue;
        if (r.flow?.toClient && b.side !== 'toClient') continue;
        const digest = createHash(fh.algorithm).update(b.body).digest('hex');
        if (!fh.hashes.has(digest)) continue;
        if (!headerOk(r, flowEndpoints(flow, b.side))) continue;
        if (!this.flowbitsOk(r, flow)) continue;
        this.matched(r, flow, b.side, raise, { record, src: b.side === 'toServer' ? flow.srcAddr : flow.dstAddr, dst: b.side === 'toServer' ? flow.dstAddr : flow.srcAddr });
        break;
      }
    }
  }

  /** Each body once; http.stream (start line + headers + body) as its head plus the few bytes
   *  across the head/body boundary, so the body is not copied to be scanned. */
  private scanHttpBodies(bufferOf: (name: BufferName, side: BufferSide) => readonly Uint8Array[], only: FlowDirection | undefined): void {
    const pf = this.httpBodies;
    const req = bufferOf('http.request_body', 'toServer')[0];
    const res = bufferOf('http.response_body', 'toClient')[0];
    if (req !== undefined) pf.scan(req, this.addCand);
    if (res !== undefined) pf.scan(res, this.addCand);
    if (!this.httpStreamPatterns) return;
    const span = pf.maxLength - 1;
    for (const side of only === undefined ? BOTH_SIDES : only === 'toServer' ? TO_SERVER : TO_CLIENT) {
      const head = bufferOf('http.start', side)[0];
      if (head === undefined) continue;
      pf.scan(head, this.addCand);
      const body = side === 'toServer' ? req : res;
      if (body === undefined || span <= 0) continue;
      const a = head.subarray(Math.max(0, head.length - span));
      const b = body.subarray(0, span);
      const joint = new Uint8Array(a.length + b.length);
      joint.set(a, 0);
      joint.set(b, a.length);
      pf.scan(joint, this.addCand);
    }
  }

  /** Every buffer inspection of the rule must match (each on one value of its buffer). */
  private inspect(inspections: readonly BufferInspection[], bufferOf: (name: BufferName) => readonly Uint8Array[], payloadBuf: InspectBuffer | null): boolean {
    const st = this.st;
    st.vars.clear();
    st.captured!.length = 0;
    for (let k = 0; k < inspections.length; k++) {
      const ins = inspections[k]!;
      const values = bufferOf(ins.buffer);
      let ok = false;
      for (let v = 0; v < values.length && !ok; v++) {
        const raw = values[v]!;
        const buf = ins.transforms.length > 0 ? new InspectBuffer(transform(raw, ins.transforms)) : payloadBuf !== null && ins.buffer === 'payload' ? payloadBuf : new InspectBuffer(raw);
        st.steps = 0;
        ok = matchOps(ins.ops, 0, buf, 0, st);
      }
      if (!ok) {
        // A buffer that is absent still satisfies a rule whose ops on it are all negated.
        if (values.length === 0 && ins.ops.length > 0 && ins.ops.every((o) => (o.kind === 'content' || o.kind === 'pcre') && o.negated)) continue;
        return false;
      }
    }
    return true;
  }

  private packetProtoOk(r: Rule, p: Packet, flow: Flow | null): boolean {
    switch (r.proto) {
      case 'ip':
      case 'pkthdr':
        return true;
      case 'tcp':
      case 'udp':
        return p.proto === PROTO_NUM[r.proto];
      case 'icmp':
        return p.proto === 1 || p.proto === 58;
      default: {
        const app = (flow?.appState as { proto?: string | null } | null | undefined)?.proto;
        if (r.proto === 'http') return app === 'http';
        return app === r.proto;
      }
    }
  }

  private flowOk(r: Rule, flow: Flow | null, direction: FlowDirection, app: boolean): boolean {
    if (r.appLayerProtocol !== undefined) {
      const proto = (flow?.appState as { proto?: string | null } | null | undefined)?.proto ?? 'unknown';
      const want = r.appLayerProtocol.name;
      const hit = want === 'failed' ? proto === 'failed' : proto === want || (want === 'http' && proto === 'http') || (want === 'tls' && proto === 'tls');
      if (hit === r.appLayerProtocol.negated) return false;
    }
    const f = r.flow;
    if (f === null) return true;
    if (f.stateless) return true;
    if (flow === null) return !f.toServer && !f.toClient && !f.established;
    if (f.toServer && direction !== 'toServer') return false;
    if (f.toClient && direction !== 'toClient') return false;
    // TCP: a three-way handshake was seen (no midstream pickup, as Suricata's default).
    const established =
      app ||
      (flow.proto === 6
        ? (flow.tcpFlagsToServer & 0x02) !== 0 && (flow.tcpFlagsToClient & 0x12) === 0x12 && flow.state !== 'new' && flow.tcpState !== 'syn_recv' && flow.tcpState !== 'syn_sent' &&
          // The client's ACK that completes the handshake is not yet "established" (Suricata sets
          // the flag for the packets after it).
          !(app === false && direction === 'toServer' && flow.pktsToServer === 2 && flow.pktsToClient === 1)
        : flow.state === 'established');
    if (f.established && !established) return false;
    if (f.notEstablished && established) return false;
    return true;
  }

  private flowbitsOk(r: Rule, flow: Flow | null): boolean {
    const ops = r.flowbits;
    if (ops.length === 0) return true;
    const bits = flow === null ? undefined : this.flowState.get(flow)?.bits;
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]!;
      if (op.cmd !== 'isset' && op.cmd !== 'isnotset') continue;
      const has = (n: string): boolean => bits?.has(n) === true;
      const set = op.any ? op.names.some(has) : op.names.every(has);
      if (op.cmd === 'isset' && !set) return false;
      if (op.cmd === 'isnotset') {
        const anySet = op.names.some(has);
        if (op.any ? op.names.every(has) : anySet) return false;
      }
    }
    return true;
  }

  private matched(r: Rule, flow: Flow | null, direction: FlowDirection, raise: RaiseAlert, at: { packet?: Packet; record?: AppRecordOut; src: Uint8Array; dst: Uint8Array }): void {
    this.counters.matches++;
    if (r.flowbits.length > 0 && flow !== null) {
      const s = this.state(flow);
      for (const op of r.flowbits) {
        if (op.cmd === 'set') for (const n of op.names) s.bits.add(n);
        else if (op.cmd === 'unset') for (const n of op.names) s.bits.delete(n);
        else if (op.cmd === 'toggle') {
          for (const n of op.names) {
            if (s.bits.has(n)) s.bits.delete(n);
            else s.bits.add(n);
          }
        }
      }
    }
    if (r.captures === true) this.commitCaptures(flow);
    if (r.noalert) return;
    if (r.detectionFilter !== undefined && !this.thresholdPasses(r, r.detectionFilter, flow, at.src, at.dst)) return;
    const spec = this.thresholdOf.has(r.id) ? this.thresholdOf.get(r.id) : r.threshold;
    if (spec !== undefined && spec !== null && !this.thresholdPasses(r, spec, flow, at.src, at.dst)) return;
    if (this.suppressed(r, at.src, at.dst)) return;
    this.counters.alerts++;
    const cls = r.classtype === undefined ? undefined : this.classes.get(r.classtype);
    const prio = r.priority ?? cls?.priority ?? 3;
    const alert: RaisedAlert = {
      engine: 'rule',
      explain: `rule.${r.classtype ?? 'unknown'}`,
      gid: r.gid,
      signatureId: r.sid,
      rev: r.rev,
      signature: r.msg,
      category: cls?.description ?? '',
      severity: (prio <= 1 ? 1 : prio >= 3 ? 3 : 2) as 1 | 2 | 3,
      direction,
      flow,
    };
    if (at.packet !== undefined) alert.packet = at.packet;
    const meta = Object.keys(r.metadata);
    if (meta.length > 0) {
      const m: Record<string, string[]> = {};
      for (const k of meta) m[k] = [...r.metadata[k]!];
      alert.metadata = m;
    }
    const rec = at.record;
    if (rec !== undefined) {
      const tx = rec.source?.http;
      if (tx !== undefined) {
        // Read when the record is written (end of the packet): the response may have come since.
        const app: Record<string, unknown> = {};
        Object.defineProperty(app, 'http', { enumerable: true, get: () => httpEve(tx) });
        alert.app = app;
      } else {
        const payload = rec.fields[rec.eventType];
        if (payload !== undefined) alert.app = { [rec.eventType]: payload };
      }
      if (rec.txId !== undefined) alert.txId = rec.txId;
    }
    raise(alert);
  }

  /** The pcre captures of the rule just matched: `pkt:` onto the current packet, `flow:` onto the flow. */
  private commitCaptures(flow: Flow | null): void {
    const captured = this.st.captured!;
    for (const c of captured) {
      if (c.scope === 'pkt') this.pktVars.push({ [c.name]: c.value });
      else if (flow !== null) (this.state(flow).vars ??= new Map()).set(c.name, c.value);
    }
    captured.length = 0;
  }

  private suppressed(r: Rule, src: Uint8Array, dst: Uint8Array): boolean {
    for (const s of this.suppressions) {
      if (s.gid !== r.gid || (s.sid !== r.sid && s.sid !== 0)) continue;
      if (s.track === undefined || s.ip === undefined) return true;
      if (s.track === 'by_src' && s.ip.match(src)) return true;
      if (s.track === 'by_dst' && s.ip.match(dst)) return true;
      if (s.track === 'by_either' && (s.ip.match(src) || s.ip.match(dst))) return true;
    }
    return false;
  }

  private thresholdPasses(r: Rule, spec: ThresholdSpec, flow: Flow | null, src: Uint8Array, dst: Uint8Array): boolean {
    let key: string;
    switch (spec.track) {
      case 'by_src':
        key = Buffer.from(src).toString('hex');
        break;
      case 'by_dst':
        key = Buffer.from(dst).toString('hex');
        break;
      case 'by_both':
        key = `${Buffer.from(src).toString('hex')}-${Buffer.from(dst).toString('hex')}`;
        break;
      case 'by_flow':
        key = flow === null ? 'noflow' : String(flow.flowId);
        break;
      case 'by_rule':
        key = '';
        break;
    }
    key = `${spec.type}|${r.id}|${key}`;
    const now = this.nowSec;
    let e = this.thresholds.get(key);
    if (e === undefined || now - e.start >= spec.seconds) {
      if (this.thresholds.size >= MAX_THRESHOLD_ENTRIES) this.thresholds.clear();
      e = { count: 0, start: now, alerted: false };
      this.thresholds.set(key, e);
    }
    e.count++;
    switch (spec.type) {
      case 'limit':
        return e.count <= spec.count;
      case 'threshold':
        if (e.count >= spec.count) {
          e.count = 0;
          return true;
        }
        return false;
      case 'both':
        if (e.count >= spec.count && !e.alerted) {
          e.alerted = true;
          return true;
        }
        return false;
      case 'detection_filter':
        return e.count > spec.count;
    }
  }
}

interface TlsVersionView {
  version?: string;
  client_handshake?: { version?: string };
  server_handshake?: { version?: string };
}

/** The version the client (to server) or the server (to client) announced in its hello. */
function tlsSideVersion(tls: TlsVersionView | undefined, side: FlowDirection): number | undefined {
  const v = side === 'toServer' ? tls?.client_handshake?.version : tls?.server_handshake?.version;
  return v === undefined ? undefined : TLS_VERSION_NUMBERS[v];
}

interface DnsView {
  flags?: string;
  queries?: { rrtype: string }[];
}

const DNS_TYPES: Readonly<Record<string, number>> = {
  A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, HINFO: 13, MX: 15, TXT: 16, AAAA: 28, SRV: 33, NAPTR: 35, DS: 43, SSHFP: 44, RRSIG: 46, NSEC: 47, DNSKEY: 48, NULL: 10, HTTPS: 65, SVCB: 64, ANY: 255, AXFR: 252,
};

/** The header's RCODE (low 4 bits of the flags), in requests too. */
function dnsRcode(dns: DnsView | undefined): number {
  const flags = dns?.flags;
  if (flags === undefined) return -1;
  const v = parseInt(flags, 16);
  return Number.isNaN(v) ? -1 : v & 0xf;
}

/** The side an app-layer rule inspects: its flow keyword, else its buffers' direction. */
function ruleSide(r: Rule, recordDirection: FlowDirection | undefined): FlowDirection | undefined {
  if (r.flow?.toClient) return 'toClient';
  if (r.flow?.toServer) return 'toServer';
  let toClient = false;
  let bothWays = true;
  for (const ins of r.inspections) {
    if (BUFFER_SOURCE[ins.buffer].toClient) toClient = true;
    if (!BIDIRECTIONAL_BUFFERS.has(ins.buffer)) bothWays = false;
  }
  if (recordDirection !== undefined && bothWays) return recordDirection;
  return toClient ? 'toClient' : 'toServer';
}

function appProtoOk(r: Rule, unit: Unit): boolean {
  if (r.proto === 'ip' || r.proto === 'tcp' || r.proto === 'udp') return true;
  if (unit === 'file') return r.proto === 'http' || r.proto === 'smtp';
  return r.proto === unit;
}

function flowEndpoints(flow: Flow, side: FlowDirection): Endpoints {
  const toServer = side === 'toServer';
  const src = toServer ? flow.srcAddr : flow.dstAddr;
  const dst = toServer ? flow.dstAddr : flow.srcAddr;
  return { srcData: src, srcAt: 0, dstData: dst, dstAt: 0, len: src.length, sport: toServer ? flow.srcPort : flow.dstPort, dport: toServer ? flow.dstPort : flow.srcPort };
}

function headerOk(r: Rule, e: Endpoints): boolean {
  if (r.src.matchAt(e.srcData, e.srcAt, e.len) && r.dst.matchAt(e.dstData, e.dstAt, e.len) && r.srcPorts.match(e.sport) && r.dstPorts.match(e.dport)) return true;
  if (!r.bidirectional) return false;
  return r.src.matchAt(e.dstData, e.dstAt, e.len) && r.dst.matchAt(e.srcData, e.srcAt, e.len) && r.srcPorts.match(e.dport) && r.dstPorts.match(e.sport);
}

function icmpField(p: Packet, at: number): number {
  const o = p.l4Offset + at;
  if (p.l4Offset < 0 || o + 2 > p.data.length) return -1;
  return (p.data[o]! << 8) | p.data[o + 1]!;
}

function packetChecksOk(checks: readonly PacketCheck[], p: Packet): boolean {
  for (let i = 0; i < checks.length; i++) {
    const c = checks[i]!;
    switch (c.kind) {
      case 'dsize':
        // `!N` is read as "has a payload, of another size" (Suricata does not match empty packets).
        if (!testNumber(c.test, p.payload.length) || (c.test.op === '!=' && p.payload.length === 0)) return false;
        break;
      case 'itype':
        if (p.icmpType < 0 || !testNumber(c.test, p.icmpType)) return false;
        break;
      case 'icode':
        if (p.icmpCode < 0 || !testNumber(c.test, p.icmpCode)) return false;
        break;
      case 'ttl':
        if (!testNumber(c.test, p.ttl)) return false;
        break;
      case 'ip_proto':
        if (!testNumber(c.test, p.proto)) return false;
        break;
      case 'icmp_id':
        if (p.icmpType < 0 || icmpField(p, 4) !== c.value) return false;
        break;
      case 'icmp_seq':
        if (p.icmpType < 0 || icmpField(p, 6) !== c.value) return false;
        break;
      case 'flags': {
        if (p.proto !== 6) return false;
        const f = p.tcpFlags & ~c.ignore & 0xff;
        if (c.mode === 'exact' && f !== c.flags) return false;
        if (c.mode === 'plus' && (f & c.flags) !== c.flags) return false;
        if (c.mode === 'any' && (f & c.flags) === 0) return false;
        if (c.mode === 'not' && (f & c.flags) !== 0) return false;
        break;
      }
      case 'urilen':
        return false;
      case 'vlan_id':
        if (!vlanIdMatches(c, p.vlan)) return false;
        break;
    }
  }
  return true;
}
