/**
 * The multi-pattern prefilter of one buffer kind: which fast patterns occur in a buffer, in one pass
 * whose cost does not grow with the number of patterns.
 *
 * Every pattern of 4+ bytes is anchored on one of its 4-byte windows, the one least likely in
 * traffic (NUL, spaces, CRLF and common letters avoided; windows already used by many patterns too).
 * The scan is Wu-Manber over the anchors: a 16 KiB table says, for the 2 bytes ending the current
 * window, how far no anchor can end (mostly 3 bytes), so a byte costs about a third of a table probe;
 * where an anchor may end, its case-folded 4-gram is tested against an 8 KiB bitmap and only then are
 * the patterns filed under it verified. 2–3-byte patterns are searched with Buffer indexOf when they
 * are few (with case variants), else on a pair bitmap in a per-byte pass; one-byte ones with indexOf.
 *
 * Matching is case-insensitive here; the rule's own content check decides case afterwards.
 */

const LOWER = new Uint8Array(256);
for (let i = 0; i < 256; i++) LOWER[i] = i >= 0x41 && i <= 0x5a ? i | 0x20 : i;

/** How common a (case-folded) byte is in traffic, roughly: binary protocols are full of NULs and
 *  0xff, text of spaces, CRLF, lower-case letters and URL punctuation. */
const BYTE_WEIGHT = new Float64Array(256);
for (let b = 0; b < 256; b++) {
  let w = 1;
  if (b === 0x00) w = 24;
  else if (b === 0xff || b === 0x20) w = 10;
  else if (b === 0x0d || b === 0x0a) w = 8;
  else if (b >= 0x61 && b <= 0x7a) w = 'etaoinsrhlcdu'.includes(String.fromCharCode(b)) ? 7 : 4;
  else if (b >= 0x30 && b <= 0x39) w = 5;
  else if ('/.:=-_&?"\',;<>()'.includes(String.fromCharCode(b))) w = 5;
  else if (b < 0x20) w = 3;
  else if (b < 0x7f) w = 2;
  BYTE_WEIGHT[b] = w;
}

/** Bits of the 4-gram bitmap's index (2^16 bits: 8 KiB, stays cached between packets; 2^18 was
 *  slower in the pipeline, where other work evicts a larger map between scans). */
const GRAM_BITS = 16;

function gramHash(g: number): number {
  return Math.imul(g, 0x9e3779b1) >>> (32 - GRAM_BITS);
}

export class PatternPrefilter {
  private readonly patterns: Uint8Array[] = [];
  private readonly index = new Map<string, number>();
  /** Rules per pattern. */
  private readonly rulesOf: number[][] = [];
  /** Bit per hashed case-folded 4-gram: some pattern of 4+ bytes is anchored on it. */
  private gramBits = new Int32Array(0);
  /** Open-addressing table of the anchor 4-grams: key, then its patterns as a slice of entries. */
  private slotKey = new Int32Array(0);
  private slotStart = new Int32Array(0);
  private slotEnd = new Int32Array(0);
  private slotMask = 0;
  /** `slotDone[s] === stamp`: every pattern of the slot was reported in the current scan (a run
   *  of NULs then costs a probe per byte, not a walk of the list). */
  private slotDone = new Uint32Array(0);
  /** Bit per case-folded pair: some 2- or 3-byte pattern is anchored on it. */
  private pairBits = new Int32Array(0);
  private pairStart = new Int32Array(0);
  private hasShort = false;
  private entryPattern = new Int32Array(0);
  /** Where the anchor sits in the pattern. */
  private entryAt = new Int32Array(0);
  /** One-byte patterns. */
  private singles: number[] = [];
  /** Wu-Manber shift per raw 2-byte block (2 bits each, 16 KiB): how far the 4-byte window may move
   *  when the block ends it. 0: the block ends some anchor (every case variant is set). */
  private shiftBits = new Int32Array(0);
  private hasGrams = false;
  /** The 2–3-byte patterns as every case variant, searched natively (Buffer indexOf) when few;
   *  null: too many, the pair bitmap is walked instead. */
  private shortNeedles: { id: number; needles: Buffer[] }[] | null = null;
  /** Matched-pattern stamps: `seen[p] === stamp` when p was reported in the current scan. */
  private seen = new Uint32Array(0);
  private stamp = 0;
  private built = false;
  private longest = 0;

