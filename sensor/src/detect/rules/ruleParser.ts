/**
 * Parses one line of the Suricata rule language into a compiled Rule. Keywords live in one table
 * (KEYWORDS): each validates its argument and writes into the rule being built. Anything outside
 * the supported subset throws RuleSkip with a stable reason, so the loader counts it and goes on.
 */
import { AddressGroup, PortGroup } from './ruleAddress.ts';
import type { RuleVars } from './ruleAddress.ts';
import type {
  BufferInspection,
  BufferName,
  ByteEndian,
  ByteNumberSpec,
  ContentOp,
  FlowCheck,
  MatchOp,
  NumberTest,
  PacketCheck,
  Rule,
  RuleProto,
  RuleValue,
  ThresholdSpec,
  Transform,
} from './ruleModel.ts';
import { BUFFER_SOURCE, PACKET_HEADER_BUFFERS, QUIC_BUFFERS } from './ruleModel.ts';
import { DatasetRegistry, parseDatarep, parseDataset } from './ruleDatasets.ts';
import type { DatasetContext } from './ruleDatasets.ts';
import { compilePcre } from './rulePcre.ts';
import { RuleSkip } from './ruleSkip.ts';

/** Content longer than this is refused: no legitimate signature needs it, and it bounds memory. */
const MAX_CONTENT_BYTES = 4096;

const PROTOCOLS: Readonly<Record<string, RuleProto>> = {
  ip: 'ip', tcp: 'tcp', 'tcp-pkt': 'tcp', 'tcp-stream': 'tcp', udp: 'udp', icmp: 'icmp', icmpv4: 'icmp', icmpv6: 'icmp',
  http: 'http', http1: 'http', dns: 'dns', tls: 'tls', ssh: 'ssh', smtp: 'smtp', ftp: 'ftp', quic: 'quic', pkthdr: 'pkthdr',
};

/** Sticky buffer keywords (current and legacy names) → buffer. */
const STICKY: Readonly<Record<string, BufferName>> = {
  'http.uri': 'http.uri', http_uri_sticky: 'http.uri',
  'http.uri.raw': 'http.uri.raw',
  'http.method': 'http.method',
  'http.host': 'http.host', 'http.host.raw': 'http.host.raw',
  'http.user_agent': 'http.user_agent',
  'http.header': 'http.header', 'http.header.raw': 'http.header.raw', 'http.header_names': 'http.header_names',
  'http.cookie': 'http.cookie',
  'http.request_body': 'http.request_body', 'http.response_body': 'http.response_body', 'http.server_body': 'http.response_body', 'http.client_body': 'http.request_body',
  'http.stat_code': 'http.stat_code', 'http.stat_msg': 'http.stat_msg',
  'http.content_type': 'http.content_type', 'http.content_len': 'http.content_len',
  'http.start': 'http.start', http_start: 'http.start',
  'http.request_line': 'http.request_line', http_request_line: 'http.request_line',
  'http.response_line': 'http.response_line', http_response_line: 'http.response_line',
  'http.protocol': 'http.protocol',
  'http.referer': 'http.referer', 'http.location': 'http.location', 'http.server': 'http.server',
  'http.accept': 'http.accept', 'http.accept_enc': 'http.accept_enc', 'http.accept_lang': 'http.accept_lang',
  'http.connection': 'http.connection',
  'http.request_header': 'http.request_header', 'http.response_header': 'http.response_header',
  'file.data': 'file.data', file_data: 'file.data', 'http.response_body.sticky': 'http.response_body',
  'dns.query': 'dns.query', dns_query: 'dns.query',
  'dns.query.name': 'dns.query.name', 'dns.queries.rrname': 'dns.queries.rrname',
  'dns.answer.name': 'dns.answer.name', 'dns.answers.rrname': 'dns.answers.rrname',
  'dns.authorities.rrname': 'dns.authorities.rrname', 'dns.additionals.rrname': 'dns.additionals.rrname',
  'dns.response.rrname': 'dns.response.rrname',
  'ipv4.hdr': 'ipv4.hdr', 'ipv6.hdr': 'ipv6.hdr', 'tcp.hdr': 'tcp.hdr', 'udp.hdr': 'udp.hdr',
  'tls.sni': 'tls.sni', tls_sni: 'tls.sni',
  'tls.cert_subject': 'tls.cert_subject', tls_cert_subject: 'tls.cert_subject',
  'tls.cert_issuer': 'tls.cert_issuer', tls_cert_issuer: 'tls.cert_issuer',
  'tls.cert_serial': 'tls.cert_serial', tls_cert_serial: 'tls.cert_serial',
  'tls.cert_fingerprint': 'tls.cert_fingerprint', tls_cert_fingerprint: 'tls.cert_fingerprint',
  'tls.subjectaltname': 'tls.subjectaltname', 'tls.alpn': 'tls.alpn', 'tls.certs': 'tls.certs',
  'ja3.hash': 'ja3.hash', ja3_hash: 'ja3.hash', 'ja3.string': 'ja3.string', ja3_string: 'ja3.string',
  'ja3s.hash': 'ja3s.hash', ja3s_hash: 'ja3s.hash', 'ja3s.string': 'ja3s.string', ja3s_string: 'ja3s.string',
  'ja4.hash': 'ja4.hash',
  'ssh.proto': 'ssh.proto', ssh_proto: 'ssh.proto', 'ssh.protoversion': 'ssh.proto',
  'ssh.software': 'ssh.software', ssh_software: 'ssh.software', 'ssh.softwareversion': 'ssh.software',
};

/** Legacy content modifiers: move the previous content into a buffer. */
const MODIFIERS: Readonly<Record<string, BufferName>> = {
  http_uri: 'http.uri', http_raw_uri: 'http.uri.raw', http_method: 'http.method', http_host: 'http.host', http_raw_host: 'http.host.raw',
  http_user_agent: 'http.user_agent', http_header: 'http.header', http_raw_header: 'http.header.raw', http_cookie: 'http.cookie',
  http_client_body: 'http.request_body', http_server_body: 'http.response_body', http_stat_code: 'http.stat_code', http_stat_msg: 'http.stat_msg',
  http_content_type: 'http.content_type', http_header_names: 'http.header_names', http_protocol: 'http.protocol', http_referer: 'http.referer',
  http_accept: 'http.accept', http_accept_enc: 'http.accept_enc', http_accept_lang: 'http.accept_lang', http_connection: 'http.connection',
  http_content_len: 'http.content_len', http_location: 'http.location', http_server: 'http.server', http_request_line: 'http.request_line',
};

