/**
 * A rule as compiled at load: the header's groups, the packet-level checks, and the content
 * inspection ops grouped by the buffer they inspect. Everything a match needs is resolved here
 * (variables, regexes, byte sequences), so matching never parses.
 */
import type { AddressGroup, PortGroup } from './ruleAddress.ts';
import type { DatasetOp } from './ruleDatasets.ts';

/** Buffers a rule can inspect. `payload` is the packet's payload; the others come from the app layer. */
export type BufferName =
  | 'payload'
  | 'http.uri'
  | 'http.uri.raw'
  | 'http.method'
  | 'http.host'
  | 'http.host.raw'
  | 'http.user_agent'
  | 'http.header'
  | 'http.header.raw'
  | 'http.header_names'
  | 'http.cookie'
  | 'http.request_body'
  | 'http.response_body'
  | 'http.stat_code'
  | 'http.stat_msg'
  | 'http.content_type'
  | 'http.content_len'
  | 'http.start'
  | 'http.request_line'
  | 'http.response_line'
  | 'http.protocol'
  | 'http.referer'
  | 'http.location'
  | 'http.server'
  | 'http.accept'
  | 'http.accept_enc'
  | 'http.accept_lang'
  | 'http.connection'
  | 'http.request_header'
  | 'http.response_header'
  /** Payload content of an `alert http` rule: Suricata reads the reassembled stream; here the
   *  message as parsed (start line, headers, body). */
  | 'http.stream'
  | 'file.data'
  | 'dns.query'
  | 'dns.query.name'
  | 'dns.queries.rrname'
  | 'dns.answer.name'
  | 'dns.answers.rrname'
  | 'dns.authorities.rrname'
  | 'dns.additionals.rrname'
  | 'dns.response.rrname'
  /** The packet's own headers (sticky buffers `ipv4.hdr`, `ipv6.hdr`, `tcp.hdr`, `udp.hdr`). */
  | 'ipv4.hdr'
  | 'ipv6.hdr'
  | 'tcp.hdr'
  | 'udp.hdr'
  | 'tls.sni'
  | 'tls.cert_subject'
  | 'tls.cert_issuer'
  | 'tls.cert_serial'
  | 'tls.cert_fingerprint'
  | 'tls.subjectaltname'
  /** Each certificate of the server's chain, DER (a multi-buffer). */
  | 'tls.certs'
  | 'tls.alpn'
  | 'ja3.hash'
  | 'ja3.string'
  | 'ja3s.hash'
  | 'ja3s.string'
  | 'ja4.hash'
  | 'ssh.proto'
  | 'ssh.software';

/** Which app-layer record a buffer comes from, and the direction it travels. */
export const BUFFER_SOURCE: Readonly<Record<BufferName, { app: 'packet' | 'http' | 'dns' | 'tls' | 'ssh'; toClient: boolean }>> = {
  payload: { app: 'packet', toClient: false },
  'http.uri': { app: 'http', toClient: false },
  'http.uri.raw': { app: 'http', toClient: false },
  'http.method': { app: 'http', toClient: false },
  'http.host': { app: 'http', toClient: false },
  'http.host.raw': { app: 'http', toClient: false },
  'http.user_agent': { app: 'http', toClient: false },
  'http.header': { app: 'http', toClient: false },
  'http.header.raw': { app: 'http', toClient: false },
  'http.header_names': { app: 'http', toClient: false },
  'http.cookie': { app: 'http', toClient: false },
  'http.request_body': { app: 'http', toClient: false },
  'http.response_body': { app: 'http', toClient: true },
  'http.stat_code': { app: 'http', toClient: true },
  'http.stat_msg': { app: 'http', toClient: true },
  'http.content_type': { app: 'http', toClient: false },
  'http.content_len': { app: 'http', toClient: false },
  'http.start': { app: 'http', toClient: false },
  'http.request_line': { app: 'http', toClient: false },
  'http.response_line': { app: 'http', toClient: true },
  'http.protocol': { app: 'http', toClient: false },
  'http.referer': { app: 'http', toClient: false },
  'http.location': { app: 'http', toClient: true },
  'http.server': { app: 'http', toClient: true },
  'http.accept': { app: 'http', toClient: false },
  'http.accept_enc': { app: 'http', toClient: false },
  'http.accept_lang': { app: 'http', toClient: false },
  'http.connection': { app: 'http', toClient: false },
  'http.request_header': { app: 'http', toClient: false },
  'http.response_header': { app: 'http', toClient: true },
  'http.stream': { app: 'http', toClient: false },
  'file.data': { app: 'http', toClient: true },
  'dns.query': { app: 'dns', toClient: false },
  'dns.query.name': { app: 'dns', toClient: false },
  'dns.queries.rrname': { app: 'dns', toClient: false },
  'dns.answer.name': { app: 'dns', toClient: false },
  'dns.answers.rrname': { app: 'dns', toClient: false },
  'dns.authorities.rrname': { app: 'dns', toClient: false },
  'dns.additionals.rrname': { app: 'dns', toClient: false },
  'dns.response.rrname': { app: 'dns', toClient: true },
  'ipv4.hdr': { app: 'packet', toClient: false },
  'ipv6.hdr': { app: 'packet', toClient: false },
  'tcp.hdr': { app: 'packet', toClient: false },
  'udp.hdr': { app: 'packet', toClient: false },
  'tls.sni': { app: 'tls', toClient: false },
  'tls.cert_subject': { app: 'tls', toClient: true },
  'tls.cert_issuer': { app: 'tls', toClient: true },
  'tls.cert_serial': { app: 'tls', toClient: true },
  'tls.cert_fingerprint': { app: 'tls', toClient: true },
  'tls.subjectaltname': { app: 'tls', toClient: true },
  'tls.certs': { app: 'tls', toClient: true },
  'tls.alpn': { app: 'tls', toClient: false },
  'ja3.hash': { app: 'tls', toClient: false },
  'ja3.string': { app: 'tls', toClient: false },
  'ja3s.hash': { app: 'tls', toClient: true },
  'ja3s.string': { app: 'tls', toClient: true },
  'ja4.hash': { app: 'tls', toClient: false },
  'ssh.proto': { app: 'ssh', toClient: false },
  'ssh.software': { app: 'ssh', toClient: false },
};

