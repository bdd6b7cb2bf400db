/**
 * Decoded packets in capture order → their flow, direction and the application bytes they make
 * available, plus the flows that ended on the way. The glue between decode/ and app-layer/: no
 * protocol parsing here.
 *
 * Per packet: flow lookup (creating, reusing or evicting), counters and timestamps, TCP state, then
 * TCP reassembly (chunks of either direction, in stream order) or, for UDP, the datagram payload as
 * one chunk. Timeouts are checked as packet time moves forward, at most once per second of it.
 * Ended flows have their remaining buffered TCP data flushed (gaps skipped) and an EVE flow record.
 */
import type { Packet } from '../decode/packet.ts';
import {
  DEFAULT_MAX_BUFFERED_BYTES_PER_DIRECTION,
  DEFAULT_STREAM_BUDGET_BYTES,
  ReassemblyOutput,
  StreamMemoryBudget,
  TcpReassembler,
} from '../stream/tcpReassembler.ts';
import type { ReassembledChunk, ReassemblyConfig, StreamAnomaly } from '../stream/tcpReassembler.ts';
import type { Flow, FlowDirection, FlowEndReason } from './flow.ts';
import { flowRecord } from './flowRecord.ts';
import type { EveFlowRecord } from './flowRecord.ts';
import { DEFAULT_FLOW_TIMEOUTS, DEFAULT_MAX_FLOWS, FlowTable, packetHasFlow } from './flowTable.ts';
import type { FlowCounters, FlowTimeouts } from './flowTable.ts';
import { trackTcp } from './tcpTracker.ts';

const PROTO_TCP = 6;
const PROTO_UDP = 17;
const PROTO_ICMP = 1;
const PROTO_ICMPV6 = 58;

export interface FlowEngineConfig {
  maxFlows: number;
  timeouts: FlowTimeouts;
  maxBufferedBytesPerDirection: number;
  /** Out-of-order bytes all TCP streams together may hold. */
  streamBudgetBytes: number;
  /** Community ID seed (Suricata's community-id-seed). */
  communityIdSeed: number;
  /** Suricata's `vlan.use-for-tracking`: false keys flows without their VLAN ids. */
  vlanTracking?: boolean;
}

export const DEFAULT_FLOW_ENGINE_CONFIG: FlowEngineConfig = Object.freeze({
  maxFlows: DEFAULT_MAX_FLOWS,
  timeouts: DEFAULT_FLOW_TIMEOUTS,
  maxBufferedBytesPerDirection: DEFAULT_MAX_BUFFERED_BYTES_PER_DIRECTION,
  streamBudgetBytes: DEFAULT_STREAM_BUDGET_BYTES,
  communityIdSeed: 0,
});

/** A flow that ended: its last reassembled bytes (to feed before forgetting it) and its record. */
export interface EndedFlow {
  flow: Flow;
  reason: FlowEndReason;
  /** Buffered TCP data delivered at the end, gaps skipped. */
  chunks: ReassembledChunk[];
  events: StreamAnomaly[];
  record: EveFlowRecord;
}

export interface FlowPacketResult {
  /** null when the packet belongs to no flow (not IP, a fragment still waiting, a broken header). */
  flow: Flow | null;
  direction: FlowDirection;
  /** Bytes made available by this packet, in stream order per direction; TCP chunks may belong to
   *  the other direction (an ACK can release the peer's data past a gap). */
  chunks: ReassembledChunk[];
  events: StreamAnomaly[];
  /** Flows that ended before this packet; handle them first. */
  ended: EndedFlow[];
}

const NO_CHUNKS: ReassembledChunk[] = [];
const NO_EVENTS: StreamAnomaly[] = [];
const NO_ENDED: EndedFlow[] = [];
Object.freeze(NO_CHUNKS);
Object.freeze(NO_EVENTS);
Object.freeze(NO_ENDED);

export class FlowEngine {
  readonly table: FlowTable;
  readonly streamBudget: StreamMemoryBudget;
  readonly config: FlowEngineConfig;
  /** Latest packet time seen: the clock of timeouts (captures are not always in order). */
  private nowSec = 0;
  private nowNsec = 0;
  private nextSweepSec = -Infinity;
  private readonly reassemblyConfig: ReassemblyConfig;
  private readonly out = new ReassemblyOutput();
  private endedFlows: Flow[] = [];

  constructor(config: Partial<FlowEngineConfig> = {}) {
    this.config = { ...DEFAULT_FLOW_ENGINE_CONFIG, ...config };
    this.table = new FlowTable({ maxFlows: this.config.maxFlows, timeouts: this.config.timeouts, vlanTracking: this.config.vlanTracking !== false });
    this.streamBudget = new StreamMemoryBudget(this.config.streamBudgetBytes);
    this.reassemblyConfig = { maxBufferedBytesPerDirection: this.config.maxBufferedBytesPerDirection };
  }

