/**
 * Per-flow TLS state over the reassembled stream of each direction: records are framed (split
 * anywhere), handshake messages are reassembled across records, hellos and the certificate chain
 * are parsed, and parsing of a direction ends once it turns encrypted (ChangeCipherSpec, or a TLS
 * 1.3 ServerHello).
 */
import type { AppLayerAnomaly, Direction, FeedResult, ParseResult } from '../appLayer.ts';
import { PendingBytes } from '../appLayer.ts';
import type { Ja3 } from './tlsFingerprint.ts';
import { ja3, ja3s, ja4 } from './tlsFingerprint.ts';
import type { TlsClientHello, TlsServerHello } from './tlsHello.ts';
import { isGrease, parseClientHello, parseServerHello, tlsVersionName } from './tlsHello.ts';
import type { X509Summary } from './x509Certificate.ts';
import { parseX509Certificate } from './x509Certificate.ts';

/** RFC 5246 6.2.3: a ciphertext record is at most 2^14 + 2048 bytes. */
export const TLS_MAX_RECORD_LEN = 16384 + 2048;
/** One handshake message (a certificate chain in practice) reassembled across records. */
export const TLS_MAX_HANDSHAKE_MESSAGE = 128 * 1024;
export const TLS_MAX_CERTS_PER_CHAIN = 16;
export const TLS_RECORD_HEADER_LEN = 5;

export const TLS_CONTENT = { CHANGE_CIPHER_SPEC: 20, ALERT: 21, HANDSHAKE: 22, APPLICATION_DATA: 23, HEARTBEAT: 24 } as const;
export const TLS_HANDSHAKE = { CLIENT_HELLO: 1, SERVER_HELLO: 2, CERTIFICATE: 11, SERVER_HELLO_DONE: 14 } as const;

export interface TlsRecordHeader {
  contentType: number;
  version: number;
  length: number;
}

/** Frame one record header; `incomplete` also when the record body has not fully arrived. */
export function parseTlsRecordHeader(b: Uint8Array): ParseResult<TlsRecordHeader> {
  if (b.length < TLS_RECORD_HEADER_LEN) return { status: 'incomplete', consumed: 0, needed: TLS_RECORD_HEADER_LEN - b.length };
  const contentType = b[0] ?? 0;
  const version = ((b[1] ?? 0) << 8) | (b[2] ?? 0);
  const length = ((b[3] ?? 0) << 8) | (b[4] ?? 0);
  if (contentType < 20 || contentType > 24) return { status: 'error', anomaly: 'tls.invalid_record_type' };
  if (b[1] !== 3) return { status: 'error', anomaly: 'tls.invalid_record_version' };
  if (length > TLS_MAX_RECORD_LEN) return { status: 'error', anomaly: 'tls.invalid_record_length' };
  if (b.length < TLS_RECORD_HEADER_LEN + length) return { status: 'incomplete', consumed: 0, needed: TLS_RECORD_HEADER_LEN + length - b.length };
  return { status: 'ok', consumed: TLS_RECORD_HEADER_LEN + length, value: { contentType, version, length } };
}

/** DER certificates of a TLS <= 1.2 Certificate message body. */
export function parseCertificateList(body: Uint8Array): ParseResult<Uint8Array[]> {
  const bad: ParseResult<Uint8Array[]> = { status: 'error', anomaly: 'tls.certificate_invalid_length' };
  if (body.length < 3) return bad;
  const total = ((body[0] ?? 0) << 16) | ((body[1] ?? 0) << 8) | (body[2] ?? 0);
  if (3 + total > body.length) return bad;
  const certs: Uint8Array[] = [];
  let pos = 3;
  while (pos < 3 + total) {
    if (pos + 3 > 3 + total) return bad;
    const len = ((body[pos] ?? 0) << 16) | ((body[pos + 1] ?? 0) << 8) | (body[pos + 2] ?? 0);
    if (pos + 3 + len > 3 + total) return bad;
    if (certs.length < TLS_MAX_CERTS_PER_CHAIN) certs.push(body.subarray(pos + 3, pos + 3 + len));
    pos += 3 + len;
  }
  return { status: 'ok', consumed: pos, value: certs };
}

