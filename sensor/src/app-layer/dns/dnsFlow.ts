/**
 * Per-flow DNS state: UDP datagrams are one message each; TCP carries messages behind a 2-byte
 * length prefix (RFC 1035 4.2.2) and may split them anywhere. Requests are remembered by id for a
 * short window so responses nobody asked for raise `dns.unsolicited_response`.
 */
import type { AppLayerAnomaly, Direction, FeedResult, ParseResult } from '../appLayer.ts';
import { PendingBytes } from '../appLayer.ts';
import type { DnsRecord } from './dnsMessage.ts';
import { parseDnsMessage } from './dnsMessage.ts';

/** Transactions (messages) logged per flow; later ones are counted, not parsed. */
export const DNS_MAX_TRANSACTIONS_PER_FLOW = 4096;
/** Requests waiting for their response, as Suricata's window. */
export const DNS_PENDING_WINDOW = 32;
/** A TCP frame is at most 65535 bytes plus its prefix, so this bounds the buffer. */
const DNS_TCP_MAX_PENDING = 65537;

export type DnsTransport = 'udp' | 'tcp';

export interface DnsTcpFrame {
  message: Uint8Array;
}

/** Split one length-prefixed frame off the front of a TCP stream. */
export function parseDnsTcpFrame(b: Uint8Array): ParseResult<DnsTcpFrame> {
  if (b.length < 2) return { status: 'incomplete', consumed: 0, needed: 2 - b.length };
  const len = ((b[0] ?? 0) << 8) | (b[1] ?? 0);
  if (len < 12) return { status: 'error', anomaly: 'dns.malformed_data' };
  if (b.length < 2 + len) return { status: 'incomplete', consumed: 0, needed: 2 + len - b.length };
  return { status: 'ok', consumed: 2 + len, value: { message: b.subarray(2, 2 + len) } };
}

export class DnsFlowParser {
  private readonly pending = { toServer: new PendingBytes(DNS_TCP_MAX_PENDING), toClient: new PendingBytes(DNS_TCP_MAX_PENDING) };
  private readonly outstanding: number[] = [];
  private transactions = 0;
  /** A direction whose TCP framing broke; we stop parsing it rather than guess a resync point. */
  private readonly broken = { toServer: false, toClient: false };

  constructor(readonly transport: DnsTransport) {}

  get transactionCount(): number {
    return this.transactions;
  }

  /** Bytes of this direction were lost (capture drop, reassembly gap). Framing cannot be trusted
   *  past a hole, so the direction is no longer parsed; what completed before is kept. */
  gap(direction: Direction): void {
    if (this.transport === 'udp') return; // datagrams stand alone
    this.broken[direction] = true;
    this.pending[direction].clear();
  }

  feed(direction: Direction, bytes: Uint8Array): FeedResult<DnsRecord> {
    const out: FeedResult<DnsRecord> = { records: [], anomalies: [] };
    if (this.transport === 'udp') {
      this.message(direction, bytes, out);
      return out;
    }
    if (this.broken[direction]) return out;
    const pending = this.pending[direction];
    const data = pending.join(bytes);
    let pos = 0;
    for (;;) {
      const frame = parseDnsTcpFrame(data.subarray(pos));
      if (frame.status === 'incomplete') break;
      if (frame.status === 'error') {
        out.anomalies.push({ name: frame.anomaly, direction });
        this.broken[direction] = true;
        pending.clear();
        return out;
      }
      this.message(direction, frame.value.message, out);
      pos += frame.consumed;
    }
    pending.keep(data.subarray(pos));
    return out;
  }

  private message(direction: Direction, msg: Uint8Array, out: FeedResult<DnsRecord>): void {
    const raise = (name: string): void => {
      if (!out.anomalies.some((a) => a.name === name && a.direction === direction)) out.anomalies.push({ name, direction } satisfies AppLayerAnomaly);
    };
    if (this.transactions >= DNS_MAX_TRANSACTIONS_PER_FLOW) {
      if (this.transactions++ === DNS_MAX_TRANSACTIONS_PER_FLOW) raise('dns.too_many_transactions');
      return;
    }
    const parsed = parseDnsMessage(msg);
    if (parsed.status !== 'ok') {
      raise(parsed.status === 'error' ? parsed.anomaly : 'dns.malformed_data');
      return;
    }
    this.transactions++;
    const { record, anomalies } = parsed.value;
    for (const a of anomalies) raise(a);
    if (direction === 'toServer') {
      if (record.qr) raise('dns.not_request');
      else {
        this.outstanding.push(record.id);
        if (this.outstanding.length > DNS_PENDING_WINDOW) this.outstanding.shift();
      }
    } else {
      if (!record.qr) raise('dns.not_response');
      else {
        const i = this.outstanding.indexOf(record.id);
        if (i >= 0) this.outstanding.splice(i, 1);
        else raise('dns.unsolicited_response');
      }
    }
    out.records.push(record);
  }
}
