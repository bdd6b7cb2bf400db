/**
 * All loaded indicators, keyed so that a lookup costs the same with a thousand or a million of
 * them — a fixed number of hash probes, never a scan: IPv4 addresses as 32-bit keys in an
 * open-addressing table (typed arrays, no object per entry), CIDRs in one such table per prefix
 * length (a lookup tries only the lengths present), IPv6 with hex keys per prefix length, and
 * domains, URLs, fingerprints and hashes in StringTables of their canonical text; a domain is
 * hashed once right to left, which gives the hash of each parent domain on the way.
 *
 * What a feed says about an indicator (feed, threat, family, tags, confidence) is shared: each
 * distinct description is stored once and entries hold its number.
 */
import { formatIPv4 } from '../../decode/address.ts';
import type { IocClass, IocEntry, IocType } from './iocValue.ts';
import { classifyIoc, dottedQuadNumber, formatIocIp, IOC_TYPES, normaliseIocValue, parseIocIp, urlLookupKey } from './iocValue.ts';

/** A feed's description of indicators, shared by all that have the same one. */
interface IocMeta {
  feed: string;
  threat?: string;
  malware?: string;
  tags?: string[];
  confidence?: number;
  cls: IocClass;
}

/** What a lookup returns: the indicator as listed, and how its feed classes it. */
export interface IocMatch extends IocEntry {
  cls: IocClass;
}

/**
 * Map from uint32 to a small non-negative int, open addressing with linear probing. Key and value
 * sit side by side in one array, so a probe reads one cache line.
 */
export class Uint32Table {
  /** [key, value + 1] per slot; value 0 marks an empty slot (so key 0 needs no sentinel). */
  private slots: Uint32Array;
  private mask: number;
  size = 0;

  constructor(capacity = 16) {
    let cap = 16;
    while (cap < capacity * 2) cap *= 2;
    this.slots = new Uint32Array(cap * 2);
    this.mask = cap - 1;
  }

  private slot(key: number): number {
    return (Math.imul(key, 0x9e3779b1) >>> 0) & this.mask;
  }

  get(key: number): number {
    const slots = this.slots;
    let i = this.slot(key);
    for (;;) {
      const v = slots[2 * i + 1]!;
      if (v === 0) return -1;
      if (slots[2 * i] === key) return v - 1;
      i = (i + 1) & this.mask;
    }
  }

  /** Sets `key` unless present; returns the value now stored. */
  setIfAbsent(key: number, value: number): number {
    if ((this.size + 1) * 2 > this.mask + 1) this.grow();
    const slots = this.slots;
    let i = this.slot(key);
    for (;;) {
      const v = slots[2 * i + 1]!;
      if (v === 0) {
        slots[2 * i] = key;
        slots[2 * i + 1] = value + 1;
        this.size++;
        return value;
      }
      if (slots[2 * i] === key) return v - 1;
      i = (i + 1) & this.mask;
    }
  }

  /** Replaces the value of a present key. */
  replace(key: number, value: number): void {
    const slots = this.slots;
    let i = this.slot(key);
    while (slots[2 * i + 1] !== 0) {
      if (slots[2 * i] === key) {
        slots[2 * i + 1] = value + 1;
        return;
      }
      i = (i + 1) & this.mask;
    }
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Uint32Array(old.length * 2);
    this.mask = old.length - 1;
    this.size = 0;
    for (let i = 0; i < old.length; i += 2) {
      const v = old[i + 1]!;
      if (v !== 0) this.setIfAbsent(old[i]!, v - 1);
    }
  }
}

const HASH_SEED = 0x811c9dc5 | 0;

/**
 * Hash of `s[start, end)` read right to left (FNV-1a steps), ASCII letters folded to lower case
 * when `fold`. Right to left so that one pass over a name gives the hash of every parent domain
 * at each dot: `a.b.evil.example` yields `example`, `evil.example`, `b.evil.example`… on the way.
 */
export function hashText(s: string, start: number, end: number, fold: boolean): number {
  let h = HASH_SEED;
  for (let i = end - 1; i >= start; i--) {
    let c = s.charCodeAt(i);
    if (fold && c >= 0x41 && c <= 0x5a) c |= 0x20;
    h = Math.imul(h ^ c, 0x01000193);
  }
  return h;
}

function slotOf(h: number, mask: number): number {
  let m = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  m ^= m >>> 12;
  return m & mask;
}

/**
 * Strings to small ints, open addressing over typed arrays: a probe reads one 32-bit hash and
 * touches the string only when the hashes agree, so a miss costs about one memory access however
 * many strings there are (a Map reads its chain and each key's header). Lookups take a region of
 * a string, so parent domains are looked up without slicing.
 */