/** Buffers found in requests and responses alike: a rule without `flow:` inspects both
 *  (`http.stream`: the payload of an `alert http` rule, Suricata's raw stream of either side). */
export const BIDIRECTIONAL_BUFFERS: ReadonlySet<BufferName> = new Set<BufferName>([
  'http.stream',
  'dns.query.name', 'dns.queries.rrname', 'dns.answer.name', 'dns.answers.rrname', 'dns.authorities.rrname', 'dns.additionals.rrname',
]);

/** TLS buffers QUIC records have too (the ClientHello / ServerHello inside the Initials). */
export const QUIC_BUFFERS: ReadonlySet<BufferName> = new Set<BufferName>(['tls.sni', 'ja3.hash', 'ja3.string', 'ja3s.hash', 'ja3s.string', 'ja4.hash']);

/** Buffers of the packet's headers: never a fast pattern (the prefilter scans payloads). */
export const PACKET_HEADER_BUFFERS: ReadonlySet<BufferName> = new Set<BufferName>(['ipv4.hdr', 'ipv6.hdr', 'tcp.hdr', 'udp.hdr']);

/** A number or a byte_extract variable resolved at match time. */
export type RuleValue = number | string;

export interface ContentOp {
  kind: 'content';
  bytes: Uint8Array;
  /** Lowercased bytes, for nocase. */
  lower: Uint8Array;
  nocase: boolean;
  negated: boolean;
  offset?: RuleValue;
  depth?: RuleValue;
  distance?: RuleValue;
  within?: RuleValue;
  startswith: boolean;
  endswith: boolean;
  fastPattern: boolean;
}

export interface PcreOp {
  kind: 'pcre';
  regex: RegExp;
  relative: boolean;
  negated: boolean;
  source: string;
  /** `pcre:"/…(x)…/, pkt:name, flow:name"`: capture group i+1 goes into captures[i]. */
  captures?: PcreCapture[];
}

/** Where a pcre capture group is stored: a packet variable or a flow variable. */
export interface PcreCapture {
  scope: 'pkt' | 'flow';
  name: string;
}

export type ByteEndian = 'big' | 'little';

export interface ByteNumberSpec {
  bytes: number;
  offset: RuleValue;
  relative: boolean;
  endian: ByteEndian;
  /** Read as text in this base; undefined: binary. */
  stringBase?: number;
  bitmask?: number;
}

export interface ByteTestOp extends ByteNumberSpec {
  kind: 'byte_test';
  op: '<' | '>' | '=' | '!=' | '<=' | '>=' | '&' | '^';
  negated: boolean;
  value: RuleValue;
}

export interface ByteJumpOp extends ByteNumberSpec {
  kind: 'byte_jump';
  multiplier: number;
  postOffset: number;
  align: boolean;
  fromBeginning: boolean;
  fromEnd: boolean;
}

export interface ByteExtractOp extends ByteNumberSpec {
  kind: 'byte_extract';
  name: string;
  multiplier: number;
  align: number;
}

export interface IsDataAtOp {
  kind: 'isdataat';
  at: RuleValue;
  relative: boolean;
  negated: boolean;
}

