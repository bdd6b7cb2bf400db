/**
 * The EVE `flow` event of an ended flow, shaped as Suricata 8's output-json-flow.c writes it (the
 * fields the EVE schema allows, in Suricata's order). Only a value: the caller decides where it goes
 * and may add `app_proto` and friends.
 */
import { formatEveTimestamp } from './eveTime.ts';
import type { Flow, FlowEndReason, FlowState, TcpState } from './flow.ts';

/** EVE `proto` names (Suricata's known_proto table); other protocols are written as their number. */
const PROTO_NAMES: ReadonlyMap<number, string> = new Map([
  [1, 'ICMP'], [2, 'IGMP'], [6, 'TCP'], [17, 'UDP'], [41, 'IPv6'], [47, 'GRE'], [50, 'ESP'],
  [51, 'AH'], [58, 'IPv6-ICMP'], [103, 'PIM'], [132, 'SCTP'],
]);

export function eveProtoName(proto: number): string {
  return PROTO_NAMES.get(proto) ?? String(proto);
}

export interface EveFlowCounters {
  pkts_toserver: number;
  pkts_toclient: number;
  bytes_toserver: number;
  bytes_toclient: number;
  start: string;
  end: string;
  age: number;
  state: FlowState;
  reason: FlowEndReason;
  alerted: boolean;
}

export interface EveTcp {
  tcp_flags: string;
  tcp_flags_ts: string;
  tcp_flags_tc: string;
  syn?: true;
  fin?: true;
  rst?: true;
  psh?: true;
  ack?: true;
  urg?: true;
  ecn?: true;
  cwr?: true;
  ts_gap?: true;
  tc_gap?: true;
  state: TcpState;
}

export interface EveFlowRecord {
  timestamp: string;
  flow_id: number;
  event_type: 'flow';
  vlan?: number[];
  src_ip: string;
  src_port?: number;
  dest_ip: string;
  dest_port?: number;
  ip_v: number;
  proto: string;
  icmp_type?: number;
  icmp_code?: number;
  response_icmp_type?: number;
  response_icmp_code?: number;
  flow: EveFlowCounters;
  community_id: string;
  tcp?: EveTcp;
}

const HEX2 = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function eveTcp(f: Flow): EveTcp {
  const all = f.tcpFlagsToServer | f.tcpFlagsToClient;
  // Suricata writes only the flags that were seen, and the state last.
  const out = { tcp_flags: HEX2[all]!, tcp_flags_ts: HEX2[f.tcpFlagsToServer]!, tcp_flags_tc: HEX2[f.tcpFlagsToClient]! } as EveTcp;
  if (all & 0x02) out.syn = true;
  if (all & 0x01) out.fin = true;
  if (all & 0x04) out.rst = true;
  if (all & 0x08) out.psh = true;
  if (all & 0x10) out.ack = true;
  if (all & 0x20) out.urg = true;
  if (all & 0x40) out.ecn = true;
  if (all & 0x80) out.cwr = true;
  if (f.tcp !== null && f.tcp.toServer.gaps > 0) out.ts_gap = true;
  if (f.tcp !== null && f.tcp.toClient.gaps > 0) out.tc_gap = true;
  out.state = f.tcpState;
  return out;
}

/** The record of `f`, ended for `reason` at packet time (endSec, endNsec). */
export function flowRecord(f: Flow, reason: FlowEndReason, endSec: number, endNsec: number, communityIdSeed = 0): EveFlowRecord {
  const hasPorts = f.proto === 6 || f.proto === 17 || f.proto === 132;
  const isIcmp = f.proto === 1 || f.proto === 58;
  const r = {
    timestamp: formatEveTimestamp(endSec, endNsec),
    flow_id: f.flowId,
    event_type: 'flow',
  } as EveFlowRecord;
  if (f.vlan.length > 0) r.vlan = [...f.vlan];
  r.src_ip = f.srcIp;
  if (hasPorts) r.src_port = f.srcPort;
  r.dest_ip = f.dstIp;
  if (hasPorts) r.dest_port = f.dstPort;
  r.ip_v = f.ipVersion;
  r.proto = eveProtoName(f.proto);
  if (isIcmp) {
    r.icmp_type = f.icmpType;
    r.icmp_code = f.icmpCode;
    if (f.responseIcmpType >= 0) {
      r.response_icmp_type = f.responseIcmpType;
      r.response_icmp_code = f.responseIcmpCode;
    }
  }
  r.flow = {
    pkts_toserver: f.pktsToServer,
    pkts_toclient: f.pktsToClient,
    bytes_toserver: f.bytesToServer,
    bytes_toclient: f.bytesToClient,
    start: formatEveTimestamp(f.startSec, f.startNsec),
    end: formatEveTimestamp(f.lastSec, f.lastNsec),
    age: f.lastSec - f.startSec,
    state: f.state,
    reason,
    alerted: f.alerted,
  };
  r.community_id = f.communityId(communityIdSeed);
  if (f.proto === 6) r.tcp = eveTcp(f);
  return r;
}