/** Options accepted and ignored: they describe the rule or tune Suricata internals. */
const IGNORED = new Set(['reference', 'rawbytes', 'tag', 'tls.store', 'filestore', 'prefilter', 'http_request_line_noop', 'fast_pattern:only']);

/** Keywords Suricata has that this engine does not evaluate: the rule is skipped with this name. */
export const UNSUPPORTED_HINT = 'rule skipped: keyword not supported by the Otasuke rule engine';

export interface ParseContext {
  vars: RuleVars;
  /** Reads a file named by a rule (filemd5 lists), relative to the rule file; undefined: not available. */
  readListFile?: (name: string) => string | undefined;
  file: string;
  line: number;
  /** Parsed address/port groups by text: ET Open repeats a few ($HOME_NET) tens of thousands of times. */
  groupCache?: Map<string, AddressGroup | PortGroup>;
  /** The datasets (`dataset:`, `datarep:`) the rules of one load share; created on first use. */
  datasets?: DatasetRegistry;
}

function datasetContext(ctx: ParseContext): DatasetContext {
  ctx.datasets ??= new DatasetRegistry();
  return { datasets: ctx.datasets, readFile: (name) => ctx.readListFile?.(name) };
}

/** `dataset:` / `datarep:` test the current sticky buffer (Suricata refuses them without one). */
function datasetKeyword(b: Builder, v: string, ctx: ParseContext, keyword: 'dataset' | 'datarep'): void {
  if (b.current === 'payload') throw new RuleSkip(`${keyword} without sticky buffer`, `${keyword} needs a sticky buffer before it`);
  addOp(b, keyword === 'dataset' ? parseDataset(v, datasetContext(ctx)) : parseDatarep(v, datasetContext(ctx)));
}

function addressGroup(text: string, ctx: ParseContext): AddressGroup {
  const key = `a${text}`;
  const hit = ctx.groupCache?.get(key);
  if (hit !== undefined) return hit as AddressGroup;
  const g = AddressGroup.parse(text, ctx.vars);
  ctx.groupCache?.set(key, g);
  return g;
}

function portGroup(text: string, ctx: ParseContext): PortGroup {
  const key = `p${text}`;
  const hit = ctx.groupCache?.get(key);
  if (hit !== undefined) return hit as PortGroup;
  const g = PortGroup.parse(text, ctx.vars);
  ctx.groupCache?.set(key, g);
  return g;
}

interface Builder {
  rule: Rule;
  current: BufferName;
  transforms: Map<BufferName, Transform[]>;
  /** Ops in rule order with their buffer. */
  ops: { buffer: BufferName; op: MatchOp }[];
  lastContent: { buffer: BufferName; op: ContentOp; index: number } | undefined;
  lastOpIndex: number;
  extracted: Set<string>;
  flowbitsNoalert: boolean;
}

/** Splits `msg:"a;b"; content:"x\;y";` at unquoted, unescaped semicolons. */
export function splitOptions(body: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === '\\' && i + 1 < body.length) {
      cur += c + body[i + 1]!;
      i++;
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === ';' && !quoted) {
      if (cur.trim() !== '') out.push(cur.trim());
      cur = '';
      continue;
    }
    cur += c;
  }
  if (quoted) throw new RuleSkip('syntax', 'unterminated quoted string');
  if (cur.trim() !== '') out.push(cur.trim());
  return out;
}

function unquote(v: string): string {
  const t = v.trim();
  if (t.length >= 2 && t.startsWith('"') && t.endsWith('"')) return t.slice(1, -1);
  return t;
}

/** `"abc|41 42|d\"e"` → bytes. */
export function parseContentBytes(text: string): Uint8Array {
  const out: number[] = [];
  let hex = false;
  let pendingNibble = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (hex) {
      if (c === '|') {
        if (pendingNibble >= 0) throw new RuleSkip('content: bad hex', `odd number of hex digits in "${text}"`);
        hex = false;
        continue;
      }
      if (c === ' ' || c === '\t') continue;
      const v = parseInt(c, 16);
      if (Number.isNaN(v)) throw new RuleSkip('content: bad hex', `"${c}" is not a hex digit in "${text}"`);
      if (pendingNibble < 0) pendingNibble = v;
      else {
        out.push((pendingNibble << 4) | v);
        pendingNibble = -1;
      }
      continue;
    }
    if (c === '|') {
      hex = true;
      continue;
    }
    if (c === '\\' && i + 1 < text.length) {
      i++;
      out.push(text.charCodeAt(i) & 0xff);
      continue;
    }
    const code = text.charCodeAt(i);
    if (code > 0x7f) {
      for (const b of Buffer.from(c, 'utf8')) out.push(b);
    } else out.push(code);
  }
  if (hex) throw new RuleSkip('content: bad hex', `unterminated |hex| in "${text}"`);
  if (out.length === 0) throw new RuleSkip('content: empty', 'empty content');
  if (out.length > MAX_CONTENT_BYTES) throw new RuleSkip('content: too long', `content longer than ${MAX_CONTENT_BYTES} bytes`);
  return Uint8Array.from(out);
}

export function lowerBytes(b: Uint8Array): Uint8Array {
  const out = new Uint8Array(b.length);
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    out[i] = c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
  }
  return out;
}

function parseInteger(text: string, what: string): number {
  const t = text.trim();
  let n: number;
  if (/^-?0x[0-9a-f]+$/i.test(t)) n = t.startsWith('-') ? -parseInt(t.slice(3), 16) : parseInt(t.slice(2), 16);
  else if (/^[-+]?\d+$/.test(t)) n = Number(t);
  else throw new RuleSkip(`${what}: bad number`, `${what}: "${text}" is not a number`);
  return n;
}

function value(text: string, b: Builder, what: string): RuleValue {
  const t = text.trim();
  if (/^[A-Za-z_][\w-]*$/.test(t)) {
    if (!b.extracted.has(t)) throw new RuleSkip(`${what}: unknown variable`, `${what}: "${t}" was not set by byte_extract`);
    return t;
  }
  return parseInteger(t, what);
}

