/**
 * ClientHello and ServerHello bodies (RFC 8446 4.1.2-4.1.3, RFC 5246 7.4.1) from the handshake
 * message body to a struct: versions, cipher suites, extensions in order and the extensions the
 * fingerprints and EVE need (SNI, ALPN, supported_versions, groups, point formats, sigalgs).
 */
import type { ParseResult } from '../appLayer.ts';
import { latin1 } from '../appLayer.ts';

export const TLS_EXT = {
  SERVER_NAME: 0, SUPPORTED_GROUPS: 10, EC_POINT_FORMATS: 11, SIGNATURE_ALGORITHMS: 13, ALPN: 16, SUPPORTED_VERSIONS: 43,
} as const;
/** SNI host names longer than this are cut (DNS names are at most 253). */
export const TLS_MAX_SNI_LEN = 255;
export const TLS_MAX_ALPNS = 32;

export interface TlsClientHello {
  legacyVersion: number;
  ciphers: number[];
  compressionMethods: number[];
  /** Extension types in the order sent, GREASE included (fingerprints filter it). */
  extensions: number[];
  sni?: string;
  alpns: string[];
  /** Raw ALPN protocol ids, for JA4's non-alphanumeric rule. */
  alpnBytes: Uint8Array[];
  supportedVersions: number[];
  groups: number[];
  pointFormats: number[];
  sigAlgs: number[];
  anomalies: string[];
}

export interface TlsServerHello {
  legacyVersion: number;
  cipher: number;
  compressionMethod: number;
  extensions: number[];
  selectedVersion?: number;
  alpn?: string;
  anomalies: string[];
}

/** GREASE values (RFC 8701): 0x?a?a with both bytes equal. */
export function isGrease(v: number): boolean {
  return (v & 0x0f0f) === 0x0a0a && (v >> 8) === (v & 0xff);
}

/** Bounded big-endian cursor; every read past `end` marks it failed and returns 0. */
class Cursor {
  failed = false;
  constructor(readonly b: Uint8Array, public pos: number, public end: number) {}
  u8(): number {
    if (this.pos + 1 > this.end) return this.fail();
    return this.b[this.pos++] ?? 0;
  }
  u16(): number {
    if (this.pos + 2 > this.end) return this.fail();
    const v = ((this.b[this.pos] ?? 0) << 8) | (this.b[this.pos + 1] ?? 0);
    this.pos += 2;
    return v;
  }
  take(n: number): Cursor {
    if (this.pos + n > this.end) {
      this.fail();
      return new Cursor(this.b, this.end, this.end);
    }
    const c = new Cursor(this.b, this.pos, this.pos + n);
    this.pos += n;
    return c;
  }
  get left(): number {
    return this.end - this.pos;
  }
  private fail(): number {
    this.failed = true;
    this.pos = this.end;
    return 0;
  }
}

function u16List(c: Cursor): number[] {
  const out: number[] = [];
  while (c.left >= 2) out.push(c.u16());
  return out;
}

