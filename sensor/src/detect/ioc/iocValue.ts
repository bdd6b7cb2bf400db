/**
 * Indicators of compromise as values: the types the sensor matches, the entry a feed line becomes,
 * and the normalisers that turn what feeds write into the one canonical text the index keys on
 * (so `EVIL.example.`, `*.evil.example` and `evil.example` are one domain, `1.2.3.4/24` is
 * `1.2.3.0/24`, and `HTTP://Evil.example:80/a#x` is `evil.example/a`). Pure: text in, text out.
 */
import { domainToASCII } from 'node:url';
import { formatIPv4, formatIPv6 } from '../../decode/address.ts';
import { parseIpAddress } from '../homeNet.ts';

export const IOC_TYPES = ['ip', 'domain', 'url', 'ja3', 'ja4', 'cert-sha1', 'md5', 'sha1', 'sha256'] as const;
export type IocType = (typeof IOC_TYPES)[number];

/** One indicator with what its feed says about it. */
export interface IocEntry {
  type: IocType;
  /** Canonical text (see normaliseIocValue): an IP or CIDR, a lowercase domain, a scheme-less
   *  URL, lowercase hex. */
  value: string;
  /** The feed (file or bundle feed name) it came from. */
  feed: string;
  /** What the feed calls the threat: `botnet_cc`, `malware_download`, `payload_delivery`… */
  threat?: string;
  /** Malware family, when the feed names one (`Emotet`, `Cobalt Strike`). */
  malware?: string;
  tags?: string[];
  /** 0–100, when the feed gives one. */
  confidence?: number;
}

/** One broken line (or JSON object) of a feed; `line` is 0 for JSON feeds, whose reason says where. */
export interface IocLineError {
  file: string;
  line: number;
  reason: string;
}

/** CIDRs wider than these would flag whole regions of the Internet: a feed saying so is broken. */
export const IOC_MIN_PREFIX_V4 = 8;
export const IOC_MIN_PREFIX_V6 = 16;

export interface IocIp {
  bytes: Uint8Array;
  prefix: number;
}

/** Normalised value or the reason it is not one. */
export type Normalised = { ok: true; value: string } | { ok: false; reason: string };

const ok = (value: string): Normalised => ({ ok: true, value });
const bad = (reason: string): Normalised => ({ ok: false, reason });

function maskBytes(bytes: Uint8Array, prefix: number): void {
  for (let i = 0; i < bytes.length; i++) {
    const keep = Math.max(0, Math.min(8, prefix - i * 8));
    bytes[i]! &= (0xff00 >> keep) & 0xff;
  }
}

/** The uint32 of a dotted quad, or -1 when `s` is not exactly one. */
export function dottedQuadNumber(s: string): number {
  let n = 0;
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) {
      value = value * 10 + (c - 0x30);
      if (++digits > 3 || value > 255) return -1;
    } else if (c === 0x2e && digits > 0 && part < 3) {
      n = n * 256 + value;
      part++;
      value = 0;
      digits = 0;
    } else return -1;
  }
  if (part !== 3 || digits === 0) return -1;
  return n * 256 + value;
}

/** Dotted quad by char codes (feeds are mostly these: no split, no regex). */
function parseDottedQuad(s: string, end: number): Uint8Array | undefined {
  const out = new Uint8Array(4);
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) {
      value = value * 10 + (c - 0x30);
      if (++digits > 3 || value > 255) return undefined;
    } else if (c === 0x2e && digits > 0 && part < 3) {
      out[part++] = value;
      value = 0;
      digits = 0;
    } else return undefined;
  }
  if (part !== 3 || digits === 0) return undefined;
  out[3] = value;
  return out;
}

/** Address or CIDR text (`1.2.3.4`, `1.2.3.0/24`, `2001:db8::/32`); host bits are cleared. */
export function parseIocIp(text: string): IocIp | { reason: string } {
  const slash = text.indexOf('/');
  if (slash < 0) {
    const quad = parseDottedQuad(text, text.length);
    if (quad !== undefined) return { bytes: quad, prefix: 32 };
  }
  const addrText = slash < 0 ? text : text.slice(0, slash);
  const bytes = parseIpAddress(addrText);
  if (bytes === undefined) return { reason: `"${addrText}" is not an IP address` };
  const max = bytes.length * 8;
  let prefix = max;
  if (slash >= 0) {
    const p = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p) || Number(p) > max) return { reason: `"/${p}" is not a prefix length of 0–${max}` };
    prefix = Number(p);
    const min = max === 32 ? IOC_MIN_PREFIX_V4 : IOC_MIN_PREFIX_V6;
    if (prefix < min) return { reason: `CIDR /${prefix} is too wide for an indicator (at least /${min})` };
    maskBytes(bytes, prefix);
  }
  return { bytes, prefix };
}