/** Parses `N`, `<N`, `>N`, `<=N`, `>=N`, `!N`, `A<>B`, `A-B`. */
export function parseNumberTest(text: string, what: string): NumberTest {
  const t = text.replace(/\s+/g, '');
  let m = /^(\d+|0x[0-9a-f]+)<>(\d+|0x[0-9a-f]+)$/i.exec(t);
  if (m !== null) return { op: '<>', a: parseInteger(m[1]!, what), b: parseInteger(m[2]!, what) };
  m = /^(\d+)-(\d+)$/.exec(t);
  if (m !== null) return { op: '<>', a: Number(m[1]) - 1, b: Number(m[2]) + 1 };
  m = /^(<=|>=|<|>|!|=)?(\d+|0x[0-9a-f]+)$/i.exec(t);
  if (m === null) throw new RuleSkip(`${what}: bad value`, `${what}: "${text}" is not N, <N, >N, !N or A<>B`);
  const ops: Record<string, NumberTest['op']> = { '<': '<', '>': '>', '<=': '<=', '>=': '>=', '!': '!=', '=': '=', '': '=' };
  return { op: ops[m[1] ?? '']!, a: parseInteger(m[2]!, what), b: 0 };
}

export function testNumber(t: NumberTest, v: number): boolean {
  switch (t.op) {
    case '=':
      return v === t.a;
    case '<':
      return v < t.a;
    case '>':
      return v > t.a;
    case '<=':
      return v <= t.a;
    case '>=':
      return v >= t.a;
    case '!=':
      return v !== t.a;
    case '<>':
      return v > t.a && v < t.b;
    case '!<>':
      return v <= t.a || v >= t.b;
  }
}

/**
 * Suricata's unsigned integer syntax (detect_parse_uint): `N`, `=N`, `!N`, `!=N`, `<N`, `<=N`, `>N`,
 * `>=N`, `A-B` and `A<>B` (exclusive ranges), `!A-B` (outside it); decimal or 0x hex; `max` bounds it.
 */
export function parseUintTest(text: string, what: string, max: number): NumberTest {
  const t = text.replace(/\s+/g, '');
  const num = (x: string): number => {
    const n = parseInteger(x, what);
    if (n < 0 || n > max) throw new RuleSkip(`${what}: out of range`, `${what}: ${x} is outside 0–${max}`);
    return n;
  };
  const NUM = '(\\d+|0x[0-9a-f]+)';
  let m = new RegExp(`^(!)?${NUM}(?:-|<>)${NUM}$`, 'i').exec(t);
  if (m !== null) {
    const a = num(m[2]!);
    const b = num(m[3]!);
    if (a >= b) throw new RuleSkip(`${what}: bad range`, `${what}: range ${a}-${b} is empty`);
    return { op: m[1] === '!' ? '!<>' : '<>', a, b };
  }
  m = new RegExp(`^(<=|>=|!=|<|>|!|=)?${NUM}$`, 'i').exec(t);
  if (m === null) throw new RuleSkip(`${what}: bad value`, `${what}: "${text}" is not N, <N, >N, !N or A-B`);
  const ops: Record<string, NumberTest['op']> = { '<': '<', '>': '>', '<=': '<=', '>=': '>=', '!': '!=', '!=': '!=', '=': '=', '': '=' };
  return { op: ops[m[1] ?? '']!, a: num(m[2]!), b: 0 };
}

/** Suricata keeps at most three VLAN layers (VLAN_MAX_LAYERS): indexes -3…2. */
const VLAN_MAX_LAYERS = 3;

/** `vlan.id:[op]id[,layer]`, layer 0…2, -3…-1, `any` (the default) or `all`. */
function parseVlanId(v: string): PacketCheck {
  const [idText, layerText, extra] = v.split(',').map((s) => s.trim());
  if (idText === undefined || idText === '' || extra !== undefined) throw new RuleSkip('vlan.id: bad value', `vlan.id "${v}"`);
  const test = parseUintTest(idText, 'vlan.id', 4095);
  let layer: number | 'any' | 'all' = 'any';
  if (layerText === 'all' || layerText === 'any') layer = layerText;
  else if (layerText !== undefined) {
    if (!/^-?\d+$/.test(layerText)) throw new RuleSkip('vlan.id: bad layer', `vlan.id layer "${layerText}"`);
    layer = Number(layerText);
    if (layer < -VLAN_MAX_LAYERS || layer >= VLAN_MAX_LAYERS) throw new RuleSkip('vlan.id: bad layer', `vlan.id layer ${layer} is outside -3…2`);
  }
  return { kind: 'vlan_id', test, layer };
}

/** Whether the packet's VLAN ids (outermost first) satisfy a vlan.id check. */
export function vlanIdMatches(check: { test: NumberTest; layer: number | 'any' | 'all' }, vlans: readonly number[]): boolean {
  const n = Math.min(vlans.length, VLAN_MAX_LAYERS);
  if (n === 0) return false;
  const { test, layer } = check;
  if (layer === 'any') {
    for (let i = 0; i < n; i++) if (testNumber(test, vlans[i]!)) return true;
    return false;
  }
  if (layer === 'all') {
    for (let i = 0; i < n; i++) if (!testNumber(test, vlans[i]!)) return false;
    return true;
  }
  const index = layer < 0 ? n + layer : layer;
  return index >= 0 && index < n && testNumber(test, vlans[index]!);
}

function lastContent(b: Builder, kw: string): ContentOp {
  if (b.lastContent === undefined) throw new RuleSkip(`${kw} without content`, `${kw} needs a preceding content`);
  return b.lastContent.op;
}

function addOp(b: Builder, op: MatchOp, buffer: BufferName = b.current): void {
  b.ops.push({ buffer, op });
  b.lastOpIndex = b.ops.length - 1;
  if (op.kind === 'content') b.lastContent = { buffer, op, index: b.ops.length - 1 };
}

