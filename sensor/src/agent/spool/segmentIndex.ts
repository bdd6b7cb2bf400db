/**
 * What the spool remembers of one segment file without holding its bytes: per record its seq,
 * offset, size and severity, in growable typed arrays (about 17 bytes a record, so a full 1 GB
 * spool of ~1 KB alerts costs ~20 MB of memory), and `start`, the first record not yet acknowledged.
 */
export class SegmentIndex {
  seqs = new Float64Array(64);
  offsets = new Uint32Array(64);
  sizes = new Uint32Array(64);
  severities = new Uint8Array(64);
  length = 0;
  /** Index of the first record not acknowledged. */
  start = 0;
  /** Bytes of the file (all records, acknowledged or not). */
  fileBytes = 0;

  constructor(
    readonly name: string,
    readonly path: string,
  ) {}

  push(seq: number, offset: number, size: number, severity: number): void {
    if (this.length === this.seqs.length) this.grow();
    this.seqs[this.length] = seq;
    this.offsets[this.length] = offset;
    this.sizes[this.length] = size;
    this.severities[this.length] = severity;
    this.length++;
    this.fileBytes = Math.max(this.fileBytes, offset + size);
  }

  private grow(): void {
    const n = this.seqs.length * 2;
    const seqs = new Float64Array(n);
    seqs.set(this.seqs);
    const offsets = new Uint32Array(n);
    offsets.set(this.offsets);
    const sizes = new Uint32Array(n);
    sizes.set(this.sizes);
    const severities = new Uint8Array(n);
    severities.set(this.severities);
    Object.assign(this, { seqs, offsets, sizes, severities });
  }

  get pending(): number {
    return this.length - this.start;
  }

  get lastSeq(): number {
    return this.length > 0 ? this.seqs[this.length - 1]! : 0;
  }

  pendingBytes(): number {
    let n = 0;
    for (let i = this.start; i < this.length; i++) n += this.sizes[i]!;
    return n;
  }

  /** Pending records of one severity. */
  pendingOfSeverity(severity: number): number {
    let n = 0;
    for (let i = this.start; i < this.length; i++) if (this.severities[i] === severity) n++;
    return n;
  }

  /** Moves `start` past every record with seq ≤ `seq`. */
  ackThrough(seq: number): void {
    while (this.start < this.length && this.seqs[this.start]! <= seq) this.start++;
  }
}

/**
 * Which records to drop when the spool is full (pure). Lowest priority first — severity 3, then 2,
 * then 1 — and within it the oldest segment holding such records. An incoming event of lower
 * priority than everything stored is itself the one dropped.
 */
export function chooseDrop(segments: readonly SegmentIndex[], incomingSeverity: number): { drop: 'incoming' } | { drop: 'segment'; segment: SegmentIndex; severity: number } {
  for (let severity = 3; severity >= 1; severity--) {
    if (incomingSeverity > severity) return { drop: 'incoming' };
    for (const segment of segments) {
      if (segment.pendingOfSeverity(severity) > 0) return { drop: 'segment', segment, severity };
    }
  }
  return { drop: 'incoming' };
}