  /** `bytes` is case folded here. */
  add(bytes: Uint8Array, ruleId: number): void {
    if (bytes.length === 0) return;
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
    const rules = this.rulesOf[id]!;
    if (rules[rules.length - 1] !== ruleId) rules.push(ruleId);
    this.built = false;
  }

  get size(): number {
    return this.patterns.length;
  }

  /** The longest pattern's length (0 when empty). */
  get maxLength(): number {
    if (!this.built) this.build();
    return this.longest;
  }

  build(): void {
    const count = this.patterns.length;
    // Anchor per pattern: the least common window (4 bytes, or 2 for patterns of 2–3 bytes),
    // weighed by how many patterns already use it so that lists stay short.
    const gramLoad = new Map<number, number>();
    // Pair loads only matter for 2–3-byte patterns (sized then: most prefilters have none).
    const pairLoad = new Float64Array(this.patterns.some((p) => p.length === 2 || p.length === 3) ? 65536 : 0);
    const anchorAt = new Int32Array(count);
    const anchorKey = new Int32Array(count);
    this.singles = [];
    this.hasShort = false;
    const order = [...this.patterns.keys()].sort((a, b) => this.patterns[a]!.length - this.patterns[b]!.length);
    for (const id of order) {
      const p = this.patterns[id]!;
      if (p.length === 1) {
        this.singles.push(id);
        anchorAt[id] = -1;
        continue;
      }
      const width = p.length >= 4 ? 4 : 2;
      let best = 0;
      let bestScore = Infinity;
      let bestKey = 0;
      for (let i = 0; i + width <= p.length; i++) {
        let w = 1;
        let key = 0;
        for (let j = 0; j < width; j++) {
          w *= BYTE_WEIGHT[p[i + j]!]!;
          key = (key << 8) | p[i + j]!;
        }
        const score = w * (1 + (width === 4 ? (gramLoad.get(key) ?? 0) : pairLoad[key]!));
        if (score < bestScore) {
          bestScore = score;
          best = i;
          bestKey = key;
        }
      }
      if (width === 4) gramLoad.set(bestKey, (gramLoad.get(bestKey) ?? 0) + 1);
      else {
        pairLoad[bestKey]!++;
        this.hasShort = true;
      }
      anchorAt[id] = width === 4 ? best : -2 - best;
      anchorKey[id] = bestKey;
    }
    // Entries grouped by anchor: 4-grams first (slot order), then pairs (by key).
    const grams = [...gramLoad.keys()];
    let cap = 16;
    while (cap < grams.length * 2) cap <<= 1;
    this.slotMask = cap - 1;
    this.slotKey = new Int32Array(cap);
    this.slotStart = new Int32Array(cap).fill(-1);
    this.slotEnd = new Int32Array(cap);
    this.slotDone = new Uint32Array(cap);
    this.gramBits = new Int32Array(1 << (GRAM_BITS - 5));
    const slotOf = new Map<number, number>();
    for (const g of grams) {
      let s = gramHash(g) & this.slotMask;
      while (this.slotStart[s] !== -1) s = (s + 1) & this.slotMask;
      this.slotKey[s] = g;
      this.slotStart[s] = 0;
      slotOf.set(g, s);
      const h = gramHash(g);
      this.gramBits[h >> 5]! |= 1 << (h & 31);
    }
    // Slice sizes, then positions.
    const gramCount = new Int32Array(cap);
    const pairCount = new Int32Array(pairLoad.length === 0 ? 0 : 65537);
    for (let id = 0; id < count; id++) {
      if (anchorAt[id]! >= 0) gramCount[slotOf.get(anchorKey[id]!)!]!++;
      else if (anchorAt[id]! <= -2) pairCount[anchorKey[id]! + 1]!++;
    }
    let at = 0;
    for (let s = 0; s < cap; s++) {
      if (this.slotStart[s] === -1) continue;
      this.slotStart[s] = at;
      this.slotEnd[s] = at;
      at += gramCount[s]!;
    }
    const pairBase = at;
    if (this.hasShort) for (let k = 0; k < 65536; k++) pairCount[k + 1]! += pairCount[k]!;
    // The pair tables (264 KiB) only where there are short patterns: most buffers have none.
    this.pairStart = new Int32Array(this.hasShort ? 65537 : 0);
    if (this.hasShort) for (let k = 0; k <= 65536; k++) this.pairStart[k] = pairBase + pairCount[k]!;
    const pairFill = this.pairStart.slice(0, 65536);
    const total = pairBase + (this.hasShort ? pairCount[65536]! : 0);
    this.entryPattern = new Int32Array(total);
    this.entryAt = new Int32Array(total);
    this.pairBits = new Int32Array(this.hasShort ? 2048 : 0);
    for (let id = 0; id < count; id++) {
      const a = anchorAt[id]!;
      if (a === -1) continue;
      let slot: number;
      if (a >= 0) {
        slot = this.slotEnd[slotOf.get(anchorKey[id]!)!]!++;
        this.entryAt[slot] = a;
      } else {
        const k = anchorKey[id]!;
        slot = pairFill[k]!++;
        this.entryAt[slot] = -2 - a;
        this.pairBits[k >> 5]! |= 1 << (k & 31);
      }
      this.entryPattern[slot] = id;
    }
    this.buildShortNeedles();
    if (this.shortNeedles !== null) {
      // Searched natively: the pair tables (264 KiB) are not needed.
      this.pairStart = new Int32Array(0);
      this.pairBits = new Int32Array(0);
    }
    // The combined pass (many short patterns) tests the 4-gram bitmap per byte: no shift table.
    this.buildShifts(this.hasShort && this.shortNeedles === null ? [] : grams);
    this.seen = new Uint32Array(count);
    this.stamp = 0;
    this.longest = 0;
    for (const p of this.patterns) if (p.length > this.longest) this.longest = p.length;
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
      this.slotDone.fill(0);
      this.stamp = 1;
    }
    const stamp = this.stamp;
    const n = data.length;
    const shorts = this.shortNeedles;
    if (this.hasShort && shorts === null) {
      // Many short patterns: one pass testing the pair bitmap and the 4-gram bitmap at every byte.
      const pairBits = this.pairBits;
      const gramBits = this.gramBits;
      let g = 0;
      for (let i = 0; i < n; i++) {
        g = (g << 8) | LOWER[data[i]!]!;
        const k = g & 0xffff;
        if (i >= 1 && (pairBits[k >> 5]! & (1 << (k & 31))) !== 0) this.verify(this.pairStart[k]!, this.pairStart[k + 1]!, data, i - 1, stamp, onRule);
        const h = gramHash(g);
        if (i >= 3 && (gramBits[h >> 5]! & (1 << (h & 31))) !== 0) void this.gramHit(g, data, i, stamp, onRule);
      }
    } else {
      if (this.hasGrams && n >= 4) wuManber(this, this.shiftBits, data, stamp, onRule);
      if (shorts !== null) {
        for (let s = 0; s < shorts.length; s++) {
          const { id, needles } = shorts[s]!;
          if (this.seen[id] === stamp) continue;
          for (let v = 0; v < needles.length; v++) {
            if (indexOfBytes(data, needles[v]!) >= 0) {
              this.report(id, stamp, onRule);
              break;
            }
          }
        }
      }
    }
    const singles = this.singles;
    for (let s = 0; s < singles.length; s++) {
      const id = singles[s]!;
      const b = this.patterns[id]![0]!;
      if (this.seen[id] !== stamp && (data.indexOf(b) >= 0 || (b >= 0x61 && b <= 0x7a && data.indexOf(b ^ 0x20) >= 0))) this.report(id, stamp, onRule);
    }
  }

  /** The Wu-Manber shift table of the 4-gram anchors (keys of `grams`, case folded). */
  private buildShifts(grams: readonly number[]): void {
    this.hasGrams = grams.length > 0;
    if (!this.hasGrams) {
      this.shiftBits = new Int32Array(0);
      return;
    }
    // Every block starts at the largest shift (3); a block at the anchor's end gets 0, one position
    // earlier 1, two earlier 2; the smallest wins. Set for every case variant of the block.
    const shift = new Uint8Array(65536).fill(3);
    for (const g of grams) {
      for (let end = 1; end <= 3; end++) {
        const a = (g >>> ((3 - end + 1) * 8)) & 0xff;
        const b = (g >>> ((3 - end) * 8)) & 0xff;
        const v = 3 - end;
        for (const x of caseVariants(a)) for (const y of caseVariants(b)) if (shift[(x << 8) | y]! > v) shift[(x << 8) | y] = v;
      }
    }
    const bits = new Int32Array(4096);
    for (let k = 0; k < 65536; k++) bits[k >> 4]! |= shift[k]! << ((k & 15) << 1);
    this.shiftBits = bits;
  }

  /** Native search of the short patterns when they have few case variants in all. */
  private buildShortNeedles(): void {
    this.shortNeedles = null;
    if (!this.hasShort) return;
    const out: { id: number; needles: Buffer[] }[] = [];
    let total = 0;
    for (let id = 0; id < this.patterns.length; id++) {
      const p = this.patterns[id]!;
      if (p.length < 2 || p.length > 3) continue;
      let needles: number[][] = [[]];
      for (const b of p) needles = needles.flatMap((prefix) => caseVariants(b).map((v) => [...prefix, v]));
      total += needles.length;
      if (total > MAX_SHORT_NEEDLES) return;
      out.push({ id, needles: needles.map((v) => Buffer.from(v)) });
    }
    this.shortNeedles = out;
  }

  /** @internal An anchor may end at `i`: tests the case-folded 4-gram there against the bitmap, then its slot. */
  gramAt(data: Uint8Array, i: number, stamp: number, onRule: (ruleId: number) => void): void {
    const g = (LOWER[data[i - 3]!]! << 24) | (LOWER[data[i - 2]!]! << 16) | (LOWER[data[i - 1]!]! << 8) | LOWER[data[i]!]!;
    const h = gramHash(g);
    if ((this.gramBits[h >> 5]! & (1 << (h & 31))) !== 0) void this.gramHit(g, data, i, stamp, onRule);
  }

  /** The 4-gram `g` ending at `i` passed the bitmap: find its slot, verify its patterns. True when
   *  every pattern of the slot has been reported in this scan. */
  private gramHit(g: number, data: Uint8Array, i: number, stamp: number, onRule: (ruleId: number) => void): boolean {
    const mask = this.slotMask;
    let s = gramHash(g) & mask;
    for (;;) {
      const start = this.slotStart[s]!;
      if (start === -1) return false;
      if (this.slotKey[s] === g) {
        if (this.slotDone[s] === stamp) return true;
        if (!this.verify(start, this.slotEnd[s]!, data, i - 3, stamp, onRule)) return false;
        this.slotDone[s] = stamp;
        return true;
      }
      s = (s + 1) & mask;
    }
  }

  /** Entries [from, to) anchored at `anchor` in `data`; true when all of them are reported. */
  private verify(from: number, to: number, data: Uint8Array, anchor: number, stamp: number, onRule: (ruleId: number) => void): boolean {
    const seen = this.seen;
    let all = true;
    for (let e = from; e < to; e++) {
      const id = this.entryPattern[e]!;
      if (seen[id] === stamp) continue;
      const p = this.patterns[id]!;
      const start = anchor - this.entryAt[e]!;
      let j = 0;
      if (start >= 0 && start + p.length <= data.length) while (j < p.length && LOWER[data[start + j]!] === p[j]) j++;
      if (j === p.length) this.report(id, stamp, onRule);
      else all = false;
    }
    return all;
  }

  private report(id: number, stamp: number, onRule: (ruleId: number) => void): void {
    this.seen[id] = stamp;
    const rules = this.rulesOf[id]!;
    for (let r = 0; r < rules.length; r++) onRule(rules[r]!);
  }
}

