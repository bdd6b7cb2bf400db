/**
 * Per-flow HTTP/1.x state: one resumable parser per direction over the reassembled stream,
 * pipelined requests queued and paired with responses in order, bodies de-chunked, stored up to a
 * cap and content-decoded when the message completes.
 *
 * A body without content coding (nearly all downloads) keeps only a prefix (for detection) and is
 * hashed as it streams by: copying up to HTTP_MAX_STORED_BODY per message only to hash it was a
 * large part of the sensor's time. A content-coded body is kept up to HTTP_MAX_STORED_BODY, since
 * it is decoded (and then hashed) whole when the message completes.
 */
import type { AppLayerAnomaly, Direction, FeedResult, FileDigests, FileHashAlgorithms } from '../appLayer.ts';
import { BodyStore, fileDigests, IncrementalFileHasher, PendingBytes, wantsFileHashes } from '../appLayer.ts';
import type { HttpHeader, HttpRequestHead, HttpResponseHead } from './httpHead.ts';
import { findHeadEnd, headerValue, HTTP_MAX_HEAD_SIZE, httpHostname, parseHttpRequestHead, parseHttpResponseHead } from './httpHead.ts';
import { ChunkedDecoder, decodeContentEncoding, HTTP_MAX_STORED_BODY } from './httpBody.ts';

/** Requests waiting for a response; past this the oldest is logged unanswered. */
export const HTTP_MAX_PENDING_REQUESTS = 256;
/** Transactions per flow; past this the flow is no longer parsed. */
export const HTTP_MAX_TRANSACTIONS_PER_FLOW = 10_000;
/** Bytes of a body without content coding kept in `body` (detection's file.data and http body
 *  buffers read a prefix; raise it through HttpParserOptions when they need more). */
export const HTTP_DEFAULT_BODY_PREFIX = 64 * 1024;

export interface HttpParserOptions {
  /** Digests computed for every complete body (at most HTTP_MAX_STORED_BODY bytes). */
  fileHashes?: FileHashAlgorithms;
  /** Bytes of a body without content coding kept in `body`; default HTTP_DEFAULT_BODY_PREFIX, at
   *  most HTTP_MAX_BODY_PREFIX (file inspection keeps a file whole up to its scan limit). */
  bodyPrefixBytes?: number;
  /** A body without content coding longer than this is truncated (no digests); default
   *  HTTP_MAX_STORED_BODY, like Suricata's stream depth. File inspection passes Infinity: every file
   *  is hashed whole as it streams by, whatever its size, and never kept past bodyPrefixBytes. */
  fileHashLimit?: number;
}

/** Upper bound of HttpParserOptions.bodyPrefixBytes. */
export const HTTP_MAX_BODY_PREFIX = 64 * 1024 * 1024;

/** What both message kinds carry about their body. */
export interface HttpBody {
  /** Without content coding: the first `bodyPrefixBytes`. With it: the first
   *  HTTP_MAX_DECOMPRESSED_BODY bytes decoded from the first HTTP_MAX_STORED_BODY on the wire. */
  body: Uint8Array;
  /** Body bytes on the wire after de-chunking, before content decoding. */
  bodyLength: number;
  /** Length of the whole body after content decoding, when not truncated (fileinfo `size`). */
  bodyDecodedLength: number;
  /** More than HTTP_MAX_STORED_BODY bytes on the wire, or decoding stopped at its cap. */
  bodyTruncated: boolean;
  /** Digests of the decoded body when not truncated and HttpParserOptions.fileHashes asked. */
  digests?: FileDigests;
}

export interface HttpRequest extends HttpBody {
  method: string;
  uri: string;
  protocol: string;
  headers: HttpHeader[];
  /** Host without port, lowercased: from an absolute URI, else the Host field. */
  hostname?: string;
}

export interface HttpResponse extends HttpBody {
  protocol: string;
  status: number;
  statusString?: string;
  reason: string;
  headers: HttpHeader[];
}

export interface HttpTransaction {
  /** 0-based order in the flow. */
  txId: number;
  request?: HttpRequest;
  response?: HttpResponse;
}

