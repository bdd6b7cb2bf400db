/**
 * The behaviour detectors' signatures: one stable sid per detector and variant in Otasuke's
 * reserved range (OTASUKE_SID.behaviourBase … +999, gid 1). A sid never changes meaning once
 * shipped: the server, reports and suppressions refer to it. New variants take a new number.
 *
 * | sid     | explain                       | what                                                         | sev |
 * |---------|-------------------------------|--------------------------------------------------------------|-----|
 * | 9100010 | inbound_port_scan             | outside host probes many ports of one host                   | 2   |
 * | 9100011 | outbound_port_scan            | inside host probes many ports of one host (infected/worm)     | 2   |
 * | 9100020 | inbound_host_sweep            | outside host probes one port on many hosts                   | 2   |
 * | 9100021 | outbound_host_sweep           | inside host probes one port on many hosts (worm spreading)    | 1   |
 * | 9100100 | brute_force_ssh               | many short SSH sessions from one client to one server        | 2   |
 * | 9100101 | brute_force_rdp               | many short RDP sessions                                      | 2   |
 * | 9100102 | brute_force_smb               | many short SMB sessions                                      | 2   |
 * | 9100103 | brute_force_ftp               | many FTP logins refused (530)                                | 2   |
 * | 9100104 | brute_force_http              | many 401/403 answers or login-form POSTs                     | 2   |
 * | 9100200 | weak_tls_version              | SSLv2/SSLv3/TLS 1.0/TLS 1.1 negotiated                       | 3   |
 * | 9100201 | weak_tls_cipher               | NULL/EXPORT/RC4/DES/3DES suite negotiated                    | 3   |
 * | 9100202 | tls_expired_certificate       | server certificate past notAfter (or before notBefore)        | 3   |
 * | 9100203 | tls_self_signed_certificate   | server certificate whose subject is its issuer               | 3   |
 * | 9100300 | cleartext_credentials (ftp)   | FTP USER/PASS                                                | 2   |
 * | 9100301 | cleartext_credentials (telnet)| Telnet login and password typed in clear                     | 2   |
 * | 9100302 | cleartext_credentials (http)  | HTTP Basic authorization                                     | 2   |
 * | 9100303 | cleartext_credentials (pop3)  | POP3 USER/PASS or APOP                                       | 2   |
 * | 9100304 | cleartext_credentials (imap)  | IMAP LOGIN                                                   | 2   |
 * | 9100400 | dns_tunnel                    | many unique encoded names under one domain                   | 1   |
 * | 9100500 | beaconing                     | regular connections from an inside host to one outside peer  | 2   |
 */
import { OTASUKE_SID } from '../detectionStage.ts';

export interface BehaviourSignature {
  signatureId: number;
  explain: string;
  signature: string;
  /** English category text in the manner of Suricata's classtypes. */
  category: string;
  severity: 1 | 2 | 3;
}

const B = OTASUKE_SID.behaviourBase;

function sig(offset: number, explain: string, signature: string, category: string, severity: 1 | 2 | 3): BehaviourSignature {
  return { signatureId: B + offset, explain, signature: `OTASUKE BEHAVIOUR ${signature}`, category, severity };
}

const SCAN = 'Detection of a Network Scan';
const BRUTE = 'Attempted Administrator Privilege Gain';
const WEAK = 'Weak or Obsolete Cryptography';
const PRIVACY = 'Potential Corporate Privacy Violation';

export const BEHAVIOUR_SIGNATURES = {
  inboundPortScan: sig(10, 'inbound_port_scan', 'Inbound port scan', SCAN, 2),
  outboundPortScan: sig(11, 'outbound_port_scan', 'Port scan from an inside host', SCAN, 2),
  inboundHostSweep: sig(20, 'inbound_host_sweep', 'Inbound host sweep', SCAN, 2),
  outboundHostSweep: sig(21, 'outbound_host_sweep', 'Host sweep from an inside host (worm-like spreading)', 'A Network Trojan was detected', 1),
  bruteForceSsh: sig(100, 'brute_force_ssh', 'SSH brute force', BRUTE, 2),
  bruteForceRdp: sig(101, 'brute_force_rdp', 'RDP brute force', BRUTE, 2),
  bruteForceSmb: sig(102, 'brute_force_smb', 'SMB brute force', BRUTE, 2),
  bruteForceFtp: sig(103, 'brute_force_ftp', 'FTP brute force (failed logins)', BRUTE, 2),
  bruteForceHttp: sig(104, 'brute_force_http', 'HTTP authentication brute force', 'Attempted User Privilege Gain', 2),
  weakTlsVersion: sig(200, 'weak_tls_version', 'Obsolete SSL/TLS version negotiated', WEAK, 3),
  weakTlsCipher: sig(201, 'weak_tls_cipher', 'Weak TLS cipher suite negotiated', WEAK, 3),
  tlsExpiredCertificate: sig(202, 'tls_expired_certificate', 'TLS server certificate expired or not yet valid', WEAK, 3),
  tlsSelfSignedCertificate: sig(203, 'tls_self_signed_certificate', 'TLS server certificate is self-signed', WEAK, 3),
  cleartextFtp: sig(300, 'cleartext_credentials', 'Cleartext credentials: FTP login', PRIVACY, 2),
  cleartextTelnet: sig(301, 'cleartext_credentials', 'Cleartext credentials: Telnet login', PRIVACY, 2),
  cleartextHttpBasic: sig(302, 'cleartext_credentials', 'Cleartext credentials: HTTP Basic authorization', PRIVACY, 2),
  cleartextPop3: sig(303, 'cleartext_credentials', 'Cleartext credentials: POP3 login', PRIVACY, 2),
  cleartextImap: sig(304, 'cleartext_credentials', 'Cleartext credentials: IMAP login', PRIVACY, 2),
  dnsTunnel: sig(400, 'dns_tunnel', 'DNS tunnelling (many encoded names under one domain)', 'Potentially Bad Traffic', 1),
  beaconing: sig(500, 'beaconing', 'Regular connections to one outside peer (beaconing)', 'A Network Trojan was detected', 2),
} as const satisfies Record<string, BehaviourSignature>;

export type BehaviourSignatureName = keyof typeof BEHAVIOUR_SIGNATURES;