export type TlsHandshakeRecord =
  | { type: 'client_hello'; hello: TlsClientHello; ja3: Ja3; ja4: string }
  | { type: 'server_hello'; hello: TlsServerHello; ja3s: Ja3 }
  /** `der` are copies, safe to keep (EVE `chain`, file extraction). */
  | { type: 'certificate'; direction: Direction; chain: X509Summary[]; der: Uint8Array[] }
  /** The server's flight is complete (TLS <= 1.2): where Suricata logs the handshake. */
  | { type: 'server_hello_done' }
  /** A side switched to encrypted records (resumed sessions have no ServerHelloDone). */
  | { type: 'change_cipher_spec'; direction: Direction };

interface Side {
  records: PendingBytes;
  handshake: PendingBytes;
  started: boolean;
  stopped: boolean;
  /** Bytes of an unread record still to pass over. */
  skip: number;
  encrypted: boolean;
}

const newSide = (): Side => ({
  records: new PendingBytes(TLS_RECORD_HEADER_LEN + TLS_MAX_RECORD_LEN),
  handshake: new PendingBytes(TLS_MAX_HANDSHAKE_MESSAGE + 4),
  started: false,
  stopped: false,
  skip: 0,
  encrypted: false,
});

/** The Suricata EVE `tls` object (the subset we fill). */
export interface TlsEve {
  sni?: string;
  version?: string;
  subject?: string;
  issuerdn?: string;
  serial?: string;
  fingerprint?: string;
  notbefore?: string;
  notafter?: string;
  subjectaltname?: string[];
  chain?: string[];
  ja3?: Ja3;
  ja3s?: Ja3;
  ja4?: string;
  client_alpns?: string[];
  server_alpns?: string[];
  client_handshake?: { version: string; ciphers?: number[]; exts?: number[]; sig_algs?: number[] };
  server_handshake?: { version: string; cipher: number; exts?: number[] };
  client?: { subject: string; issuerdn: string; serial: string; fingerprint: string; notbefore: string; notafter: string; subjectaltname?: string[] };
}

export class TlsFlowParser {
  private readonly sides: Record<Direction, Side> = { toServer: newSide(), toClient: newSide() };
  clientHello?: Extract<TlsHandshakeRecord, { type: 'client_hello' }>;
  serverHello?: Extract<TlsHandshakeRecord, { type: 'server_hello' }>;
  serverCertificates?: Extract<TlsHandshakeRecord, { type: 'certificate' }>;
  /** Mutual TLS: the client's chain (TLS <= 1.2, where it is sent in clear). */
  clientCertificates?: Extract<TlsHandshakeRecord, { type: 'certificate' }>;

  feed(direction: Direction, bytes: Uint8Array): FeedResult<TlsHandshakeRecord> {
    const out: FeedResult<TlsHandshakeRecord> = { records: [], anomalies: [] };
    const s = this.sides[direction];
    if (s.stopped) return out;
    const data = s.records.join(bytes);
    let pos = 0;
    if (!s.started && data.length > 0) {
      s.started = true;
      // An SSLv2-compatible ClientHello (2-byte header with the high bit set, type 1) is legal
      // but carries no SNI or extensions worth parsing: stop quietly rather than call it invalid.
      if (((data[0] ?? 0) & 0x80) !== 0 && (data.length < 3 || data[2] === 0x01)) {
        s.stopped = true;
        s.records.clear();
        return out;
      }
    }
    // The rest of a record we do not read (application data, anything once encrypted) is
    // skipped as it streams by instead of being buffered: bulk data costs no copies.
    if (s.skip > 0) {
      const n = Math.min(s.skip, data.length);
      s.skip -= n;
      pos = n;
    }
    while (!s.stopped && pos < data.length) {
      const view = data.subarray(pos);
      const r = parseTlsRecordHeader(view);
      if (r.status === 'error') {
        this.stop(direction, r.anomaly, out);
        break;
      }
      if (r.status === 'incomplete') {
        if (view.length < TLS_RECORD_HEADER_LEN) break;
        const type = view[0] ?? 0;
        const unread = type === TLS_CONTENT.APPLICATION_DATA || type === TLS_CONTENT.ALERT || (s.encrypted && type === TLS_CONTENT.HANDSHAKE);
        if (!unread) break;
        s.skip = r.needed;
        pos = data.length;
        break;
      }
      const payload = data.subarray(pos + TLS_RECORD_HEADER_LEN, pos + r.consumed);
      pos += r.consumed;
      switch (r.value.contentType) {
        case TLS_CONTENT.CHANGE_CIPHER_SPEC:
          if (!s.encrypted) out.records.push({ type: 'change_cipher_spec', direction });
          s.encrypted = true;
          s.handshake.clear();
          break;
        case TLS_CONTENT.HANDSHAKE:
          if (!s.encrypted) this.handshake(direction, payload, out);
          break;
        case TLS_CONTENT.HEARTBEAT:
          this.raise(direction, 'tls.heartbeat_message', out);
          break;
        default:
          break;
      }
    }
    if (s.stopped) s.records.clear();
    else s.records.keep(data.subarray(pos));
    return out;
  }

