/**
 * Small pure helpers that shape values the way Suricata's EVE output writes them: IP addresses
 * (IPv6 fully expanded, as `2607:f8b0:400a:0800:0000:0000:0000:200e` in suricata-verify's
 * community-id-ipv6 case), DNS answers grouped by type, file names from HTTP URIs, and the names of
 * anomaly events.
 */
import type { DnsAnswer, DnsRecord } from '../app-layer/dns/dnsMessage.ts';
import type { EveDnsGrouped, EveDnsSoa, EveDnsSrv, EveDnsSshfp } from '../eve/eveEvent.ts';

const HEX4 = Array.from({ length: 65536 }, (_, i) => i.toString(16).padStart(4, '0'));

/** Text form of raw address bytes: dotted quad for 4 bytes, eight 4-digit groups for 16. */
export function eveIp(addr: Uint8Array): string {
  if (addr.length === 4) return `${addr[0]}.${addr[1]}.${addr[2]}.${addr[3]}`;
  if (addr.length !== 16) return '';
  let out = '';
  for (let i = 0; i < 16; i += 2) {
    if (i > 0) out += ':';
    out += HEX4[(addr[i]! << 8) | addr[i + 1]!];
  }
  return out;
}

type GroupedStringType = 'A' | 'AAAA' | 'CNAME' | 'MX' | 'NS' | 'NULL' | 'PTR' | 'TXT';
const GROUPED_STRING_TYPES: ReadonlySet<string> = new Set<GroupedStringType>(['A', 'AAAA', 'CNAME', 'MX', 'NS', 'NULL', 'PTR', 'TXT']);

/** Suricata's `dns.grouped` (answer format "grouped", on by default): answers by record type. */
export function groupDnsAnswers(answers: readonly DnsAnswer[]): EveDnsGrouped | undefined {
  const grouped: EveDnsGrouped = {};
  let any = false;
  for (const a of answers) {
    if (GROUPED_STRING_TYPES.has(a.rrtype) && a.rdata !== undefined) {
      (grouped[a.rrtype as GroupedStringType] ??= []).push(a.rdata);
      any = true;
    } else if (a.rrtype === 'SOA' && a.soa !== undefined) {
      (grouped.SOA ??= []).push({ ...a.soa } satisfies EveDnsSoa);
      any = true;
    } else if (a.rrtype === 'SRV' && a.srv !== undefined) {
      (grouped.SRV ??= []).push({ ...a.srv } satisfies EveDnsSrv);
      any = true;
    } else if (a.rrtype === 'SSHFP' && a.sshfp !== undefined) {
      (grouped.SSHFP ??= []).push({ ...a.sshfp } satisfies EveDnsSshfp);
      any = true;
    }
  }
  return any ? grouped : undefined;
}

/** The EVE `dns` object of a parsed message: the v3 record plus `tx_id` and, for answers, `grouped`. */
export function eveDns(record: DnsRecord, txId: number): Record<string, unknown> {
  const { version, type, ...rest } = record;
  const dns: Record<string, unknown> = { version, type, tx_id: txId, ...rest };
  if (record.answers !== undefined && record.answers.length > 0) {
    const grouped = groupDnsAnswers(record.answers);
    if (grouped !== undefined) dns.grouped = grouped;
  }
  return dns;
}

/** File name of an HTTP body: the Content-Disposition filename, else the URI's path, as libhtp
 *  parses it (Suricata's app-layer-htp.c falls back to `tx->parsed_uri->path`: `/dl/a.exe`). */
export function httpFileName(uri: string, contentDisposition: string | undefined): string {
  if (contentDisposition !== undefined) {
    const m = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(contentDisposition);
    if (m?.[1] !== undefined && m[1] !== '') return m[1];
  }
  let path = uri;
  const scheme = /^[a-z][a-z0-9+.-]*:\/\/[^/]*/i.exec(path);
  if (scheme) path = path.slice(scheme[0].length);
  const q = path.search(/[?#]/);
  if (q >= 0) path = path.slice(0, q);
  return path;
}

/**
 * The `anomaly.event` of an app-layer anomaly: the name without its protocol prefix, upper case
 * for the parsers Suricata writes in C (http, smtp, tls: `UNABLE_TO_MATCH_RESPONSE_TO_REQUEST`) and
 * lower case for its Rust ones (dns, ssh, ftp: `malformed_data`).
 */
export function appLayerEventName(name: string): string {
  const dot = name.indexOf('.');
  const proto = dot < 0 ? '' : name.slice(0, dot);
  const event = dot < 0 ? name : name.slice(dot + 1);
  return proto === 'http' || proto === 'smtp' || proto === 'tls' ? event.toUpperCase() : event;
}

/** Decoder events are written without their `decoder.` prefix (`ipv4.trunc_pkt`). */
export function decodeEventName(name: string): string {
  return name.startsWith('decoder.') ? name.slice('decoder.'.length) : name;
}
