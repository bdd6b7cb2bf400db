/**
 * HOME_NET: the business's own networks. Every alert's `otasuke_direction` is decided against it —
 * outside → inside is `inbound`, inside → outside `outbound`, inside → inside `internal`, and
 * neither side inside `external`.
 *
 * Written as Suricata writes address groups: `[192.168.0.0/16,10.0.0.0/8,!10.9.0.0/16]`, single
 * addresses, IPv4 and IPv6 CIDRs; a negated entry carves out of the others.
 */
import type { AlertDirection } from './detectionStage.ts';

/** Suricata's default HOME_NET, and the private IPv6 ranges a small office uses. */
export const DEFAULT_HOME_NET = '[192.168.0.0/16,10.0.0.0/8,172.16.0.0/12,fc00::/7,fe80::/10]';

export class HomeNetError extends Error {
  constructor(
    readonly spec: string,
    readonly reason: string,
  ) {
    super(`invalid HOME_NET "${spec}": ${reason} (expected e.g. [192.168.0.0/16,10.0.0.0/8,!10.9.0.0/16])`);
    this.name = 'HomeNetError';
  }
}

interface Cidr {
  bytes: Uint8Array;
  prefix: number;
}

/** Parses a dotted quad or an IPv6 text address into 4 or 16 bytes; undefined when it is neither. */
export function parseIpAddress(text: string): Uint8Array | undefined {
  if (text.includes(':')) return parseIPv6(text);
  return parseIPv4(text);
}

function parseIPv4(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out[i] = n;
  }
  return out;
}

function parseIPv6(text: string): Uint8Array | undefined {
  let s = text;
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  let tailV4: Uint8Array | undefined;
  const lastColon = s.lastIndexOf(':');
  if (s.slice(lastColon + 1).includes('.')) {
    tailV4 = parseIPv4(s.slice(lastColon + 1));
    if (tailV4 === undefined) return undefined;
    s = `${s.slice(0, lastColon + 1)}0:0`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (h: string): number[] | undefined => {
    if (h === '') return [];
    const out: number[] = [];
    for (const g of h.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = groupsOf(halves[0]!);
  const tail = halves.length === 2 ? groupsOf(halves[1]!) : [];
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...head, ...new Array<number>(missing).fill(0), ...tail];
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    out[2 * i] = groups[i]! >> 8;
    out[2 * i + 1] = groups[i]! & 0xff;
  }
  if (tailV4 !== undefined) out.set(tailV4, 12);
  return out;
}

function inCidr(addr: Uint8Array, c: Cidr): boolean {
  if (addr.length !== c.bytes.length) return false;
  const full = c.prefix >> 3;
  for (let i = 0; i < full; i++) if (addr[i] !== c.bytes[i]) return false;
  const rest = c.prefix & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (addr[full]! & mask) === (c.bytes[full]! & mask);
}

function parseCidr(spec: string, entry: string): Cidr {
  const slash = entry.indexOf('/');
  const addrText = slash < 0 ? entry : entry.slice(0, slash);
  const bytes = parseIpAddress(addrText);
  if (bytes === undefined) throw new HomeNetError(spec, `"${addrText}" is not an IP address`);
  const max = bytes.length * 8;
  let prefix = max;
  if (slash >= 0) {
    const p = entry.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p) || Number(p) > max) throw new HomeNetError(spec, `"/${p}" is not a prefix length of 0–${max}`);
    prefix = Number(p);
  }
  return { bytes, prefix };
}

export class HomeNet {
  private constructor(
    readonly spec: string,
    private readonly include: readonly Cidr[],
    private readonly exclude: readonly Cidr[],
  ) {}

  static parse(spec: string = DEFAULT_HOME_NET): HomeNet {
    const body = spec.trim().replace(/^\[/, '').replace(/\]$/, '');
    const include: Cidr[] = [];
    const exclude: Cidr[] = [];
    for (const raw of body.split(',')) {
      const entry = raw.trim();
      if (entry === '') continue;
      if (entry.startsWith('!')) exclude.push(parseCidr(spec, entry.slice(1).trim()));
      else include.push(parseCidr(spec, entry));
    }
    if (include.length === 0) throw new HomeNetError(spec, 'no network listed');
    return new HomeNet(spec, include, exclude);
  }

  /** `addr`: 4 or 16 bytes. */
  contains(addr: Uint8Array): boolean {
    let hit = false;
    for (let i = 0; i < this.include.length; i++) {
      if (inCidr(addr, this.include[i]!)) {
        hit = true;
        break;
      }
    }
    if (!hit) return false;
    for (let i = 0; i < this.exclude.length; i++) if (inCidr(addr, this.exclude[i]!)) return false;
    return true;
  }

  containsText(ip: string): boolean {
    const bytes = parseIpAddress(ip);
    return bytes !== undefined && this.contains(bytes);
  }

  /** Direction of traffic from `src` to `dst`. */
  direction(src: Uint8Array, dst: Uint8Array): AlertDirection {
    const s = this.contains(src);
    const d = this.contains(dst);
    if (s && d) return 'internal';
    if (s) return 'outbound';
    if (d) return 'inbound';
    return 'external';
  }
}
