/**
 * Client and server fingerprints: JA3 / JA3S (Salesforce; decimal fields, GREASE removed, MD5)
 * and JA4 (FoxIO JA4 spec: `t13d1516h2_8daaf6152771_b186095e22b6`).
 */
import { createHash } from 'node:crypto';
import type { TlsClientHello, TlsServerHello } from './tlsHello.ts';
import { isGrease, TLS_EXT } from './tlsHello.ts';

export interface Ja3 {
  string: string;
  hash: string;
}

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');
const sha256_12 = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 12);
const noGrease = (l: readonly number[]): number[] => l.filter((v) => !isGrease(v));

export function ja3(h: TlsClientHello): Ja3 {
  const s = [
    h.legacyVersion,
    noGrease(h.ciphers).join('-'),
    noGrease(h.extensions).join('-'),
    noGrease(h.groups).join('-'),
    h.pointFormats.join('-'),
  ].join(',');
  return { string: s, hash: md5(s) };
}

export function ja3s(h: TlsServerHello): Ja3 {
  const s = [h.legacyVersion, h.cipher, noGrease(h.extensions).join('-')].join(',');
  return { string: s, hash: md5(s) };
}

function ja4Version(v: number): string {
  switch (v) {
    case 0x0304: return '13';
    case 0x0303: return '12';
    case 0x0302: return '11';
    case 0x0301: return '10';
    case 0x0300: return 's3';
    case 0x0002: return 's2';
    case 0xfeff: return 'd1';
    case 0xfefd: return 'd2';
    case 0xfefc: return 'd3';
    default: return '00';
  }
}

const hex4 = (v: number): string => v.toString(16).padStart(4, '0');
const count2 = (n: number): string => String(Math.min(n, 99)).padStart(2, '0');
const isAlnum = (c: number): boolean => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);

function ja4Alpn(h: TlsClientHello): string {
  const first = h.alpnBytes[0];
  if (!first || first.length === 0) return '00';
  const a = first[0] ?? 0;
  const z = first[first.length - 1] ?? 0;
  if (isAlnum(a) && isAlnum(z)) return String.fromCharCode(a, z);
  // Non-alphanumeric: first and last characters of the hex of the value.
  const hx = Buffer.from(first).toString('hex');
  return `${hx[0]}${hx[hx.length - 1]}`;
}

/** JA4 of a ClientHello carried over TCP (`t`); pass 'q' for QUIC, 'd' for DTLS. */
export function ja4(h: TlsClientHello, transport: 't' | 'q' | 'd' = 't'): string {
  const versions = noGrease(h.supportedVersions);
  const version = versions.length > 0 ? Math.max(...versions) : h.legacyVersion;
  const ciphers = noGrease(h.ciphers);
  const exts = noGrease(h.extensions);
  const a = `${transport}${ja4Version(version)}${h.sni !== undefined || exts.includes(TLS_EXT.SERVER_NAME) ? 'd' : 'i'}${count2(ciphers.length)}${count2(exts.length)}${ja4Alpn(h)}`;
  const b = ciphers.length === 0 ? '000000000000' : sha256_12(ciphers.map(hex4).sort().join(','));
  const extsForHash = exts.filter((e) => e !== TLS_EXT.SERVER_NAME && e !== TLS_EXT.ALPN).map(hex4).sort();
  const sig = h.sigAlgs.map(hex4).join(',');
  const c = extsForHash.length === 0 ? '000000000000' : sha256_12(sig === '' ? extsForHash.join(',') : `${extsForHash.join(',')}_${sig}`);
  return `${a}_${b}_${c}`;
}