export interface SizeOp {
  kind: 'bsize';
  test: NumberTest;
}

export type MatchOp = ContentOp | PcreOp | ByteTestOp | ByteJumpOp | ByteExtractOp | IsDataAtOp | SizeOp | DatasetOp;

export type Transform = 'dotprefix' | 'strip_whitespace' | 'compress_whitespace' | 'to_lowercase' | 'to_uppercase';

/** The ops that inspect one buffer, in rule order (relative ops chain within a buffer). */
export interface BufferInspection {
  buffer: BufferName;
  transforms: Transform[];
  ops: MatchOp[];
}

/** `N`, `<N`, `>N`, `<=N`, `>=N`, `!N`, `A<>B` (exclusive range, as Suricata reads it), `!A-B`
 *  (outside the exclusive range). */
export interface NumberTest {
  op: '=' | '<' | '>' | '<=' | '>=' | '!=' | '<>' | '!<>';
  a: number;
  b: number;
}

export type PacketCheck =
  | { kind: 'dsize'; test: NumberTest }
  | { kind: 'itype'; test: NumberTest }
  | { kind: 'icode'; test: NumberTest }
  | { kind: 'ttl'; test: NumberTest }
  | { kind: 'ip_proto'; test: NumberTest }
  | { kind: 'icmp_id'; value: number }
  | { kind: 'icmp_seq'; value: number }
  | { kind: 'flags'; mode: 'exact' | 'plus' | 'any' | 'not'; flags: number; ignore: number }
  | { kind: 'urilen'; test: NumberTest }
  /** `vlan.id:[op]id[,layer]`: layer an index (negative: from the innermost), 'any' or 'all'. */
  | { kind: 'vlan_id'; test: NumberTest; layer: number | 'any' | 'all' };

export interface FlowCheck {
  toServer: boolean;
  toClient: boolean;
  established: boolean;
  notEstablished: boolean;
  stateless: boolean;
  onlyStream: boolean;
  noStream: boolean;
}

export interface FlowbitOp {
  cmd: 'set' | 'unset' | 'toggle' | 'isset' | 'isnotset';
  /** isset/isnotset: names joined by `|` (any) or `&` (all). */
  names: string[];
  any: boolean;
}

export type ThresholdTrack = 'by_src' | 'by_dst' | 'by_rule' | 'by_both' | 'by_flow';

export interface ThresholdSpec {
  type: 'limit' | 'threshold' | 'both' | 'detection_filter';
  track: ThresholdTrack;
  count: number;
  seconds: number;
}

export type RuleProto = 'ip' | 'tcp' | 'udp' | 'icmp' | 'http' | 'dns' | 'tls' | 'ssh' | 'smtp' | 'ftp' | 'quic' | 'pkthdr';

export interface Rule {
  /** Index in the engine's rule array. */
  id: number;
  action: 'alert' | 'drop' | 'reject' | 'pass';
  proto: RuleProto;
  /** `tcp-pkt` / `tcp-stream`: restricts where payload is inspected (kept for fidelity). */
  pktOnly: boolean;
  src: AddressGroup;
  srcPorts: PortGroup;
  dst: AddressGroup;
  dstPorts: PortGroup;
  bidirectional: boolean;
  gid: number;
  sid: number;
  rev: number;
  msg: string;
  classtype?: string;
  priority?: number;
  metadata: Record<string, string[]>;
  /** `target:src_ip|dest_ip`. */
  target?: 'src_ip' | 'dest_ip';
  flow: FlowCheck | null;
  packetChecks: PacketCheck[];
  inspections: BufferInspection[];
  flowbits: FlowbitOp[];
  noalert: boolean;
  /** A pcre stores captures into packet or flow variables (committed when the rule matches). */
  captures?: boolean;
  appLayerProtocol?: { name: string; negated: boolean };
  tlsVersions?: { versions: number[]; negated: boolean };
  sslVersions?: { names: string[]; negated: boolean };
  fileHashes?: { algorithm: 'md5' | 'sha1' | 'sha256'; hashes: ReadonlySet<string> };
  dnsRcode?: NumberTest;
  dnsRrtype?: NumberTest;
  threshold?: ThresholdSpec;
  detectionFilter?: ThresholdSpec;
  /** The content chosen for the multi-pattern prefilter; undefined: the rule is always a candidate. */
  fastPattern?: { buffer: BufferName; op: ContentOp };
  /** Where a match is decided: on packets (payload only) or on app-layer records. */
  unit: 'packet' | 'http' | 'dns' | 'tls' | 'ssh' | 'file' | 'quic';
  /** No content, no packet checks, addresses only: Suricata's IP-only rule, checked once per flow direction. */
  ipOnly: boolean;
  source: { file: string; line: number };
}