  get counters(): FlowCounters {
    return this.table.counters;
  }

  onPacket(packet: Packet): FlowPacketResult {
    // A fragment that completed a datagram stands for the datagram.
    const p = packet.reassembled ?? packet;
    if (p.tsSec > this.nowSec || (p.tsSec === this.nowSec && p.tsNsec > this.nowNsec)) {
      this.nowSec = p.tsSec;
      this.nowNsec = p.tsNsec;
    }
    if (this.nowSec >= this.nextSweepSec) {
      this.nextSweepSec = this.nowSec + 1;
      this.table.expire(this.nowSec, this.nowNsec, this.endedFlows);
    }
    if (!packetHasFlow(p)) {
      return { flow: null, direction: 'toServer', chunks: NO_CHUNKS, events: NO_EVENTS, ended: this.takeEnded() };
    }
    const f = this.table.lookup(p, this.endedFlows);
    const ended = this.takeEnded();
    const direction = this.table.lastDirection;
    const toServer = direction === 'toServer';
    if (toServer) {
      f.pktsToServer++;
      f.bytesToServer += p.data.length;
    } else {
      f.pktsToClient++;
      f.bytesToClient += p.data.length;
    }
    if (p.tsSec > f.lastSec || (p.tsSec === f.lastSec && p.tsNsec > f.lastNsec)) {
      f.lastSec = p.tsSec;
      f.lastNsec = p.tsNsec;
    }
    // An ICMP error counted in the TCP/UDP flow of the packet it quotes carries nothing else for it.
    if (p.proto !== f.proto) return { flow: f, direction, chunks: NO_CHUNKS, events: NO_EVENTS, ended };
    if (p.proto === PROTO_TCP) return this.onTcp(p, f, direction, toServer, ended);
    if (f.state === 'new' && f.pktsToServer > 0 && f.pktsToClient > 0) f.state = 'established';
    if (!toServer && f.responseIcmpType < 0 && (p.proto === PROTO_ICMP || p.proto === PROTO_ICMPV6)) {
      f.responseIcmpType = p.icmpType;
      f.responseIcmpCode = p.icmpCode;
    }
    const chunks = p.proto === PROTO_UDP && p.payload.length > 0 ? [{ direction, data: p.payload, gapBefore: false }] : NO_CHUNKS;
    return { flow: f, direction, chunks, events: NO_EVENTS, ended };
  }

  /** End of capture: ends every flow with reason 'shutdown' at packet time (endSec, endNsec). */
  flush(endSec: number = this.nowSec, endNsec: number = this.nowNsec): EndedFlow[] {
    this.table.endAll('shutdown', this.endedFlows);
    return this.takeEnded(endSec, endNsec);
  }

  private onTcp(p: Packet, f: Flow, direction: FlowDirection, toServer: boolean, ended: EndedFlow[]): FlowPacketResult {
    const flags = p.tcpFlags;
    if (toServer) f.tcpFlagsToServer |= flags;
    else f.tcpFlagsToClient |= flags;
    trackTcp(f, toServer, flags, p.tcpSeq, p.tcpAck, p.payload.length);
    if (f.tcp === null) f.tcp = new TcpReassembler(this.streamBudget, this.reassemblyConfig);
    const out = this.out;
    f.tcp.onSegment(direction, p.tcpSeq, p.tcpAck, flags, p.payload, out);
    const chunks = out.chunks.length > 0 ? out.chunks : NO_CHUNKS;
    const events = out.events.length > 0 ? out.events : NO_EVENTS;
    out.clear();
    return { flow: f, direction, chunks, events, ended };
  }

  private takeEnded(endSec: number = this.nowSec, endNsec: number = this.nowNsec): EndedFlow[] {
    if (this.endedFlows.length === 0) return NO_ENDED;
    const result: EndedFlow[] = [];
    const out = this.out;
    for (const f of this.endedFlows) {
      if (f.tcp !== null) f.tcp.finish(out);
      const reason = f.endReason ?? 'forced';
      result.push({
        flow: f,
        reason,
        chunks: out.chunks.length > 0 ? out.chunks : NO_CHUNKS,
        events: out.events.length > 0 ? out.events : NO_EVENTS,
        record: flowRecord(f, reason, endSec, endNsec, this.config.communityIdSeed),
      });
      out.clear();
    }
    this.endedFlows = [];
    return result;
  }
}