export class StringTable {
  /** [hash, index + 1] per slot; 0 in the second marks an empty slot. */
  private slots = new Int32Array(32);
  private mask = 15;
  private readonly keys: string[] = [];
  private readonly values: number[] = [];

  /** `fold`: keys are lower case and lookups fold ASCII case. */
  constructor(private readonly fold: boolean) {}

  get size(): number {
    return this.keys.length;
  }

  /** Index of the key equal to `s[start, end)` (whose hashText is `h`), or -1. */
  find(s: string, start: number, end: number, h: number): number {
    const slots = this.slots;
    const len = end - start;
    let i = slotOf(h, this.mask);
    for (;;) {
      const ref = slots[2 * i + 1]!;
      if (ref === 0) return -1;
      if (slots[2 * i] === h) {
        const key = this.keys[ref - 1]!;
        if (key.length === len && this.sameText(key, s, start)) return ref - 1;
      }
      i = (i + 1) & this.mask;
    }
  }

  private sameText(key: string, s: string, start: number): boolean {
    if (start === 0 && key.length === s.length) {
      if (key === s) return true;
      if (!this.fold) return false;
    }
    for (let j = 0; j < key.length; j++) {
      let c = s.charCodeAt(start + j);
      if (this.fold && c >= 0x41 && c <= 0x5a) c |= 0x20;
      if (c !== key.charCodeAt(j)) return false;
    }
    return true;
  }

  /** Adds `key` with `value` unless present; returns the key's index and whether it was added. */
  add(key: string, value: number): { index: number; added: boolean } {
    const h = hashText(key, 0, key.length, this.fold);
    const found = this.find(key, 0, key.length, h);
    if (found >= 0) return { index: found, added: false };
    if ((this.keys.length + 1) * 2 > this.mask + 1) this.grow();
    this.keys.push(key);
    this.values.push(value);
    this.place(h, this.keys.length);
    return { index: this.keys.length - 1, added: true };
  }

  keyAt(index: number): string {
    return this.keys[index]!;
  }

  valueAt(index: number): number {
    return this.values[index]!;
  }

  setValueAt(index: number, value: number): void {
    this.values[index] = value;
  }

  private place(h: number, ref: number): void {
    const slots = this.slots;
    let i = slotOf(h, this.mask);
    while (slots[2 * i + 1] !== 0) i = (i + 1) & this.mask;
    slots[2 * i] = h;
    slots[2 * i + 1] = ref;
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Int32Array(old.length * 2);
    this.mask = old.length - 1;
    for (let i = 0; i < old.length; i += 2) if (old[i + 1] !== 0) this.place(old[i]!, old[i + 1]!);
  }
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function v6Key(addr: Uint8Array, prefix: number): string {
  // Only the bytes the prefix covers (masked), so one key per network.
  const n = Math.ceil(prefix / 8);
  let s = '';
  for (let i = 0; i < n; i++) {
    const keep = Math.min(8, prefix - i * 8);
    s += HEX[addr[i]! & ((0xff00 >> keep) & 0xff)];
  }
  return s;
}

function v4Number(a: Uint8Array): number {
  return ((a[0]! << 24) | (a[1]! << 16) | (a[2]! << 8) | a[3]!) >>> 0;
}

function v4Bytes(n: number): Uint8Array {
  return Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}

export type IocAddResult = 'added' | 'duplicate' | { reason: string };

type StringKeyedType = Exclude<IocType, 'ip'>;

export class IocIndex {
  private readonly metas: IocMeta[] = [];
  private readonly metaIds = new Map<string, number>();
  private lastMetaEntry: IocEntry | null = null;
  private lastMetaId = -1;

  /** IPv4 by prefix length (32 = single addresses); key = the address's top `prefix` bits. */
  private readonly v4 = new Array<Uint32Table | undefined>(33);
  private v4Prefixes: number[] = [];
  /** IPv6 by prefix length; key = hex of the masked bytes. */
  private readonly v6 = new Map<number, Map<string, number>>();
  private v6Prefixes: number[] = [];
  private readonly strings: Record<StringKeyedType, StringTable> = {
    domain: new StringTable(true), url: new StringTable(false), ja3: new StringTable(false), ja4: new StringTable(false),
    'cert-sha1': new StringTable(false), md5: new StringTable(false), sha1: new StringTable(false), sha256: new StringTable(false),
  };
  readonly byType: Record<IocType, number> = Object.fromEntries(IOC_TYPES.map((t) => [t, 0])) as Record<IocType, number>;
  size = 0;

