/**
 * The head of an HTTP/1.x message — request or status line plus header fields — from bytes to a
 * struct. Pure: the caller finds nothing to buffer here, it hands in the bytes it has and gets ok,
 * error, or incomplete. Header names are matched case-insensitively; repeated fields are kept.
 */
import type { ParseResult } from '../appLayer.ts';
import { latin1 } from '../appLayer.ts';

/** Request/status line plus all header lines; larger heads are an anomaly, not a buffer. */
export const HTTP_MAX_HEAD_SIZE = 64 * 1024;
export const HTTP_MAX_HEADERS = 256;

export interface HttpHeader {
  name: string;
  value: string;
}

export interface HttpRequestHead {
  method: string;
  uri: string;
  protocol: string;
  headers: HttpHeader[];
  anomalies: string[];
}

export interface HttpResponseHead {
  protocol: string;
  status: number;
  /** The status code text as sent when it is not three digits (EVE `status_string`). */
  statusString?: string;
  reason: string;
  headers: HttpHeader[];
  anomalies: string[];
}

/** Offset just past the blank line ending the head (CRLFCRLF or bare LFLF), or -1. */
export function findHeadEnd(b: Uint8Array, from = 0): number {
  let i = b.indexOf(0x0a, from);
  while (i >= 0) {
    const n = b[i + 1];
    if (n === 0x0a) return i + 2;
    if (n === 0x0d && b[i + 2] === 0x0a) return i + 3;
    if (n === undefined || (n === 0x0d && i + 2 >= b.length)) return -1;
    i = b.indexOf(0x0a, i + 1);
  }
  return -1;
}

function splitLines(text: string): string[] {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i] ?? '';
    if (l.endsWith('\r')) lines[i] = l.slice(0, -1);
  }
  return lines;
}

function parseHeaderLines(lines: string[], side: 'request' | 'response', anomalies: string[]): HttpHeader[] {
  const headers: HttpHeader[] = [];
  for (const line of lines) {
    if (line === '') continue;
    if (line.startsWith(' ') || line.startsWith('\t')) {
      // Obsolete folding: the line continues the previous field's value.
      const prev = headers[headers.length - 1];
      if (prev) prev.value = `${prev.value} ${line.trim()}`;
      anomalies.push(`http.invalid_${side}_field_folding`);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) {
      anomalies.push(`http.${side}_field_missing_colon`);
      continue;
    }
    if (headers.length >= HTTP_MAX_HEADERS) {
      anomalies.push(`http.${side}_too_many_headers`);
      break;
    }
    const name = line.slice(0, colon);
    if (name.trimEnd() !== name) anomalies.push(`http.${side}_header_invalid`);
    headers.push({ name: name.trimEnd(), value: line.slice(colon + 1).trim() });
  }
  return headers;
}

/** Parse a request head. `incomplete` until the blank line arrives; `error` past the size cap. */
export function parseHttpRequestHead(b: Uint8Array): ParseResult<HttpRequestHead> {
  const end = findHeadEnd(b);
  if (end < 0) {
    if (b.length > HTTP_MAX_HEAD_SIZE) return { status: 'error', anomaly: 'http.request_field_too_long' };
    return { status: 'incomplete', consumed: 0, needed: 1 };
  }
  if (end > HTTP_MAX_HEAD_SIZE) return { status: 'error', anomaly: 'http.request_field_too_long' };
  const anomalies: string[] = [];
  const lines = splitLines(latin1(b, 0, end));
  let first = 0;
  // Stray CRLFs between pipelined requests are tolerated, as servers do.
  while (first < lines.length && lines[first] === '') first++;
  const requestLine = lines[first] ?? '';
  if (requestLine.startsWith(' ') || requestLine.startsWith('\t')) anomalies.push('http.request_line_leading_whitespace');
  const parts = requestLine.trim().split(/[ \t]+/);
  const method = parts[0] ?? '';
  if (method === '' || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(method)) return { status: 'error', anomaly: 'http.request_line_invalid' };
  let uri = '';
  let protocol = '';
  if (parts.length >= 3) {
    protocol = parts[parts.length - 1] ?? '';
    uri = parts.slice(1, -1).join(' ');
    if (parts.length > 3) anomalies.push('http.request_line_invalid');
  } else uri = parts[1] ?? '';
  if (protocol !== '' && !/^HTTP\/\d\.\d$/.test(protocol)) anomalies.push('http.request_line_invalid');
  const headers = parseHeaderLines(lines.slice(first + 1), 'request', anomalies);
  return { status: 'ok', consumed: end, value: { method, uri, protocol, headers, anomalies } };
}

/** Parse a response head (status line and fields). */
export function parseHttpResponseHead(b: Uint8Array): ParseResult<HttpResponseHead> {
  const end = findHeadEnd(b);
  if (end < 0) {
    if (b.length > HTTP_MAX_HEAD_SIZE) return { status: 'error', anomaly: 'http.response_field_too_long' };
    return { status: 'incomplete', consumed: 0, needed: 1 };
  }
  if (end > HTTP_MAX_HEAD_SIZE) return { status: 'error', anomaly: 'http.response_field_too_long' };
  const anomalies: string[] = [];
  const lines = splitLines(latin1(b, 0, end));
  let first = 0;
  while (first < lines.length && lines[first] === '') first++;
  const statusLine = lines[first] ?? '';
  if (!statusLine.startsWith('HTTP/')) return { status: 'error', anomaly: 'http.response_line_invalid' };
  const sp = statusLine.indexOf(' ');
  const protocol = sp < 0 ? statusLine : statusLine.slice(0, sp);
  const rest = sp < 0 ? '' : statusLine.slice(sp + 1).trimStart();
  const sp2 = rest.indexOf(' ');
  const code = sp2 < 0 ? rest : rest.slice(0, sp2);
  const reason = sp2 < 0 ? '' : rest.slice(sp2 + 1);
  const head: HttpResponseHead = { protocol, status: 0, reason, headers: [], anomalies };
  if (/^\d{3}$/.test(code)) head.status = Number(code);
  else {
    head.statusString = code;
    anomalies.push('http.response_invalid_status');
  }
  head.headers = parseHeaderLines(lines.slice(first + 1), 'response', anomalies);
  return { status: 'ok', consumed: end, value: head };
}

/** All values of a field joined by ", " (RFC 9110 5.3), or undefined when absent. */
export function headerValue(headers: readonly HttpHeader[], name: string): string | undefined {
  const lower = name.toLowerCase();
  let out: string | undefined;
  for (const h of headers) {
    if (h.name.length === lower.length && h.name.toLowerCase() === lower) out = out === undefined ? h.value : `${out}, ${h.value}`;
  }
  return out;
}

export function headerCount(headers: readonly HttpHeader[], name: string): number {
  const lower = name.toLowerCase();
  let n = 0;
  for (const h of headers) if (h.name.toLowerCase() === lower) n++;
  return n;
}

/** Host without port (and without IPv6 brackets' port), lowercased; from the URI when absolute. */
export function httpHostname(uri: string, host: string | undefined): string | undefined {
  let h = host;
  const abs = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/([^/?#]*)/.exec(uri);
  if (abs?.[1] !== undefined) h = abs[1].replace(/^[^@]*@/, '');
  if (h === undefined) return undefined;
  h = h.trim();
  if (h.startsWith('[')) {
    const close = h.indexOf(']');
    return (close < 0 ? h : h.slice(0, close + 1)).toLowerCase();
  }
  const colon = h.indexOf(':');
  return (colon < 0 ? h : h.slice(0, colon)).toLowerCase();
}
