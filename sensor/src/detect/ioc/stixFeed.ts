/**
 * STIX 2.1 bundles: `indicator` objects whose STIX pattern is one comparison, or comparisons and
 * observations OR-ed together (`[ipv4-addr:value = '198.51.100.1' OR domain-name:value = 'x']`).
 * Each mappable comparison becomes one indicator; AND, FOLLOWEDBY, negation and repetition
 * qualifiers describe something a single lookup cannot, so such patterns are skipped with the
 * reason. The malware an indicator `indicates` (relationship objects) names the family.
 */
import type { IocEntry, IocType } from './iocValue.ts';
import { normaliseIocValue } from './iocValue.ts';
import type { FeedContext } from './lineFormats.ts';
import { confidenceOf } from './lineFormats.ts';

export interface StixComparison {
  path: string;
  op: string;
  value: string;
}

class PatternUnsupported extends Error {}

const OPERATORS = ['!=', '<=', '>=', '=', '<', '>'];
/** Patterns longer or more deeply nested than this are refused (a hostile bundle must not blow the stack). */
export const STIX_MAX_PATTERN_LENGTH = 64 * 1024;
const STIX_MAX_DEPTH = 32;
const WORD_OPERATORS = new Set(['LIKE', 'MATCHES', 'ISSUBSET', 'ISSUPERSET', 'IN', 'EXISTS']);

/** Reads a STIX pattern into its OR-ed comparisons; throws PatternUnsupported with the reason. */
class PatternReader {
  private pos = 0;
  private depth = 0;
  readonly comparisons: StixComparison[] = [];

  constructor(private readonly s: string) {}

  read(): StixComparison[] {
    this.observationExpr();
    this.ws();
    if (this.pos < this.s.length) this.fail(`unexpected "${this.s.slice(this.pos, this.pos + 20)}"`);
    return this.comparisons;
  }

  private fail(reason: string): never {
    throw new PatternUnsupported(reason);
  }

  private ws(): void {
    while (this.pos < this.s.length && /\s/.test(this.s[this.pos]!)) this.pos++;
  }

