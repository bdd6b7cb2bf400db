/**
 * Builders for the detectors' unit tests: flows, packets and app records as the pipeline hands
 * them over, without a capture. Addresses are IPv4 text; times are packet seconds.
 */
import { Packet, TCP_FLAG } from '../../decode/packet.ts';
import { Flow } from '../../flow/flow.ts';
import type { FlowDirection } from '../../flow/flow.ts';
import type { AppRecordOut } from '../../pipeline/appSession.ts';
import type { RaisedAlert } from '../detectionStage.ts';
import { parseIpAddress } from '../homeNet.ts';

let nextFlowId = 1;

export interface FlowSpec {
  src: string;
  dst: string;
  sport?: number;
  dport: number;
  proto?: number;
  sec?: number;
}

export function testFlow(s: FlowSpec): Flow {
  const proto = s.proto ?? 6;
  const sport = s.sport ?? 40000 + (nextFlowId % 20000);
  const id = nextFlowId++;
  const f = new Flow(
    `${s.src}:${sport}-${s.dst}:${s.dport}-${proto}-${id}`,
    id,
    proto,
    4,
    [],
    { addr: parseIpAddress(s.src)!, ip: s.src, port: sport },
    { addr: parseIpAddress(s.dst)!, ip: s.dst, port: s.dport },
    true,
    -1,
    -1,
    s.sec ?? 0,
    0,
  );
  return f;
}

export function testPacket(sec: number, o: { flags?: number; payload?: number; icmpType?: number } = {}): Packet {
  const whole = Math.floor(sec);
  const p = new Packet(new Uint8Array(0), 1, whole, Math.round((sec - whole) * 1e9), 0, 0);
  p.tcpFlags = o.flags ?? 0;
  if (o.payload !== undefined) p.payload = new Uint8Array(o.payload);
  if (o.icmpType !== undefined) p.icmpType = o.icmpType;
  return p;
}

/** Counts a packet on the flow as the flow engine does before the stages see it. */
export function countPacket(f: Flow, direction: FlowDirection, sec: number, bytes = 60): void {
  if (direction === 'toServer') {
    f.pktsToServer++;
    f.bytesToServer += bytes;
  } else {
    f.pktsToClient++;
    f.bytesToClient += bytes;
  }
  f.lastSec = Math.floor(sec);
  f.lastNsec = Math.round((sec - Math.floor(sec)) * 1e9);
}

export const SYN = TCP_FLAG.SYN;
export const SYN_ACK = TCP_FLAG.SYN | TCP_FLAG.ACK;
export const RST_ACK = TCP_FLAG.RST | TCP_FLAG.ACK;
export const ACK = TCP_FLAG.ACK;

export function appRecord(flow: Flow, eventType: string, fields: Record<string, unknown>, direction: FlowDirection = 'toServer'): AppRecordOut {
  return { flow, eventType, direction, fields, logged: true } as AppRecordOut;
}

export function collector(): { alerts: RaisedAlert[]; raise: (a: RaisedAlert) => void } {
  const alerts: RaisedAlert[] = [];
  return { alerts, raise: (a) => alerts.push(a) };
}
