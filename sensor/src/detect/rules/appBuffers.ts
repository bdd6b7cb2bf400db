/**
 * The inspection buffers of an app-layer record: built on first use from the parser's objects
 * (HTTP transaction) or the EVE payload (DNS, TLS, SSH), and kept for the record's other rules.
 * Some buffers hold several values (one per DNS query, per request header); a rule matches when one
 * value satisfies all its ops on that buffer.
 */
import type { HttpHeader } from '../../app-layer/http/httpHead.ts';
import type { HttpRequest, HttpResponse, HttpTransaction } from '../../app-layer/http/httpFlow.ts';
import type { BufferName } from './ruleModel.ts';

const NONE: readonly Uint8Array[] = [];

function bytesOf(text: string): Uint8Array {
  return Buffer.from(text, 'latin1');
}

/** %XX decoding of a URI path and query, as Suricata's normalised http.uri does. */
export function decodeUri(uri: string): string {
  if (!uri.includes('%')) return uri;
  return uri.replace(/%([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

function header(headers: readonly HttpHeader[] | undefined, name: string): string | undefined {
  if (headers === undefined) return undefined;
  for (const h of headers) if (h.name.toLowerCase() === name) return h.value;
  return undefined;
}

function one(v: string | undefined): readonly Uint8Array[] {
  return v === undefined ? NONE : [bytesOf(v)];
}

function headerBlock(headers: readonly HttpHeader[]): string {
  let s = '';
  for (const h of headers) s += `${h.name}: ${h.value}\r\n`;
  return s;
}

export type BufferSide = 'toServer' | 'toClient';

export function httpBuffer(tx: HttpTransaction, name: BufferName, side: BufferSide): readonly Uint8Array[] {
  const req: HttpRequest | undefined = tx.request;
  const res: HttpResponse | undefined = tx.response;
  const msg = side === 'toServer' ? req : res;
  switch (name) {
    case 'http.uri':
      return req === undefined ? NONE : [bytesOf(decodeUri(req.uri))];
    case 'http.uri.raw':
      return req === undefined ? NONE : [bytesOf(req.uri)];
    case 'http.method':
      return one(req?.method);
    case 'http.host':
      return one(req?.hostname ?? header(req?.headers, 'host')?.toLowerCase());
    case 'http.host.raw':
      return one(header(req?.headers, 'host'));
    case 'http.user_agent':
      return one(header(req?.headers, 'user-agent'));
    case 'http.cookie':
      return one(header(msg?.headers, side === 'toServer' ? 'cookie' : 'set-cookie'));
    case 'http.referer':
      return one(header(req?.headers, 'referer'));
    case 'http.accept':
      return one(header(req?.headers, 'accept'));
    case 'http.accept_enc':
      return one(header(req?.headers, 'accept-encoding'));
    case 'http.accept_lang':
      return one(header(req?.headers, 'accept-language'));
    case 'http.connection':
      return one(header(msg?.headers, 'connection'));
    case 'http.content_type':
      return one(header(msg?.headers, 'content-type'));
    case 'http.content_len':
      return one(header(msg?.headers, 'content-length'));
    case 'http.location':
      return one(header(res?.headers, 'location'));
    case 'http.server':
      return one(header(res?.headers, 'server'));
    case 'http.protocol':
      return one(msg?.protocol);
    case 'http.header':
    case 'http.header.raw':
      return msg === undefined || msg.headers.length === 0 ? NONE : [bytesOf(headerBlock(msg.headers))];
    case 'http.header_names':
      return msg === undefined ? NONE : [bytesOf(`\r\n${msg.headers.map((h) => `${h.name}\r\n`).join('')}\r\n`)];
    case 'http.request_header':
      return req === undefined ? NONE : req.headers.map((h) => bytesOf(`${h.name}: ${h.value}`));
    case 'http.response_header':
      return res === undefined ? NONE : res.headers.map((h) => bytesOf(`${h.name}: ${h.value}`));
    case 'http.request_line':
      return req === undefined ? NONE : [bytesOf(`${req.method} ${req.uri}${req.protocol === '' ? '' : ` ${req.protocol}`}`)];
    case 'http.response_line':
      return res === undefined ? NONE : [bytesOf(`${res.protocol} ${res.statusString ?? res.status} ${res.reason}`.trimEnd())];
    case 'http.start': {
      if (side === 'toServer') {
        if (req === undefined) return NONE;
        return [bytesOf(`${req.method} ${req.uri}${req.protocol === '' ? '' : ` ${req.protocol}`}\r\n${headerBlock(req.headers)}\r\n`)];
      }
      if (res === undefined) return NONE;
      return [bytesOf(`${res.protocol} ${res.statusString ?? res.status} ${res.reason}\r\n${headerBlock(res.headers)}\r\n`)];
    }
    case 'http.stream': {
      const start = httpBuffer(tx, 'http.start', side)[0];
      if (start === undefined) return NONE;
      const body = msg?.body;
      if (body === undefined || body.length === 0) return [start];
      const out = new Uint8Array(start.length + body.length);
      out.set(start, 0);
      out.set(body, start.length);
      return [out];
    }
    case 'http.stat_code':
      return res === undefined ? NONE : [bytesOf(res.statusString ?? String(res.status))];
    case 'http.stat_msg':
      return res === undefined || res.reason === '' ? NONE : [bytesOf(res.reason)];
    case 'http.request_body':
      return req === undefined || req.body.length === 0 ? NONE : [req.body];
    case 'http.response_body':
      return res === undefined || res.body.length === 0 ? NONE : [res.body];
    case 'file.data': {
      const m = side === 'toServer' ? req : res;
      return m === undefined || m.body.length === 0 ? NONE : [m.body];
    }
    default:
      return NONE;
  }
}

interface TlsEveView {
  sni?: string;
  subject?: string;
  issuerdn?: string;
  serial?: string;
  fingerprint?: string;
  subjectaltname?: string[];
  client_alpns?: string[];
  ja3?: { hash?: string; string?: string };
  ja3s?: { hash?: string; string?: string };
  ja4?: string;
}

export function tlsBuffer(tls: TlsEveView, name: BufferName): readonly Uint8Array[] {
  switch (name) {
    case 'tls.sni':
      return one(tls.sni);
    case 'tls.cert_subject':
      return one(tls.subject);
    case 'tls.cert_issuer':
      return one(tls.issuerdn);
    case 'tls.cert_serial':
      return one(tls.serial);
    case 'tls.cert_fingerprint':
      return one(tls.fingerprint);
    case 'tls.subjectaltname':
      return (tls.subjectaltname ?? []).map(bytesOf);
    case 'tls.alpn':
      return (tls.client_alpns ?? []).map(bytesOf);
    case 'ja3.hash':
      return one(tls.ja3?.hash);
    case 'ja3.string':
      return one(tls.ja3?.string);
    case 'ja3s.hash':
      return one(tls.ja3s?.hash);
    case 'ja3s.string':
      return one(tls.ja3s?.string);
    case 'ja4.hash':
      return one(tls.ja4);
    default:
      return NONE;
  }
}

interface SshEveView {
  client?: { proto_version?: string; software_version?: string };
  server?: { proto_version?: string; software_version?: string };
}

export function sshBuffer(ssh: SshEveView, name: BufferName, side: BufferSide): readonly Uint8Array[] {
  const s = side === 'toServer' ? ssh.client : ssh.server;
  if (name === 'ssh.proto') return one(s?.proto_version);
  if (name === 'ssh.software') return one(s?.software_version);
  return NONE;
}

interface DnsRecordView {
  rrname?: string;
  rrtype?: string;
  rdata?: unknown;
}

interface DnsEveView {
  type?: string;
  queries?: { rrname: string }[];
  answers?: DnsRecordView[];
  authorities?: DnsRecordView[];
  additionals?: DnsRecordView[];
}

/** Record types whose rdata is a domain name (Suricata's name buffers include it). */
const NAME_RDATA_TYPES: ReadonlySet<string> = new Set(['CNAME', 'PTR', 'NS', 'DNAME', 'MX']);

function rrnames(records: readonly DnsRecordView[] | undefined): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const r of records ?? []) if (typeof r.rrname === 'string') out.push(bytesOf(r.rrname));
  return out;
}

/** The rdata of name-type records (CNAME target, PTR name…). */
function rdataNames(records: readonly DnsRecordView[] | undefined): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const r of records ?? []) if (r.rrtype !== undefined && NAME_RDATA_TYPES.has(r.rrtype) && typeof r.rdata === 'string') out.push(bytesOf(r.rdata));
  return out;
}