  static fromEntries(entries: Iterable<IocEntry>): IocIndex {
    const index = new IocIndex();
    for (const e of entries) index.add(e);
    return index;
  }

  /**
   * Adds an indicator (its value is normalised again, so any spelling works). A value already
   * listed keeps its first description, unless the new one says C2 or malware and the old did not.
   */
  add(entry: IocEntry): IocAddResult {
    if (entry.type === 'ip') return this.addIp(entry);
    const n = normaliseIocValue(entry.type, entry.value);
    if (!n.ok) return { reason: n.reason };
    return this.addString(entry, n.value);
  }

  /** `add` for entries straight from the feed parsers, whose values are already canonical. */
  addCanonical(entry: IocEntry): IocAddResult {
    return entry.type === 'ip' ? this.addIp(entry) : this.addString(entry, entry.value);
  }

  private addString(entry: IocEntry, value: string): IocAddResult {
    const table = this.strings[entry.type as StringKeyedType];
    const meta = this.metaOf(entry);
    const r = table.add(value, meta);
    if (r.added) {
      this.counted(entry.type);
      return 'added';
    }
    if (this.worse(meta, table.valueAt(r.index))) table.setValueAt(r.index, meta);
    return 'duplicate';
  }

  private addIp(entry: IocEntry): IocAddResult {
    // Single IPv4 addresses are most of every feed: keyed without parsing into bytes.
    const quad = dottedQuadNumber(entry.value);
    if (quad >= 0) {
      const table = this.v4[32] ?? this.v4Table(32);
      const meta = this.metaOf(entry);
      const before = table.size;
      const stored = table.setIfAbsent(quad, meta);
      if (table.size !== before) {
        this.counted('ip');
        return 'added';
      }
      if (this.worse(meta, stored)) table.replace(quad, meta);
      return 'duplicate';
    }
    const ip = parseIocIp(entry.value.trim());
    if ('reason' in ip) return ip;
    const meta = this.metaOf(entry);
    let old: number | undefined;
    if (ip.bytes.length === 4) {
      const table = this.v4[ip.prefix] ?? this.v4Table(ip.prefix);
      const key = ip.prefix === 0 ? 0 : v4Number(ip.bytes) >>> (32 - ip.prefix);
      const before = table.size;
      const stored = table.setIfAbsent(key, meta);
      if (table.size === before) {
        old = stored;
        if (this.worse(meta, old)) table.replace(key, meta);
      }
    } else {
      let map = this.v6.get(ip.prefix);
      if (map === undefined) {
        map = new Map();
        this.v6.set(ip.prefix, map);
        this.v6Prefixes = [...this.v6Prefixes, ip.prefix].sort((a, b) => b - a);
      }
      const key = v6Key(ip.bytes, ip.prefix);
      old = map.get(key);
      if (old === undefined) map.set(key, meta);
      else if (this.worse(meta, old)) map.set(key, meta);
    }
    if (old !== undefined) return 'duplicate';
    this.counted('ip');
    return 'added';
  }

  private v4Table(prefix: number): Uint32Table {
    const table = new Uint32Table();
    this.v4[prefix] = table;
    this.v4Prefixes = [...this.v4Prefixes, prefix].sort((a, b) => b - a);
    return table;
  }

  private counted(type: IocType): void {
    this.byType[type]++;
    this.size++;
  }

  private worse(candidate: number, current: number): boolean {
    if (candidate === current) return false;
    const a = this.metas[candidate]!.cls;
    const b = this.metas[current]!.cls;
    return (a.c2 && !b.c2) || (a.malware && !b.malware);
  }

  private metaOf(e: IocEntry): number {
    const last = this.lastMetaEntry;
    // Feeds repeat one description line after line: compare with the previous one first.
    if (last !== null && last.feed === e.feed && last.threat === e.threat && last.malware === e.malware && last.tags === e.tags && last.confidence === e.confidence) {
      return this.lastMetaId;
    }
    const key = `${e.feed}\u0000${e.threat ?? ''}\u0000${e.malware ?? ''}\u0000${e.tags?.join('\u0001') ?? ''}\u0000${e.confidence ?? ''}`;
    let id = this.metaIds.get(key);
    if (id === undefined) {
      id = this.metas.length;
      const meta: IocMeta = { feed: e.feed, cls: classifyIoc(e) };
      if (e.threat !== undefined) meta.threat = e.threat;
      if (e.malware !== undefined) meta.malware = e.malware;
      if (e.tags !== undefined && e.tags.length > 0) meta.tags = [...e.tags];
      if (e.confidence !== undefined) meta.confidence = e.confidence;
      this.metas.push(meta);
      this.metaIds.set(key, id);
    }
    this.lastMetaEntry = e;
    this.lastMetaId = id;
    return id;
  }

