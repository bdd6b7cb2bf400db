/**
 * The line-oriented feed formats: plain one-per-line lists (type auto-detected per line, or
 * `type value [threat=… malware=… tags=a,b confidence=N]`, the form the server's bundle carries),
 * hosts files, the abuse.ch CSVs (URLhaus, Feodo Tracker, ThreatFox, SSLBL JA3 and certificate
 * lists) read by their header, and the detection of which one a file is from its first bytes.
 */
import { csvFields, firstNonBlank, lineTokens } from './feedLines.ts';
import type { IocEntry, IocType } from './iocValue.ts';
import { detectIocValue, hashTypeOfLength, iocTypeOfName, normaliseIocValue, stripIpPort } from './iocValue.ts';

export type IocFormat =
  | 'plain'
  | 'feodo'
  | 'feodo-csv'
  | 'urlhaus-csv'
  | 'threatfox-csv'
  | 'threatfox-json'
  | 'sslbl-ja3-csv'
  | 'sslbl-cert-csv'
  | 'stix2'
  | 'misp-event'
  | 'misp-manifest';

export const IOC_FORMATS: readonly IocFormat[] = [
  'plain', 'feodo', 'feodo-csv', 'urlhaus-csv', 'threatfox-csv', 'threatfox-json', 'sslbl-ja3-csv', 'sslbl-cert-csv', 'stix2', 'misp-event', 'misp-manifest',
];

export const LINE_FORMATS: ReadonlySet<IocFormat> = new Set(['plain', 'feodo', 'feodo-csv', 'urlhaus-csv', 'threatfox-csv', 'sslbl-ja3-csv', 'sslbl-cert-csv']);

/** Where a parser puts what it reads. */
export interface IocSink {
  entry(e: IocEntry): void;
  /** A broken line: one clear reason. */
  error(line: number, reason: string): void;
  /** A well-formed record the sensor does not match (an e-mail address, a non-IDS MISP attribute). */
  skip(reason: string): void;
}

export interface FeedContext {
  feed: string;
  sink: IocSink;
}

export type LineParser = (buf: Buffer, start: number, end: number, lineNo: number) => void;

/** Bytes looked at to tell the format. */
export const DETECT_HEAD_BYTES = 64 * 1024;

function headerKey(text: string): string {
  return text.replace(/^#+/, '').replace(/["\s]/g, '').toLowerCase();
}

/** The format of a feed from its first bytes; 'json' when it is JSON (told apart once parsed). */
export function detectIocFormat(head: Uint8Array): IocFormat | 'json' {
  const text = Buffer.from(head.buffer, head.byteOffset, Math.min(head.byteLength, DETECT_HEAD_BYTES)).toString('utf8').replace(/^\uFEFF/, '');
  const first = text.trimStart()[0];
  if (first === '{' || first === '[') return 'json';
  let feodo = false;
  let dataLines = 0;
  for (const raw of text.split('\n', 400)) {
    const line = raw.trim();
    if (line === '') continue;
    const key = headerKey(line);
    if (key.startsWith('id,dateadded,url')) return 'urlhaus-csv';
    if (key.includes('ioc_value') && key.includes('ioc_type')) return 'threatfox-csv';
    if (key.startsWith('ja3_md5')) return 'sslbl-ja3-csv';
    if (/^(?:listingdate|firstseen|timestamp),sha1/.test(key)) return 'sslbl-cert-csv';
    if (/^(?:first_seen_utc|firstseen|first_seen),(?:dst_ip|dstip)/.test(key)) return 'feodo-csv';
    if (line.startsWith('#')) {
      if (/feodo\s*tracker/i.test(line)) feodo = true;
    } else if (++dataLines >= 5) break;
  }
  return feodo ? 'feodo' : 'plain';
}

function clean(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const t = v.trim();
  return t === '' || t === 'None' || t === 'null' || t === 'n/a' ? undefined : t;
}

function tagList(v: string | undefined): string[] | undefined {
  const t = clean(v);
  if (t === undefined) return undefined;
  const tags = t.split(',').map((s) => s.trim()).filter((s) => s !== '');
  return tags.length === 0 ? undefined : tags;
}

function confidenceOf(v: string | number | undefined): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isInteger(n) && n >= 0 && n <= 100 ? n : undefined;
}

export { clean as cleanFeedField, confidenceOf, tagList };