/**
 * DNS buffers, each value one name (Suricata's multi-buffers): `dns.query` the request's query
 * names; `dns.queries.rrname` / `dns.query.name` the query names of requests and responses;
 * `dns.answers.rrname`, `dns.authorities.rrname`, `dns.additionals.rrname` the owner names of those
 * sections; `dns.answer.name` the answers' owner names and name-type rdata; `dns.response.rrname`
 * every name of a response (queries, every section's owner names, name-type rdata).
 */
export function dnsBuffer(dns: DnsEveView, name: BufferName): readonly Uint8Array[] {
  switch (name) {
    case 'dns.query':
    case 'dns.query.name':
    case 'dns.queries.rrname':
      return (dns.queries ?? []).map((q) => bytesOf(q.rrname));
    case 'dns.answers.rrname':
      return rrnames(dns.answers);
    case 'dns.authorities.rrname':
      return rrnames(dns.authorities);
    case 'dns.additionals.rrname':
      return rrnames(dns.additionals);
    case 'dns.answer.name':
      return [...rrnames(dns.answers), ...rdataNames(dns.answers)];
    case 'dns.response.rrname':
      if (dns.type !== 'response') return NONE;
      return [
        ...(dns.queries ?? []).map((q) => bytesOf(q.rrname)),
        ...rrnames(dns.answers), ...rdataNames(dns.answers),
        ...rrnames(dns.authorities), ...rdataNames(dns.authorities),
        ...rrnames(dns.additionals), ...rdataNames(dns.additionals),
      ];
    default:
      return NONE;
  }
}

