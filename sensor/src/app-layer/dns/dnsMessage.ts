/**
 * One DNS message (RFC 1035 section 4) from bytes to the EVE "v3" record. Pure and bounded: every
 * read is checked against the message end, names are decompressed with a hop and label budget, and
 * each section keeps at most DNS_MAX_RECORDS_PER_SECTION records.
 */
import type { ParseResult } from '../appLayer.ts';
import { hexColon } from '../appLayer.ts';
import { DNS_RRTYPE, dnsRcodeName, dnsRrtypeName } from './dnsNames.ts';

/** Labels in one name, counting those reached through pointers; also our loop guard. */
export const DNS_MAX_LABELS = 255;
/** Assembled name length (as dnsmasq allows); longer names are truncated and flagged. */
export const DNS_MAX_NAME_LEN = 1025;
/** Records kept per section; the rest are skipped with `dns.too_many_records`. */
export const DNS_MAX_RECORDS_PER_SECTION = 256;
/** Compression pointers followed in one name before we call it a loop. */
export const DNS_MAX_POINTER_HOPS = 64;
export const DNS_HEADER_LEN = 12;

export interface DnsHeader {
  id: number;
  flags: number;
  qdcount: number;
  ancount: number;
  nscount: number;
  arcount: number;
}

export interface DnsQuery {
  rrname: string;
  rrtype: string;
  rrname_truncated?: true;
}

export interface DnsSoa {
  mname: string;
  rname: string;
  serial: number;
  refresh: number;
  retry: number;
  expire: number;
  minimum: number;
}

export interface DnsAnswer {
  rrname: string;
  rrtype: string;
  ttl: number;
  rrname_truncated?: true;
  rdata?: string;
  soa?: DnsSoa;
  srv?: { priority: number; weight: number; port: number; name: string };
  sshfp?: { algo: number; type: number; fingerprint: string };
}

/** Field names and types follow the Suricata 8 EVE `dns` object, version 3. */
export interface DnsRecord {
  version: 3;
  type: 'request' | 'response';
  id: number;
  flags: string;
  qr: boolean;
  aa: boolean;
  tc: boolean;
  rd: boolean;
  ra: boolean;
  z?: true;
  opcode: number;
  rcode?: string;
  queries?: DnsQuery[];
  answers?: DnsAnswer[];
  authorities?: DnsAnswer[];
  additionals?: DnsAnswer[];
}

export interface DnsParsedMessage {
  record: DnsRecord;
  /** Anomalies that did not stop the parse (name truncated, bad authorities...). */
  anomalies: string[];
}

function u16at(b: Uint8Array, o: number): number {
  return ((b[o] ?? 0) << 8) | (b[o + 1] ?? 0);
}

function u32at(b: Uint8Array, o: number): number {
  return (((b[o] ?? 0) << 24) | ((b[o + 1] ?? 0) << 16) | ((b[o + 2] ?? 0) << 8) | (b[o + 3] ?? 0)) >>> 0;
}

export function parseDnsHeader(b: Uint8Array): ParseResult<DnsHeader> {
  if (b.length < DNS_HEADER_LEN) return { status: 'incomplete', consumed: 0, needed: DNS_HEADER_LEN - b.length };
  return {
    status: 'ok',
    consumed: DNS_HEADER_LEN,
    value: { id: u16at(b, 0), flags: u16at(b, 2), qdcount: u16at(b, 4), ancount: u16at(b, 6), nscount: u16at(b, 8), arcount: u16at(b, 10) },
  };
}

export interface DnsName {
  name: string;
  /** Offset just after the name where it sits in the message (not where pointers led). */
  next: number;
  truncated: boolean;
}

/** Printable ASCII as is, anything else as \xNN: names come from the wire and end up in logs. */
function labelText(b: Uint8Array, start: number, end: number): string {
  let plain = true;
  for (let i = start; i < end; i++) {
    const c = b[i] ?? 0;
    if (c < 0x21 || c > 0x7e || c === 0x5c) {
      plain = false;
      break;
    }
  }
  // Labels are at most 63 bytes: a direct char-code conversion beats a Buffer view per label.
  if (plain) return String.fromCharCode.apply(null, b.subarray(start, end) as unknown as number[]);
  const parts: string[] = [];
  for (let i = start; i < end; i++) {
    const c = b[i] ?? 0;
    parts.push(c < 0x21 || c > 0x7e || c === 0x5c ? `\\x${c.toString(16).padStart(2, '0')}` : String.fromCharCode(c));
  }
  return parts.join('');
}