export interface HttpFeedResult extends FeedResult<HttpTransaction> {
  /** Requests completed by this feed, before their response: for detection on the request alone. */
  requests: HttpRequest[];
}

type BodyMode = 'length' | 'chunked' | 'close';

interface Side {
  phase: 'head' | 'body' | 'stopped';
  pending: PendingBytes;
  /** Where the search for the end of the head resumes, so trickled heads are scanned once. */
  scanFrom: number;
  mode: BodyMode;
  remaining: number;
  chunked: ChunkedDecoder | null;
  store: BodyStore;
  /** The body has no content coding: `store` keeps a prefix and `hasher` (if any) sees it all. */
  identity: boolean;
  hasher: IncrementalFileHasher | null;
  head: HttpRequestHead | HttpResponseHead | null;
  /** The transaction the response being read belongs to. */
  tx: HttpTransaction | null;
  tunnelAfter: boolean;
}

const newSide = (): Side => ({
  phase: 'head', pending: new PendingBytes(HTTP_MAX_HEAD_SIZE + 1), scanFrom: 0, mode: 'length', remaining: 0, chunked: null,
  store: new BodyStore(0), identity: true, hasher: null, head: null, tx: null, tunnelAfter: false,
});

function contentLength(headers: readonly HttpHeader[]): number | 'invalid' | undefined {
  const v = headerValue(headers, 'content-length');
  if (v === undefined) return undefined;
  // "5, 5" from repeated identical fields is tolerated (RFC 9110 8.6); anything else is invalid.
  const values = new Set(v.split(',').map((x) => x.trim()));
  if (values.size !== 1) return 'invalid';
  const [only] = values;
  return only !== undefined && /^\d{1,15}$/.test(only) ? Number(only) : 'invalid';
}

function isChunked(headers: readonly HttpHeader[]): boolean {
  const te = headerValue(headers, 'transfer-encoding');
  return te !== undefined && /(^|,)\s*chunked\s*$/i.test(te);
}

function isIdentityCoding(encoding: string | undefined): boolean {
  const enc = (encoding ?? '').trim().toLowerCase();
  return enc === '' || enc === 'identity';
}

export class HttpFlowParser {
  private readonly sides: Record<Direction, Side> = { toServer: newSide(), toClient: newSide() };
  private readonly unanswered: HttpTransaction[] = [];
  private nextTxId = 0;
  private readonly fileHashes: FileHashAlgorithms | null;
  private readonly bodyPrefixBytes: number;
  private readonly fileHashLimit: number;

  constructor(options: HttpParserOptions = {}) {
    this.fileHashes = options.fileHashes !== undefined && wantsFileHashes(options.fileHashes) ? options.fileHashes : null;
    this.fileHashLimit = options.fileHashLimit ?? HTTP_MAX_STORED_BODY;
    this.bodyPrefixBytes = Math.min(options.bodyPrefixBytes ?? HTTP_DEFAULT_BODY_PREFIX, options.fileHashLimit === undefined ? HTTP_MAX_STORED_BODY : HTTP_MAX_BODY_PREFIX);
  }

  feed(direction: Direction, bytes: Uint8Array): HttpFeedResult {
    const out: HttpFeedResult = { records: [], anomalies: [], requests: [] };
    const s = this.sides[direction];
    if (s.phase === 'stopped') return out;
    const data = s.pending.join(bytes);
    let pos = 0;
    while (pos < data.length && (s.phase as Side['phase']) !== 'stopped') {
      if (s.phase === 'head') {
        if (s.scanFrom === 0) {
          // Stray line ends between pipelined messages.
          while (pos < data.length && (data[pos] === 0x0d || data[pos] === 0x0a)) pos++;
          if (pos >= data.length) break;
        }
        const view = data.subarray(pos);
        if (findHeadEnd(view, s.scanFrom) < 0) {
          s.scanFrom = Math.max(0, view.length - 3);
          if (view.length > HTTP_MAX_HEAD_SIZE) this.stop(direction, direction === 'toServer' ? 'http.request_field_too_long' : 'http.response_field_too_long', out);
          break;
        }
        s.scanFrom = 0;
        const r = direction === 'toServer' ? parseHttpRequestHead(view) : parseHttpResponseHead(view);
        if (r.status !== 'ok') {
          this.stop(direction, r.status === 'error' ? r.anomaly : 'http.request_line_invalid', out);
          break;
        }
        pos += r.consumed;
        for (const a of r.value.anomalies) this.raise(direction, a, out);
        if (direction === 'toServer') this.startRequest(r.value as HttpRequestHead, out);
        else this.startResponse(r.value as HttpResponseHead, out);
      } else {
        pos += this.body(direction, data.subarray(pos), out);
      }
    }
    if (s.phase === 'head') s.pending.keep(data.subarray(pos));
    else s.pending.clear();
    return out;
  }