  private match(type: IocType, value: string, metaId: number): IocMatch {
    const m = this.metas[metaId]!;
    const out: IocMatch = { type, value, feed: m.feed, cls: m.cls };
    if (m.threat !== undefined) out.threat = m.threat;
    if (m.malware !== undefined) out.malware = m.malware;
    if (m.tags !== undefined) out.tags = m.tags;
    if (m.confidence !== undefined) out.confidence = m.confidence;
    return out;
  }

  /** The most specific listed address or network holding `addr` (4 or 16 bytes). */
  matchIp(addr: Uint8Array): IocMatch | undefined {
    if (addr.length === 4) {
      const prefixes = this.v4Prefixes;
      if (prefixes.length === 0) return undefined;
      const n = v4Number(addr);
      for (let i = 0; i < prefixes.length; i++) {
        const p = prefixes[i]!;
        const key = p === 0 ? 0 : n >>> (32 - p);
        const meta = this.v4[p]!.get(key);
        if (meta >= 0) {
          const net = p === 0 ? 0 : (key << (32 - p)) >>> 0;
          return this.match('ip', p === 32 ? formatIPv4(v4Bytes(n), 0) : formatIocIp(v4Bytes(net), p), meta);
        }
      }
      return undefined;
    }
    if (addr.length !== 16 || this.v6Prefixes.length === 0) return undefined;
    for (const p of this.v6Prefixes) {
      const meta = this.v6.get(p)!.get(v6Key(addr, p));
      if (meta !== undefined) {
        const net = addr.slice();
        for (let i = 0; i < 16; i++) net[i]! &= (0xff00 >> Math.max(0, Math.min(8, p - i * 8))) & 0xff;
        return this.match('ip', formatIocIp(net, p), meta);
      }
    }
    return undefined;
  }

  /** `name` or its nearest listed parent domain (`a.b.evil.example` → `evil.example`). */
  matchDomain(name: string): IocMatch | undefined {
    const table = this.strings.domain;
    if (table.size === 0 || name === '') return undefined;
    let end = name.length;
    if (name.charCodeAt(end - 1) === 0x2e) end--;
    // One right-to-left pass: at each dot the hash of the parent domain to its right is complete.
    // The most specific listed name wins, so candidates are remembered and checked longest first.
    let h = HASH_SEED;
    let dots = 0;
    let best = -1;
    for (let i = end - 1; i >= -1; i--) {
      const c = i < 0 ? 0x2e : name.charCodeAt(i);
      if (c === 0x2e) {
        // A single label (a TLD) is never listed.
        if (dots++ > 0) {
          const found = table.find(name, i + 1, end, h);
          if (found >= 0) best = found;
        }
        if (i < 0) break;
      }
      const lc = c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
      h = Math.imul(h ^ lc, 0x01000193);
    }
    return best < 0 ? undefined : this.match('domain', table.keyAt(best), table.valueAt(best));
  }

  /** A URL (with or without scheme); a listed URL without a query also covers it with any query. */
  matchUrl(url: string): IocMatch | undefined {
    if (this.strings.url.size === 0) return undefined;
    const key = urlLookupKey(url);
    const exact = this.matchString('url', key);
    if (exact !== undefined) return exact;
    const q = key.indexOf('?');
    return q < 0 ? undefined : this.matchString('url', key.slice(0, q));
  }

  private matchString(type: StringKeyedType, key: string): IocMatch | undefined {
    const table = this.strings[type];
    if (table.size === 0) return undefined;
    const i = table.find(key, 0, key.length, hashText(key, 0, key.length, false));
    return i < 0 ? undefined : this.match(type, table.keyAt(i), table.valueAt(i));
  }

  matchJa3(md5: string): IocMatch | undefined {
    return this.matchString('ja3', md5.toLowerCase());
  }

  matchJa4(fingerprint: string): IocMatch | undefined {
    return this.matchString('ja4', fingerprint.toLowerCase());
  }

  /** 40 hex digits, with or without colons (EVE's `tls.fingerprint` has them). */
  matchCertSha1(hex: string): IocMatch | undefined {
    return this.matchString('cert-sha1', (hex.includes(':') ? hex.replaceAll(':', '') : hex).toLowerCase());
  }

  /** MD5, SHA-1 or SHA-256 by length. */
  matchFileHash(hex: string): IocMatch | undefined {
    const t = hex.length === 32 ? 'md5' : hex.length === 40 ? 'sha1' : hex.length === 64 ? 'sha256' : undefined;
    return t === undefined ? undefined : this.matchString(t, hex.toLowerCase());
  }
}
