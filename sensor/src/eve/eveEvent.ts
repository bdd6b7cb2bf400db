/**
 * Types of the EVE JSON records the sensor emits. Names and types follow Suricata's EVE schema
 * (../shared/data/suricata/eve-schema-8.0.6.json) field for field, so a record typed here passes
 * the schema and the server's ingest, which uses the same schema as its contract. Only the event
 * types the sensor produces are typed; the schema stays the authority (eveSchema.ts validates).
 *
 * Schema rules worth knowing when building records:
 * - every object is closed (`additionalProperties: false`) except `alert.metadata` and
 *   `alert.context`, so an unknown field is a validation error;
 * - almost every array has `minItems: 1`: omit a field instead of writing `[]`;
 * - `timestamp` must look like `2009-10-16T16:44:16.083524+0000`; certificate dates
 *   (`tls.notbefore`/`notafter`) like `2020-05-13T12:00:00`.
 */

/** The EVE event types the sensor writes (Suricata's `event_type` values). */
export type EveEventType =
  | 'alert'
  | 'anomaly'
  | 'dns'
  | 'email'
  | 'fileinfo'
  | 'flow'
  | 'ftp'
  | 'http'
  | 'metadata'
  | 'netflow'
  | 'quic'
  | 'smtp'
  | 'ssh'
  | 'stats'
  | 'tls';

/** Fields shared by all records; the per-type payload sits beside them under its own key. */
export interface EveCommonFields {
  /** `YYYY-MM-DDTHH:MM:SS.ffffff+0000`, the packet time (never the wall clock in pcap mode). */
  timestamp: string;
  /** Suricata writes a 64-bit id; above 2^53 a JS number loses bits, so ids stay below it. */
  flow_id?: number;
  /** 1-based index of the packet in the capture that caused the record. */
  pcap_cnt?: number;
  event_type: string;
  src_ip?: string;
  src_port?: number;
  dest_ip?: string;
  dest_port?: number;
  /** IP protocol name as Suricata prints it: `TCP`, `UDP`, `ICMP`, `IPv6-ICMP`, or the number. */
  proto?: string;
  ip_v?: number;
  icmp_type?: number;
  icmp_code?: number;
  response_icmp_type?: number;
  response_icmp_code?: number;
  /** Outer to inner VLAN ids; omitted when untagged (the schema needs at least one item). */
  vlan?: number[];
  tx_id?: number;
  tx_guessed?: boolean;
  app_proto?: string;
  app_proto_ts?: string;
  app_proto_tc?: string;
  app_proto_orig?: string;
  app_proto_expected?: string;
  community_id?: string;
  /** `to_server` or `to_client` on transaction-bound alerts and app-layer records. */
  direction?: string;
  in_iface?: string;
  pkt_src?: string;
  pcap_filename?: string;
  capture_file?: string;
  host?: string;
  parent_id?: number;
  ether?: EveEther;
  tunnel?: EveTunnel;
  traffic?: { id?: string[]; label?: string[] };
  /** Flow counters attached to alert records (`flow` payload, same type as the flow record). */
  flow?: EveFlow;
  /** TCP flags and state attached to flow records. */
  tcp?: EveTcp;
  files?: EveFileInfo[];
  payload?: string;
  payload_printable?: string;
  payload_length?: number;
  packet?: string;
  packet_info?: { linktype?: number; linktype_name?: string };
  stream?: number;
}

export interface EveEther {
  src_mac?: string;
  dest_mac?: string;
  src_macs?: string[];
  dest_macs?: string[];
  ether_type?: number;
}

export interface EveTunnel {
  src_ip?: string;
  src_port?: number;
  dest_ip?: string;
  dest_port?: number;
  proto?: string;
  depth?: number;
  pcap_cnt?: number;
  pkt_src?: string;
}

export interface EveTcp {
  tcp_flags?: string;
  tcp_flags_ts?: string;
  tcp_flags_tc?: string;
  syn?: boolean;
  fin?: boolean;
  rst?: boolean;
  psh?: boolean;
  ack?: boolean;
  urg?: boolean;
  ecn?: boolean;
  cwr?: boolean;
  state?: string;
  ts_gap?: boolean;
  tc_gap?: boolean;
  ts_max_regions?: number;
  tc_max_regions?: number;
  ts_urgent_oob_data?: number;
  tc_urgent_oob_data?: number;
}