function makeEntry(feed: string, type: IocType, value: string, extra: Omit<IocEntry, 'type' | 'value' | 'feed'>): IocEntry {
  const e: IocEntry = { type, value, feed };
  if (extra.threat !== undefined) e.threat = extra.threat;
  if (extra.malware !== undefined) e.malware = extra.malware;
  if (extra.tags !== undefined) e.tags = extra.tags;
  if (extra.confidence !== undefined) e.confidence = extra.confidence;
  return e;
}

/** Emits `value` as `type` when it normalises, else an error for the line. */
export function emitTyped(ctx: FeedContext, line: number, type: IocType, value: string, extra: Omit<IocEntry, 'type' | 'value' | 'feed'>): void {
  const n = normaliseIocValue(type, value);
  if (!n.ok) ctx.sink.error(line, n.reason);
  else ctx.sink.entry(makeEntry(ctx.feed, type, n.value, extra));
}

// ---------------------------------------------------------------------------------------------
// plain lists

const HOSTS_SINKS = new Set(['0.0.0.0', '127.0.0.1', '::', '::1']);
const ATTRIBUTE_KEYS = new Set(['threat', 'malware', 'tags', 'confidence']);

function decodeAttr(v: string): string | undefined {
  try {
    return decodeURIComponent(v);
  } catch {
    return undefined;
  }
}

function parseAttributes(tokens: string[], from: number): Omit<IocEntry, 'type' | 'value' | 'feed'> | string {
  const out: Omit<IocEntry, 'type' | 'value' | 'feed'> = {};
  for (let i = from; i < tokens.length; i++) {
    const t = tokens[i]!;
    const eq = t.indexOf('=');
    const key = eq > 0 ? t.slice(0, eq).toLowerCase() : '';
    if (!ATTRIBUTE_KEYS.has(key)) return `unexpected "${t.slice(0, 60)}" after the value (expected threat=, malware=, tags= or confidence=)`;
    const raw = t.slice(eq + 1);
    if (key === 'tags') {
      const tags = raw.split(',').map(decodeAttr);
      if (tags.some((x) => x === undefined)) return `bad percent-encoding in "${t.slice(0, 60)}"`;
      const list = (tags as string[]).filter((x) => x !== '');
      if (list.length > 0) out.tags = list;
      continue;
    }
    const v = decodeAttr(raw);
    if (v === undefined) return `bad percent-encoding in "${t.slice(0, 60)}"`;
    if (key === 'confidence') {
      const c = confidenceOf(v);
      if (c === undefined) return `confidence must be an integer 0–100, not "${v}"`;
      out.confidence = c;
    } else if (v !== '') {
      if (key === 'threat') out.threat = v;
      else out.malware = v;
    }
  }
  return out;
}

function plainLineParser(ctx: FeedContext, defaults: Omit<IocEntry, 'type' | 'value' | 'feed'>): LineParser {
  return (buf, start, end, lineNo) => {
    const c = firstNonBlank(buf, start, end);
    if (c < 0 || c === 0x23 /* # */ || c === 0x3b /* ; */ || (c === 0x2f && buf[start + 1] === 0x2f)) return;
    // Most lines are one bare value: one decode, no split. Tokens of longer lines are decoded one
    // by one from the bytes, so the value the index keeps is not a slice holding the line alive.
    const text = buf.toString('utf8', start, end);
    let tokens = text.includes(' ') || text.includes('\t') ? lineTokens(buf, start, end) : [text];
    // Inline comments: `1.2.3.0/24 ; SBL123` (Spamhaus DROP), `evil.example # seen in phishing`.
    const cut = tokens.findIndex((t, i) => i > 0 && (t.startsWith('#') || t.startsWith(';')));
    if (cut > 0) tokens = tokens.slice(0, cut);
    if (tokens.length === 0) return;
    let first = tokens[0]!;
    // `type:value` prefixes (`ja3:…`, `md5:…`, `domain:…`) — but not URL schemes or IPv6.
    const colon = first.indexOf(':');
    if (tokens.length === 1 && colon > 0 && !first.includes('://')) {
      const named = iocTypeOfName(first.slice(0, colon));
      if (named !== undefined) {
        tokens = [first.slice(0, colon), first.slice(colon + 1)];
        first = tokens[0]!;
      }
    }
    const named = tokens.length >= 2 ? iocTypeOfName(first) : undefined;
    if (named !== undefined) {
      const attrs = parseAttributes(tokens, 2);
      if (typeof attrs === 'string') return ctx.sink.error(lineNo, attrs);
      const extra = { ...defaults, ...attrs };
      let value = tokens[1]!;
      let type: IocType;
      if (named === 'hash') {
        const t = hashTypeOfLength(value.length);
        if (t === undefined) return ctx.sink.error(lineNo, `"${value.slice(0, 80)}" is not an MD5, SHA-1 or SHA-256 (32, 40 or 64 hex digits)`);
        type = t;
      } else type = named;
      if (type === 'ip') value = stripIpPort(value);
      return emitTyped(ctx, lineNo, type, value, extra);
    }
    // hosts file: `0.0.0.0 evil.example`
    if (tokens.length >= 2 && HOSTS_SINKS.has(first)) {
      for (let i = 1; i < tokens.length; i++) emitTyped(ctx, lineNo, 'domain', tokens[i]!, defaults);
      return;
    }
    if (tokens.length === 1) {
      const d = detectIocValue(first);
      if ('reason' in d) return ctx.sink.error(lineNo, d.reason);
      return ctx.sink.entry(makeEntry(ctx.feed, d.type, d.value, defaults));
    }
    const attrs = parseAttributes(tokens, 1);
    if (typeof attrs === 'string') {
      const text = tokens.join(' ');
      return ctx.sink.error(lineNo, `"${text.length > 80 ? `${text.slice(0, 80)}…` : text}" is not an indicator line (one value, or "type value", per line)`);
    }
    const d = detectIocValue(first);
    if ('reason' in d) return ctx.sink.error(lineNo, d.reason);
    ctx.sink.entry(makeEntry(ctx.feed, d.type, d.value, { ...defaults, ...attrs }));
  };
}