  /** Bytes of this direction were lost (capture drop, reassembly gap). Framing cannot be trusted
   *  past a hole, so the direction is no longer parsed; what completed before is kept. */
  gap(direction: Direction): void {
    const s = this.sides[direction];
    s.stopped = true;
    s.records.clear();
    s.handshake.clear();
  }

  private raise(direction: Direction, name: string, out: FeedResult<TlsHandshakeRecord>): void {
    if (!out.anomalies.some((a) => a.name === name && a.direction === direction)) out.anomalies.push({ name, direction } satisfies AppLayerAnomaly);
  }

  private stop(direction: Direction, anomaly: string, out: FeedResult<TlsHandshakeRecord>): void {
    this.raise(direction, anomaly, out);
    const s = this.sides[direction];
    s.stopped = true;
    s.records.clear();
    s.handshake.clear();
  }

  private handshake(direction: Direction, payload: Uint8Array, out: FeedResult<TlsHandshakeRecord>): void {
    const s = this.sides[direction];
    const data = s.handshake.join(payload);
    let pos = 0;
    while (data.length - pos >= 4 && !s.encrypted && !s.stopped) {
      const type = data[pos] ?? 0;
      const len = ((data[pos + 1] ?? 0) << 16) | ((data[pos + 2] ?? 0) << 8) | (data[pos + 3] ?? 0);
      if (len > TLS_MAX_HANDSHAKE_MESSAGE) {
        this.stop(direction, 'tls.handshake_invalid_length', out);
        return;
      }
      if (data.length - pos < 4 + len) break;
      this.message(direction, type, data.subarray(pos + 4, pos + 4 + len), out);
      pos += 4 + len;
    }
    if (!s.stopped && !s.encrypted) s.handshake.keep(data.subarray(pos));
    else s.handshake.clear();
  }

