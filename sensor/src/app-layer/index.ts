/**
 * The application-layer parsers the flow stage drives: one per-flow parser class per protocol
 * (feed each direction's reassembled bytes, or each UDP datagram, and collect records and
 * anomalies), the functions that turn their records into EVE fields, and content-based detection.
 */
export type { AppLayerAnomaly, Direction, FeedResult, ParseResult } from './appLayer.ts';
export { detectAppProto } from './appProtoDetect.ts';
export type { AppProto } from './appProtoDetect.ts';

export { DnsFlowParser, parseDnsTcpFrame } from './dns/dnsFlow.ts';
export type { DnsTransport } from './dns/dnsFlow.ts';
export { parseDnsMessage, parseDnsName } from './dns/dnsMessage.ts';
export type { DnsAnswer, DnsQuery, DnsRecord, DnsSoa } from './dns/dnsMessage.ts';

export { HttpFlowParser, httpEve } from './http/httpFlow.ts';
export type { HttpEve, HttpFeedResult, HttpRequest, HttpResponse, HttpTransaction } from './http/httpFlow.ts';
export { headerValue } from './http/httpHead.ts';
export type { HttpHeader } from './http/httpHead.ts';

export { TlsFlowParser } from './tls/tlsFlow.ts';
export type { TlsEve, TlsHandshakeRecord } from './tls/tlsFlow.ts';
export { ja3, ja3s, ja4 } from './tls/tlsFingerprint.ts';
export { parseClientHello, parseServerHello } from './tls/tlsHello.ts';
export type { TlsClientHello, TlsServerHello } from './tls/tlsHello.ts';
export { parseX509Certificate } from './tls/x509Certificate.ts';
export type { X509Summary } from './tls/x509Certificate.ts';

export { SshFlowParser, parseSshBanner } from './ssh/sshBanner.ts';
export type { SshBanner, SshEve, SshRecord } from './ssh/sshBanner.ts';
export type { Hassh } from './ssh/sshKexinit.ts';

export { SmtpFlowParser, smtpEve } from './smtp/smtpSession.ts';
export type { SmtpEve, SmtpTransaction } from './smtp/smtpSession.ts';
export { parseMimeMessage } from './smtp/mimeMessage.ts';
export type { MimeAttachment, MimeMessage } from './smtp/mimeMessage.ts';

export { FtpFlowParser, ftpEve } from './ftp/ftpControl.ts';
export type { FtpDataChannel, FtpEve, FtpTransaction } from './ftp/ftpControl.ts';
