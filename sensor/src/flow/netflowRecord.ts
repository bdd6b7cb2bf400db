/**
 * Suricata's EVE `netflow` records (eve-log type `netflow`, off by default): a flow as two
 * one-way records, the client's side first, then the server's when it sent anything; each with its
 * own packet and byte counts and, for TCP, the flags of that direction. Stamped with the flow's
 * start, as Suricata's netflow logger does.
 */
import { formatEveTimestamp } from './eveTime.ts';
import type { Flow } from './flow.ts';
import { eveProtoName } from './flowRecord.ts';

const HEX2 = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function tcpFlags(flags: number): Record<string, unknown> {
  const out: Record<string, unknown> = { tcp_flags: HEX2[flags & 0xff]! };
  if (flags & 0x02) out.syn = true;
  if (flags & 0x01) out.fin = true;
  if (flags & 0x04) out.rst = true;
  if (flags & 0x08) out.psh = true;
  if (flags & 0x10) out.ack = true;
  if (flags & 0x20) out.urg = true;
  if (flags & 0x40) out.ecn = true;
  if (flags & 0x80) out.cwr = true;
  return out;
}

/**
 * The netflow records of an ended flow: to server, then to client (only when the server sent
 * packets). `ip` formats an address as the pipeline writes them; `appProto` is the flow's.
 */
export function netflowRecords(f: Flow, ip: (addr: Uint8Array) => string, appProto: string | undefined): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const hasPorts = f.proto === 6 || f.proto === 17 || f.proto === 132;
  for (const toServer of [true, false]) {
    const pkts = toServer ? f.pktsToServer : f.pktsToClient;
    if (!toServer && pkts === 0) break;
    const r: Record<string, unknown> = { timestamp: formatEveTimestamp(f.startSec, f.startNsec), flow_id: f.flowId, event_type: 'netflow' };
    if (f.vlan.length > 0) r.vlan = [...f.vlan];
    r.src_ip = ip(toServer ? f.srcAddr : f.dstAddr);
    if (hasPorts) r.src_port = toServer ? f.srcPort : f.dstPort;
    r.dest_ip = ip(toServer ? f.dstAddr : f.srcAddr);
    if (hasPorts) r.dest_port = toServer ? f.dstPort : f.srcPort;
    r.ip_v = f.ipVersion;
    r.proto = eveProtoName(f.proto);
    if (appProto !== undefined && appProto !== 'failed') r.app_proto = appProto;
    r.netflow = {
      pkts,
      bytes: toServer ? f.bytesToServer : f.bytesToClient,
      start: formatEveTimestamp(f.startSec, f.startNsec),
      end: formatEveTimestamp(f.lastSec, f.lastNsec),
      age: f.lastSec - f.startSec,
    };
    if (f.proto === 6) r.tcp = tcpFlags(toServer ? f.tcpFlagsToServer : f.tcpFlagsToClient);
    out.push(r);
  }
  return out;
}