export function formatIocIp(bytes: Uint8Array, prefix: number): string {
  const text = bytes.length === 4 ? formatIPv4(bytes, 0) : formatIPv6(bytes, 0);
  return prefix === bytes.length * 8 ? text : `${text}/${prefix}`;
}

/** `1.2.3.4:443` and `[2001:db8::1]:443` (ThreatFox's ip:port) without the port; else as given. */
export function stripIpPort(text: string): string {
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    return close > 0 ? text.slice(1, close) : text;
  }
  const colon = text.indexOf(':');
  if (colon > 0 && colon === text.lastIndexOf(':') && text.indexOf('.') > 0) return text.slice(0, colon);
  return text;
}

const HAS_UPPER_OR_NON_ASCII = /[A-Z\u0080-\uffff]/;

/**
 * Lowercase ASCII (punycode) name without a trailing dot or a leading `*.`; at least two labels,
 * the last not all digits (that would be an address). A listed name covers its subdomains.
 */
export function normaliseDomain(text: string): Normalised {
  let s = text.trim();
  if (s.startsWith('*.')) s = s.slice(2);
  if (s.endsWith('.')) s = s.slice(0, -1);
  if (s === '') return bad('empty domain');
  if (HAS_UPPER_OR_NON_ASCII.test(s)) {
    s = s.toLowerCase();
    if (/[\u0080-\uffff]/.test(s)) {
      const ascii = domainToASCII(s);
      if (ascii === '') return bad(`"${text}" is not a valid domain name`);
      s = ascii;
    }
  }
  if (s.length > 253) return bad('domain longer than 253 characters');
  const labels = domainLabels(s);
  if (labels < 0) return bad(`"${text}" is not a valid domain name`);
  if (labels < 2) return bad(`"${text}" has one label; a top-level name alone would match everything under it`);
  return ok(s);
}

/** Number of labels of a lowercase ASCII name (labels of 1–63 of a-z 0-9 _ -, the last not all
 *  digits), or -1 when it is not a name. One pass by char codes: feeds hold many of them. */
function domainLabels(s: string): number {
  let labels = 0;
  let len = 0;
  let allDigits = true;
  for (let i = 0; i <= s.length; i++) {
    const c = i === s.length ? 0x2e : s.charCodeAt(i);
    if (c === 0x2e) {
      if (len === 0 || len > 63) return -1;
      labels++;
      if (i === s.length && allDigits) return -1;
      len = 0;
      allDigits = true;
      continue;
    }
    const digit = c >= 0x30 && c <= 0x39;
    if (!(digit || (c >= 0x61 && c <= 0x7a) || c === 0x5f || (c === 0x2d && len > 0))) return -1;
    if (!digit) allDigits = false;
    len++;
  }
  return labels;
}

/** Host of a URL as the index keys it: a domain (lowercase) or an IP (canonical). */
function urlHost(host: string): string | undefined {
  if (host.startsWith('[')) {
    const close = host.indexOf(']');
    const ip = close > 0 ? parseIpAddress(host.slice(1, close)) : undefined;
    return ip === undefined || ip.length !== 16 ? undefined : `[${formatIPv6(ip, 0)}]`;
  }
  const ip = /^[\d.]+$/.test(host) ? parseIpAddress(host) : undefined;
  if (ip !== undefined) return formatIPv4(ip, 0);
  const d = normaliseDomain(host);
  if (d.ok) return d.value;
  // Single-label hosts (intranet names) are valid in URLs.
  return /^[a-z0-9_-]{1,63}$/i.test(host) ? host.toLowerCase() : undefined;
}

/**
 * A URL as the index keys it: no scheme, no user info, lowercase host, no default port (80, 443),
 * path and query as written (spaces as %20), no fragment, `/` for an empty path — so
 * `http://Evil.example:80/a?b#c` is `evil.example/a?b`. The scheme is dropped because the sensor
 * sees the same request whichever scheme a feed wrote (and sees no path at all inside TLS).
 */
