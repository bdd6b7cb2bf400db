/**
 * One representative record of every EVE type the sensor emits, shaped like Suricata 8.0 output
 * (values taken from suricata-verify expectations where a case pins them). None of the
 * suricata-verify cases ships expected EVE lines, so these stand in as the schema's test input.
 */
import type {
  EveAlertRecord,
  EveAnomalyRecord,
  EveDnsRecord,
  EveEmailRecord,
  EveFileInfoRecord,
  EveFlowRecord,
  EveFtpRecord,
  EveHttpRecord,
  EveRecord,
  EveSmtpRecord,
  EveSshRecord,
  EveStatsRecord,
  EveTlsRecord,
} from './eveEvent.ts';

const dnsRequest: EveDnsRecord = {
  timestamp: '2017-01-11T08:21:02.262436+0000',
  flow_id: 1208215290633339,
  pcap_cnt: 1,
  event_type: 'dns',
  src_ip: '10.16.1.11',
  src_port: 41805,
  dest_ip: '10.16.1.1',
  dest_port: 53,
  proto: 'UDP',
  pkt_src: 'wire/pcap',
  dns: {
    version: 3,
    type: 'request',
    tx_id: 0,
    id: 36146,
    flags: '0100',
    rd: true,
    opcode: 0,
    rcode: 'NOERROR',
    queries: [{ rrname: 'www.suricata-ids.org', rrtype: 'A' }],
  },
};

const dnsResponse: EveDnsRecord = {
  timestamp: '2017-01-11T08:21:02.290281+0000',
  flow_id: 1208215290633339,
  pcap_cnt: 2,
  event_type: 'dns',
  src_ip: '10.16.1.1',
  src_port: 53,
  dest_ip: '10.16.1.11',
  dest_port: 41805,
  proto: 'UDP',
  pkt_src: 'wire/pcap',
  dns: {
    version: 3,
    type: 'response',
    tx_id: 0,
    id: 36146,
    flags: '81a0',
    qr: true,
    rd: true,
    ra: true,
    opcode: 0,
    rcode: 'NOERROR',
    queries: [{ rrname: 'www.suricata-ids.org', rrtype: 'A' }],
    answers: [
      { rrname: 'www.suricata-ids.org', rrtype: 'CNAME', ttl: 3544, rdata: 'suricata-ids.org' },
      { rrname: 'suricata-ids.org', rrtype: 'A', ttl: 244, rdata: '192.0.78.24' },
      { rrname: 'suricata-ids.org', rrtype: 'A', ttl: 244, rdata: '192.0.78.25' },
    ],
    authorities: [
      {
        rrname: 'suricata-ids.org',
        rrtype: 'SOA',
        ttl: 900,
        soa: { mname: 'ns1.example.org', rname: 'hostmaster.example.org', serial: 2017011101, refresh: 7200, retry: 900, expire: 1209600, minimum: 300 },
      },
    ],
    grouped: { A: ['192.0.78.24', '192.0.78.25'], CNAME: ['suricata-ids.org'] },
  },
};

const http: EveHttpRecord = {
  timestamp: '2009-10-16T16:44:16.185868+0000',
  flow_id: 2108219017186546,
  pcap_cnt: 6,
  event_type: 'http',
  src_ip: '192.168.2.3',
  src_port: 37010,
  dest_ip: '208.69.36.231',
  dest_port: 80,
  proto: 'TCP',
  pkt_src: 'wire/pcap',
  tx_id: 0,
  http: {
    hostname: 'www.google.com',
    url: '/blah/',
    http_user_agent: 'Wget/1.11.4',
    http_content_type: 'text/html',
    http_method: 'GET',
    protocol: 'HTTP/1.0',
    status: 404,
    length: 1194,
    request_headers: [{ name: 'Host', value: 'www.google.com' }],
    response_headers: [{ name: 'Content-Length', value: '1194' }],
  },
};