  /** Bytes of this direction were lost (capture drop, reassembly gap). Framing cannot be trusted
   *  past a hole, so the direction is no longer parsed; what completed before is kept. */
  gap(direction: Direction): void {
    const s = this.sides[direction];
    s.phase = 'stopped';
    s.pending.clear();
  }

  /** The stream ended (FIN/RST or flow timeout): finish a close-delimited body and log what is
   *  still waiting for a response. */
  end(): HttpFeedResult {
    const out: HttpFeedResult = { records: [], anomalies: [], requests: [] };
    this.unterminatedRequestHead(out);
    // A close-delimited body ends here; a length or chunked body cut short is logged as far as it got.
    if (this.sides.toServer.phase === 'body') this.finishMessage('toServer', out);
    if (this.sides.toClient.phase === 'body') this.finishMessage('toClient', out);
    for (const tx of this.unanswered.splice(0)) out.records.push(tx);
    return out;
  }

  /**
   * The response being read (head parsed, body still coming) with the body length so far, and the
   * transaction it answers: what Suricata's logs show of a transaction mid-way (an alert raised
   * before the response completes carries its status and length so far). Fresh objects each call.
   */
  responseInProgress(): { tx: HttpTransaction; response: HttpResponse } | undefined {
    const s = this.sides.toClient;
    const head = s.head as HttpResponseHead | null;
    if (s.phase !== 'body' || head === null || s.tx === null) return undefined;
    const total = s.store.total;
    const response: HttpResponse = { protocol: head.protocol, status: head.status, reason: head.reason, headers: head.headers, body: new Uint8Array(0), bodyLength: total, bodyDecodedLength: total, bodyTruncated: false };
    if (head.statusString !== undefined) response.statusString = head.statusString;
    return { tx: s.tx, response };
  }

  /** The stream ended inside a request head whose request line is complete (a capture cut short,
   *  a one-packet request without its blank line): libhtp still makes a transaction of it. */
  private unterminatedRequestHead(out: HttpFeedResult): void {
    const s = this.sides.toServer;
    if (s.phase !== 'head' || s.pending.length === 0) return;
    let data = s.pending.join(new Uint8Array(0));
    let start = 0;
    while (start < data.length && (data[start] === 0x0d || data[start] === 0x0a)) start++;
    data = data.subarray(start);
    if (data.indexOf(0x0a) < 0) return;
    const last = data[data.length - 1];
    const terminated = new Uint8Array(data.length + 4);
    terminated.set(data, 0);
    terminated.set(last === 0x0a ? [0x0d, 0x0a] : [0x0d, 0x0a, 0x0d, 0x0a], data.length);
    s.pending.clear();
    const r = parseHttpRequestHead(terminated);
    if (r.status !== 'ok') return;
    for (const a of r.value.anomalies) this.raise('toServer', a, out);
    s.head = r.value;
    this.newBody(s, r.value.headers);
    this.finishMessage('toServer', out);
  }

  private raise(direction: Direction, name: string, out: HttpFeedResult): void {
    if (!out.anomalies.some((a) => a.name === name && a.direction === direction)) out.anomalies.push({ name, direction } satisfies AppLayerAnomaly);
  }

  private stop(direction: Direction, anomaly: string, out: HttpFeedResult): void {
    this.raise(direction, anomaly, out);
    const s = this.sides[direction];
    s.phase = 'stopped';
    s.pending.clear();
  }

