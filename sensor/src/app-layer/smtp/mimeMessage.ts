/**
 * An Internet message (RFC 5322) with MIME parts (RFC 2045-2047, 2231) from bytes to the fields EVE
 * `email` logs and the attachments file extraction wants. Pure and bounded: part count, nesting
 * depth and decoded attachment size are capped, and a cap hit is reported, not thrown.
 */
import { latin1 } from '../appLayer.ts';

export const MIME_MAX_PARTS = 100;
export const MIME_MAX_DEPTH = 8;
/** Decoded bytes kept per attachment; the full decoded size is still reported. */
export const MIME_MAX_ATTACHMENT_BYTES = 1024 * 1024;
export const MIME_MAX_HEADERS = 256;
/** Header values longer than this are cut (Suricata: mime_long_header_value). */
export const MIME_MAX_HEADER_VALUE = 8 * 1024;
export const MIME_MAX_ADDRESSES = 256;

export interface MimeHeader {
  name: string;
  value: string;
}

export interface MimeAttachment {
  filename: string;
  contentType: string;
  /** The first MIME_MAX_ATTACHMENT_BYTES decoded bytes. */
  content: Uint8Array;
  size: number;
  truncated: boolean;
}

export interface MimeMessage {
  headers: MimeHeader[];
  from?: string;
  to: string[];
  cc: string[];
  subject?: string;
  date?: string;
  messageId?: string;
  xMailer?: string;
  received: string[];
  attachments: MimeAttachment[];
  anomalies: string[];
}

/** Split header block text into unfolded fields. */
function parseHeaders(block: string, anomalies: string[]): MimeHeader[] {
  const out: MimeHeader[] = [];
  for (const line of block.split(/\r?\n/)) {
    if (line === '') continue;
    if (line.startsWith(' ') || line.startsWith('\t')) {
      const prev = out[out.length - 1];
      if (prev && prev.value.length < MIME_MAX_HEADER_VALUE) prev.value = `${prev.value} ${line.trim()}`.slice(0, MIME_MAX_HEADER_VALUE);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) {
      anomalies.push('smtp.mime_malformed_msg');
      continue;
    }
    if (out.length >= MIME_MAX_HEADERS) break;
    let value = line.slice(colon + 1).trim();
    if (value.length > MIME_MAX_HEADER_VALUE) {
      anomalies.push('smtp.mime_long_header_value');
      value = value.slice(0, MIME_MAX_HEADER_VALUE);
    }
    out.push({ name: line.slice(0, colon).trim(), value });
  }
  return out;
}

function header(headers: readonly MimeHeader[], name: string): string | undefined {
  const lower = name.toLowerCase();
  return headers.find((h) => h.name.toLowerCase() === lower)?.value;
}

/** A header's parameter (`boundary`, `filename`, `name`), with RFC 2231 `name*=charset''pct` form. */
export function headerParam(value: string, param: string): string | undefined {
  const ext = new RegExp(`;\\s*${param}\\*=([^;]*)`, 'i').exec(value);
  if (ext?.[1] !== undefined) {
    const raw = ext[1].trim().replace(/^"|"$/g, '');
    const q = raw.indexOf("''");
    const pct = q >= 0 ? raw.slice(q + 2) : raw;
    try {
      return decodeURIComponent(pct);
    } catch {
      return pct;
    }
  }
  const m = new RegExp(`;\\s*${param}\\s*=\\s*("((?:[^"\\\\]|\\\\.)*)"|[^;\\s]*)`, 'i').exec(value);
  if (!m) return undefined;
  return m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[1];
}

/** Addresses of a To/Cc field, split on commas outside quotes and angle brackets. */
function addressList(value: string | undefined): string[] {
  if (value === undefined) return [];
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i <= value.length && out.length < MIME_MAX_ADDRESSES; i++) {
    const c = value[i];
    if (c === '"') quoted = !quoted;
    else if (!quoted && c === '<') depth++;
    else if (!quoted && c === '>') depth = Math.max(0, depth - 1);
    else if (c === undefined || (c === ',' && !quoted && depth === 0)) {
      const a = value.slice(start, i).trim();
      if (a !== '') out.push(a);
      start = i + 1;
    }
  }
  return out;
}

export function decodeQuotedPrintable(text: string): { bytes: Uint8Array; invalid: boolean } {
  const out = new Uint8Array(text.length);
  let n = 0;
  let invalid = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x3d) {
      out[n++] = c & 0xff;
      continue;
    }
    const a = text.slice(i + 1, i + 3);
    if (/^[0-9A-Fa-f]{2}$/.test(a)) {
      out[n++] = parseInt(a, 16);
      i += 2;
    } else if (a.startsWith('\r\n')) i += 2;
    else if (a.startsWith('\n')) i += 1;
    else {
      invalid = true;
      out[n++] = c;
    }
  }
  return { bytes: out.subarray(0, n), invalid };
}

