/**
 * Address and port groups of a rule header, as Suricata writes them: `any`, `$VAR`, single
 * addresses, CIDRs, `a-b` ranges (IPv4 and IPv6), `[group, !negated, [nested]]`; ports alike with
 * `a:b` ranges. Variables are expanded at load; a group compiles to include/exclude ranges over the
 * address as a big integer-free 16-byte key, so matching is a few comparisons per range.
 */
import { parseIpAddress } from '../homeNet.ts';
import { RuleSkip } from './ruleSkip.ts';

/** An address range [lo, hi] as 16-byte keys (IPv4 mapped into ::ffff:0:0/96). */
interface AddrRange {
  lo: Uint8Array;
  hi: Uint8Array;
}

/** Nesting of `[...]` and `$VAR` expansion is bounded so a hostile variable cannot loop. */
const MAX_VAR_DEPTH = 16;

function toKey(addr: Uint8Array): Uint8Array {
  if (addr.length === 16) return addr;
  const k = new Uint8Array(16);
  k[10] = 0xff;
  k[11] = 0xff;
  k.set(addr, 12);
  return k;
}

function compareKey(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < 16; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

/** Compares raw packet address bytes (4 or 16 at `at` in `data`) with a key. */
function compareAt(data: Uint8Array, at: number, len: number, key: Uint8Array): number {
  if (len === 4) {
    for (let i = 0; i < 10; i++) if (key[i] !== 0) return -1;
    if (key[10] !== 0xff || key[11] !== 0xff) return key[10]! < 0xff ? 1 : key[11]! < 0xff ? 1 : -1;
    for (let i = 0; i < 4; i++) if (data[at + i] !== key[12 + i]) return data[at + i]! - key[12 + i]!;
    return 0;
  }
  for (let i = 0; i < 16; i++) if (data[at + i] !== key[i]) return data[at + i]! - key[i]!;
  return 0;
}

function cidrRange(text: string): AddrRange {
  const slash = text.indexOf('/');
  const addrText = slash < 0 ? text : text.slice(0, slash);
  const dash = slash < 0 ? addrText.indexOf('-') : -1;
  if (dash > 0) {
    const a = parseIpAddress(addrText.slice(0, dash).trim());
    const b = parseIpAddress(addrText.slice(dash + 1).trim());
    if (a === undefined || b === undefined || a.length !== b.length) throw new RuleSkip('address', `bad address range "${text}"`);
    return { lo: toKey(a), hi: toKey(b) };
  }
  const bytes = parseIpAddress(addrText);
  if (bytes === undefined) throw new RuleSkip('address', `bad address "${text}"`);
  let prefix = bytes.length * 8;
  if (slash >= 0) {
    const p = text.slice(slash + 1);
    if (/^\d{1,3}$/.test(p)) prefix = Number(p);
    else {
      // A dotted netmask (255.255.255.0).
      const mask = parseIpAddress(p);
      if (mask === undefined || mask.length !== 4) throw new RuleSkip('address', `bad prefix "${text}"`);
      prefix = 0;
      for (const b of mask) for (let bit = 7; bit >= 0; bit--) if ((b >> bit) & 1) prefix++;
    }
    if (prefix > bytes.length * 8) throw new RuleSkip('address', `bad prefix "${text}"`);
  }
  const lo = toKey(bytes);
  const hi = lo.slice();
  const keyPrefix = prefix + (bytes.length === 4 ? 96 : 0);
  for (let bit = keyPrefix; bit < 128; bit++) {
    const byte = bit >> 3;
    const m = 0x80 >> (bit & 7);
    lo[byte]! &= ~m;
    hi[byte]! |= m;
  }
  return { lo, hi };
}

/** Splits a group body at top-level commas. */
function splitGroup(body: string, what: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '[') depth++;
    else if (c === ']') depth--;
    else if (c === ',' && depth === 0) {
      out.push(body.slice(start, i).trim());
      start = i + 1;
    }
    if (depth < 0) throw new RuleSkip(what, `unbalanced brackets in "${body}"`);
  }
  if (depth !== 0) throw new RuleSkip(what, `unbalanced brackets in "${body}"`);
  out.push(body.slice(start).trim());
  return out.filter((s) => s !== '');
}

export type RuleVars = Readonly<Record<string, string>>;

function variable(name: string, vars: RuleVars, what: string): string {
  const v = vars[name];
  if (v === undefined) throw new RuleSkip(`undefined variable $${name}`, `$${name} is not defined (set it in the rule variables)`);
  void what;
  return v;
}

/** A group as Suricata writes it — `[a, !b, $VAR, [c, d]]`, `any` — split into included and excluded
 *  leaves; `leaf` parses one address or port. Shared by address and port groups. */