function splitArgs(v: string): string[] {
  return v.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

function byteSpec(args: string[], start: number, b: Builder, what: string): { spec: Omit<ByteNumberSpec, 'bytes' | 'offset'>; rest: string[] } {
  let endian: ByteEndian = 'big';
  let relative = false;
  let stringBase: number | undefined;
  let bitmask: number | undefined;
  const rest: string[] = [];
  for (let i = start; i < args.length; i++) {
    const a = args[i]!;
    if (a === 'relative') relative = true;
    else if (a === 'big') endian = 'big';
    else if (a === 'little') endian = 'little';
    else if (a === 'string') stringBase = stringBase ?? 10;
    else if (a === 'hex') stringBase = 16;
    else if (a === 'dec') stringBase = 10;
    else if (a === 'oct') stringBase = 8;
    else if (a === 'dce') endian = 'little';
    else if (a.startsWith('bitmask')) bitmask = parseInteger(a.slice(7), what);
    else rest.push(a);
  }
  void b;
  const spec: Omit<ByteNumberSpec, 'bytes' | 'offset'> = { endian, relative };
  if (stringBase !== undefined) spec.stringBase = stringBase;
  if (bitmask !== undefined) spec.bitmask = bitmask;
  return { spec, rest };
}

function byteCount(text: string, what: string, stringOk: boolean): number {
  const n = parseInteger(text, what);
  if (n < 1 || n > (stringOk ? 10 : 8)) throw new RuleSkip(`${what}: bad byte count`, `${what}: ${n} bytes is outside 1–${stringOk ? 10 : 8}`);
  return n;
}

function parseThreshold(v: string, detectionFilter: boolean): ThresholdSpec {
  const spec: Partial<ThresholdSpec> = detectionFilter ? { type: 'detection_filter' } : {};
  for (const part of splitArgs(v)) {
    const [k, val] = part.split(/\s+/, 2) as [string, string | undefined];
    if (val === undefined) throw new RuleSkip('threshold: bad option', `threshold: "${part}" has no value`);
    if (k === 'type') {
      if (val !== 'limit' && val !== 'threshold' && val !== 'both') throw new RuleSkip('threshold: bad type', `threshold type "${val}"`);
      spec.type = val;
    } else if (k === 'track') {
      if (!['by_src', 'by_dst', 'by_rule', 'by_both', 'by_flow'].includes(val)) throw new RuleSkip('threshold: bad track', `threshold track "${val}"`);
      spec.track = val as ThresholdSpec['track'];
    } else if (k === 'count') spec.count = parseInteger(val, 'threshold');
    else if (k === 'seconds') spec.seconds = parseInteger(val, 'threshold');
    else if (k === 'unique_on') throw new RuleSkip('detection_filter: unique_on', 'detection_filter unique_on is not supported');
    else throw new RuleSkip('threshold: bad option', `threshold option "${k}"`);
  }
  if (spec.type === undefined || spec.track === undefined || spec.count === undefined || spec.seconds === undefined) {
    throw new RuleSkip('threshold: incomplete', 'threshold needs type, track, count and seconds');
  }
  return spec as ThresholdSpec;
}

const SSL_VERSIONS: Readonly<Record<string, number>> = { sslv2: 0x0200, sslv3: 0x0300, 'tls1.0': 0x0301, 'tls1.1': 0x0302, 'tls1.2': 0x0303, 'tls1.3': 0x0304 };

type KeywordSetup = (b: Builder, value: string, ctx: ParseContext) => void;

function contentKeyword(b: Builder, v: string): void {
  let t = v.trim();
  let negated = false;
  if (t.startsWith('!')) {
    negated = true;
    t = t.slice(1).trim();
  }
  if (!(t.startsWith('"') && t.endsWith('"') && t.length >= 2)) throw new RuleSkip('content: not quoted', `content must be quoted: ${v}`);
  const bytes = parseContentBytes(t.slice(1, -1));
  addOp(b, { kind: 'content', bytes, lower: lowerBytes(bytes), nocase: false, negated, startswith: false, endswith: false, fastPattern: false });
}

function modifier(name: string, fn: (c: ContentOp, v: string, b: Builder) => void): KeywordSetup {
  return (b, v) => fn(lastContent(b, name), v, b);
}

function parseFlow(v: string): FlowCheck {
  const f: FlowCheck = { toServer: false, toClient: false, established: false, notEstablished: false, stateless: false, onlyStream: false, noStream: false };
  for (const a of splitArgs(v)) {
    switch (a) {
      case 'to_server':
      case 'from_client':
        f.toServer = true;
        break;
      case 'to_client':
      case 'from_server':
        f.toClient = true;
        break;
      case 'established':
        f.established = true;
        break;
      case 'not_established':
        f.notEstablished = true;
        break;
      case 'stateless':
        f.stateless = true;
        break;
      case 'only_stream':
        f.onlyStream = true;
        break;
      case 'no_stream':
        f.noStream = true;
        break;
      case 'no_frag':
      case 'only_frag':
        break;
      default:
        throw new RuleSkip(`flow: unsupported option ${a}`, `flow option "${a}"`);
    }
  }
  if (f.toServer && f.toClient) throw new RuleSkip('flow: conflicting directions', 'flow: to_server and to_client together');
  return f;
}

const TCP_FLAG_CHARS: Readonly<Record<string, number>> = { F: 0x01, S: 0x02, R: 0x04, P: 0x08, A: 0x10, U: 0x20, E: 0x40, C: 0x80, '1': 0x80, '2': 0x40, '0': 0 };

function parseFlags(v: string): { mode: 'exact' | 'plus' | 'any' | 'not'; flags: number; ignore: number } {
  const [main, ignoreText] = v.split(',').map((s) => s.trim()) as [string, string | undefined];
  let mode: 'exact' | 'plus' | 'any' | 'not' = 'exact';
  let flags = 0;
  for (const c of main) {
    if (c === '+') mode = 'plus';
    else if (c === '*') mode = 'any';
    else if (c === '!') mode = 'not';
    else {
      const bit = TCP_FLAG_CHARS[c.toUpperCase()];
      if (bit === undefined) throw new RuleSkip('flags: bad flag', `flags: "${c}"`);
      flags |= bit;
    }
  }
  let ignore = 0;
  for (const c of ignoreText ?? '') {
    const bit = TCP_FLAG_CHARS[c.toUpperCase()];
    if (bit === undefined) throw new RuleSkip('flags: bad flag', `flags mask: "${c}"`);
    ignore |= bit;
  }
  return { mode, flags, ignore };
}

function protoNumber(text: string): number {
  const names: Record<string, number> = { icmp: 1, igmp: 2, tcp: 6, udp: 17, gre: 47, esp: 50, ah: 51, 'ipv6-icmp': 58, icmpv6: 58, sctp: 132, pim: 103 };
  return names[text.toLowerCase()] ?? parseInteger(text, 'ip_proto');
}

function setTransform(b: Builder, t: Transform): void {
  const list = b.transforms.get(b.current) ?? [];
  list.push(t);
  b.transforms.set(b.current, list);
}

const KEYWORDS: Readonly<Record<string, KeywordSetup>> = {
  msg: (b, v) => {
    b.rule.msg = unquote(v).replace(/\\(.)/g, '$1');
  },
  sid: (b, v) => {
    b.rule.sid = parseInteger(v, 'sid');
  },
  rev: (b, v) => {
    b.rule.rev = parseInteger(v, 'rev');
  },
  gid: (b, v) => {
    b.rule.gid = parseInteger(v, 'gid');
  },
  classtype: (b, v) => {
    b.rule.classtype = v.trim();
  },
  priority: (b, v) => {
    b.rule.priority = parseInteger(v, 'priority');
  },
  target: (b, v) => {
    const t = v.trim();
    if (t !== 'src_ip' && t !== 'dest_ip') throw new RuleSkip('target: bad value', `target "${t}"`);
    b.rule.target = t;
  },
  metadata: (b, v) => {
    for (const item of splitArgs(v)) {
      const sp = item.indexOf(' ');
      const key = sp < 0 ? item : item.slice(0, sp);
      const val = sp < 0 ? '' : item.slice(sp + 1).trim();
      (b.rule.metadata[key] ??= []).push(val);
    }
  },
  content: contentKeyword,
  uricontent: (b, v) => {
    contentKeyword(b, v);
    b.ops[b.ops.length - 1]!.buffer = 'http.uri';
    b.lastContent!.buffer = 'http.uri';
  },
  nocase: modifier('nocase', (c) => {
    c.nocase = true;
  }),
  offset: modifier('offset', (c, v, b) => {
    c.offset = value(v, b, 'offset');
  }),
  depth: modifier('depth', (c, v, b) => {
    c.depth = value(v, b, 'depth');
  }),
  distance: modifier('distance', (c, v, b) => {
    c.distance = value(v, b, 'distance');
  }),
  within: modifier('within', (c, v, b) => {
    c.within = value(v, b, 'within');
  }),
  startswith: modifier('startswith', (c) => {
    c.startswith = true;
  }),
  endswith: modifier('endswith', (c) => {
    c.endswith = true;
  }),
  fast_pattern: modifier('fast_pattern', (c) => {
    c.fastPattern = true;
  }),
  isdataat: (b, v) => {
    const args = splitArgs(v);
    let at = args[0] ?? '';
    let negated = false;
    if (at.startsWith('!')) {
      negated = true;
      at = at.slice(1);
    }
    addOp(b, { kind: 'isdataat', at: value(at, b, 'isdataat'), relative: args.includes('relative'), negated });
  },
  pcre: (b, v) => {
    const { op, buffer } = compilePcre(v);
    if (op.captures !== undefined) b.rule.captures = true;
    addOp(b, op, buffer ?? b.current);
  },
  byte_test: (b, v) => {
    const args = splitArgs(v);
    if (args.length < 4) throw new RuleSkip('byte_test: too few arguments', `byte_test:${v}`);
    const bytes = byteCount(args[0]!, 'byte_test', true);
    let opText = args[1]!;
    let negated = false;
    if (opText.startsWith('!') && opText !== '!=') {
      negated = true;
      opText = opText.slice(1);
    }
    if (!['<', '>', '=', '!=', '<=', '>=', '&', '^'].includes(opText)) throw new RuleSkip('byte_test: bad operator', `byte_test operator "${opText}"`);
    const { spec, rest } = byteSpec(args, 4, b, 'byte_test');
    if (rest.length > 0) throw new RuleSkip('byte_test: unsupported option', `byte_test option "${rest[0]}"`);
    addOp(b, { kind: 'byte_test', bytes, op: opText as '=', negated, value: value(args[2]!, b, 'byte_test'), offset: value(args[3]!, b, 'byte_test'), ...spec });
  },
  byte_jump: (b, v) => {
    const args = splitArgs(v);
    if (args.length < 2) throw new RuleSkip('byte_jump: too few arguments', `byte_jump:${v}`);
    const bytes = byteCount(args[0]!, 'byte_jump', true);
    const { spec, rest } = byteSpec(args, 2, b, 'byte_jump');
    let multiplier = 1;
    let postOffset = 0;
    let align = false;
    let fromBeginning = false;
    let fromEnd = false;
    for (const r of rest) {
      if (r.startsWith('multiplier')) multiplier = parseInteger(r.slice(10), 'byte_jump');
      else if (r.startsWith('post_offset')) postOffset = parseInteger(r.slice(11), 'byte_jump');
      else if (r === 'align') align = true;
      else if (r === 'from_beginning') fromBeginning = true;
      else if (r === 'from_end') fromEnd = true;
      else throw new RuleSkip('byte_jump: unsupported option', `byte_jump option "${r}"`);
    }
    addOp(b, { kind: 'byte_jump', bytes, offset: value(args[1]!, b, 'byte_jump'), multiplier, postOffset, align, fromBeginning, fromEnd, ...spec });
  },
  byte_extract: (b, v) => {
    const args = splitArgs(v);
    if (args.length < 3) throw new RuleSkip('byte_extract: too few arguments', `byte_extract:${v}`);
    const bytes = byteCount(args[0]!, 'byte_extract', true);
    const name = args[2]!;
    if (!/^[A-Za-z_][\w-]*$/.test(name)) throw new RuleSkip('byte_extract: bad name', `byte_extract name "${name}"`);
    const { spec, rest } = byteSpec(args, 3, b, 'byte_extract');
    let multiplier = 1;
    let align = 0;
    for (const r of rest) {
      if (r.startsWith('multiplier')) multiplier = parseInteger(r.slice(10), 'byte_extract');
      else if (r.startsWith('align')) align = parseInteger(r.slice(5), 'byte_extract');
      else throw new RuleSkip('byte_extract: unsupported option', `byte_extract option "${r}"`);
    }
    addOp(b, { kind: 'byte_extract', bytes, offset: parseInteger(args[1]!, 'byte_extract'), name, multiplier, align, ...spec });
    b.extracted.add(name);
  },
  bsize: (b, v) => {
    addOp(b, { kind: 'bsize', test: parseNumberTest(v, 'bsize') });
  },
  dsize: (b, v) => {
    b.rule.packetChecks.push({ kind: 'dsize', test: parseNumberTest(v, 'dsize') });
  },
  urilen: (b, v) => {
    const t = v.split(',')[0]!;
    b.rule.packetChecks.push({ kind: 'urilen', test: parseNumberTest(t, 'urilen') });
  },
  itype: (b, v) => {
    b.rule.packetChecks.push({ kind: 'itype', test: parseNumberTest(v, 'itype') });
  },
  icode: (b, v) => {
    b.rule.packetChecks.push({ kind: 'icode', test: parseNumberTest(v, 'icode') });
  },
  icmp_id: (b, v) => {
    b.rule.packetChecks.push({ kind: 'icmp_id', value: parseInteger(v, 'icmp_id') });
  },
  icmp_seq: (b, v) => {
    b.rule.packetChecks.push({ kind: 'icmp_seq', value: parseInteger(v, 'icmp_seq') });
  },
  dataset: (b, v, ctx) => datasetKeyword(b, v, ctx, 'dataset'),
  datarep: (b, v, ctx) => datasetKeyword(b, v, ctx, 'datarep'),
  'vlan.id': (b, v) => {
    b.rule.packetChecks.push(parseVlanId(v));
  },
  ttl: (b, v) => {
    b.rule.packetChecks.push({ kind: 'ttl', test: parseNumberTest(v, 'ttl') });
  },
  ip_proto: (b, v) => {
    const t = v.trim();
    const m = /^(!|<|>)?(.+)$/.exec(t)!;
    const n = protoNumber(m[2]!);
    const op = m[1] === '!' ? '!=' : m[1] === '<' ? '<' : m[1] === '>' ? '>' : '=';
    b.rule.packetChecks.push({ kind: 'ip_proto', test: { op, a: n, b: 0 } });
  },
  flags: (b, v) => {
    b.rule.packetChecks.push({ kind: 'flags', ...parseFlags(v) });
  },
  flow: (b, v) => {
    b.rule.flow = parseFlow(v);
  },
  flowbits: (b, v) => {
    const args = splitArgs(v);
    const cmd = args[0];
    if (cmd === 'noalert') {
      b.flowbitsNoalert = true;
      return;
    }
    if (cmd !== 'set' && cmd !== 'unset' && cmd !== 'toggle' && cmd !== 'isset' && cmd !== 'isnotset') throw new RuleSkip('flowbits: bad command', `flowbits command "${cmd}"`);
    const nameText = args[1];
    if (nameText === undefined) throw new RuleSkip('flowbits: missing name', 'flowbits needs a name');
    const any = nameText.includes('|');
    const names = nameText.split(/[|&]/).map((s) => s.trim());
    b.rule.flowbits.push({ cmd, names, any });
  },
  noalert: (b) => {
    b.rule.noalert = true;
  },
  threshold: (b, v) => {
    b.rule.threshold = parseThreshold(v, false);
  },
  detection_filter: (b, v) => {
    b.rule.detectionFilter = parseThreshold(v, true);
  },
  'app-layer-protocol': (b, v) => {
    let t = v.trim();
    const negated = t.startsWith('!');
    if (negated) t = t.slice(1);
    t = t.split(',')[0]!.trim();
    b.rule.appLayerProtocol = { name: t, negated };
  },
  'tls.version': (b, v) => {
    const t = v.trim();
    const map: Record<string, number> = { '1.0': 0x0301, '1.1': 0x0302, '1.2': 0x0303, '1.3': 0x0304 };
    const n = map[t] ?? parseInteger(t, 'tls.version');
    b.rule.tlsVersions = { versions: [n], negated: false };
  },
  ssl_version: (b, v) => {
    const names = splitArgs(v);
    let negated = false;
    const out: string[] = [];
    for (let n of names) {
      if (n.startsWith('!')) {
        negated = true;
        n = n.slice(1);
      }
      if (SSL_VERSIONS[n] === undefined) throw new RuleSkip('ssl_version: bad version', `ssl_version "${n}"`);
      out.push(n);
    }
    b.rule.sslVersions = { names: out, negated };
  },
  filemd5: (b, v, ctx) => fileHashList(b, v, ctx, 'md5'),
  filesha1: (b, v, ctx) => fileHashList(b, v, ctx, 'sha1'),
  filesha256: (b, v, ctx) => fileHashList(b, v, ctx, 'sha256'),
  'dns.rcode': (b, v) => {
    b.rule.dnsRcode = parseNumberTest(v, 'dns.rcode');
  },
  'dns.rrtype': (b, v) => {
    b.rule.dnsRrtype = parseNumberTest(v, 'dns.rrtype');
  },
  dotprefix: (b) => setTransform(b, 'dotprefix'),
  strip_whitespace: (b) => setTransform(b, 'strip_whitespace'),
  compress_whitespace: (b) => setTransform(b, 'compress_whitespace'),
  to_lowercase: (b) => setTransform(b, 'to_lowercase'),
  to_uppercase: (b) => setTransform(b, 'to_uppercase'),
  requires: (_b, v) => {
    for (const part of splitArgs(v)) {
      const [k, val] = part.split(/\s+/, 2);
      if (k === 'feature' && (val === 'ja3' || val === 'ja4')) continue;
      if (k === 'version') continue;
      throw new RuleSkip('requires: unmet', `requires ${part}`);
    }
  },
};

function fileHashList(b: Builder, v: string, ctx: ParseContext, algorithm: 'md5' | 'sha1' | 'sha256'): void {
  const name = unquote(v);
  const text = ctx.readListFile?.(name);
  if (text === undefined) throw new RuleSkip(`file${algorithm}: list not found`, `file${algorithm}: cannot read "${name}" beside the rule file`);
  const len = algorithm === 'md5' ? 32 : algorithm === 'sha1' ? 40 : 64;
  const hashes = new Set<string>();
  for (const line of text.split('\n')) {
    const h = line.trim().split(/\s+/)[0]?.toLowerCase() ?? '';
    if (h.length === len && /^[0-9a-f]+$/.test(h)) hashes.add(h);
  }
  b.rule.fileHashes = { algorithm, hashes };
}

function checkNotAfterPrefix(text: string): void {
  if (text.length > 64 * 1024) throw new RuleSkip('rule too long', 'rule longer than 64 KiB');
}

/**
 * Parses one rule (without a leading `#`). Throws RuleSkip for anything outside the subset.
 */
export function parseRule(text: string, id: number, ctx: ParseContext): Rule {
  checkNotAfterPrefix(text);
  const open = text.indexOf('(');
  if (open < 0 || !text.trimEnd().endsWith(')')) throw new RuleSkip('syntax', 'expected "action proto src sport -> dst dport (options;)"');
  const header = text.slice(0, open).trim().split(/\s+/);
  const body = text.slice(open + 1, text.trimEnd().length - 1);
  const [action, protoText, srcText, srcPortText, dirText, dstText, dstPortText] = header as (string | undefined)[];
  if (action !== 'alert' && action !== 'drop' && action !== 'reject' && action !== 'pass') {
    if (action === 'rejectsrc' || action === 'rejectdst' || action === 'rejectboth') throw new RuleSkip('action: reject variants', `action "${action}"`);
    throw new RuleSkip('syntax', `unknown action "${action}"`);
  }
  const protoBase = (protoText ?? '').split(':')[0]!;
  const proto = PROTOCOLS[protoBase];
  if (proto === undefined) throw new RuleSkip(`unsupported protocol ${protoBase}`, `protocol "${protoText}"`);
  let src = AddressGroup.ANY;
  let dst = AddressGroup.ANY;
  let srcPorts = PortGroup.ANY;
  let dstPorts = PortGroup.ANY;
  let bidirectional = false;
  if (proto !== 'pkthdr' || header.length > 2) {
    if (header.length !== 7) throw new RuleSkip('syntax', 'header must be "action proto src sport -> dst dport"');
    if (dirText !== '->' && dirText !== '<>' && dirText !== '=>') throw new RuleSkip('syntax', `direction "${dirText}" (use -> or <>)`);
    bidirectional = dirText !== '->';
    src = addressGroup(srcText!, ctx);
    dst = addressGroup(dstText!, ctx);
    srcPorts = portGroup(srcPortText!, ctx);
    dstPorts = portGroup(dstPortText!, ctx);
  }
  const rule: Rule = {
    id, action, proto, pktOnly: protoBase === 'tcp-pkt', src, srcPorts, dst, dstPorts, bidirectional,
    gid: 1, sid: 0, rev: 0, msg: '', metadata: {}, flow: null, packetChecks: [], inspections: [], flowbits: [], noalert: false,
    unit: 'packet', ipOnly: false, source: { file: ctx.file, line: ctx.line },
  };
  const b: Builder = { rule, current: 'payload', transforms: new Map(), ops: [], lastContent: undefined, lastOpIndex: -1, extracted: new Set(), flowbitsNoalert: false };
  for (const option of splitOptions(body)) {
    const colon = option.indexOf(':');
    const name = (colon < 0 ? option : option.slice(0, colon)).trim();
    const v = colon < 0 ? '' : option.slice(colon + 1).trim();
    if (IGNORED.has(name)) continue;
    const sticky = STICKY[name];
    if (sticky !== undefined && colon < 0) {
      b.current = sticky;
      continue;
    }
    const mod = MODIFIERS[name];
    if (mod !== undefined) {
      const last = b.lastContent;
      if (last === undefined) throw new RuleSkip(`${name} without content`, `${name} needs a preceding content`);
      if (last.buffer !== 'payload' && last.buffer !== mod) throw new RuleSkip('content in two buffers', `${name} after a sticky buffer`);
      b.ops[last.index]!.buffer = mod;
      last.buffer = mod;
      continue;
    }
    const setup = KEYWORDS[name];
    if (setup === undefined) {
      if (name === 'tls.fingerprint' || name === 'tls.subject' || name === 'tls.issuerdn' || name === 'tls_cert_fingerprint') {
        legacyTlsMatch(b, name, v);
        continue;
      }
      throw new RuleSkip(`unsupported keyword ${name}`, `keyword "${name}" (${UNSUPPORTED_HINT})`);
    }
    setup(b, v, ctx);
  }
  if (rule.sid === 0) throw new RuleSkip('missing sid', 'every rule needs sid');
  if (b.flowbitsNoalert) rule.noalert = true;
  finish(b);
  return rule;
}

/** `tls.fingerprint:"aa:bb"` / `tls.subject:"CN=x"`: the old non-sticky TLS matches, as content. */
function legacyTlsMatch(b: Builder, name: string, v: string): void {
  let t = v.trim();
  let negated = false;
  if (t.startsWith('!')) {
    negated = true;
    t = t.slice(1);
  }
  let text = unquote(t);
  const buffer: BufferName = name === 'tls.subject' ? 'tls.cert_subject' : name === 'tls.issuerdn' ? 'tls.cert_issuer' : 'tls.cert_fingerprint';
  if (buffer === 'tls.cert_fingerprint') text = text.toLowerCase();
  const bytes = Uint8Array.from(Buffer.from(text, 'latin1'));
  if (bytes.length === 0) throw new RuleSkip('content: empty', `${name} is empty`);
  const exact = buffer === 'tls.cert_fingerprint';
  b.ops.push({ buffer, op: { kind: 'content', bytes, lower: lowerBytes(bytes), nocase: false, negated, startswith: exact, endswith: exact, fastPattern: false } });
}

function usedBuffers(b: Builder): Set<BufferName> {
  return new Set(b.ops.map((o) => o.buffer));
}

/** Groups ops by buffer, picks the unit and the fast pattern, and rejects what cannot match. */
function finish(b: Builder): void {
  const rule = b.rule;
  const buffers = usedBuffers(b);
  for (const name of b.transforms.keys()) buffers.add(name);
  const apps = new Set<string>();
  for (const name of buffers) apps.add(BUFFER_SOURCE[name].app);
  if (apps.size === 1 && apps.has('packet') && rule.proto === 'http') {
    // Payload content of an `alert http` rule: the HTTP message as the stream carries it.
    for (const o of b.ops) if (o.buffer === 'payload') o.buffer = 'http.stream';
    apps.clear();
    apps.add('http');
  }
  const headerBuffers = [...buffers].some((name) => PACKET_HEADER_BUFFERS.has(name));
  if (headerBuffers && (apps.size > 1 || rule.proto === 'http' || rule.proto === 'dns' || rule.proto === 'tls' || rule.proto === 'ssh')) {
    throw new RuleSkip('packet header buffer in app-layer rule', 'ipv4.hdr/ipv6.hdr/tcp.hdr/udp.hdr together with app-layer buffers');
  }
  if (apps.size > 1) {
    if (apps.has('packet') && apps.has('http') && apps.size === 2) {
      for (const o of b.ops) if (o.buffer === 'payload') o.buffer = 'http.stream';
      apps.delete('packet');
    } else if (apps.has('packet') && apps.has('dns') && apps.size === 2) {
      // Payload content beside DNS buffers: the packet that carried the DNS message (Suricata
      // inspects the packet and the transaction in one pass).
      apps.delete('packet');
    } else if (apps.has('packet') && apps.size === 2) {
      throw new RuleSkip('payload mixed with app-layer buffers', 'payload content together with a DNS/TLS/SSH buffer');
    } else throw new RuleSkip('buffers of two protocols', 'buffers of more than one protocol');
  }
  const app = apps.values().next().value as 'packet' | 'http' | 'dns' | 'tls' | 'ssh' | undefined;
  const protoApp: Partial<Record<RuleProto, Rule['unit']>> = { http: 'http', dns: 'dns', tls: 'tls', ssh: 'ssh' };
  if (app === undefined || app === 'packet') {
    // Keyword-only app rules (ssl_version, tls.version, dns.rcode, filemd5) are decided on records.
    if (rule.fileHashes !== undefined) rule.unit = 'file';
    else if (rule.tlsVersions !== undefined || rule.sslVersions !== undefined) rule.unit = 'tls';
    else if (rule.dnsRcode !== undefined || rule.dnsRrtype !== undefined) rule.unit = 'dns';
    else if (app === undefined && protoApp[rule.proto] !== undefined && rule.packetChecks.length === 0 && rule.flowbits.length > 0) rule.unit = protoApp[rule.proto]!;
    else rule.unit = 'packet';
  } else if (rule.proto === 'quic') {
    // `alert quic` with TLS buffers: the hello QUIC carries (sni, ja3, ja4), decided on quic records.
    for (const name of buffers) if (!QUIC_BUFFERS.has(name)) throw new RuleSkip('buffer of another protocol', `${name} in a quic rule`);
    rule.unit = 'quic';
  } else {
    rule.unit = app;
    if (rule.proto !== 'ip' && rule.proto !== 'tcp' && rule.proto !== 'udp' && protoApp[rule.proto] !== undefined && protoApp[rule.proto] !== app) {
      throw new RuleSkip('buffer of another protocol', `${app} buffer in a ${rule.proto} rule`);
    }
  }
  if (rule.unit === 'file' && app !== undefined && app !== 'http') throw new RuleSkip('buffers of two protocols', 'file hash with non-HTTP buffers');
  if ((rule.unit !== 'packet') && rule.packetChecks.some((c) => c.kind !== 'urilen')) {
    throw new RuleSkip('packet keyword in app-layer rule', 'dsize/itype/flags together with app-layer buffers');
  }
  if (rule.unit === 'packet' && rule.packetChecks.some((c) => c.kind === 'urilen')) rule.unit = 'http';
  const order: BufferName[] = [];
  for (const o of b.ops) if (!order.includes(o.buffer)) order.push(o.buffer);
  for (const name of b.transforms.keys()) if (!order.includes(name)) order.push(name);
  const inspections: BufferInspection[] = order.map((buffer) => ({ buffer, transforms: b.transforms.get(buffer) ?? [], ops: b.ops.filter((o) => o.buffer === buffer).map((o) => o.op) }));
  for (const ins of inspections) {
    if (ins.transforms.some((t) => t !== 'dotprefix') && ins.ops.length === 0) throw new RuleSkip('transform without match', 'transform with nothing to inspect');
  }
  rule.inspections = inspections;
  // Fast pattern: the explicit one, else the longest positive content (Suricata's choice, roughly).
  let best: { buffer: BufferName; op: ContentOp } | undefined;
  for (const ins of inspections) {
    // dotprefix only adds a leading dot: the rest of the content is in the untransformed value.
    const dotted = ins.transforms.length === 1 && ins.transforms[0] === 'dotprefix';
    if (ins.transforms.length > 0 && !dotted) continue;
    if (PACKET_HEADER_BUFFERS.has(ins.buffer)) continue;
    for (const raw of ins.ops) {
      if (raw.kind !== 'content' || raw.negated) continue;
      let op = raw;
      if (dotted) {
        if (raw.bytes[0] === 0x2e && raw.bytes.length > 1) op = { ...raw, bytes: raw.bytes.subarray(1), lower: raw.lower.subarray(1) };
        else if (raw.bytes[0] === 0x2e) continue;
      }
      if (op.fastPattern) {
        best = { buffer: ins.buffer, op };
        break;
      }
      if (best === undefined || op.bytes.length > best.op.bytes.length) best = { buffer: ins.buffer, op };
    }
    if (best?.op.fastPattern) break;
  }
  if (best !== undefined && !best.op.fastPattern) {
    for (const ins of inspections) for (const op of ins.ops) if (op.kind === 'content' && op.fastPattern && !op.negated && !PACKET_HEADER_BUFFERS.has(ins.buffer)) best = { buffer: ins.buffer, op };
  }
  if (best !== undefined) rule.fastPattern = best;
  rule.ipOnly =
    rule.unit === 'packet' && inspections.length === 0 && rule.packetChecks.length === 0 && rule.flow === null &&
    rule.flowbits.every((f) => f.cmd === 'set' || f.cmd === 'unset' || f.cmd === 'toggle') &&
    rule.appLayerProtocol === undefined && (rule.proto === 'ip' || rule.proto === 'tcp' || rule.proto === 'udp' || rule.proto === 'icmp');
}
