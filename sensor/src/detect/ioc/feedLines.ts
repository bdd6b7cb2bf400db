/**
 * Lines and CSV fields of a feed, read from bytes. Every field is decoded on its own from the
 * bytes (never sliced out of a line string), so what the index keeps holds no line or file alive;
 * lines longer than IOC_MAX_LINE_BYTES are refused whole, so a hostile feed cannot grow a buffer.
 * Chunks can be fed as they are read (the loader streams files); a line may span chunks.
 */

/** The longest feed line read; longer ones are one error each, skipped. */
export const IOC_MAX_LINE_BYTES = 4096;

export type LineHandler = (buf: Buffer, start: number, end: number, lineNo: number) => void;

const LF = 0x0a;
const CR = 0x0d;

export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export class LineSplitter {
  private carry: Buffer | null = null;
  private lineNo = 0;
  /** Inside a line already reported too long: bytes are dropped up to its end. */
  private skipping = false;
  private first = true;

  constructor(
    private readonly onLine: LineHandler,
    private readonly onTooLong: (lineNo: number) => void,
  ) {}

  push(chunk: Uint8Array): void {
    let buf = asBuffer(chunk);
    if (this.first && buf.length > 0) {
      this.first = false;
      if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3);
    }
    let pos = 0;
    if (this.carry !== null || this.skipping) {
      const nl = buf.indexOf(LF);
      if (nl < 0) {
        if (!this.skipping) this.grow(buf);
        return;
      }
      if (this.skipping) this.skipping = false;
      else {
        const carry = this.carry!;
        this.carry = null;
        if (carry.length + nl > IOC_MAX_LINE_BYTES) this.onTooLong(++this.lineNo);
        else {
          const line = Buffer.concat([carry, buf.subarray(0, nl)]);
          this.emit(line, 0, line.length);
        }
      }
      pos = nl + 1;
    }
    for (;;) {
      const nl = buf.indexOf(LF, pos);
      if (nl < 0) break;
      if (nl - pos > IOC_MAX_LINE_BYTES) this.onTooLong(++this.lineNo);
      else this.emit(buf, pos, nl);
      pos = nl + 1;
    }
    if (pos < buf.length) this.grow(buf.subarray(pos));
  }

  /** End of input: the last line without a newline. */
  end(): void {
    if (this.skipping) {
      this.skipping = false;
      return;
    }
    if (this.carry !== null) {
      const c = this.carry;
      this.carry = null;
      this.emit(c, 0, c.length);
    }
  }

  private grow(part: Buffer): void {
    const len = (this.carry?.length ?? 0) + part.length;
    if (len > IOC_MAX_LINE_BYTES) {
      this.carry = null;
      this.skipping = true;
      this.onTooLong(++this.lineNo);
      return;
    }
    // Copied: the caller may reuse its read buffer.
    this.carry = this.carry === null ? Buffer.from(part) : Buffer.concat([this.carry, part]);
  }

  private emit(buf: Buffer, start: number, end: number): void {
    this.lineNo++;
    if (end > start && buf[end - 1] === CR) end--;
    this.onLine(buf, start, end, this.lineNo);
  }
}

const COMMA = 0x2c;
const QUOTE = 0x22;
const SPACE = 0x20;
const TAB = 0x09;

function isBlank(c: number | undefined): boolean {
  return c === SPACE || c === TAB;
}

/**
 * The fields of one CSV line (RFC 4180 quoting, blanks around fields ignored — abuse.ch writes
 * `"a", "b"`); undefined when a quote is never closed. No multi-line fields: feeds have none.
 */
export function csvFields(buf: Buffer, start: number, end: number, separator = COMMA): string[] | undefined {
  const out: string[] = [];
  let i = start;
  for (;;) {
    while (i < end && isBlank(buf[i])) i++;
    if (i < end && buf[i] === QUOTE) {
      const from = i + 1;
      let j = from;
      let escaped = false;
      for (;;) {
        const q = buf.indexOf(QUOTE, j);
        if (q < 0 || q >= end) return undefined;
        if (buf[q + 1] === QUOTE && q + 1 < end) {
          escaped = true;
          j = q + 2;
          continue;
        }
        j = q;
        break;
      }
      const text = buf.toString('utf8', from, j);
      out.push(escaped ? text.replaceAll('""', '"') : text);
      i = j + 1;
      while (i < end && isBlank(buf[i])) i++;
      // Text after a closing quote: the quoting is broken.
      if (i < end && buf[i] !== separator) return undefined;
    } else {
      let j = i;
      while (j < end && buf[j] !== separator) j++;
      let k = j;
      while (k > i && isBlank(buf[k - 1])) k--;
      out.push(buf.toString('utf8', i, k));
      i = j;
    }
    if (i >= end) break;
    i++; // separator
    if (i === end) {
      out.push('');
      break;
    }
  }
  return out;
}

/** Whitespace-separated tokens of a line, each decoded from the bytes. */
export function lineTokens(buf: Buffer, start: number, end: number): string[] {
  const out: string[] = [];
  let i = start;
  while (i < end) {
    while (i < end && (isBlank(buf[i]) || buf[i] === CR)) i++;
    if (i >= end) break;
    let j = i;
    while (j < end && !isBlank(buf[j])) j++;
    out.push(buf.toString('utf8', i, j));
    i = j;
  }
  return out;
}

/** First byte that is not blank, or -1 for an empty line. */
export function firstNonBlank(buf: Buffer, start: number, end: number): number {
  for (let i = start; i < end; i++) if (!isBlank(buf[i])) return buf[i]!;
  return -1;
}
