/**
 * Port scans and host sweeps, from packets. A probe is the start of a conversation: a TCP SYN
 * (without ACK), the first UDP datagram of a flow, an ICMP echo request. Per actor (the probing
 * client) two sliding windows of packet time are kept:
 * - (actor, host) → distinct ports probed on that host: a port scan;
 * - (actor, protocol/port) → distinct hosts probed on that port: a host sweep (ICMP echo: a ping sweep).
 * A probe counts as answered when the conversation carried data (TCP payload either way) or got a
 * reply (UDP, ICMP); a scan is mostly unanswered, a busy client mostly answered — that separates a
 * browser opening 30 connections from nmap.
 *
 * The variant follows the actor: outside HOME_NET → `inbound_*`, inside → `outbound_*` (an inside
 * host scanning is infected or misused, whether its targets are inside or out).
 */
import type { Packet } from '../../decode/packet.ts';
import { TCP_FLAG } from '../../decode/packet.ts';
import type { Flow, FlowDirection } from '../../flow/flow.ts';
import type { RaiseAlert } from '../detectionStage.ts';
import type { HomeNet } from '../homeNet.ts';
import type { BehaviourConfig } from './behaviourConfig.ts';
import { behaviourAlert } from './behaviourAlert.ts';
import { BEHAVIOUR_SIGNATURES } from './behaviourSids.ts';
import { LruTable } from './lruTable.ts';

const PROTO_ICMP = 1;
const PROTO_TCP = 6;
const PROTO_UDP = 17;
const PROTO_ICMPV6 = 58;
const TRACEROUTE_FIRST_PORT = 33434;
const TRACEROUTE_LAST_PORT = 33534;

type TargetKey = string | number;

interface Probe {
  key: TargetKey;
  sec: number;
  answered: boolean;
  window: ProbeWindow;
}

/** Distinct targets (ports or hosts) probed within a sliding window, oldest first. */
export class ProbeWindow {
  private readonly items = new Map<TargetKey, Probe>();
  unanswered = 0;
  /** Probes seen since the entry was made, repeats included. */
  probes = 0;
  /** Packet second before which this entry does not alert again (once per realertSec). */
  quietUntil = -Infinity;

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.items.size;
  }

  add(key: TargetKey, sec: number, windowSec: number): Probe {
    this.probes++;
    this.prune(sec - windowSec);
    const old = this.items.get(key);
    if (old !== undefined) {
      // Seen again: it moves to the young end with the new time.
      this.items.delete(key);
      old.sec = sec;
      this.items.set(key, old);
      return old;
    }
    if (this.items.size >= this.capacity) {
      const oldest = this.items.values().next();
      if (!oldest.done) this.remove(oldest.value);
    }
    const p: Probe = { key, sec, answered: false, window: this };
    this.items.set(key, p);
    this.unanswered++;
    return p;
  }

  markAnswered(p: Probe): void {
    if (p.answered) return;
    p.answered = true;
    if (this.items.get(p.key) === p) this.unanswered--;
  }

  keys(): TargetKey[] {
    return [...this.items.keys()];
  }

  private prune(before: number): void {
    for (const p of this.items.values()) {
      if (p.sec > before) break;
      this.remove(p);
    }
  }

  private remove(p: Probe): void {
    this.items.delete(p.key);
    if (!p.answered) this.unanswered--;
  }
}

/** Destinations that never answer a probe (broadcast, multicast): not targets of a scan. */
function isGroupAddress(addr: Uint8Array): boolean {
  if (addr.length === 4) return addr[0]! >= 224 || (addr[0] === 255 && addr[3] === 255);
  return addr[0] === 0xff;
}

export class ScanDetector {
  private readonly portScans: LruTable<string, ProbeWindow>;
  private readonly sweeps: LruTable<string, ProbeWindow>;
  /** Probes waiting for their conversation to be answered. Weak: ended flows take theirs along. */
  private readonly waiting = new WeakMap<Flow, Probe[]>();

  constructor(
    private readonly config: BehaviourConfig['scan'],
    private readonly homeNet: HomeNet,
  ) {
    this.portScans = new LruTable(config.maxTracked);
    this.sweeps = new LruTable(config.maxTracked);
  }

  /** Entries tracked (for tests of the bounds). */
  get tracked(): number {
    return this.portScans.size + this.sweeps.size;
  }