export interface PacketHeaderView {
  data: Uint8Array;
  ipVersion: number;
  l3Offset: number;
  l4Offset: number;
  ipHeaderLength: number;
  proto: number;
  tcpHeaderLength: number;
  udpLength: number;
}

/** `ipv4.hdr` (with options), `ipv6.hdr` (with extension headers), `tcp.hdr` (with options), `udp.hdr`. */
export function packetHeaderBuffer(p: PacketHeaderView, name: BufferName): readonly Uint8Array[] {
  switch (name) {
    case 'ipv4.hdr':
    case 'ipv6.hdr':
      if (p.ipVersion !== (name === 'ipv4.hdr' ? 4 : 6) || p.l3Offset < 0 || p.ipHeaderLength <= 0) return NONE;
      return [p.data.subarray(p.l3Offset, p.l3Offset + p.ipHeaderLength)];
    case 'tcp.hdr':
      if (p.proto !== 6 || p.l4Offset < 0 || p.tcpHeaderLength <= 0) return NONE;
      return [p.data.subarray(p.l4Offset, p.l4Offset + p.tcpHeaderLength)];
    case 'udp.hdr':
      if (p.proto !== 17 || p.l4Offset < 0 || p.udpLength <= 0) return NONE;
      return [p.data.subarray(p.l4Offset, p.l4Offset + 8)];
    default:
      return NONE;
  }
}