/** Decompress the name at `offset` of message `msg`. Errors are anomaly names. */
export function parseDnsName(msg: Uint8Array, offset: number): ParseResult<DnsName> {
  const labels: string[] = [];
  let pos = offset;
  let next = -1;
  let hops = 0;
  let labelCount = 0;
  let nameLen = 0;
  let truncated = false;
  for (;;) {
    if (pos >= msg.length) return { status: 'error', anomaly: 'dns.malformed_data' };
    const len = msg[pos] ?? 0;
    if (len === 0) {
      if (next < 0) next = pos + 1;
      break;
    }
    if ((len & 0xc0) === 0xc0) {
      if (pos + 1 >= msg.length) return { status: 'error', anomaly: 'dns.malformed_data' };
      if (next < 0) next = pos + 2;
      const target = ((len & 0x3f) << 8) | (msg[pos + 1] ?? 0);
      // A pointer must lead backwards, so every hop strictly shrinks the position: no cycle can
      // last, and the hop budget bounds the work on long backward chains.
      if (target >= pos || ++hops > DNS_MAX_POINTER_HOPS) return { status: 'error', anomaly: 'dns.infinite_loop' };
      pos = target;
      continue;
    }
    if ((len & 0xc0) !== 0) return { status: 'error', anomaly: 'dns.malformed_data' };
    if (pos + 1 + len > msg.length) return { status: 'error', anomaly: 'dns.malformed_data' };
    if (++labelCount > DNS_MAX_LABELS) return { status: 'error', anomaly: 'dns.too_many_labels' };
    if (!truncated) {
      const added = (labels.length > 0 ? 1 : 0) + len;
      if (nameLen + added > DNS_MAX_NAME_LEN) truncated = true;
      else {
        labels.push(labelText(msg, pos + 1, pos + 1 + len));
        nameLen += added;
      }
    }
    pos += 1 + len;
  }
  return { status: 'ok', consumed: next - offset, value: { name: labels.length === 0 ? '<root>' : labels.join('.'), next, truncated } };
}