/** The 2-byte and 3-byte patterns are searched with Buffer indexOf (vectorised, native) while they
 *  come to at most this many case variants in all; past it, one pass over a pair bitmap. */
const MAX_SHORT_NEEDLES = 16;

function caseVariants(b: number): number[] {
  return b >= 0x61 && b <= 0x7a ? [b, b ^ 0x20] : [b];
}

const bufferIndexOf = Buffer.prototype.indexOf;

/** Exact search of `needle` in `data` (a plain Uint8Array) with Buffer's native search. */
function indexOfBytes(data: Uint8Array, needle: Uint8Array): number {
  return bufferIndexOf.call(data, needle, 0) as number;
}

/**
 * Wu-Manber over the anchors of `pf`: the 2-byte block ending the 4-byte window says how far no
 * anchor can end; only where one can (shift 0) is the 4-gram hashed and tested (gramAt). Four quarters
 * of the buffer are walked in one loop: each step waits on its own table load, so the chains
 * overlap. A function of its own so that the loop is optimised on its own.
 */
function wuManber(pf: PatternPrefilter, shiftBits: Int32Array, data: Uint8Array, stamp: number, onRule: (ruleId: number) => void): void {
  const n = data.length;
  // Four quarters [3, q1), [q1, q2), [q2, q3), [q3, n) for buffers of 256+ bytes, else one.
  const q1 = n >= 256 ? n >> 2 : n;
  const q2 = n >= 256 ? n >> 1 : n;
  const q3 = n >= 256 ? q1 + q2 : n;
  let a = 3;
  let b = q1;
  let c = q2;
  let d = q3;
  while (a < q1 && b < q2 && c < q3 && d < n) {
    const ka = (data[a - 1]! << 8) | data[a]!;
    const kb = (data[b - 1]! << 8) | data[b]!;
    const kc = (data[c - 1]! << 8) | data[c]!;
    const kd = (data[d - 1]! << 8) | data[d]!;
    const sa = (shiftBits[ka >> 4]! >>> ((ka & 15) << 1)) & 3;
    const sb = (shiftBits[kb >> 4]! >>> ((kb & 15) << 1)) & 3;
    const sc = (shiftBits[kc >> 4]! >>> ((kc & 15) << 1)) & 3;
    const sd = (shiftBits[kd >> 4]! >>> ((kd & 15) << 1)) & 3;
    if (sa === 0) pf.gramAt(data, a++, stamp, onRule);
    else a += sa;
    if (sb === 0) pf.gramAt(data, b++, stamp, onRule);
    else b += sb;
    if (sc === 0) pf.gramAt(data, c++, stamp, onRule);
    else c += sc;
    if (sd === 0) pf.gramAt(data, d++, stamp, onRule);
    else d += sd;
  }
  // The rest of each quarter.
  wuManberTail(pf, shiftBits, data, a, q1, stamp, onRule);
  wuManberTail(pf, shiftBits, data, b, q2, stamp, onRule);
  wuManberTail(pf, shiftBits, data, c, q3, stamp, onRule);
  wuManberTail(pf, shiftBits, data, d, n, stamp, onRule);
}

/** One window end after another from `i` up to `end` (exclusive). */
function wuManberTail(pf: PatternPrefilter, shiftBits: Int32Array, data: Uint8Array, i: number, end: number, stamp: number, onRule: (ruleId: number) => void): void {
  while (i < end) {
    const k = (data[i - 1]! << 8) | data[i]!;
    const s = (shiftBits[k >> 4]! >>> ((k & 15) << 1)) & 3;
    if (s === 0) pf.gramAt(data, i++, stamp, onRule);
    else i += s;
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

export { LOWER };