export function normaliseUrl(text: string): Normalised {
  let s = text.trim();
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(s);
  if (scheme) s = s.slice(scheme[0].length);
  else if (s.startsWith('//')) s = s.slice(2);
  const hash = s.indexOf('#');
  if (hash >= 0) s = s.slice(0, hash);
  let end = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x2f || c === 0x3f) {
      end = i;
      break;
    }
  }
  let authority = s.slice(0, end);
  let rest = s.slice(end);
  const at = authority.lastIndexOf('@');
  if (at >= 0) authority = authority.slice(at + 1);
  let port = '';
  const portMatch = /:(\d{1,5})$/.exec(authority);
  if (portMatch) {
    authority = authority.slice(0, portMatch.index);
    if (portMatch[1] !== '80' && portMatch[1] !== '443') port = `:${Number(portMatch[1])}`;
  }
  if (authority.endsWith('.')) authority = authority.slice(0, -1);
  if (authority === '') return bad(`"${text}" has no host`);
  const host = urlHost(authority);
  if (host === undefined) return bad(`"${text}" has no valid host`);
  if (rest === '' || rest.startsWith('?')) rest = `/${rest}`;
  if (rest.includes(' ')) rest = rest.replaceAll(' ', '%20');
  return ok(host + port + rest);
}

/**
 * The key normaliseUrl would give `url`, without validating the host (a URL that is not valid is
 * simply not found): the stage calls this once per HTTP request, so it avoids regexes.
 */
export function urlLookupKey(url: string): string {
  let from = 0;
  const scheme = url.indexOf('://');
  if (scheme > 0 && scheme < 16) from = scheme + 3;
  let end = url.indexOf('#', from);
  if (end < 0) end = url.length;
  let hostEnd = end;
  for (let i = from; i < end; i++) {
    const c = url.charCodeAt(i);
    if (c === 0x2f || c === 0x3f) {
      hostEnd = i;
      break;
    }
  }
  let host = url.slice(from, hostEnd);
  const at = host.lastIndexOf('@');
  if (at >= 0) host = host.slice(at + 1);
  const colon = host.lastIndexOf(':');
  if (colon > 0 && host.indexOf(']', colon) < 0) {
    const port = host.slice(colon + 1);
    if (port === '80' || port === '443') host = host.slice(0, colon);
  }
  if (host.endsWith('.')) host = host.slice(0, -1);
  host = host.toLowerCase();
  let rest = url.slice(hostEnd, end);
  if (rest === '' || rest.charCodeAt(0) === 0x3f) rest = `/${rest}`;
  if (rest.includes(' ')) rest = rest.replaceAll(' ', '%20');
  return host + rest;
}

const HEX_RE = /^[0-9a-fA-F]+$/;

export function normaliseHex(text: string, length: number, what: string): Normalised {
  const s = text.trim();
  if (s.length !== length || !HEX_RE.test(s)) return bad(`"${text}" is not ${what} (${length} hex digits)`);
  return ok(s.toLowerCase());
}

/** 40 hex digits, colons allowed (`ab:cd:…` as EVE writes `tls.fingerprint`). */
export function normaliseCertSha1(text: string): Normalised {
  return normaliseHex(text.includes(':') ? text.replaceAll(':', '') : text, 40, 'a certificate SHA-1');
}

const JA4_RE = /^[a-z0-9]{10}_[0-9a-f]{12}_[0-9a-f]{12}$/i;

export function normaliseJa4(text: string): Normalised {
  const s = text.trim();
  if (!JA4_RE.test(s)) return bad(`"${text}" is not a JA4 fingerprint (e.g. t13d1516h2_8daaf6152771_b186095e22b6)`);
  return ok(s.toLowerCase());
}

export function normaliseIp(text: string): Normalised {
  const r = parseIocIp(text.trim());
  if ('reason' in r) return bad(r.reason);
  return ok(formatIocIp(r.bytes, r.prefix));
}

/** The canonical text of `value` as an indicator of `type`, or why it is not one. */
export function normaliseIocValue(type: IocType, value: string): Normalised {
  switch (type) {
    case 'ip':
      return normaliseIp(value);
    case 'domain':
      return normaliseDomain(value);
    case 'url':
      return normaliseUrl(value);
    case 'ja3':
      return normaliseHex(value, 32, 'a JA3 hash');
    case 'ja4':
      return normaliseJa4(value);
    case 'cert-sha1':
      return normaliseCertSha1(value);
    case 'md5':
      return normaliseHex(value, 32, 'an MD5');
    case 'sha1':
      return normaliseHex(value, 40, 'a SHA-1');
    case 'sha256':
      return normaliseHex(value, 64, 'a SHA-256');
  }
}