  private startRequest(head: HttpRequestHead, out: HttpFeedResult): void {
    const s = this.sides.toServer;
    if (this.nextTxId >= HTTP_MAX_TRANSACTIONS_PER_FLOW) {
      this.stop('toServer', 'http.too_many_transactions', out);
      return;
    }
    s.head = head;
    this.newBody(s, head.headers);
    this.startBody('toServer', head.headers, false, out);
  }

  private startResponse(head: HttpResponseHead, out: HttpFeedResult): void {
    const s = this.sides.toClient;
    s.head = head;
    this.newBody(s, head.headers);
    if (head.status >= 100 && head.status < 200 && head.status !== 101) {
      // Interim response (100 Continue): the real one follows for the same request.
      s.head = null;
      return;
    }
    let tx = this.unanswered.shift();
    if (!tx) {
      this.raise('toClient', 'http.unable_to_match_response_to_request', out);
      tx = { txId: this.nextTxId++ };
    }
    s.tx = tx;
    const method = tx.request?.method.toUpperCase();
    if (head.status === 101 || (method === 'CONNECT' && head.status >= 200 && head.status < 300)) s.tunnelAfter = true;
    // RFC 9112 6.3: these responses end at their head whatever their headers say.
    if (method === 'HEAD' || head.status === 204 || head.status === 304 || s.tunnelAfter) this.finishMessage('toClient', out);
    else this.startBody('toClient', head.headers, true, out);
  }

  /** Where the body of the message whose head was just read goes. */
  private newBody(s: Side, headers: readonly HttpHeader[]): void {
    s.identity = isIdentityCoding(headerValue(headers, 'content-encoding'));
    s.store = new BodyStore(s.identity ? this.bodyPrefixBytes : HTTP_MAX_STORED_BODY);
    s.hasher = s.identity && this.fileHashes !== null ? new IncrementalFileHasher(this.fileHashes, this.fileHashLimit) : null;
  }

  private append(s: Side, b: Uint8Array): void {
    s.store.append(b);
    s.hasher?.update(b);
  }

  /** Pick the body framing from the headers; `closeDelimited`: no length means "until close". */
  private startBody(direction: Direction, headers: readonly HttpHeader[], closeDelimited: boolean, out: HttpFeedResult): void {
    const s = this.sides[direction];
    const side = direction === 'toServer' ? 'request' : 'response';
    s.chunked = null;
    if (isChunked(headers)) {
      s.mode = 'chunked';
      s.chunked = new ChunkedDecoder(`http.invalid_${side}_chunk_len`);
      s.phase = 'body';
      return;
    }
    const len = contentLength(headers);
    if (len === 'invalid') this.raise(direction, `http.invalid_content_length_field_in_${side}`, out);
    if (typeof len === 'number' && len > 0) {
      s.mode = 'length';
      s.remaining = len;
      s.phase = 'body';
    } else if (len === undefined && closeDelimited) {
      s.mode = 'close';
      s.phase = 'body';
    } else this.finishMessage(direction, out);
  }

  /** Consume body bytes from `b`; returns how many. */
  private body(direction: Direction, b: Uint8Array, out: HttpFeedResult): number {
    const s = this.sides[direction];
    if (s.mode === 'close') {
      this.append(s, b);
      return b.length;
    }
    if (s.mode === 'length') {
      const n = Math.min(s.remaining, b.length);
      this.append(s, b.subarray(0, n));
      s.remaining -= n;
      if (s.remaining === 0) this.finishMessage(direction, out);
      return n;
    }
    const step = (s.chunked as ChunkedDecoder).feed(b);
    for (const d of step.data) this.append(s, d);
    if (step.anomaly !== undefined) {
      this.finishMessage(direction, out);
      this.stop(direction, step.anomaly, out);
    } else if (step.done) this.finishMessage(direction, out);
    return step.consumed;
  }