  private message(direction: Direction, type: number, body: Uint8Array, out: FeedResult<TlsHandshakeRecord>): void {
    if (type === TLS_HANDSHAKE.CLIENT_HELLO && direction === 'toServer') {
      const r = parseClientHello(body);
      if (r.status !== 'ok') return this.raise(direction, r.status === 'error' ? r.anomaly : 'tls.invalid_handshake_message', out);
      for (const a of r.value.anomalies) this.raise(direction, a, out);
      const rec = { type: 'client_hello' as const, hello: r.value, ja3: ja3(r.value), ja4: ja4(r.value) };
      this.clientHello ??= rec;
      out.records.push(rec);
    } else if (type === TLS_HANDSHAKE.SERVER_HELLO && direction === 'toClient') {
      const r = parseServerHello(body);
      if (r.status !== 'ok') return this.raise(direction, r.status === 'error' ? r.anomaly : 'tls.invalid_handshake_message', out);
      const rec = { type: 'server_hello' as const, hello: r.value, ja3s: ja3s(r.value) };
      this.serverHello ??= rec;
      out.records.push(rec);
      // TLS 1.3: everything after the ServerHello is encrypted.
      if (r.value.selectedVersion === 0x0304) this.sides.toClient.encrypted = true;
    } else if (type === TLS_HANDSHAKE.SERVER_HELLO_DONE && direction === 'toClient') {
      out.records.push({ type: 'server_hello_done' });
    } else if (type === TLS_HANDSHAKE.CERTIFICATE) {
      const r = parseCertificateList(body);
      if (r.status !== 'ok') return this.raise(direction, r.status === 'error' ? r.anomaly : 'tls.certificate_invalid_length', out);
      const chain: X509Summary[] = [];
      const der: Uint8Array[] = [];
      for (const c of r.value) {
        const x = parseX509Certificate(c);
        if (x.status !== 'ok') {
          this.raise(direction, x.status === 'error' ? x.anomaly : 'tls.invalid_certificate', out);
          break;
        }
        chain.push(x.value);
        der.push(c.slice());
      }
      const rec = { type: 'certificate' as const, direction, chain, der };
      if (direction === 'toClient') this.serverCertificates ??= rec;
      else this.clientCertificates ??= rec;
      out.records.push(rec);
    }
  }

  /** The EVE `tls` object from what the flow showed so far. */
  eve(opts: { chain?: boolean } = {}): TlsEve {
    const eve: TlsEve = {};
    const ch = this.clientHello;
    const sh = this.serverHello;
    if (ch) {
      if (ch.hello.sni !== undefined) eve.sni = ch.hello.sni;
      eve.ja3 = ch.ja3;
      eve.ja4 = ch.ja4;
      if (ch.hello.alpns.length > 0) eve.client_alpns = ch.hello.alpns;
      const hs: NonNullable<TlsEve['client_handshake']> = { version: tlsVersionName(ch.hello.legacyVersion) };
      const ciphers = ch.hello.ciphers.filter((v) => !isGrease(v));
      const exts = ch.hello.extensions.filter((v) => !isGrease(v));
      const sig = ch.hello.sigAlgs.filter((v) => !isGrease(v));
      if (ciphers.length > 0) hs.ciphers = ciphers;
      if (exts.length > 0) hs.exts = exts;
      if (sig.length > 0) hs.sig_algs = sig;
      eve.client_handshake = hs;
    }
    if (sh) {
      eve.version = tlsVersionName(sh.hello.selectedVersion ?? sh.hello.legacyVersion);
      eve.ja3s = sh.ja3s;
      if (sh.hello.alpn !== undefined) eve.server_alpns = [sh.hello.alpn];
      const hs: NonNullable<TlsEve['server_handshake']> = { version: tlsVersionName(sh.hello.legacyVersion), cipher: sh.hello.cipher };
      if (sh.hello.extensions.length > 0) hs.exts = sh.hello.extensions;
      eve.server_handshake = hs;
    } else if (ch) eve.version = 'UNDETERMINED';
    const leaf = this.serverCertificates?.chain[0];
    if (leaf) {
      eve.subject = leaf.subject;
      eve.issuerdn = leaf.issuerdn;
      eve.serial = leaf.serial;
      eve.fingerprint = leaf.fingerprint;
      eve.notbefore = leaf.notbefore;
      eve.notafter = leaf.notafter;
      if (leaf.subjectaltname.length > 0) eve.subjectaltname = leaf.subjectaltname;
      if (opts.chain) eve.chain = (this.serverCertificates?.der ?? []).map((d) => Buffer.from(d).toString('base64'));
    }
    const clientLeaf = this.clientCertificates?.chain[0];
    if (clientLeaf) {
      const { subject, issuerdn, serial, fingerprint, notbefore, notafter, subjectaltname } = clientLeaf;
      eve.client = { subject, issuerdn, serial, fingerprint, notbefore, notafter };
      if (subjectaltname.length > 0) eve.client.subjectaltname = subjectaltname;
    }
    return eve;
  }
}