const tls: EveTlsRecord = {
  timestamp: '2020-02-12T14:30:11.456238+0000',
  flow_id: 1749301832445219,
  pcap_cnt: 12,
  event_type: 'tls',
  src_ip: '192.168.0.253',
  src_port: 49584,
  dest_ip: '151.101.36.133',
  dest_port: 443,
  proto: 'TCP',
  pkt_src: 'wire/pcap',
  community_id: '1:IwiTNfuO7aCaamMijl+7/X9uLx0=',
  tls: {
    subject: 'C=US, ST=California, L=San Francisco, O=GitHub, Inc., CN=www.github.com',
    issuerdn: 'C=US, O=DigiCert Inc, OU=www.digicert.com, CN=DigiCert SHA2 High Assurance Server CA',
    serial: '08:3A:84:59:2F:77:F2:E7:95:1B:F8:87:CE:DE:C9:66',
    fingerprint: 'cc:aa:48:48:66:46:0e:91:53:2c:9c:7c:23:2a:b1:74:4d:29:9d:33',
    sni: 'raw.githubusercontent.com',
    version: 'TLS 1.2',
    notbefore: '2017-03-23T00:00:00',
    notafter: '2020-05-13T12:00:00',
    subjectaltname: ['www.github.com', '*.github.com'],
    ja3: { hash: 'd00857e0c8e7a7f35e446508c6233460', string: '771,4866-4867-4865,0-11-10,29-23,0' },
    ja3s: { hash: '5d79edf64e03689ff559a54e9d9487bc', string: '771,49199,65281-0-11-16-23' },
    ja4: 't13d1516h2_8daaf6152771_e5627efa2ab1',
    client_alpns: ['h2', 'http/1.1'],
    server_alpns: ['http/1.1'],
  },
};

const ssh: EveSshRecord = {
  timestamp: '2021-03-02T10:00:01.000100+0000',
  flow_id: 99,
  pcap_cnt: 8,
  event_type: 'ssh',
  src_ip: '10.0.0.5',
  src_port: 50122,
  dest_ip: '10.0.0.1',
  dest_port: 22,
  proto: 'TCP',
  tx_id: 0,
  ssh: {
    client: { proto_version: '2.0', software_version: 'OpenSSH_8.9p1', hassh: { hash: 'ec7378c1a92f5a8dde7e8b7a1ddf33d1', string: 'curve25519-sha256;ssh-ed25519' } },
    server: { proto_version: '2.0', software_version: 'OpenSSH_7.4' },
  },
};

const smtp: EveSmtpRecord = {
  timestamp: '2021-03-02T10:05:00.123456+0000',
  flow_id: 100,
  pcap_cnt: 20,
  event_type: 'smtp',
  src_ip: '10.0.0.5',
  src_port: 50200,
  dest_ip: '10.0.0.25',
  dest_port: 25,
  proto: 'TCP',
  tx_id: 0,
  smtp: { helo: 'client.example.jp', mail_from: '<a@example.jp>', rcpt_to: ['<b@example.jp>'] },
  email: { status: 'PARSE_DONE', from: 'a@example.jp', to: ['b@example.jp'], subject: 'Invoice', attachment: ['invoice.pdf'] },
};

const email: EveEmailRecord = {
  timestamp: '2021-03-02T10:05:00.223456+0000',
  event_type: 'email',
  email: { status: 'PARSE_DONE', from: 'a@example.jp', to: ['b@example.jp'], cc: ['c@example.jp'], has_exe_url: false },
};

const ftp: EveFtpRecord = {
  timestamp: '2021-03-02T10:06:00.000001+0000',
  flow_id: 101,
  pcap_cnt: 5,
  event_type: 'ftp',
  src_ip: '10.0.0.5',
  src_port: 50300,
  dest_ip: '10.0.0.21',
  dest_port: 21,
  proto: 'TCP',
  tx_id: 1,
  ftp: { command: 'USER', command_data: 'anonymous', reply: ['Please specify the password.'], completion_code: ['331'], reply_received: 'yes' },
};

const fileinfo: EveFileInfoRecord = {
  timestamp: '2016-02-04T17:06:05.371405+0000',
  flow_id: 102,
  pcap_cnt: 40,
  event_type: 'fileinfo',
  src_ip: '10.1.1.2',
  src_port: 80,
  dest_ip: '10.1.1.3',
  dest_port: 49152,
  proto: 'TCP',
  http: { hostname: 'nx2500-242-4-server', url: '/malware/ppt/mal/51f14eb6c874686e5f593132cf0f742d.ppt', status: 200 },
  app_proto: 'http',
  fileinfo: {
    filename: '/malware/ppt/mal/51f14eb6c874686e5f593132cf0f742d.ppt',
    gaps: false,
    state: 'CLOSED',
    md5: '51f14eb6c874686e5f593132cf0f742d',
    stored: false,
    size: 165376,
    tx_id: 0,
  },
};

