/**
 * Just enough of an X.509 certificate (RFC 5280) for the EVE `tls` fields: subject and issuer as
 * one-line DNs in the order they are encoded ("C=US, O=Let's Encrypt, CN=R3"), serial as
 * colon-separated uppercase hex, validity dates, SAN DNS names, and the SHA-1 fingerprint of the
 * DER as lowercase colon-separated hex. Nothing is verified; this is for logging and matching.
 */
import { createHash } from 'node:crypto';
import type { ParseResult } from '../appLayer.ts';
import { hexColon, latin1 } from '../appLayer.ts';
import type { DerNode } from './derReader.ts';
import { DER_TAG, derChildren, derOid, readDer } from './derReader.ts';

export const X509_MAX_DN_ATTRIBUTES = 64;
export const X509_MAX_SAN_NAMES = 256;
export const X509_MAX_STRING = 1024;

export interface X509Summary {
  subject: string;
  issuerdn: string;
  serial: string;
  /** `YYYY-MM-DDTHH:MM:SS` in UTC as the EVE tls_date. */
  notbefore: string;
  notafter: string;
  fingerprint: string;
  subjectaltname: string[];
  selfSigned: boolean;
}

const ATTRIBUTE_NAMES: Record<string, string> = {
  '2.5.4.3': 'CN', '2.5.4.4': 'SN', '2.5.4.5': 'serialNumber', '2.5.4.6': 'C', '2.5.4.7': 'L', '2.5.4.8': 'ST',
  '2.5.4.9': 'street', '2.5.4.10': 'O', '2.5.4.11': 'OU', '2.5.4.12': 'title', '2.5.4.17': 'postalCode',
  '2.5.4.42': 'GN', '2.5.4.43': 'initials', '2.5.4.46': 'dnQualifier', '2.5.4.65': 'pseudonym',
  '1.2.840.113549.1.9.1': 'emailAddress', '0.9.2342.19200300.100.1.25': 'DC', '0.9.2342.19200300.100.1.1': 'UID',
  '1.3.6.1.4.1.311.60.2.1.3': 'jurisdictionC', '2.5.4.15': 'businessCategory',
};

function derString(b: Uint8Array, n: DerNode): string {
  const end = Math.min(n.end, n.start + X509_MAX_STRING);
  switch (n.tag) {
    case DER_TAG.UTF8_STRING:
      return Buffer.from(b.buffer, b.byteOffset + n.start, end - n.start).toString('utf8');
    case DER_TAG.BMP_STRING: {
      const chars: number[] = [];
      for (let i = n.start; i + 1 < end; i += 2) chars.push(((b[i] ?? 0) << 8) | (b[i + 1] ?? 0));
      return String.fromCharCode(...chars);
    }
    case DER_TAG.UNIVERSAL_STRING: {
      const cps: number[] = [];
      for (let i = n.start; i + 3 < end; i += 4) {
        const cp = (((b[i] ?? 0) << 24) | ((b[i + 1] ?? 0) << 16) | ((b[i + 2] ?? 0) << 8) | (b[i + 3] ?? 0)) >>> 0;
        cps.push(cp <= 0x10ffff ? cp : 0xfffd);
      }
      return String.fromCodePoint(...cps);
    }
    default:
      return latin1(b, n.start, end);
  }
}

/** Name ::= SEQUENCE OF RDN; RDN ::= SET OF { type OID, value ANY }. */
function formatName(b: Uint8Array, name: DerNode): string | undefined {
  const rdns = derChildren(b, name, X509_MAX_DN_ATTRIBUTES);
  if (!rdns) return undefined;
  const parts: string[] = [];
  for (const rdn of rdns) {
    const atvs = derChildren(b, rdn, X509_MAX_DN_ATTRIBUTES);
    if (!atvs) return undefined;
    const inner: string[] = [];
    for (const atv of atvs) {
      const kv = derChildren(b, atv, 2);
      const oidNode = kv?.[0];
      const valueNode = kv?.[1];
      if (!oidNode || !valueNode || oidNode.tag !== DER_TAG.OID) return undefined;
      const oid = derOid(b, oidNode);
      if (oid === undefined) return undefined;
      inner.push(`${ATTRIBUTE_NAMES[oid] ?? oid}=${derString(b, valueNode)}`);
    }
    parts.push(inner.join(' + '));
  }
  return parts.join(', ');
}