export function parseClientHello(body: Uint8Array): ParseResult<TlsClientHello> {
  const c = new Cursor(body, 0, body.length);
  const legacyVersion = c.u16();
  c.take(32);
  c.take(c.u8());
  const cs = c.take(c.u16());
  const comp = c.take(c.u8());
  if (c.failed || cs.left % 2 !== 0) return { status: 'error', anomaly: 'tls.invalid_handshake_message' };
  const hello: TlsClientHello = {
    legacyVersion, ciphers: u16List(cs), compressionMethods: [], extensions: [], alpns: [], alpnBytes: [], supportedVersions: [],
    groups: [], pointFormats: [], sigAlgs: [], anomalies: [],
  };
  while (comp.left > 0) hello.compressionMethods.push(comp.u8());
  if (c.left === 0) return { status: 'ok', consumed: body.length, value: hello };
  const exts = c.take(c.u16());
  if (c.failed) return { status: 'error', anomaly: 'tls.invalid_handshake_message' };
  while (exts.left > 0) {
    const type = exts.u16();
    const data = exts.take(exts.u16());
    if (exts.failed) return { status: 'error', anomaly: 'tls.invalid_handshake_message' };
    hello.extensions.push(type);
    switch (type) {
      case TLS_EXT.SERVER_NAME: {
        if (hello.sni !== undefined) {
          hello.anomalies.push('tls.multiple_sni_extensions');
          break;
        }
        const list = data.take(data.u16());
        const nameType = list.u8();
        const name = list.take(list.u16());
        if (list.failed || data.failed) {
          hello.anomalies.push('tls.invalid_sni_length');
          break;
        }
        if (nameType !== 0) hello.anomalies.push('tls.invalid_sni_type');
        hello.sni = latin1(body, name.pos, Math.min(name.end, name.pos + TLS_MAX_SNI_LEN));
        break;
      }
      case TLS_EXT.ALPN: {
        const list = data.take(data.u16());
        while (list.left > 0 && hello.alpns.length < TLS_MAX_ALPNS) {
          const p = list.take(list.u8());
          if (list.failed) break;
          hello.alpnBytes.push(body.slice(p.pos, p.end)); // a copy: body is a view into reused buffers
          hello.alpns.push(latin1(body, p.pos, p.end));
        }
        break;
      }
      case TLS_EXT.SUPPORTED_VERSIONS:
        hello.supportedVersions = u16List(data.take(data.u8()));
        break;
      case TLS_EXT.SUPPORTED_GROUPS:
        hello.groups = u16List(data.take(data.u16()));
        break;
      case TLS_EXT.EC_POINT_FORMATS: {
        const l = data.take(data.u8());
        while (l.left > 0) hello.pointFormats.push(l.u8());
        break;
      }
      case TLS_EXT.SIGNATURE_ALGORITHMS:
        hello.sigAlgs = u16List(data.take(data.u16()));
        break;
      default:
        break;
    }
  }
  return { status: 'ok', consumed: body.length, value: hello };
}

export function parseServerHello(body: Uint8Array): ParseResult<TlsServerHello> {
  const c = new Cursor(body, 0, body.length);
  const legacyVersion = c.u16();
  c.take(32);
  c.take(c.u8());
  const cipher = c.u16();
  const compressionMethod = c.u8();
  if (c.failed) return { status: 'error', anomaly: 'tls.invalid_handshake_message' };
  const hello: TlsServerHello = { legacyVersion, cipher, compressionMethod, extensions: [], anomalies: [] };
  if (c.left === 0) return { status: 'ok', consumed: body.length, value: hello };
  const exts = c.take(c.u16());
  if (c.failed) return { status: 'error', anomaly: 'tls.invalid_handshake_message' };
  while (exts.left > 0) {
    const type = exts.u16();
    const data = exts.take(exts.u16());
    if (exts.failed) return { status: 'error', anomaly: 'tls.invalid_handshake_message' };
    hello.extensions.push(type);
    if (type === TLS_EXT.SUPPORTED_VERSIONS && data.left >= 2) hello.selectedVersion = data.u16();
    if (type === TLS_EXT.ALPN) {
      const list = data.take(data.u16());
      const p = list.take(list.u8());
      if (!list.failed) hello.alpn = latin1(body, p.pos, p.end);
    }
  }
  return { status: 'ok', consumed: body.length, value: hello };
}

/** Version names as Suricata's EVE writes them. */
export function tlsVersionName(v: number): string {
  switch (v) {
    case 0x0002: return 'SSLv2';
    case 0x0300: return 'SSLv3';
    case 0x0301: return 'TLSv1';
    case 0x0302: return 'TLS 1.1';
    case 0x0303: return 'TLS 1.2';
    case 0x0304: return 'TLS 1.3';
    default:
      // TLS 1.3 drafts (0x7f00 | n), as Suricata's SSLVersionToString prints them.
      if ((v & 0xff00) === 0x7f00 && (v & 0xff) > 0) return `TLS 1.3 draft-${v & 0xff}`;
      return 'UNDETERMINED';
  }
}
