/**
 * The multi-pattern prefilter of one buffer kind: which fast patterns occur in a buffer, in one pass
 * whose cost does not grow with the number of patterns. Hashed 4-grams: every pattern of 4+ bytes
 * is keyed by its rarest 4-byte window (case folded); the scan rolls a 4-byte window over the
 * buffer, tests a bitmap (almost always a miss), and on a hit verifies the few patterns filed under
 * that window. Patterns under 4 bytes are few and searched directly.
 *
 * Matching is case-insensitive here; the rule's own content check decides case afterwards.
 */

const BLOOM_BITS = 1 << 20;
const GRAM = 4;

const LOWER = new Uint8Array(256);
for (let i = 0; i < 256; i++) LOWER[i] = i >= 0x41 && i <= 0x5a ? i | 0x20 : i;

function hashGram(g: number): number {
  return Math.imul(g, 0x9e3779b1) >>> 12;
}

interface Entry {
  pattern: number;
  /** Where the keyed window sits in the pattern. */
  at: number;
}

export class PatternPrefilter {
  private readonly patterns: Uint8Array[] = [];
  private readonly index = new Map<string, number>();
  /** Rules per pattern. */
  private readonly rulesOf: number[][] = [];
  private bloom = new Uint8Array(0);
  private table = new Map<number, Entry[]>();
  /** Patterns of 1–3 bytes, by their first byte (1-byte ones) or first two bytes. */
  private short1 = new Map<number, number[]>();
  private short2 = new Map<number, number[]>();
  private shortMark1 = new Uint8Array(256);
  private shortMark2 = new Uint8Array(65536);
  private hasShort = false;
  /** Matched-pattern stamps: `seen[p] === stamp` when p was reported in the current scan. */
  private seen = new Uint32Array(0);
  private stamp = 0;
  private built = false;

  /** `bytes` is case folded here; returns the pattern id. */
  add(bytes: Uint8Array, ruleId: number): void {
    const lower = new Uint8Array(bytes.length);
    for (let i = 0; i < bytes.length; i++) lower[i] = LOWER[bytes[i]!]!;
    const key = Buffer.from(lower).toString('latin1');
    let id = this.index.get(key);
    if (id === undefined) {
      id = this.patterns.length;
      this.patterns.push(lower);
      this.rulesOf.push([]);
      this.index.set(key, id);
    }
    this.rulesOf[id]!.push(ruleId);
    this.built = false;
  }

  get size(): number {
    return this.patterns.length;
  }

  build(): void {
    const counts = new Map<number, number>();
    // Int32 keys (not uint32): a value past 2^31 would leave the small-integer range in the scan loop.
    const gramAt = (p: Uint8Array, i: number): number => (p[i]! << 24) | (p[i + 1]! << 16) | (p[i + 2]! << 8) | p[i + 3]!;
    for (const p of this.patterns) for (let i = 0; i + GRAM <= p.length; i++) counts.set(gramAt(p, i), (counts.get(gramAt(p, i)) ?? 0) + 1);
    this.bloom = new Uint8Array(BLOOM_BITS >> 3);
    this.table = new Map();
    this.short1 = new Map();
    this.short2 = new Map();
    this.shortMark1 = new Uint8Array(256);
    this.shortMark2 = new Uint8Array(65536);
    this.hasShort = false;
    for (let id = 0; id < this.patterns.length; id++) {
      const p = this.patterns[id]!;
      if (p.length < GRAM) {
        this.hasShort = true;
        if (p.length === 1) {
          this.shortMark1[p[0]!] = 1;
          push(this.short1, p[0]!, id);
        } else {
          const k = (p[0]! << 8) | p[1]!;
          this.shortMark2[k] = 1;
          push(this.short2, k, id);
        }
        continue;
      }
      let best = 0;
      let bestCount = Infinity;
      for (let i = 0; i + GRAM <= p.length; i++) {
        const c = counts.get(gramAt(p, i))!;
        if (c < bestCount) {
          bestCount = c;
          best = i;
        }
      }
      const g = gramAt(p, best);
      const h = hashGram(g);
      this.bloom[h >> 3]! |= 1 << (h & 7);
      let list = this.table.get(g);
      if (list === undefined) this.table.set(g, (list = []));
      list.push({ pattern: id, at: best });
    }
    this.seen = new Uint32Array(this.patterns.length);
    this.built = true;
  }