// ---------------------------------------------------------------------------------------------
// alert

export interface EveAlert {
  action?: string;
  gid?: number;
  signature_id?: number;
  rev?: number;
  signature?: string;
  category?: string;
  severity?: number;
  /** Rule `metadata` keys, each with every value seen; the schema allows any key here. */
  metadata?: Record<string, string[]>;
  references?: string[];
  rule?: string;
  source?: { ip?: string; port?: number };
  target?: { ip?: string; port?: number };
  xff?: string;
  engine?: 'fw' | 'td';
  context?: Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------
// anomaly

export interface EveAnomaly {
  /** `decode`, `stream` or `applayer`. */
  type?: string;
  /** The named event, e.g. `ipv4.trunc_pkt` or `APPLAYER_DETECT_PROTOCOL_ONLY_ONE_DIRECTION`. */
  event?: string;
  code?: number;
  app_proto?: string;
  layer?: string;
}

// ---------------------------------------------------------------------------------------------
// dns (EVE v3 layout of Suricata 8: requests and responses both carry `queries`)

export interface EveDnsQuery {
  rrname?: string;
  rrtype?: string;
  rrname_truncated?: boolean;
  id?: number;
  opcode?: number;
  tx_id?: number;
  type?: string;
  z?: boolean;
}

export interface EveDnsSoa {
  mname?: string;
  mname_truncated?: boolean;
  rname?: string;
  serial?: number;
  refresh?: number;
  retry?: number;
  expire?: number;
  minimum?: number;
}

export interface EveDnsSrv {
  name?: string;
  port?: number;
  priority?: number;
  weight?: number;
}

export interface EveDnsSshfp {
  algo?: number;
  type?: number;
  fingerprint?: string;
}

export interface EveDnsAnswer {
  rrname?: string;
  rrtype?: string;
  ttl?: number;
  rdata?: string;
  soa?: EveDnsSoa;
  srv?: EveDnsSrv;
  sshfp?: EveDnsSshfp;
}

export interface EveDnsAuthority {
  rrname?: string;
  rrname_truncated?: boolean;
  rrtype?: string;
  ttl?: number;
  rdata?: string;
  rdata_truncated?: boolean;
  soa?: EveDnsSoa;
}

export interface EveDnsAdditional {
  rrname?: string;
  rrtype?: string;
  ttl?: number;
  rdata?: string;
  opt?: { code?: number; data?: string }[];
}

/** Answers grouped by record type (`dns.grouped.A[0]`). */
export interface EveDnsGrouped {
  A?: string[];
  AAAA?: string[];
  CNAME?: string[];
  MX?: string[];
  NS?: string[];
  NULL?: string[];
  PTR?: string[];
  TXT?: string[];
  SOA?: EveDnsSoa[];
  SRV?: EveDnsSrv[];
  SSHFP?: EveDnsSshfp[];
}

export interface EveDns {
  /** Required by the schema; the sensor writes 3. */
  version: number;
  type?: 'request' | 'response' | string;
  tx_id?: number;
  id?: number;
  /** Header flags as 4 lowercase hex digits (`81a0`). */
  flags?: string;
  qr?: boolean;
  aa?: boolean;
  tc?: boolean;
  rd?: boolean;
  ra?: boolean;
  z?: boolean;
  opcode?: number;
  rcode?: string;
  queries?: EveDnsQuery[];
  answers?: EveDnsAnswer[];
  authorities?: EveDnsAuthority[];
  additionals?: EveDnsAdditional[];
  grouped?: EveDnsGrouped;
  // Flat pre-v3 fields the schema still accepts; the sensor does not write them (nor the v1/v2
  // `query`/`answer` objects, left out of this type on purpose).
  rrname?: string;
  rrtype?: string;
}

// ---------------------------------------------------------------------------------------------
// http

export interface EveHttpHeader {
  name?: string;
  value?: string;
  table_size_update?: number;
}

export interface EveHttp {
  hostname?: string;
  http_port?: number;
  url?: string;
  http_user_agent?: string;
  http_content_type?: string;
  http_refer?: string;
  http_method?: string;
  protocol?: string;
  status?: number;
  status_string?: string;
  length?: number;
  redirect?: string;
  xff?: string;
  org_src_ip?: string;
  true_client_ip?: string;
  x_bluecoat_via?: string;
  version?: string;
  content_range?: { raw?: string; start?: number; end?: number; size?: number };
  request_headers?: EveHttpHeader[];
  response_headers?: EveHttpHeader[];
  http_request_body?: string;
  http_request_body_printable?: string;
  http_response_body?: string;
  http_response_body_printable?: string;
}

// ---------------------------------------------------------------------------------------------
// tls

export interface EveTlsFingerprintPair {
  hash?: string;
  string?: string;
}

export interface EveTlsClientCertificate {
  subject?: string;
  issuerdn?: string;
  serial?: string;
  fingerprint?: string;
  notbefore?: string;
  notafter?: string;
  subjectaltname?: string[];
  certificate?: string;
  chain?: string[];
}

export interface EveTls {
  version?: string;
  sni?: string;
  subject?: string;
  issuerdn?: string;
  serial?: string;
  fingerprint?: string;
  /** `YYYY-MM-DDTHH:MM:SS` (no fraction, no zone). */
  notbefore?: string;
  notafter?: string;
  subjectaltname?: string[];
  session_resumed?: boolean;
  from_proto?: string;
  ja3?: EveTlsFingerprintPair;
  ja3s?: EveTlsFingerprintPair;
  ja4?: string;
  client_alpns?: string[];
  server_alpns?: string[];
  certificate?: string;
  chain?: string[];
  client?: EveTlsClientCertificate;
  client_handshake?: { version?: string; ciphers?: number[]; exts?: number[]; sig_algs?: number[] };
  server_handshake?: { version?: string; cipher?: number; exts?: number[] };
}

// ---------------------------------------------------------------------------------------------
// ssh, smtp, email, ftp

export interface EveSshHost {
  proto_version?: string;
  software_version?: string;
  hassh?: EveTlsFingerprintPair;
}

export interface EveSsh {
  client?: EveSshHost;
  server?: EveSshHost;
}

export interface EveSmtp {
  helo?: string;
  mail_from?: string;
  rcpt_to?: string[];
}

export interface EveEmail {
  status?: string;
  from?: string;
  to?: string[];
  cc?: string[];
  subject?: string;
  subject_md5?: string;
  date?: string;
  message_id?: string;
  x_mailer?: string;
  received?: string[];
  attachment?: string[];
  url?: string[];
  body_md5?: string;
  has_exe_url?: boolean;
  has_ipv4_url?: boolean;
  has_ipv6_url?: boolean;
}

export interface EveFtp {
  command?: string;
  command_data?: string;
  command_truncated?: boolean;
  reply?: string[];
  completion_code?: string[];
  reply_received?: string;
  reply_truncated?: boolean;
  dynamic_port?: number;
  mode?: string;
}

// ---------------------------------------------------------------------------------------------
// fileinfo

export interface EveFileInfo {
  filename?: string;
  gaps?: boolean;
  state?: string;
  stored?: boolean;
  storing?: boolean;
  size?: number;
  start?: number;
  end?: number;
  tx_id?: number;
  file_id?: number;
  magic?: string;
  md5?: string;
  sha1?: string;
  sha256?: string;
  sid?: number[];
}

// ---------------------------------------------------------------------------------------------
// flow

export interface EveFlow {
  pkts_toserver?: number;
  pkts_toclient?: number;
  bytes_toserver?: number;
  bytes_toclient?: number;
  /** Same timestamp format as the record's `timestamp`. */
  start?: string;
  end?: string;
  age?: number;
  /** `new`, `established`, `closed`, `bypassed` … */
  state?: string;
  /** `timeout`, `forced`, `shutdown`. */
  reason?: string;
  alerted?: boolean;
  action?: string;
  bypass?: string;
  bypassed?: { pkts_toserver?: number; pkts_toclient?: number; bytes_toserver?: number; bytes_toclient?: number };
  elephant?: boolean;
  emergency?: boolean;
  wrong_thread?: boolean;
  tx_cnt?: number;
  src_ip?: string;
  src_port?: number;
  dest_ip?: string;
  dest_port?: number;
  exception_policy?: { policy?: string; target?: string }[];
}

// ---------------------------------------------------------------------------------------------
// stats

/** A tree of counters: `{decoder: {pkts: 12, ipv4: 12}, flow: {tcp: 1}}`. */
export interface EveStatsTree {
  // Strings appear only in `detect.engines[].last_reload`.
  [name: string]: number | string | EveStatsTree | EveStatsTree[];
}

export interface EveStats extends EveStatsTree {
  /** Seconds since start. */
  uptime: number;
}

// ---------------------------------------------------------------------------------------------
// records

export interface EveAlertRecord extends EveCommonFields {
  event_type: 'alert';
  alert: EveAlert;
  // Transaction metadata logged beside an alert (Suricata's alert `metadata`/app-layer options).
  dns?: EveDns;
  http?: EveHttp;
  tls?: EveTls;
  ssh?: EveSsh;
  smtp?: EveSmtp;
  email?: EveEmail;
  ftp?: EveFtp;
  fileinfo?: EveFileInfo;
}
export interface EveAnomalyRecord extends EveCommonFields {
  event_type: 'anomaly';
  anomaly: EveAnomaly;
}
export interface EveDnsRecord extends EveCommonFields {
  event_type: 'dns';
  dns: EveDns;
}
export interface EveHttpRecord extends EveCommonFields {
  event_type: 'http';
  http: EveHttp;
}
export interface EveTlsRecord extends EveCommonFields {
  event_type: 'tls';
  tls: EveTls;
}
export interface EveSshRecord extends EveCommonFields {
  event_type: 'ssh';
  ssh: EveSsh;
}
export interface EveSmtpRecord extends EveCommonFields {
  event_type: 'smtp';
  smtp: EveSmtp;
  email?: EveEmail;
}
export interface EveEmailRecord extends EveCommonFields {
  event_type: 'email';
  email: EveEmail;
}
export interface EveFtpRecord extends EveCommonFields {
  event_type: 'ftp';
  ftp: EveFtp;
}
export interface EveFileInfoRecord extends EveCommonFields {
  event_type: 'fileinfo';
  fileinfo: EveFileInfo;
  http?: EveHttp;
  smtp?: EveSmtp;
  email?: EveEmail;
  ftp?: EveFtp;
}
export interface EveFlowRecord extends EveCommonFields {
  event_type: 'flow';
  flow: EveFlow;
}
/** Suricata's `quic` payload: the hello carried in the Initial packets. */
export interface EveQuic {
  version: string;
  sni?: string;
  ja3?: { hash: string; string: string };
  ja4?: string;
  ja3s?: { hash: string; string: string };
}
export interface EveQuicRecord extends EveCommonFields {
  event_type: 'quic';
  quic: EveQuic;
}
/** One direction of a flow (eve-log `netflow`). */
export interface EveNetflowRecord extends EveCommonFields {
  event_type: 'netflow';
  netflow: { pkts: number; bytes: number; start: string; end: string; age: number };
}
/** Detection's variables: flowbits, flow variables, packet variables (pcre captures). */
export interface EveMetadata {
  flowbits?: string[];
  flowvars?: Record<string, string>[];
  pktvars?: Record<string, string>[];
}
/** A packet that got packet variables (eve-log `metadata`). */
export interface EveMetadataRecord extends EveCommonFields {
  event_type: 'metadata';
  metadata: EveMetadata;
}
export interface EveStatsRecord {
  timestamp: string;
  event_type: 'stats';
  stats: EveStats;
}

/** Every record the sensor emits. */
export type EveRecord =
  | EveAlertRecord
  | EveAnomalyRecord
  | EveDnsRecord
  | EveHttpRecord
  | EveTlsRecord
  | EveSshRecord
  | EveSmtpRecord
  | EveEmailRecord
  | EveFtpRecord
  | EveFileInfoRecord
  | EveFlowRecord
  | EveQuicRecord
  | EveNetflowRecord
  | EveMetadataRecord
  | EveStatsRecord;