  private word(): string {
    this.ws();
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.s.slice(this.pos, this.pos + 32));
    return m ? m[0] : '';
  }

  private take(text: string): boolean {
    this.ws();
    if (this.s.startsWith(text, this.pos)) {
      this.pos += text.length;
      return true;
    }
    return false;
  }

  private observationExpr(): void {
    this.observationTerm();
    for (;;) {
      const w = this.word();
      if (w === 'OR') {
        this.pos += 2;
        this.observationTerm();
      } else if (w === 'AND' || w === 'FOLLOWEDBY') this.fail(`observations joined by ${w} need more than one indicator to match`);
      else return;
    }
  }

  private nest(): void {
    if (++this.depth > STIX_MAX_DEPTH) this.fail(`nested deeper than ${STIX_MAX_DEPTH} levels`);
  }

  private observationTerm(): void {
    if (this.take('(')) {
      this.nest();
      this.observationExpr();
      this.depth--;
      if (!this.take(')')) this.fail('missing ")"');
    } else if (this.take('[')) {
      this.comparisonExpr();
      if (!this.take(']')) this.fail('missing "]"');
    } else this.fail('expected "[" or "("');
    this.qualifiers();
  }

  private qualifiers(): void {
    for (;;) {
      const w = this.word();
      if (w === 'START') {
        // A time window: the indicator itself still holds; the window is not enforced.
        this.pos += w.length;
        this.literal();
        if (this.word() !== 'STOP') this.fail('START without STOP');
        this.pos += 4;
        this.literal();
      } else if (w === 'WITHIN' || w === 'REPEATS') this.fail(`qualifier ${w} counts observations over time`);
      else return;
    }
  }

  private comparisonExpr(): void {
    this.comparisonTerm();
    for (;;) {
      const w = this.word();
      if (w === 'OR') {
        this.pos += 2;
        this.comparisonTerm();
      } else if (w === 'AND') this.fail('comparisons joined by AND need more than one value to match');
      else return;
    }
  }

  private comparisonTerm(): void {
    if (this.take('(')) {
      this.nest();
      this.comparisonExpr();
      this.depth--;
      if (!this.take(')')) this.fail('missing ")"');
      return;
    }
    const path = this.path();
    const w = this.word();
    if (w === 'NOT') this.fail('negated comparison');
    let op: string | undefined;
    if (WORD_OPERATORS.has(w)) {
      op = w;
      this.pos += w.length;
    } else {
      this.ws();
      op = OPERATORS.find((o) => this.s.startsWith(o, this.pos));
      if (op === undefined) this.fail(`expected an operator after ${path}`);
      this.pos += op.length;
    }
    const value = this.literal();
    this.comparisons.push({ path, op, value });
  }

  private path(): string {
    this.ws();
    const start = this.pos;
    const m = /^[a-z0-9-]+:/.exec(this.s.slice(this.pos, this.pos + 260));
    if (!m) this.fail('expected an object path such as ipv4-addr:value');
    this.pos += m[0].length;
    while (this.pos < this.s.length) {
      const c = this.s[this.pos]!;
      if (c === "'") {
        const close = this.s.indexOf("'", this.pos + 1);
        if (close < 0) this.fail('unterminated quote in object path');
        this.pos = close + 1;
      } else if (/[A-Za-z0-9_.\-[\]*]/.test(c)) this.pos++;
      else break;
    }
    return this.s.slice(start, this.pos);
  }

  private literal(): string {
    this.ws();
    const c = this.s[this.pos];
    if (c === 't' || c === 'h' || c === 'b') {
      if (this.s[this.pos + 1] === "'") this.pos++;
      else this.fail('expected a literal');
    } else if (c === '(') this.fail('set literals are not matched by the sensor');
    if (this.s[this.pos] !== "'") {
      const m = /^-?[0-9.]+|^true|^false/.exec(this.s.slice(this.pos, this.pos + 40));
      if (!m) this.fail('expected a literal');
      this.pos += m[0].length;
      return m[0];
    }
    let out = '';
    let i = this.pos + 1;
    for (;;) {
      if (i >= this.s.length) this.fail('unterminated string literal');
      const ch = this.s[i]!;
      if (ch === '\\') {
        out += this.s[i + 1] ?? '';
        i += 2;
      } else if (ch === "'") break;
      else {
        out += ch;
        i++;
      }
    }
    this.pos = i + 1;
    return out;
  }
}

/** The OR-ed comparisons of a STIX pattern, or why it cannot be one lookup. */
export function readStixPattern(pattern: string): StixComparison[] | { reason: string } {
  if (pattern.length > STIX_MAX_PATTERN_LENGTH) return { reason: `pattern longer than ${STIX_MAX_PATTERN_LENGTH} characters` };
  try {
    return new PatternReader(pattern).read();
  } catch (e) {
    if (e instanceof PatternUnsupported) return { reason: e.message };
    throw e;
  }
}

function hashName(path: string): string {
  return path.replace(/^[a-z0-9-]+:hashes\./, '').replaceAll("'", '').toUpperCase().replace('-', '');
}

/** The indicator type of a comparison, or why the sensor does not match it. */
export function stixComparisonType(c: StixComparison): IocType | { reason: string } {
  const p = c.path;
  const ipPath = p === 'ipv4-addr:value' || p === 'ipv6-addr:value' || /^network-traffic:(?:dst|src)_ref\.value$/.test(p);
  if (ipPath && (c.op === '=' || c.op === 'ISSUBSET')) return 'ip';
  if (c.op !== '=') return { reason: `operator ${c.op} on ${p} is not an exact indicator` };
  if (p === 'domain-name:value') return 'domain';
  if (p === 'url:value') return 'url';
  if (p.startsWith('file:hashes.')) {
    const h = hashName(p);
    if (h === 'MD5') return 'md5';
    if (h === 'SHA1') return 'sha1';
    if (h === 'SHA256') return 'sha256';
    return { reason: `file hash ${h} is not matched by the sensor` };
  }
  if (p.startsWith('x509-certificate:hashes.')) {
    if (hashName(p) === 'SHA1') return 'cert-sha1';
    return { reason: `certificate hash ${hashName(p)} is not matched by the sensor (SHA-1 only)` };
  }
  return { reason: `object path ${p} is not matched by the sensor` };
}