  onPacket(packet: Packet, flow: Flow | null, direction: FlowDirection, raise: RaiseAlert): void {
    if (flow === null) return;
    const waiting = this.waiting.get(flow);
    if (waiting !== undefined) {
      const answered = flow.proto === PROTO_TCP ? packet.payload.length > 0 : direction === 'toClient';
      if (answered) {
        for (const p of waiting) p.window.markAnswered(p);
        this.waiting.delete(flow);
      }
    }
    if (direction !== 'toServer' || !this.isProbe(packet, flow)) return;
    if (isGroupAddress(flow.dstAddr)) return;
    this.probe(packet, flow, raise);
  }

  private isProbe(packet: Packet, flow: Flow): boolean {
    switch (flow.proto) {
      case PROTO_TCP:
        return (packet.tcpFlags & (TCP_FLAG.SYN | TCP_FLAG.ACK)) === TCP_FLAG.SYN;
      case PROTO_UDP:
        // Unix traceroute walks UDP ports 33434 upward, one per probe: not a port scan.
        if (flow.dstPort >= TRACEROUTE_FIRST_PORT && flow.dstPort <= TRACEROUTE_LAST_PORT) return false;
        return flow.pktsToServer <= 1 && flow.pktsToClient === 0;
      case PROTO_ICMP:
        return packet.icmpType === 8 && flow.pktsToServer <= 1 && flow.pktsToClient === 0;
      case PROTO_ICMPV6:
        return packet.icmpType === 128 && flow.pktsToServer <= 1 && flow.pktsToClient === 0;
      default:
        return false;
    }
  }

  private probe(packet: Packet, flow: Flow, raise: RaiseAlert): void {
    const c = this.config;
    const sec = packet.tsSec + packet.tsNsec / 1e9;
    const actor = flow.srcIp;
    const isIcmp = flow.proto === PROTO_ICMP || flow.proto === PROTO_ICMPV6;
    const isTcp = flow.proto === PROTO_TCP;
    const probes: Probe[] = [];

    if (!isIcmp) {
      const w = this.portScans.obtain(`${actor}>${flow.dstIp}`, () => new ProbeWindow(c.maxTargetsPerEntry));
      // Ports as numbers: UDP ports above 65535.
      probes.push(w.add(isTcp ? flow.dstPort : 65536 + flow.dstPort, sec, c.windowSec));
      if (w.size >= c.minPorts && packet.tsSec >= w.quietUntil && w.unanswered >= c.minUnansweredFraction * w.size) {
        w.quietUntil = packet.tsSec + c.realertSec;
        const ports = w.keys().map((k) => (k as number) & 0xffff).sort((a, b) => a - b);
        const sig = this.homeNet.contains(flow.srcAddr) ? BEHAVIOUR_SIGNATURES.outboundPortScan : BEHAVIOUR_SIGNATURES.inboundPortScan;
        const evidence = { port_count: w.size, ports, unanswered: w.unanswered, probes: w.probes, window_sec: c.windowSec, target: flow.dstIp };
        raise(behaviourAlert(sig, flow, evidence, { sec: packet.tsSec, nsec: packet.tsNsec }));
      }
    }
    const service = isIcmp ? 'icmp' : `${isTcp ? 'tcp' : 'udp'}/${flow.dstPort}`;
    const w = this.sweeps.obtain(`${actor}>${service}`, () => new ProbeWindow(c.maxTargetsPerEntry));
    probes.push(w.add(flow.dstIp, sec, c.windowSec));
    if (w.size >= c.minHosts && packet.tsSec >= w.quietUntil && w.unanswered >= c.minUnansweredFraction * w.size) {
      w.quietUntil = packet.tsSec + c.realertSec;
      const sig = this.homeNet.contains(flow.srcAddr) ? BEHAVIOUR_SIGNATURES.outboundHostSweep : BEHAVIOUR_SIGNATURES.inboundHostSweep;
      const evidence = { host_count: w.size, hosts: w.keys() as string[], service, unanswered: w.unanswered, probes: w.probes, window_sec: c.windowSec };
      raise(behaviourAlert(sig, flow, evidence, { sec: packet.tsSec, nsec: packet.tsNsec }));
    }
    const prev = this.waiting.get(flow);
    if (prev === undefined) this.waiting.set(flow, probes);
    else if (prev.length < 4) prev.push(...probes);
  }
}
