/**
 * Which application protocol a flow speaks, from its first bytes rather than its port (services
 * move; malware picks ports on purpose). SMTP and FTP servers speak first with the same "220", so
 * the server banner and the client's first command decide between them.
 */
import { latin1 } from './appLayer.ts';
import { parseDnsMessage } from './dns/dnsMessage.ts';

/** `quic` is chosen by the session from a client Initial (app-layer/quic), `ftp-data` from an FTP
 *  control connection's expectation (app-layer/ftp/ftpData.ts), not by detectAppProto. */
export type AppProto = 'http' | 'tls' | 'ssh' | 'smtp' | 'ftp' | 'ftp-data' | 'dns' | 'quic';

/** Bytes of each direction looked at; detection never needs more. */
export const DETECT_MAX_BYTES = 1024;

const HTTP_METHODS = new Set([
  'GET', 'POST', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'CONNECT', 'TRACE', 'PATCH', 'PROPFIND', 'PROPPATCH', 'MKCOL', 'COPY', 'MOVE', 'LOCK',
  'UNLOCK', 'REPORT', 'SEARCH', 'PRI',
]);
const SMTP_COMMANDS = new Set(['EHLO', 'HELO', 'MAIL', 'RCPT', 'STARTTLS', 'LHLO']);
const FTP_COMMANDS = new Set(['USER', 'PASS', 'SYST', 'FEAT', 'PASV', 'EPSV', 'PORT', 'EPRT', 'RETR', 'STOR', 'LIST', 'NLST', 'CWD', 'PWD', 'TYPE', 'OPTS']);

function isTlsHandshake(b: Uint8Array, helloType: number): boolean {
  // Record: handshake(22), version 3.x, then a handshake header of the wanted type.
  if (b.length >= 6 && b[0] === 0x16 && b[1] === 0x03 && (b[2] ?? 9) <= 0x04 && b[5] === helloType) return true;
  // SSLv2-compatible ClientHello (2-byte header with the high bit, msg type 1, version 3.x).
  return helloType === 1 && b.length >= 5 && ((b[0] ?? 0) & 0x80) !== 0 && b[2] === 0x01 && b[3] === 0x03;
}

function firstWord(b: Uint8Array): string {
  let i = 0;
  while (i < b.length && i < 16 && (b[i] ?? 0) > 0x20 && (b[i] ?? 0) < 0x7f) i++;
  return latin1(b, 0, i).toUpperCase();
}

function isSshBanner(b: Uint8Array, allowPreLines: boolean): boolean {
  if (b[0] === 0x53 && b[1] === 0x53 && b[2] === 0x48 && b[3] === 0x2d) return true;
  return allowPreLines && /(^|\n)SSH-\d/.test(latin1(b, 0, Math.min(b.length, DETECT_MAX_BYTES)));
}

function dnsQueryLike(msg: Uint8Array): boolean {
  const r = parseDnsMessage(msg);
  return r.status === 'ok' && !r.value.record.qr && (r.value.record.queries?.length ?? 0) >= 1 && r.value.record.opcode === 0;
}

/**
 * Detect from the first bytes seen in each direction (either may be empty). `transport` matters
 * only for DNS, framed with a length prefix over TCP.
 */
export function detectAppProto(firstBytesToServer: Uint8Array, firstBytesToClient?: Uint8Array, transport: 'tcp' | 'udp' = 'tcp'): AppProto | undefined {
  const c = firstBytesToServer.subarray(0, DETECT_MAX_BYTES);
  const s = (firstBytesToClient ?? new Uint8Array(0)).subarray(0, DETECT_MAX_BYTES);
  if (transport === 'udp') return c.length >= 12 && dnsQueryLike(c) ? 'dns' : undefined;

  if (isTlsHandshake(c, 1) || isTlsHandshake(s, 2)) return 'tls';
  if (isSshBanner(c, false) || isSshBanner(s, true)) return 'ssh';
  const cw = firstWord(c);
  if (c.length > 0 && HTTP_METHODS.has(cw) && c[cw.length] === 0x20) return 'http';
  if (latin1(s, 0, Math.min(s.length, 7)) === 'HTTP/1.') return 'http';

  // Server-speaks-first protocols: banner "220", then the client's command or the banner text.
  const banner = latin1(s, 0, Math.min(s.length, 256));
  // POP3 ("+OK") and IMAP ("* OK") servers greet otherwise; their clients' USER/PASS/QUIT are
  // FTP words too, so a greeting that is not "220" rules out SMTP and FTP.
  if (/^(\+OK|\* (OK|PREAUTH|BYE))/.test(banner)) return undefined;
  if (SMTP_COMMANDS.has(cw)) return 'smtp';
  if (FTP_COMMANDS.has(cw)) return 'ftp';
  if (/^220[ -]/.test(banner)) {
    if (/\b(E?SMTP|Postfix|Exim|Sendmail|mail)\b/i.test(banner)) return 'smtp';
    if (/\bFTP\b|FileZilla|vsFTPd|ProFTPD|Pure-FTPd/i.test(banner)) return 'ftp';
  }

  if (c.length >= 14) {
    const len = ((c[0] ?? 0) << 8) | (c[1] ?? 0);
    if (len >= 12 && len + 2 <= c.length && dnsQueryLike(c.subarray(2, 2 + len))) return 'dns';
  }
  return undefined;
}