function ipv4(b: Uint8Array, o: number): string {
  return `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;
}

/** Suricata logs AAAA uncompressed: eight groups of four hex digits. */
function ipv6(b: Uint8Array, o: number): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((b[o + i] ?? 0) << 8) | (b[o + i + 1] ?? 0)).toString(16).padStart(4, '0'));
  return groups.join(':');
}


interface RrParse {
  rr: DnsAnswer;
  next: number;
}

/** A name inside rdata, which must end within the rdata. */
function rdataName(msg: Uint8Array, o: number, end: number, anomalies: string[]): DnsName | undefined {
  const n = parseDnsName(msg, o);
  if (n.status !== 'ok' || n.value.next > end) {
    anomalies.push(n.status === 'error' ? n.anomaly : 'dns.malformed_data');
    return undefined;
  }
  return n.value;
}

/** Fill the type-specific fields; a bad rdata leaves the record without rdata and notes an anomaly. */
function parseRdata(msg: Uint8Array, rr: DnsAnswer, type: number, start: number, end: number, anomalies: string[]): void {
  const len = end - start;
  switch (type) {
    case DNS_RRTYPE.A:
      if (len === 4) rr.rdata = ipv4(msg, start);
      else anomalies.push('dns.malformed_data');
      return;
    case DNS_RRTYPE.AAAA:
      if (len === 16) rr.rdata = ipv6(msg, start);
      else anomalies.push('dns.malformed_data');
      return;
    case DNS_RRTYPE.CNAME:
    case DNS_RRTYPE.NS:
    case DNS_RRTYPE.PTR: {
      const n = rdataName(msg, start, end, anomalies);
      if (n) rr.rdata = n.name;
      return;
    }
    case DNS_RRTYPE.MX: {
      // Suricata logs the exchange only, not the preference.
      const n = len > 2 ? rdataName(msg, start + 2, end, anomalies) : undefined;
      if (n) rr.rdata = n.name;
      else if (len <= 2) anomalies.push('dns.malformed_data');
      return;
    }
    case DNS_RRTYPE.SOA: {
      const m = rdataName(msg, start, end, anomalies);
      if (!m) return;
      const r = rdataName(msg, m.next, end, anomalies);
      if (!r) return;
      if (r.next + 20 > end) {
        anomalies.push('dns.malformed_data');
        return;
      }
      const o = r.next;
      rr.soa = {
        mname: m.name, rname: r.name, serial: u32at(msg, o), refresh: u32at(msg, o + 4), retry: u32at(msg, o + 8),
        expire: u32at(msg, o + 12), minimum: u32at(msg, o + 16),
      };
      return;
    }
    case DNS_RRTYPE.SRV: {
      if (len < 7) {
        anomalies.push('dns.malformed_data');
        return;
      }
      const n = rdataName(msg, start + 6, end, anomalies);
      if (n) rr.srv = { priority: u16at(msg, start), weight: u16at(msg, start + 2), port: u16at(msg, start + 4), name: n.name };
      return;
    }
    case DNS_RRTYPE.SSHFP:
      if (len < 2) {
        anomalies.push('dns.malformed_data');
        return;
      }
      rr.sshfp = { algo: msg[start] ?? 0, type: msg[start + 1] ?? 0, fingerprint: hexColon(msg.subarray(start + 2, end), false) };
      return;
    case DNS_RRTYPE.TXT: {
      // Character-strings concatenated, as SPF and DKIM readers do.
      const parts: string[] = [];
      let o = start;
      while (o < end) {
        const l = msg[o] ?? 0;
        if (o + 1 + l > end) {
          anomalies.push('dns.malformed_data');
          break;
        }
        parts.push(labelText(msg, o + 1, o + 1 + l));
        o += 1 + l;
      }
      rr.rdata = parts.join('');
      return;
    }
    case DNS_RRTYPE.SVCB:
    case DNS_RRTYPE.HTTPS: {
      // Minimal: "priority target"; the SvcParams are not logged.
      if (len < 3) {
        anomalies.push('dns.malformed_data');
        return;
      }
      const n = parseDnsName(msg, start + 2);
      if (n.status === 'ok' && n.value.next <= end) rr.rdata = `${u16at(msg, start)} ${n.value.name === '<root>' ? '.' : n.value.name}`;
      else anomalies.push('dns.malformed_data');
      return;
    }
    case DNS_RRTYPE.NULL:
      rr.rdata = labelText(msg, start, end);
      return;
    default:
      return;
  }
}

function parseRr(msg: Uint8Array, offset: number, anomalies: string[]): ParseResult<RrParse> {
  const name = parseDnsName(msg, offset);
  if (name.status !== 'ok') return name.status === 'error' ? name : { status: 'error', anomaly: 'dns.malformed_data' };
  const o = name.value.next;
  if (o + 10 > msg.length) return { status: 'error', anomaly: 'dns.malformed_data' };
  const type = u16at(msg, o);
  const ttl = u32at(msg, o + 4);
  const rdlen = u16at(msg, o + 8);
  const start = o + 10;
  const end = start + rdlen;
  if (end > msg.length) return { status: 'error', anomaly: 'dns.malformed_data' };
  if (name.value.truncated) anomalies.push('dns.name_too_long');
  const rr: DnsAnswer = { rrname: name.value.name, rrtype: dnsRrtypeName(type), ttl };
  if (name.value.truncated) rr.rrname_truncated = true;
  parseRdata(msg, rr, type, start, end, anomalies);
  return { status: 'ok', consumed: end - offset, value: { rr, next: end } };
}

/** The EVE schema allows different fields per section: answers have no `rrname_truncated`,
 *  authorities no srv/sshfp, additionals only rdata. Drop what the section cannot carry (the
 *  anomaly was raised already). */
function shapeForSection(rr: DnsAnswer, section: 'answers' | 'authorities' | 'additionals'): DnsAnswer {
  if (section === 'answers') delete rr.rrname_truncated;
  if (section !== 'answers') {
    delete rr.srv;
    delete rr.sshfp;
  }
  if (section === 'additionals') {
    delete rr.soa;
    delete rr.rrname_truncated;
  }
  return rr;
}

const KNOWN_OPCODES = new Set([0, 1, 2, 4, 5, 6]);

/**
 * Parse a whole DNS message (a UDP payload or one TCP frame without its length prefix). Errors in
 * the header, questions or answers fail the message (`dns.malformed_data`); errors in authorities
 * and additionals keep what was read and raise `dns.invalid_authorities` / `dns.invalid_additionals`.
 */
export function parseDnsMessage(msg: Uint8Array): ParseResult<DnsParsedMessage> {
  const h = parseDnsHeader(msg);
  if (h.status !== 'ok') return { status: 'error', anomaly: 'dns.malformed_data' };
  const { id, flags, qdcount, ancount, nscount, arcount } = h.value;
  const anomalies: string[] = [];
  const qr = (flags & 0x8000) !== 0;
  const opcode = (flags >> 11) & 0x0f;
  const record: DnsRecord = {
    version: 3,
    type: qr ? 'response' : 'request',
    id,
    flags: flags.toString(16),
    qr,
    aa: (flags & 0x0400) !== 0,
    tc: (flags & 0x0200) !== 0,
    rd: (flags & 0x0100) !== 0,
    ra: (flags & 0x0080) !== 0,
    opcode,
  };
  if ((flags & 0x0040) !== 0) {
    record.z = true;
    anomalies.push('dns.z_flag_set');
  }
  if (!KNOWN_OPCODES.has(opcode)) anomalies.push('dns.invalid_opcode');
  if (qr) record.rcode = dnsRcodeName(flags & 0x000f);

  let pos = DNS_HEADER_LEN;
  const queries: DnsQuery[] = [];
  for (let i = 0; i < qdcount; i++) {
    const n = parseDnsName(msg, pos);
    if (n.status !== 'ok') return n.status === 'error' ? n : { status: 'error', anomaly: 'dns.malformed_data' };
    if (n.value.next + 4 > msg.length) return { status: 'error', anomaly: 'dns.malformed_data' };
    if (queries.length < DNS_MAX_RECORDS_PER_SECTION) {
      const q: DnsQuery = { rrname: n.value.name, rrtype: dnsRrtypeName(u16at(msg, n.value.next)) };
      if (n.value.truncated) {
        q.rrname_truncated = true;
        anomalies.push('dns.name_too_long');
      }
      queries.push(q);
    } else if (i === DNS_MAX_RECORDS_PER_SECTION) anomalies.push('dns.too_many_records');
    pos = n.value.next + 4;
  }
  if (queries.length > 0) record.queries = queries;

  const sections: [number, 'answers' | 'authorities' | 'additionals', string | null][] = [
    [ancount, 'answers', null],
    [nscount, 'authorities', 'dns.invalid_authorities'],
    [arcount, 'additionals', 'dns.invalid_additionals'],
  ];
  for (const [count, key, softAnomaly] of sections) {
    const list: DnsAnswer[] = [];
    for (let i = 0; i < count; i++) {
      const rr = parseRr(msg, pos, anomalies);
      if (rr.status !== 'ok') {
        if (softAnomaly === null) return rr.status === 'error' ? rr : { status: 'error', anomaly: 'dns.malformed_data' };
        anomalies.push(softAnomaly);
        if (list.length > 0) record[key] = list;
        return { status: 'ok', consumed: msg.length, value: { record, anomalies: anomalies.length < 2 ? anomalies : [...new Set(anomalies)] } };
      }
      if (list.length < DNS_MAX_RECORDS_PER_SECTION) list.push(shapeForSection(rr.value.rr, key));
      else if (i === DNS_MAX_RECORDS_PER_SECTION) anomalies.push('dns.too_many_records');
      pos = rr.value.next;
    }
    if (list.length > 0) record[key] = list;
  }
  return { status: 'ok', consumed: pos, value: { record, anomalies: anomalies.length < 2 ? anomalies : [...new Set(anomalies)] } };
}