const flow: EveFlowRecord = {
  timestamp: '2009-10-16T16:44:16.185868+0000',
  flow_id: 2108219017186546,
  event_type: 'flow',
  vlan: [1, 10],
  src_ip: '192.168.2.3',
  src_port: 37010,
  dest_ip: '208.69.36.231',
  dest_port: 80,
  proto: 'TCP',
  app_proto: 'http',
  flow: {
    pkts_toserver: 8,
    pkts_toclient: 5,
    bytes_toserver: 607,
    bytes_toclient: 5453,
    start: '2009-10-16T16:44:16.083524+0000',
    end: '2009-10-16T16:44:16.185868+0000',
    age: 0,
    state: 'closed',
    reason: 'shutdown',
    alerted: true,
  },
  tcp: { tcp_flags: '1e', tcp_flags_ts: '1e', tcp_flags_tc: '1a', syn: true, rst: true, psh: true, ack: true, state: 'closed' },
  community_id: '1:PGf+a0eBbs1OhuPtJmsF0Sm51v4=',
};

const anomaly: EveAnomalyRecord = {
  timestamp: '2019-01-01T00:00:00.000001+0000',
  pcap_cnt: 3,
  event_type: 'anomaly',
  src_ip: '::1',
  dest_ip: '::1',
  proto: 'TCP',
  anomaly: { type: 'decode', event: 'ipv6.trunc_pkt', layer: 'proto_detect' },
};

const alert: EveAlertRecord = {
  timestamp: '2009-10-16T16:44:16.185868+0000',
  flow_id: 2108219017186546,
  pcap_cnt: 6,
  event_type: 'alert',
  src_ip: '192.168.2.3',
  src_port: 37010,
  dest_ip: '208.69.36.231',
  dest_port: 80,
  proto: 'TCP',
  pkt_src: 'wire/pcap',
  tx_id: 0,
  alert: {
    action: 'allowed',
    gid: 1,
    signature_id: 2024217,
    rev: 3,
    signature: 'ET POLICY Wget User-Agent',
    category: 'Potential Corporate Privacy Violation',
    severity: 2,
    metadata: {
      affected_product: ['Any'],
      attack_target: ['Client_Endpoint'],
      created_at: ['2017_04_20'],
      signature_severity: ['Informational'],
      updated_at: ['2019_09_28'],
      // not a key the schema names: alert.metadata is the one open object, rules bring their own keys
      confidence: ['High'],
    },
  },
  http: { hostname: 'www.google.com', url: '/blah/', http_user_agent: 'Wget/1.11.4', http_method: 'GET', protocol: 'HTTP/1.0', length: 1194 },
  app_proto: 'http',
  direction: 'to_server',
  flow: { pkts_toserver: 4, pkts_toclient: 2, bytes_toserver: 379, bytes_toclient: 1588, start: '2009-10-16T16:44:16.083524+0000', src_ip: '192.168.2.3', dest_ip: '208.69.36.231', src_port: 37010, dest_port: 80 },
};

const stats: EveStatsRecord = {
  timestamp: '2009-10-16T16:44:16.185868+0000',
  event_type: 'stats',
  stats: {
    uptime: 0,
    capture: { kernel_packets: 13 },
    decoder: { pkts: 13, bytes: 6060, ipv4: 13, ethernet: 13, tcp: 13, avg_pkt_size: 466, max_pkt_size: 1514 },
    flow: { total: 1, tcp: 1, udp: 0, end: { state: { closed: 1 }, tcp_state: { closed: 1 } } },
    tcp: { sessions: 1, syn: 1, synack: 1, rst: 1 },
    detect: { alert: 1 },
    app_layer: { flow: { http: 1 }, tx: { http: 1 }, error: { http: { gap: 0, alloc: 0, parser: 0, internal: 0 } } },
  },
};

/** The samples by name; every one must pass the schema. */
export const EVE_RECORD_SAMPLES: Readonly<Record<string, EveRecord>> = {
  'dns request (v3)': dnsRequest,
  'dns response (v3)': dnsResponse,
  http,
  'tls with ja3/ja3s/ja4': tls,
  ssh,
  'smtp with email': smtp,
  email,
  ftp,
  fileinfo,
  'flow (double vlan)': flow,
  anomaly,
  'alert with metadata': alert,
  stats,
};