  private messageBody(s: Side, direction: Direction, head: HttpRequestHead | HttpResponseHead, out: HttpFeedResult): HttpBody {
    const store = s.store;
    let body: HttpBody;
    if (s.identity) {
      const truncated = store.total > this.fileHashLimit;
      body = { body: store.bytes(), bodyLength: store.total, bodyDecodedLength: store.total, bodyTruncated: truncated };
      const digests = s.hasher?.digest();
      if (digests !== undefined && !truncated) body.digests = digests;
    } else {
      const decoded = decodeContentEncoding(store.bytes(), headerValue(head.headers, 'content-encoding'));
      if (decoded.anomaly) this.raise(direction, decoded.anomaly, out);
      const truncated = store.truncated || decoded.truncated;
      body = { body: decoded.body, bodyLength: store.total, bodyDecodedLength: decoded.body.length, bodyTruncated: truncated };
      if (!truncated && this.fileHashes !== null) body.digests = fileDigests(decoded.body, this.fileHashes);
    }
    s.hasher = null;
    return body;
  }

  private finishMessage(direction: Direction, out: HttpFeedResult): void {
    const s = this.sides[direction];
    const head = s.head;
    s.phase = 'head';
    s.head = null;
    if (!head) return;
    const body = this.messageBody(s, direction, head, out);
    if (direction === 'toServer') {
      const h = head as HttpRequestHead;
      const request: HttpRequest = { method: h.method, uri: h.uri, protocol: h.protocol, headers: h.headers, ...body };
      const hostname = httpHostname(h.uri, headerValue(h.headers, 'host'));
      if (hostname !== undefined) request.hostname = hostname;
      out.requests.push(request);
      this.unanswered.push({ txId: this.nextTxId++, request });
      if (this.unanswered.length > HTTP_MAX_PENDING_REQUESTS) {
        this.raise('toServer', 'http.too_many_pending_requests', out);
        out.records.push(this.unanswered.shift() as HttpTransaction);
      }
      return;
    }
    const h = head as HttpResponseHead;
    const response: HttpResponse = { protocol: h.protocol, status: h.status, reason: h.reason, headers: h.headers, ...body };
    if (h.statusString !== undefined) response.statusString = h.statusString;
    const tx = s.tx ?? { txId: this.nextTxId++ };
    s.tx = null;
    tx.response = response;
    out.records.push(tx);
    if (s.tunnelAfter) {
      // Upgrade or CONNECT: what follows is not HTTP/1.x in either direction.
      s.phase = 'stopped';
      this.sides.toServer.phase = 'stopped';
    }
  }
}

/** The Suricata EVE `http` object for a transaction. */
export interface HttpEve {
  hostname?: string;
  url?: string;
  http_user_agent?: string;
  http_content_type?: string;
  http_method?: string;
  http_refer?: string;
  protocol?: string;
  status?: number;
  status_string?: string;
  length?: number;
  xff?: string;
  request_headers?: { name: string; value: string }[];
  response_headers?: { name: string; value: string }[];
}

export function httpEve(tx: HttpTransaction, opts: { headers?: boolean } = {}): HttpEve {
  const eve: HttpEve = {};
  const req = tx.request;
  const res = tx.response;
  if (req) {
    if (req.hostname !== undefined) eve.hostname = req.hostname;
    eve.url = req.uri;
    const ua = headerValue(req.headers, 'user-agent');
    if (ua !== undefined) eve.http_user_agent = ua;
    const ref = headerValue(req.headers, 'referer');
    if (ref !== undefined) eve.http_refer = ref;
    const xff = headerValue(req.headers, 'x-forwarded-for');
    if (xff !== undefined) eve.xff = xff;
    eve.http_method = req.method;
    if (req.protocol !== '') eve.protocol = req.protocol;
    if (opts.headers && req.headers.length > 0) eve.request_headers = req.headers.map((h) => ({ ...h }));
  }
  // As Suricata: `length` always, 0 while no response body was seen.
  if (!res) eve.length = 0;
  else {
    const ct = headerValue(res.headers, 'content-type');
    // As libhtp: the media type only, lowercased, without parameters.
    if (ct !== undefined) eve.http_content_type = (ct.split(';')[0] ?? '').trim().toLowerCase();
    if (res.statusString !== undefined) eve.status_string = res.statusString;
    else eve.status = res.status;
    if (eve.protocol === undefined) eve.protocol = res.protocol;
    eve.length = res.bodyLength;
    if (opts.headers && res.headers.length > 0) eve.response_headers = res.headers.map((h) => ({ ...h }));
  }
  return eve;
}
