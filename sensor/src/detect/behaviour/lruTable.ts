/**
 * Bounded state for the behaviour detectors: every table an attacker can grow (sources, pairs,
 * domains) holds at most `capacity` entries and forgets the least recently used one first, so a
 * flood of spoofed sources costs a fixed amount of memory and only makes the detector forget.
 */

export class LruTable<K, V> {
  /** Values with the insertion tick at which they were last moved to the young end. */
  private readonly map = new Map<K, { value: V; tick: number }>();
  private tick = 0;
  /** Entries pushed out because the table was full. */
  evicted = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`LruTable capacity must be a positive integer, got ${capacity}`);
  }

  get size(): number {
    return this.map.size;
  }

  /**
   * The entry, marked as used. Approximate LRU: an entry is moved to the young end only once it
   * has aged past half the capacity, so a hot key costs a lookup rather than a delete and
   * re-insert per use (which churned the Map), and is still never the one evicted.
   */
  get(key: K): V | undefined {
    const e = this.map.get(key);
    if (e === undefined) return undefined;
    if (this.tick - e.tick > this.capacity >> 1) {
      this.map.delete(key);
      e.tick = ++this.tick;
      this.map.set(key, e);
    }
    return e.value;
  }

  /** The entry without touching its age. */
  peek(key: K): V | undefined {
    return this.map.get(key)?.value;
  }

  set(key: K, value: V): void {
    const e = this.map.get(key);
    if (e !== undefined) {
      this.map.delete(key);
    } else if (this.map.size >= this.capacity) {
      const oldest = this.map.keys().next();
      if (!oldest.done) {
        this.map.delete(oldest.value);
        this.evicted++;
      }
    }
    this.map.set(key, { value, tick: ++this.tick });
  }

  /** The entry, made with `create` when missing. */
  obtain(key: K, create: () => V): V {
    const v = this.get(key);
    if (v !== undefined) return v;
    const made = create();
    this.set(key, made);
    return made;
  }

  delete(key: K): boolean {
    return this.map.delete(key);
  }
}

/**
 * "Once per (actor, target, window)": a key may alert again only `realertSec` of packet time after
 * it last did. Bounded like every table here; forgetting a key only allows one more alert.
 */
export class AlertGate {
  private readonly until: LruTable<string, number>;

  constructor(
    private readonly realertSec: number,
    capacity: number,
  ) {
    this.until = new LruTable(capacity);
  }

  /** True (and the key is closed for realertSec) when `key` may alert at packet time `sec`. */
  allow(key: string, sec: number): boolean {
    const u = this.until.peek(key);
    if (u !== undefined && sec < u) return false;
    this.until.set(key, sec + this.realertSec);
    return true;
  }

  /** True when `key` alerted and is still closed at `sec` (nothing is recorded). */
  closed(key: string, sec: number): boolean {
    const u = this.until.peek(key);
    return u !== undefined && sec < u;
  }

  get size(): number {
    return this.until.size;
  }
}

/**
 * Times of recent events in packet time, oldest first, kept for a sliding window: used for the
 * attempt counters of the brute-force detectors. Holds at most `capacity` times.
 */
export class EventWindow {
  private readonly times: number[] = [];

  constructor(private readonly capacity: number) {}

  /** Records an event at `sec` and returns how many lie within the last `windowSec`. */
  add(sec: number, windowSec: number): number {
    this.times.push(sec);
    if (this.times.length > this.capacity) this.times.shift();
    this.prune(sec, windowSec);
    return this.times.length;
  }

  prune(sec: number, windowSec: number): void {
    const from = sec - windowSec;
    let drop = 0;
    while (drop < this.times.length && this.times[drop]! <= from) drop++;
    if (drop > 0) this.times.splice(0, drop);
  }

  get count(): number {
    return this.times.length;
  }

  get first(): number | undefined {
    return this.times[0];
  }
}