function formatTime(b: Uint8Array, n: DerNode): string | undefined {
  const s = latin1(b, n.start, n.end);
  let m: RegExpExecArray | null;
  if (n.tag === DER_TAG.UTC_TIME && (m = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?Z$/.exec(s))) {
    const yy = Number(m[1]);
    return `${yy < 50 ? 2000 + yy : 1900 + yy}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] ?? '00'}`;
  }
  if (n.tag === DER_TAG.GENERALIZED_TIME && (m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\.\d+)?Z$/.exec(s))) {
    return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}`;
  }
  return undefined;
}

const SAN_OID = '2.5.29.17';

function subjectAltNames(b: Uint8Array, extsWrapper: DerNode): string[] {
  const seq = readDer(b, extsWrapper.start, extsWrapper.end);
  if (!seq || seq.tag !== DER_TAG.SEQUENCE) return [];
  const exts = derChildren(b, seq, 256) ?? [];
  for (const ext of exts) {
    const parts = derChildren(b, ext, 3);
    const oidNode = parts?.[0];
    const value = parts?.[parts.length - 1];
    if (!oidNode || !value || oidNode.tag !== DER_TAG.OID || value.tag !== DER_TAG.OCTET_STRING) continue;
    if (derOid(b, oidNode) !== SAN_OID) continue;
    const names = readDer(b, value.start, value.end);
    if (!names || names.tag !== DER_TAG.SEQUENCE) return [];
    const out: string[] = [];
    for (const gn of derChildren(b, names, X509_MAX_SAN_NAMES) ?? []) {
      // dNSName is [2] IMPLICIT IA5String.
      if (gn.tag === 0x82) out.push(latin1(b, gn.start, Math.min(gn.end, gn.start + X509_MAX_STRING)));
    }
    return out;
  }
  return [];
}

/** Parse one DER certificate. Errors are Suricata's `tls.certificate_*` anomaly names. */
export function parseX509Certificate(der: Uint8Array): ParseResult<X509Summary> {
  const fail = (anomaly: string): ParseResult<X509Summary> => ({ status: 'error', anomaly });
  const cert = readDer(der, 0, der.length);
  if (!cert || cert.tag !== DER_TAG.SEQUENCE) return fail('tls.certificate_invalid_der');
  const tbs = readDer(der, cert.start, cert.end);
  if (!tbs || tbs.tag !== DER_TAG.SEQUENCE) return fail('tls.certificate_invalid_der');
  const fields = derChildren(der, tbs, 16);
  if (!fields) return fail('tls.certificate_invalid_der');
  let i = 0;
  if (fields[0]?.tag === 0xa0) i++; // [0] EXPLICIT version
  const serial = fields[i++];
  const sigAlg = fields[i++];
  const issuer = fields[i++];
  const validity = fields[i++];
  const subject = fields[i++];
  if (!serial || serial.tag !== DER_TAG.INTEGER) return fail('tls.certificate_invalid_serial');
  if (!sigAlg || sigAlg.tag !== DER_TAG.SEQUENCE) return fail('tls.certificate_invalid_algorithmidentifier');
  if (!issuer || issuer.tag !== DER_TAG.SEQUENCE || !subject || subject.tag !== DER_TAG.SEQUENCE) return fail('tls.certificate_invalid_x509name');
  if (!validity || validity.tag !== DER_TAG.SEQUENCE) return fail('tls.certificate_invalid_date');
  const issuerdn = formatName(der, issuer);
  const subjectDn = formatName(der, subject);
  if (issuerdn === undefined || subjectDn === undefined) return fail('tls.certificate_invalid_x509name');
  const times = derChildren(der, validity, 2);
  const nb = times?.[0] && formatTime(der, times[0]);
  const na = times?.[1] && formatTime(der, times[1]);
  if (!nb || !na) return fail('tls.certificate_invalid_date');
  let san: string[] = [];
  for (let k = i; k < fields.length; k++) {
    const f = fields[k];
    if (f?.tag === 0xa3) san = subjectAltNames(der, f);
  }
  const raw = der.subarray(0, cert.end);
  return {
    status: 'ok',
    consumed: cert.end,
    value: {
      subject: subjectDn,
      issuerdn,
      serial: hexColon(der.subarray(serial.start, serial.end), true),
      notbefore: nb,
      notafter: na,
      fingerprint: hexColon(createHash('sha1').update(raw).digest(), false),
      subjectaltname: san,
      selfSigned: subjectDn === issuerdn,
    },
  };
}