type Json = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const strList = (v: unknown): string[] | undefined => {
  if (!Array.isArray(v)) return undefined;
  const list = v.filter((x): x is string => typeof x === 'string' && x !== '');
  return list.length === 0 ? undefined : list;
};

/** Indicators of a parsed STIX bundle. `now` (ms): indicators past `valid_until` are skipped. */
export function parseStixBundle(doc: unknown, ctx: FeedContext, now?: number): void {
  const objects = Array.isArray(doc) ? doc : Array.isArray((doc as Json | null)?.objects) ? ((doc as Json).objects as unknown[]) : undefined;
  if (objects === undefined) return ctx.sink.error(0, 'not a STIX bundle: no "objects" array');
  const malwareNames = new Map<string, string>();
  for (const o of objects) {
    const obj = o as Json | null;
    if (obj?.type === 'malware' && typeof obj.id === 'string' && typeof obj.name === 'string') malwareNames.set(obj.id, obj.name);
  }
  const indicates = new Map<string, string>();
  for (const o of objects) {
    const obj = o as Json | null;
    if (obj?.type !== 'relationship' || obj.relationship_type !== 'indicates') continue;
    const name = typeof obj.target_ref === 'string' ? malwareNames.get(obj.target_ref) : undefined;
    if (name !== undefined && typeof obj.source_ref === 'string') indicates.set(obj.source_ref, name);
  }
  objects.forEach((o, i) => {
    const obj = o as Json | null;
    if (obj === null || typeof obj !== 'object' || obj.type !== 'indicator') return;
    const id = typeof obj.id === 'string' ? obj.id : `objects[${i}]`;
    const where = `${id}: `;
    if (obj.revoked === true) return ctx.sink.skip('STIX indicator revoked');
    const patternType = str(obj.pattern_type) ?? 'stix';
    if (patternType !== 'stix') return ctx.sink.skip(`STIX pattern_type ${patternType} is not matched by the sensor`);
    const types = strList(obj.indicator_types) ?? strList(obj.labels);
    if (types?.includes('benign')) return ctx.sink.skip('STIX indicator marked benign');
    const until = str(obj.valid_until);
    if (now !== undefined && until !== undefined && Date.parse(until) < now) return ctx.sink.skip('STIX indicator past valid_until');
    const pattern = str(obj.pattern);
    if (pattern === undefined) return ctx.sink.error(0, `${where}indicator without a pattern`);
    const comps = readStixPattern(pattern);
    if (!Array.isArray(comps)) return ctx.sink.error(0, `${where}pattern not matched by the sensor: ${comps.reason}`);
    const extra: Omit<IocEntry, 'type' | 'value' | 'feed'> = {};
    const threat = types?.join(',') ?? str(obj.name);
    if (threat !== undefined) extra.threat = threat;
    const malware = indicates.get(id);
    if (malware !== undefined) extra.malware = malware;
    const confidence = confidenceOf(typeof obj.confidence === 'number' ? obj.confidence : undefined);
    if (confidence !== undefined) extra.confidence = confidence;
    for (const c of comps) {
      const type = stixComparisonType(c);
      if (typeof type !== 'string') {
        ctx.sink.skip(type.reason);
        continue;
      }
      const n = normaliseIocValue(type, c.value);
      if (!n.ok) ctx.sink.error(0, `${where}${n.reason}`);
      else ctx.sink.entry({ type, value: n.value, feed: ctx.feed, ...extra });
    }
  });
}