function walkGroup<R>(text: string, vars: RuleVars, what: 'address' | 'port', leaf: (s: string) => R): { any: boolean; include: R[]; exclude: R[] } {
  const include: R[] = [];
  const exclude: R[] = [];
  let any = false;
  const walk = (t: string, negated: boolean, depth: number): void => {
    if (depth > MAX_VAR_DEPTH) throw new RuleSkip(what, 'variables nest too deep');
    let s = t.trim();
    let neg = negated;
    while (s.startsWith('!')) {
      neg = !neg;
      s = s.slice(1).trim();
    }
    if (s.startsWith('[')) {
      if (!s.endsWith(']')) throw new RuleSkip(what, `unbalanced brackets in "${t}"`);
      for (const part of splitGroup(s.slice(1, -1), what)) walk(part, neg, depth + 1);
      return;
    }
    if (s.startsWith('$')) {
      walk(variable(s.slice(1), vars, what), neg, depth + 1);
      return;
    }
    if (s === 'any') {
      if (neg) throw new RuleSkip(what, '"!any" matches nothing');
      any = true;
      return;
    }
    (neg ? exclude : include).push(leaf(s));
  };
  walk(text, false, 0);
  return { any, include, exclude };
}

export class AddressGroup {
  private constructor(
    readonly any: boolean,
    private readonly include: readonly AddrRange[],
    private readonly exclude: readonly AddrRange[],
  ) {}

  static readonly ANY = new AddressGroup(true, [], []);

  static parse(text: string, vars: RuleVars): AddressGroup {
    const { any, include, exclude } = walkGroup(text, vars, 'address', cidrRange);
    if (any && exclude.length === 0) return AddressGroup.ANY;
    // `!x` alone means everything but x.
    return new AddressGroup(any || include.length === 0, mergeRanges(include), mergeRanges(exclude));
  }

  /** Whether the group is a positive list of addresses (usable as an index key). */
  get ranges(): readonly { lo: Uint8Array; hi: Uint8Array }[] {
    return this.any ? [] : this.include;
  }

  hasExcludes(): boolean {
    return this.exclude.length > 0;
  }

  /** `len`: 4 or 16 bytes at `at` in `data`. */
  matchAt(data: Uint8Array, at: number, len: number): boolean {
    if (this.any && this.exclude.length === 0) return true;
    if (at < 0) return false;
    if (!this.any && !inRanges(this.include, data, at, len)) return false;
    return !inRanges(this.exclude, data, at, len);
  }

  match(addr: Uint8Array): boolean {
    return this.matchAt(addr, 0, addr.length);
  }
}

export { compareKey, toKey };

/** Sorted, disjoint ranges (overlapping and adjacent ones joined), so a lookup is a binary search. */
function mergeRanges(list: AddrRange[]): AddrRange[] {
  if (list.length < 2) return list;
  const sorted = [...list].sort((a, b) => compareKey(a.lo, b.lo));
  const out: AddrRange[] = [{ lo: sorted[0]!.lo, hi: sorted[0]!.hi }];
  for (let i = 1; i < sorted.length; i++) {
    const r = sorted[i]!;
    const last = out[out.length - 1]!;
    if (compareKey(r.lo, last.hi) <= 0) {
      if (compareKey(r.hi, last.hi) > 0) last.hi = r.hi;
    } else out.push({ lo: r.lo, hi: r.hi });
  }
  return out;
}

function inRanges(ranges: readonly AddrRange[], data: Uint8Array, at: number, len: number): boolean {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = ranges[mid]!;
    if (compareAt(data, at, len, r.lo) < 0) hi = mid - 1;
    else if (compareAt(data, at, len, r.hi) > 0) lo = mid + 1;
    else return true;
  }
  return false;
}

interface PortRange {
  lo: number;
  hi: number;
}

export class PortGroup {
  private constructor(
    readonly any: boolean,
    private readonly include: readonly PortRange[],
    private readonly exclude: readonly PortRange[],
  ) {}

  static readonly ANY = new PortGroup(true, [], []);

  static parse(text: string, vars: RuleVars): PortGroup {
    const portRange = (s: string): PortRange => {
      const m = /^(\d*)\s*(?::\s*(\d*))?$/.exec(s);
      if (m === null || (m[1] === '' && (m[2] === undefined || m[2] === ''))) throw new RuleSkip('port', `bad port "${s}"`);
      const lo = m[1] === '' ? 0 : Number(m[1]);
      const hi = m[2] === undefined ? lo : m[2] === '' ? 65535 : Number(m[2]);
      if (lo > 65535 || hi > 65535 || lo > hi) throw new RuleSkip('port', `bad port range "${s}"`);
      return { lo, hi };
    };
    const { any, include, exclude } = walkGroup(text, vars, 'port', portRange);
    if (any && exclude.length === 0) return PortGroup.ANY;
    return new PortGroup(any || include.length === 0, include, exclude);
  }

  /** The ports of a positive group of at most `max` ports (an index key); undefined otherwise. */
  list(max: number): number[] | undefined {
    if (this.any || this.exclude.length > 0) return undefined;
    let n = 0;
    for (const r of this.include) n += r.hi - r.lo + 1;
    if (n > max) return undefined;
    const out: number[] = [];
    for (const r of this.include) for (let p = r.lo; p <= r.hi; p++) out.push(p);
    return out;
  }

  match(port: number): boolean {
    if (this.any && this.exclude.length === 0) return true;
    let hit = this.any;
    if (!hit) {
      const inc = this.include;
      for (let i = 0; i < inc.length; i++) {
        const r = inc[i]!;
        if (port >= r.lo && port <= r.hi) {
          hit = true;
          break;
        }
      }
    }
    if (!hit) return false;
    const exc = this.exclude;
    for (let i = 0; i < exc.length; i++) if (port >= exc[i]!.lo && port <= exc[i]!.hi) return false;
    return true;
  }
}
