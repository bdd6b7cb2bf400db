/**
 * Feed text or bytes in, indicators out: picks the format (or takes the one given), then reads
 * line by line (line formats) or parses the JSON once (STIX, MISP, ThreatFox JSON). Pure — the
 * server validates operator-imported feeds with the same code; the sensor's loader streams files
 * through `createFeedReader`.
 */
import { IOC_MAX_LINE_BYTES, LineSplitter } from './feedLines.ts';
import type { IocEntry, IocLineError } from './iocValue.ts';
import { parseJsonFeed } from './jsonFeeds.ts';
import type { FeedContext, IocFormat, IocSink } from './lineFormats.ts';
import { createLineParser, DETECT_HEAD_BYTES, detectIocFormat, LINE_FORMATS } from './lineFormats.ts';

/** A JSON feed is parsed whole; past this it is refused rather than risk the sensor's memory. */
export const IOC_JSON_MAX_BYTES = 256 * 1024 * 1024;

export interface IocParseOptions {
  /** Force a format instead of detecting it. */
  format?: IocFormat;
  /** Feed name written on every entry; default: `source` without folders and extension. */
  feed?: string;
  /** Wall-clock ms: STIX indicators past `valid_until` are skipped. */
  now?: number;
  maxJsonBytes?: number;
}

export interface IocParseResult {
  format: IocFormat | undefined;
  entries: IocEntry[];
  errors: IocLineError[];
  /** Well-formed records the sensor does not match, by reason. */
  skipped: Record<string, number>;
}

export class IocFeedError extends Error {
  constructor(
    readonly source: string,
    readonly reason: string,
  ) {
    super(`${source}: ${reason}`);
    this.name = 'IocFeedError';
  }
}

function sizeText(bytes: number): string {
  return bytes >= 1048576 ? `${Math.round(bytes / 1048576)} MB` : `${bytes} bytes`;
}

/** `feeds/urlhaus.csv` → `urlhaus`. */
export function feedNameOf(source: string): string {
  const base = source.split(/[\\/]/).pop() ?? source;
  const dot = base.indexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

/**
 * Incremental reader of one feed: `push` bytes as they come, `end` once. Line formats stream;
 * JSON is collected (bounded by maxJsonBytes) and parsed at the end.
 */
export class FeedReader {
  private format: IocFormat | 'json' | undefined;
  private head: Buffer[] = [];
  private headBytes = 0;
  private splitter: LineSplitter | null = null;
  private json: Buffer[] | null = null;
  private jsonBytes = 0;
  private refused = false;
  private readonly ctx: FeedContext;
  private readonly maxJsonBytes: number;

  constructor(
    readonly source: string,
    private readonly sink: IocSink,
    private readonly options: IocParseOptions = {},
  ) {
    this.ctx = { feed: options.feed ?? feedNameOf(source), sink };
    this.format = options.format;
    this.maxJsonBytes = options.maxJsonBytes ?? IOC_JSON_MAX_BYTES;
  }

  /** The format used (known once enough bytes were seen, or at the end). */
  get detectedFormat(): IocFormat | undefined {
    return this.format === 'json' ? undefined : this.format;
  }

  push(chunk: Uint8Array): void {
    if (this.refused || chunk.length === 0) return;
    if (this.format === undefined) {
      this.head.push(Buffer.from(chunk));
      this.headBytes += chunk.length;
      if (this.headBytes < DETECT_HEAD_BYTES) return;
      this.decide();
      return;
    }
    this.route(chunk);
  }

  end(): void {
    if (this.refused) return;
    if (this.format === undefined) {
      this.decide();
    } else if (this.head.length > 0) {
      const head = this.head;
      this.head = [];
      for (const c of head) this.route(c);
    }
    if (this.splitter !== null) this.splitter.end();
    if (this.json !== null) this.parseJson();
  }

  private decide(): void {
    const head = Buffer.concat(this.head);
    this.head = [];
    this.format = detectIocFormat(head);
    this.route(head);
  }

  private route(chunk: Uint8Array): void {
    const f = this.format!;
    if (f === 'json' || !LINE_FORMATS.has(f)) {
      this.json ??= [];
      this.jsonBytes += chunk.length;
      if (this.jsonBytes > this.maxJsonBytes) {
        this.refused = true;
        this.json = null;
        this.sink.error(0, `JSON feed larger than ${sizeText(this.maxJsonBytes)}: refused (split it, or convert it to a line format)`);
        return;
      }
      this.json.push(Buffer.from(chunk));
      return;
    }
    if (this.splitter === null) {
      const parse = createLineParser(f, this.ctx);
      this.splitter = new LineSplitter(parse, (lineNo) => this.sink.error(lineNo, `line longer than ${IOC_MAX_LINE_BYTES} bytes`));
    }
    this.splitter.push(chunk);
  }

  private parseJson(): void {
    const text = Buffer.concat(this.json!).toString('utf8').replace(/^\uFEFF/, '');
    this.json = null;
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (e) {
      this.sink.error(0, `not valid JSON: ${(e as Error).message}`);
      return;
    }
    const forced = this.format === 'json' ? undefined : this.format;
    const f = parseJsonFeed(doc, this.ctx, forced, this.options.now);
    this.format = f ?? this.format;
  }
}

/** Parses a whole feed into `sink`; returns the format used. */
export function parseIocInto(input: string | Uint8Array, source: string, sink: IocSink, options: IocParseOptions = {}): IocFormat | undefined {
  const reader = new FeedReader(source, sink, options);
  // Bytes, not the string: every value is then decoded on its own and holds no line alive.
  reader.push(typeof input === 'string' ? Buffer.from(input, 'utf8') : input);
  reader.end();
  return reader.detectedFormat;
}

/** Parses a whole feed into a list (tests, bundles, the server's validation of imported feeds). */
export function parseIocText(text: string | Uint8Array, source: string, format?: IocFormat, options: Omit<IocParseOptions, 'format'> = {}): IocParseResult {
  const entries: IocEntry[] = [];
  const errors: IocLineError[] = [];
  const skipped: Record<string, number> = {};
  const sink: IocSink = {
    entry: (e) => entries.push(e),
    error: (line, reason) => errors.push({ file: source, line, reason }),
    skip: (reason) => {
      skipped[reason] = (skipped[reason] ?? 0) + 1;
    },
  };
  const f = parseIocInto(text, source, sink, format === undefined ? options : { ...options, format });
  return { format: f, entries, errors, skipped };
}