/** Type names accepted in `type value` lines and `type:value` prefixes (feeds spell them many ways). */
const TYPE_ALIASES: Record<string, IocType | 'hash'> = {
  ip: 'ip', ipv4: 'ip', ipv6: 'ip', cidr: 'ip', 'ip-dst': 'ip', 'ip-src': 'ip', 'ipv4-addr': 'ip', 'ipv6-addr': 'ip',
  domain: 'domain', hostname: 'domain', 'domain-name': 'domain', fqdn: 'domain', host: 'domain',
  url: 'url', uri: 'url',
  ja3: 'ja3', 'ja3-fingerprint-md5': 'ja3', ja3_md5: 'ja3',
  ja4: 'ja4',
  'cert-sha1': 'cert-sha1', 'x509-sha1': 'cert-sha1', 'x509-fingerprint-sha1': 'cert-sha1', 'ssl-sha1': 'cert-sha1',
  md5: 'md5', md5_hash: 'md5', sha1: 'sha1', 'sha-1': 'sha1', sha1_hash: 'sha1', sha256: 'sha256', 'sha-256': 'sha256', sha256_hash: 'sha256',
  hash: 'hash', filehash: 'hash',
};

/** The type a written type name means; 'hash' leaves it to the length. */
export function iocTypeOfName(name: string): IocType | 'hash' | undefined {
  return TYPE_ALIASES[name.toLowerCase()];
}

export function hashTypeOfLength(length: number): 'md5' | 'sha1' | 'sha256' | undefined {
  return length === 32 ? 'md5' : length === 40 ? 'sha1' : length === 64 ? 'sha256' : undefined;
}

const IPV4_WITH_EXTRAS = /^[\d.]+(?::\d{1,5})?(?:\/\d{1,3})?$/;
const IPV6_WITH_EXTRAS = /^\[?[0-9a-fA-F:.]+\]?(?::\d{1,5})?(?:\/\d{1,3})?$/;

/**
 * The type of a bare value in a plain list: IP/CIDR (a `:port` is dropped), URL, 32/40/64 hex
 * (file MD5/SHA-1/SHA-256 — a JA3 needs an explicit `ja3` type), JA4, `host/path` URL, domain.
 * Cheap tests first: a feed is mostly bare addresses, names and hashes.
 */
export function detectIocValue(value: string): { type: IocType; value: string } | { reason: string } {
  const quad = dottedQuadNumber(value);
  if (quad >= 0) {
    // Canonical unless a part has a leading zero (`010.1.1.1`).
    const canonical = !/(?:^|\.)0\d/.test(value);
    return { type: 'ip', value: canonical ? value : `${quad >>> 24}.${(quad >>> 16) & 255}.${(quad >>> 8) & 255}.${quad & 255}` };
  }
  if (value.includes('://')) {
    const r = normaliseUrl(value);
    return r.ok ? { type: 'url', value: r.value } : { reason: r.reason };
  }
  const hashType = hashTypeOfLength(value.length);
  if (hashType !== undefined && HEX_RE.test(value)) return { type: hashType, value: value.toLowerCase() };
  const c = value.charCodeAt(0);
  if ((c >= 0x30 && c <= 0x39 && IPV4_WITH_EXTRAS.test(value)) || (value.includes(':') && IPV6_WITH_EXTRAS.test(value))) {
    const r = normaliseIp(stripIpPort(value));
    return r.ok ? { type: 'ip', value: r.value } : { reason: r.reason };
  }
  if (JA4_RE.test(value)) return { type: 'ja4', value: value.toLowerCase() };
  if (value.includes('/')) {
    const r = normaliseUrl(value);
    return r.ok ? { type: 'url', value: r.value } : { reason: r.reason };
  }
  const d = normaliseDomain(value);
  if (d.ok) return { type: 'domain', value: d.value };
  return { reason: `"${value.length > 80 ? `${value.slice(0, 80)}…` : value}" is not an IP, CIDR, domain, URL, hash or JA4 fingerprint` };
}

/** How an indicator's feed describes it, for the alert's severity and plain-language key. */
export interface IocClass {
  /** Command-and-control / botnet infrastructure. */
  c2: boolean;
  /** Malware distribution or a named family. */
  malware: boolean;
}

const C2_WORDS = /(?:^|[^a-z0-9])(?:c2|c&c|cnc|botnet|command.and.control)/;
const MALWARE_WORDS = /malware|payload|trojan|ransom|stealer|loader|exploit|backdoor|\brat\b/;

export function classifyIoc(e: Pick<IocEntry, 'threat' | 'malware' | 'tags'>): IocClass {
  const text = `${e.threat ?? ''} ${e.malware ?? ''} ${e.tags?.join(' ') ?? ''}`.toLowerCase();
  const c2 = C2_WORDS.test(text);
  const namedFamily = e.malware !== undefined && e.malware !== '' && !/^unknown/i.test(e.malware);
  return { c2, malware: c2 || namedFamily || MALWARE_WORDS.test(text) };
}