// ---------------------------------------------------------------------------------------------
// CSVs read by their header

type Get = (name: string) => string | undefined;

interface CsvSpec {
  /** Column positions when the file carries no header. */
  defaults: Record<string, number>;
  /** A header row holds this column name. */
  headerName: string;
  row(get: Get, ctx: FeedContext, lineNo: number): void;
}

function csvParser(spec: CsvSpec, ctx: FeedContext): LineParser {
  let columns: Record<string, number> = spec.defaults;
  const readHeader = (fields: string[]): void => {
    const map: Record<string, number> = {};
    fields.forEach((f, i) => {
      map[f.trim().toLowerCase()] = i;
    });
    columns = map;
  };
  return (buf, start, end, lineNo) => {
    const c = firstNonBlank(buf, start, end);
    if (c < 0) return;
    if (c === 0x23 /* # */) {
      // `# "first_seen_utc","ioc_id",…` — the header is a comment in abuse.ch files.
      const text = buf.toString('utf8', start, end).replace(/^\s*#+\s*/, '');
      const b = Buffer.from(text);
      const fields = csvFields(b, 0, b.length);
      if (fields !== undefined && fields.some((f) => f.trim().toLowerCase() === spec.headerName)) readHeader(fields);
      return;
    }
    const fields = csvFields(buf, start, end);
    if (fields === undefined) return ctx.sink.error(lineNo, 'unterminated quoted field');
    if (fields.some((f) => f.trim().toLowerCase() === spec.headerName)) {
      readHeader(fields);
      return;
    }
    spec.row((name) => {
      const i = columns[name];
      return i === undefined ? undefined : clean(fields[i]);
    }, ctx, lineNo);
  };
}

const URLHAUS: CsvSpec = {
  defaults: { id: 0, dateadded: 1, url: 2, url_status: 3, last_online: 4, threat: 5, tags: 6, urlhaus_link: 7, reporter: 8 },
  headerName: 'dateadded',
  row(get, ctx, line) {
    const url = get('url');
    if (url === undefined) return ctx.sink.error(line, 'no url column');
    emitTyped(ctx, line, 'url', url, { threat: get('threat') ?? 'malware_download', tags: tagList(get('tags')) });
  },
};

const THREATFOX_TYPES: Record<string, IocType> = {
  'ip:port': 'ip', ip: 'ip', domain: 'domain', url: 'url', md5_hash: 'md5', sha1_hash: 'sha1', sha256_hash: 'sha256',
};

/** One ThreatFox IOC (CSV row or JSON object), by its `ioc_type`. */
export function emitThreatFox(
  ctx: FeedContext,
  line: number,
  f: { value?: string; type?: string; threat?: string; malware?: string; tags?: string[]; confidence?: number },
  where: string,
): void {
  if (f.value === undefined || f.type === undefined) return ctx.sink.error(line, `${where}no ioc_value or ioc_type`);
  const type = THREATFOX_TYPES[f.type.toLowerCase()];
  if (type === undefined) return ctx.sink.skip(`ThreatFox ioc_type ${f.type} is not matched by the sensor`);
  const value = type === 'ip' ? stripIpPort(f.value) : f.value;
  const n = normaliseIocValue(type, value);
  if (!n.ok) return ctx.sink.error(line, `${where}${n.reason}`);
  ctx.sink.entry(makeEntry(ctx.feed, type, n.value, { threat: f.threat, malware: f.malware, tags: f.tags, confidence: f.confidence }));
}

const THREATFOX_CSV: CsvSpec = {
  defaults: {
    first_seen_utc: 0, ioc_id: 1, ioc_value: 2, ioc_type: 3, threat_type: 4, fk_malware: 5, malware_alias: 6, malware_printable: 7,
    last_seen_utc: 8, confidence_level: 9, reference: 10, tags: 11, anonymous: 12, reporter: 13,
  },
  headerName: 'ioc_value',
  row(get, ctx, line) {
    emitThreatFox(ctx, line, {
      value: get('ioc_value'),
      type: get('ioc_type'),
      threat: get('threat_type'),
      malware: get('malware_printable') ?? get('fk_malware'),
      tags: tagList(get('tags')),
      confidence: confidenceOf(get('confidence_level')),
    }, '');
  },
};

/** Feodo Tracker and SSLBL botnet C2 IP lists (`first_seen_utc,dst_ip,dst_port,c2_status,last_online,malware`). */
const FEODO_CSV: CsvSpec = {
  defaults: { first_seen_utc: 0, dst_ip: 1, dst_port: 2, c2_status: 3, last_online: 4, malware: 5 },
  headerName: 'dst_ip',
  row(get, ctx, line) {
    const ip = get('dst_ip') ?? get('dstip');
    if (ip === undefined) return ctx.sink.error(line, 'no dst_ip column');
    emitTyped(ctx, line, 'ip', ip, { threat: 'botnet_cc', malware: get('malware') });
  },
};

const SSLBL_JA3: CsvSpec = {
  defaults: { ja3_md5: 0, firstseen: 1, lastseen: 2, listingreason: 3 },
  headerName: 'ja3_md5',
  row(get, ctx, line) {
    const ja3 = get('ja3_md5');
    if (ja3 === undefined) return ctx.sink.error(line, 'no ja3_md5 column');
    emitTyped(ctx, line, 'ja3', ja3, { malware: get('listingreason') });
  },
};

const SSLBL_CERT: CsvSpec = {
  defaults: { listingdate: 0, sha1: 1, listingreason: 2 },
  headerName: 'sha1',
  row(get, ctx, line) {
    const sha1 = get('sha1');
    if (sha1 === undefined) return ctx.sink.error(line, 'no SHA1 column');
    emitTyped(ctx, line, 'cert-sha1', sha1, { threat: get('listingreason') });
  },
};

/** The per-line parser of a line format. */
export function createLineParser(format: IocFormat, ctx: FeedContext): LineParser {
  switch (format) {
    case 'plain':
      return plainLineParser(ctx, {});
    case 'feodo':
      // The plain Feodo Tracker blocklist lists botnet C2 servers only.
      return plainLineParser(ctx, { threat: 'botnet_cc' });
    case 'feodo-csv':
      return csvParser(FEODO_CSV, ctx);
    case 'urlhaus-csv':
      return csvParser(URLHAUS, ctx);
    case 'threatfox-csv':
      return csvParser(THREATFOX_CSV, ctx);
    case 'sslbl-ja3-csv':
      return csvParser(SSLBL_JA3, ctx);
    case 'sslbl-cert-csv':
      return csvParser(SSLBL_CERT, ctx);
    default:
      throw new Error(`${format} is not a line format`);
  }
}

// ---------------------------------------------------------------------------------------------
// writer

function encodeAttr(v: string): string {
  return encodeURIComponent(v);
}

/** The plain `type value [threat=… malware=… tags=a,b confidence=N]` lines of `entries` (the
 *  bundle's format); parsing them back gives the same entries (feed aside: the bundle names it). */
export function formatPlainIocLines(entries: Iterable<IocEntry>): string {
  let out = '';
  for (const e of entries) {
    let line = `${e.type} ${e.value}`;
    if (e.threat !== undefined && e.threat !== '') line += ` threat=${encodeAttr(e.threat)}`;
    if (e.malware !== undefined && e.malware !== '') line += ` malware=${encodeAttr(e.malware)}`;
    if (e.tags !== undefined && e.tags.length > 0) line += ` tags=${e.tags.map(encodeAttr).join(',')}`;
    if (e.confidence !== undefined) line += ` confidence=${e.confidence}`;
    out += `${line}\n`;
  }
  return out;
}