  /**
   * Calls `onRule` for every rule whose pattern occurs in `data` (a rule may be reported more than
   * once when several of its patterns occur; the caller de-duplicates).
   */
  scan(data: Uint8Array, onRule: (ruleId: number) => void): void {
    if (!this.built) this.build();
    if (this.patterns.length === 0) return;
    if (++this.stamp === 0xffffffff) {
      this.seen.fill(0);
      this.stamp = 1;
    }
    const stamp = this.stamp;
    const seen = this.seen;
    const bloom = this.bloom;
    const n = data.length;
    let g = 0;
    const hasShort = this.hasShort;
    const mark1 = this.shortMark1;
    const mark2 = this.shortMark2;
    for (let i = 0; i < n; i++) {
      g = (g << 8) | LOWER[data[i]!]!;
      if (hasShort && (mark1[g & 0xff] === 1 || mark2[g & 0xffff] === 1)) this.shortAt(data, i, g, stamp, onRule);
      if (i < GRAM - 1) continue;
      const h = hashGram(g);
      if ((bloom[h >> 3]! & (1 << (h & 7))) === 0) continue;
      const list = this.table.get(g);
      if (list === undefined) continue;
      const gramStart = i - GRAM + 1;
      for (let k = 0; k < list.length; k++) {
        const e = list[k]!;
        if (seen[e.pattern] === stamp) continue;
        const p = this.patterns[e.pattern]!;
        const start = gramStart - e.at;
        if (start < 0 || start + p.length > n) continue;
        let j = 0;
        while (j < p.length && LOWER[data[start + j]!] === p[j]) j++;
        if (j !== p.length) continue;
        seen[e.pattern] = stamp;
        const rules = this.rulesOf[e.pattern]!;
        for (let r = 0; r < rules.length; r++) onRule(rules[r]!);
      }
    }
  }

  /** Short patterns starting at i (1 byte) or i-1 (2–3 bytes, checked when their 3rd byte is in). */
  private shortAt(data: Uint8Array, i: number, g: number, stamp: number, onRule: (ruleId: number) => void): void {
    const b = g & 0xff;
    if (this.shortMark1[b] === 1) this.report(this.short1.get(b)!, data, i, stamp, onRule);
    if (i >= 1) {
      const k = g & 0xffff;
      if (this.shortMark2[k] === 1) this.report(this.short2.get(k)!, data, i - 1, stamp, onRule);
    }
  }

  private report(ids: readonly number[], data: Uint8Array, start: number, stamp: number, onRule: (ruleId: number) => void): void {
    for (let k = 0; k < ids.length; k++) {
      const id = ids[k]!;
      if (this.seen[id] === stamp) continue;
      const p = this.patterns[id]!;
      if (start + p.length > data.length) continue;
      let j = 0;
      while (j < p.length && LOWER[data[start + j]!] === p[j]) j++;
      if (j !== p.length) continue;
      this.seen[id] = stamp;
      const rules = this.rulesOf[id]!;
      for (let r = 0; r < rules.length; r++) onRule(rules[r]!);
    }
  }
}

/** Case-insensitive search of a case-folded `pattern` in `data` from `from`; -1 when absent. */
export function indexOfFolded(data: Uint8Array, pattern: Uint8Array, from: number): number {
  const m = pattern.length;
  const last = data.length - m;
  const first = pattern[0]!;
  for (let i = from; i <= last; i++) {
    if (LOWER[data[i]!] !== first) continue;
    let j = 1;
    while (j < m && LOWER[data[i + j]!] === pattern[j]) j++;
    if (j === m) return i;
  }
  return -1;
}

function push(m: Map<number, number[]>, key: number, id: number): void {
  const list = m.get(key);
  if (list === undefined) m.set(key, [id]);
  else list.push(id);
}

export { LOWER };