function decodeBase64(text: string): { bytes: Uint8Array; invalid: boolean } {
  const clean = text.replace(/[\r\n\t ]/g, '');
  const invalid = /[^A-Za-z0-9+/=]/.test(clean);
  return { bytes: new Uint8Array(Buffer.from(clean, 'base64')), invalid };
}

interface Walk {
  parts: number;
  attachments: MimeAttachment[];
  anomalies: string[];
}

function walkPart(text: string, depth: number, w: Walk): void {
  if (++w.parts > MIME_MAX_PARTS || depth > MIME_MAX_DEPTH) {
    if (!w.anomalies.includes('smtp.mime_parse_failed')) w.anomalies.push('smtp.mime_parse_failed');
    return;
  }
  const sep = /\r?\n\r?\n/.exec(text);
  const headEnd = sep ? sep.index : text.length;
  const bodyStart = sep ? sep.index + sep[0].length : text.length;
  const headers = parseHeaders(text.slice(0, headEnd), w.anomalies);
  const body = text.slice(bodyStart);
  const ctype = header(headers, 'content-type') ?? 'text/plain';
  const media = (ctype.split(';')[0] ?? '').trim().toLowerCase();
  if (media.startsWith('multipart/')) {
    const boundary = headerParam(ctype, 'boundary');
    if (!boundary) {
      w.anomalies.push('smtp.mime_malformed_msg');
      return;
    }
    if (boundary.length > 70) w.anomalies.push('smtp.mime_long_boundary');
    const delim = `--${boundary}`;
    let pos = body.indexOf(delim);
    while (pos >= 0) {
      const lineEnd = body.indexOf('\n', pos);
      if (body.startsWith(`${delim}--`, pos) || lineEnd < 0) return;
      const next = body.indexOf(`\n${delim}`, lineEnd);
      const partEnd = next < 0 ? body.length : body[next - 1] === '\r' ? next - 1 : next;
      walkPart(body.slice(lineEnd + 1, partEnd), depth + 1, w);
      if (next < 0 || w.parts > MIME_MAX_PARTS) return;
      pos = next + 1;
    }
    return;
  }
  const disposition = header(headers, 'content-disposition') ?? '';
  const filename = headerParam(disposition, 'filename') ?? headerParam(ctype, 'name');
  if (filename === undefined && !/^\s*attachment/i.test(disposition)) return;
  const cte = (header(headers, 'content-transfer-encoding') ?? '').trim().toLowerCase();
  let decoded: Uint8Array;
  if (cte === 'base64') {
    const d = decodeBase64(body);
    if (d.invalid) w.anomalies.push('smtp.mime_invalid_base64');
    decoded = d.bytes;
  } else if (cte === 'quoted-printable') {
    const d = decodeQuotedPrintable(body);
    if (d.invalid) w.anomalies.push('smtp.mime_invalid_qp');
    decoded = d.bytes;
  } else decoded = new Uint8Array(Buffer.from(body, 'latin1'));
  w.attachments.push({
    filename: (filename ?? '').slice(0, 1024),
    contentType: media,
    content: decoded.length > MIME_MAX_ATTACHMENT_BYTES ? decoded.slice(0, MIME_MAX_ATTACHMENT_BYTES) : decoded,
    size: decoded.length,
    truncated: decoded.length > MIME_MAX_ATTACHMENT_BYTES,
  });
}

/** Parse a whole message (as stored, possibly truncated at the capture cap). */
export function parseMimeMessage(bytes: Uint8Array): MimeMessage {
  const text = latin1(bytes);
  const anomalies: string[] = [];
  const sep = /\r?\n\r?\n/.exec(text);
  const headers = parseHeaders(text.slice(0, sep ? sep.index : text.length), anomalies);
  const w: Walk = { parts: 0, attachments: [], anomalies };
  walkPart(text, 0, w);
  const msg: MimeMessage = {
    headers, to: addressList(header(headers, 'to')), cc: addressList(header(headers, 'cc')),
    received: headers.filter((h) => h.name.toLowerCase() === 'received').map((h) => h.value),
    attachments: w.attachments, anomalies: [...new Set(anomalies)],
  };
  const set = (key: 'from' | 'subject' | 'date' | 'messageId' | 'xMailer', name: string): void => {
    const v = header(headers, name);
    if (v !== undefined) msg[key] = v;
  };
  set('from', 'from');
  set('subject', 'subject');
  set('date', 'date');
  set('messageId', 'message-id');
  set('xMailer', 'x-mailer');
  return msg;
}
