/**
 * Test fixtures built the way the wire spells them: a DER writer for certificates and builders for
 * TLS records and hellos. Test-only.
 */

export function der(tag: number, ...content: Uint8Array[]): Uint8Array {
  const body = Buffer.concat(content);
  const n = body.length;
  const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : n < 0x10000 ? [0x82, n >> 8, n & 0xff] : [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  return new Uint8Array(Buffer.concat([Uint8Array.from([tag, ...len]), body]));
}

export const ascii = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));
export const bytes = (...v: number[]): Uint8Array => Uint8Array.from(v);
export const concat = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));
export const u16 = (v: number): Uint8Array => bytes(v >> 8, v & 0xff);
export const u24 = (v: number): Uint8Array => bytes(v >> 16, (v >> 8) & 0xff, v & 0xff);

const OID: Record<string, number[]> = {
  C: [0x55, 0x04, 0x06], O: [0x55, 0x04, 0x0a], CN: [0x55, 0x04, 0x03], SAN: [0x55, 0x1d, 0x11], SHA256RSA: [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b],
};

function name(rdns: [string, string][]): Uint8Array {
  return der(0x30, ...rdns.map(([k, v]) => der(0x31, der(0x30, der(0x06, Uint8Array.from(OID[k] ?? [])), der(k === 'C' ? 0x13 : 0x0c, ascii(v))))));
}

/** A syntactically complete certificate (the signature is junk; nothing verifies it). */
export function certificate(opts: { subject: [string, string][]; issuer: [string, string][]; serial: number[]; san?: string[] }): Uint8Array {
  const alg = der(0x30, der(0x06, Uint8Array.from(OID.SHA256RSA ?? [])), der(0x05));
  const exts = opts.san
    ? [der(0xa3, der(0x30, der(0x30, der(0x06, Uint8Array.from(OID.SAN ?? [])), der(0x04, der(0x30, ...opts.san.map((s) => der(0x82, ascii(s))))))))]
    : [];
  const tbs = der(
    0x30,
    der(0xa0, der(0x02, bytes(2))),
    der(0x02, Uint8Array.from(opts.serial)),
    alg,
    name(opts.issuer),
    der(0x30, der(0x17, ascii('240102030405Z')), der(0x18, ascii('20510607080910Z'))),
    name(opts.subject),
    der(0x30, alg, der(0x03, bytes(0, 1, 2, 3))),
    ...exts,
  );
  return der(0x30, tbs, alg, der(0x03, bytes(0, 0xde, 0xad)));
}

export function extension(type: number, data: Uint8Array): Uint8Array {
  return concat(u16(type), u16(data.length), data);
}

export function handshake(type: number, body: Uint8Array): Uint8Array {
  return concat(bytes(type), u24(body.length), body);
}

export function record(contentType: number, payload: Uint8Array, version = 0x0303): Uint8Array {
  return concat(bytes(contentType), u16(version), u16(payload.length), payload);
}

/** A Chrome-like TLS 1.3 ClientHello with GREASE, SNI, ALPN h2/http1.1. */
export function clientHelloBody(sni = 'www.example.com'): Uint8Array {
  const ciphers = [0x0a0a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0x009c];
  const exts = concat(
    extension(0x1a1a, new Uint8Array(0)),
    extension(0, concat(u16(sni.length + 3), bytes(0), u16(sni.length), ascii(sni))),
    extension(23, new Uint8Array(0)),
    extension(10, concat(u16(8), u16(0x2a2a), u16(29), u16(23), u16(24))),
    extension(11, bytes(1, 0)),
    extension(16, concat(u16(12), bytes(2), ascii('h2'), bytes(8), ascii('http/1.1'))),
    extension(13, concat(u16(6), u16(0x0403), u16(0x0804), u16(0x0401))),
    extension(43, concat(bytes(6), u16(0x3a3a), u16(0x0304), u16(0x0303))),
    extension(0x4a4a, bytes(0)),
  );
  return concat(
    u16(0x0303), new Uint8Array(32).fill(7), bytes(32), new Uint8Array(32).fill(9),
    u16(ciphers.length * 2), ...ciphers.map(u16), bytes(1, 0), u16(exts.length), exts,
  );
}

export function serverHelloBody(version: 0x0303 | 0x0304): Uint8Array {
  const exts = concat(extension(0xff01, bytes(0)), ...(version === 0x0304 ? [extension(43, u16(0x0304))] : [extension(16, concat(u16(3), bytes(2), ascii('h2')))]));
  return concat(u16(0x0303), new Uint8Array(32).fill(1), bytes(0), u16(0xc02f), bytes(0), u16(exts.length), exts);
}
