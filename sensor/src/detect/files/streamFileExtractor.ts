/**
 * Files out of a flow's in-order bytes, for file inspection: HTTP bodies in both directions
 * (downloads, and uploads — a `multipart/form-data` body yields its file parts, any other request
 * body is the file) and SMTP attachments.
 *
 * The pipeline's fileinfo records carry digests but not the bytes a scanner needs, so while that is
 * so the file stage runs this extractor over `onStream` when a scanner is configured. Every file is
 * hashed whole as it streams by (MD5, SHA-1, SHA-256, whatever its size); its bytes are kept only up
 * to the scan limit, so a larger file costs no more memory than that.
 */
import type { Direction } from '../../app-layer/appLayer.ts';
import { fileDigests } from '../../app-layer/appLayer.ts';
import { detectAppProto, DETECT_MAX_BYTES } from '../../app-layer/appProtoDetect.ts';
import { HttpFlowParser, httpEve } from '../../app-layer/http/httpFlow.ts';
import type { HttpBody, HttpTransaction } from '../../app-layer/http/httpFlow.ts';
import { headerValue } from '../../app-layer/http/httpHead.ts';
import type { HttpHeader } from '../../app-layer/http/httpHead.ts';
import { parseMimeMessage } from '../../app-layer/smtp/mimeMessage.ts';
import { SmtpFlowParser, smtpEve } from '../../app-layer/smtp/smtpSession.ts';
import type { SmtpTransaction } from '../../app-layer/smtp/smtpSession.ts';
import type { Flow } from '../../flow/flow.ts';
import { httpFileName } from '../../pipeline/eveFormat.ts';

const ALL_HASHES = { md5: true, sha1: true, sha256: true } as const;
/** Chunks held while the protocol is undecided; past this the flow is not inspected. */
const MAX_HELD_CHUNKS = 8;

/** A file as file inspection sees it. */
export interface InspectedFile {
  flow: Flow;
  /** The way the file travelled: `toClient` for a download, `toServer` for an upload or a mail. */
  direction: Direction;
  txId?: number;
  /** The EVE `fileinfo` object (filename, gaps, state, md5/sha1/sha256 when complete, size…). */
  fileinfo: Record<string, unknown>;
  /** EVE objects of the transaction carrying the file (`http`, `smtp`, `email`). */
  app?: Record<string, unknown>;
  /** The whole file, when it is complete and no larger than the scan limit. */
  content?: Uint8Array;
  /** The pipeline logs this file as a fileinfo record too (downloads, mail attachments), where
   *  the IOC stage matches its hashes; HTTP uploads it does not log. */
  logged: boolean;
}

function fileinfoOf(filename: string, size: number, truncated: boolean, digests: { md5?: string; sha1?: string; sha256?: string } | undefined, txId: number): Record<string, unknown> {
  const info: Record<string, unknown> = { filename, gaps: false, state: truncated ? 'TRUNCATED' : 'CLOSED' };
  if (!truncated && digests !== undefined) {
    if (digests.md5 !== undefined) info.md5 = digests.md5;
    if (digests.sha1 !== undefined) info.sha1 = digests.sha1;
    if (digests.sha256 !== undefined) info.sha256 = digests.sha256;
  }
  info.stored = false;
  info.size = size;
  info.tx_id = txId;
  return info;
}

interface FlowFiles {
  proto: 'http' | 'smtp' | 'none' | null;
  held: { direction: Direction; data: Uint8Array }[];
  detectTs: Uint8Array;
  detectTc: Uint8Array;
  http: HttpFlowParser | null;
  smtp: SmtpFlowParser | null;
  smtpTx: number;
}

function grow(a: Uint8Array, b: Uint8Array): Uint8Array {
  const n = Math.min(DETECT_MAX_BYTES, a.length + b.length);
  if (a.length >= n) return a;
  const out = new Uint8Array(n);
  out.set(a, 0);
  out.set(b.subarray(0, n - a.length), a.length);
  return out;
}

/** HTTP/SMTP flows followed at once. Each may keep one file of up to the scan limit while it
 *  travels, so this bounds the extractor's memory (64 × 10 MB at worst); flows past it are counted
 *  and not inspected. */
export const DEFAULT_MAX_FOLLOWED_FLOWS = 64;

export class StreamFileExtractor {
  private readonly flows = new Map<Flow, FlowFiles>();
  private followed = 0;
  /** HTTP/SMTP flows not inspected because DEFAULT_MAX_FOLLOWED_FLOWS were being followed. */
  notFollowed = 0;

  /** `scanLimit`: bytes of a file kept for scanning; a larger file is hashed but not kept. */
  constructor(
    private readonly scanLimit: number,
    private readonly maxFollowedFlows: number = DEFAULT_MAX_FOLLOWED_FLOWS,
  ) {}

  /** Flows being followed (for tests and counters). */
  get flowCount(): number {
    return this.followed;
  }

  onStream(flow: Flow, direction: Direction, data: Uint8Array): InspectedFile[] {
    if (flow.proto !== 6 || data.length === 0) return [];
    let f = this.flows.get(flow);
    if (f === undefined) {
      f = { proto: null, held: [], detectTs: new Uint8Array(0), detectTc: new Uint8Array(0), http: null, smtp: null, smtpTx: 0 };
      this.flows.set(flow, f);
    }
    if (f.proto === 'none') return [];
    if (f.proto !== null) return this.feed(flow, f, direction, data);
    // Undecided: hold a copy (the bytes may be a view into a reused read buffer) until the first
    // bytes name the protocol.
    f.held.push({ direction, data: data.slice() });
    if (direction === 'toServer') f.detectTs = grow(f.detectTs, data);
    else f.detectTc = grow(f.detectTc, data);
    const found = detectAppProto(f.detectTs, f.detectTc, 'tcp');
    if ((found === 'http' || found === 'smtp') && this.followed >= this.maxFollowedFlows) {
      this.notFollowed++;
      this.drop(flow, f);
      return [];
    }
    if (found === 'http' || found === 'smtp') {
      this.followed++;
      f.proto = found;
      if (found === 'http') f.http = new HttpFlowParser({ fileHashes: ALL_HASHES, fileHashLimit: Infinity, bodyPrefixBytes: this.scanLimit + 1 });
      else f.smtp = new SmtpFlowParser();
      const held = f.held;
      f.held = [];
      const out: InspectedFile[] = [];
      for (const h of held) out.push(...this.feed(flow, f, h.direction, h.data));
      return out;
    }
    const undecidable = found !== undefined || (f.detectTs.length > 0 && f.detectTc.length > 0) || f.held.length >= MAX_HELD_CHUNKS;
    if (undecidable) this.drop(flow, f);
    return [];
  }

  /** The flow ended: files still open are finished as far as they got. */
  onFlowEnd(flow: Flow): InspectedFile[] {
    const f = this.flows.get(flow);
    if (f === undefined) return [];
    this.flows.delete(flow);
    if (f.http !== null || f.smtp !== null) this.followed--;
    const out: InspectedFile[] = [];
    if (f.http !== null) for (const tx of f.http.end().records) this.httpFiles(flow, tx, out);
    if (f.smtp !== null) for (const tx of f.smtp.end().records) this.smtpFiles(flow, f, tx, out);
    return out;
  }

  private drop(flow: Flow, f: FlowFiles): void {
    f.proto = 'none';
    f.held = [];
    f.detectTs = f.detectTc = new Uint8Array(0);
    // Keep the entry (so the flow is not re-examined) but nothing heavy in it.
    this.flows.set(flow, f);
  }

  private feed(flow: Flow, f: FlowFiles, direction: Direction, data: Uint8Array): InspectedFile[] {
    const out: InspectedFile[] = [];
    if (f.http !== null) for (const tx of f.http.feed(direction, data).records) this.httpFiles(flow, tx, out);
    else if (f.smtp !== null) for (const tx of f.smtp.feed(direction, data).records) this.smtpFiles(flow, f, tx, out);
    return out;
  }

  private httpFiles(flow: Flow, tx: HttpTransaction, out: InspectedFile[]): void {
    const req = tx.request;
    const res = tx.response;
    const app = { http: httpEve(tx) };
    if (req !== undefined && req.bodyLength > 0) {
      const ctype = headerValue(req.headers, 'content-type') ?? '';
      if (/^\s*multipart\/form-data/i.test(ctype) && !req.bodyTruncated) this.multipartFiles(flow, tx.txId, ctype, req, app, out);
      else out.push(this.httpFile(flow, 'toServer', tx.txId, httpFileName(req.uri, undefined), req, app, false));
    }
    if (res !== undefined && res.bodyLength > 0) {
      const name = httpFileName(req?.uri ?? '', headerValue(res.headers as HttpHeader[], 'content-disposition'));
      out.push(this.httpFile(flow, 'toClient', tx.txId, name, res, app, true));
    }
  }

  private httpFile(flow: Flow, direction: Direction, txId: number, filename: string, body: HttpBody, app: Record<string, unknown>, logged: boolean): InspectedFile {
    const size = body.bodyTruncated ? body.bodyLength : body.bodyDecodedLength;
    const file: InspectedFile = { flow, direction, txId, fileinfo: fileinfoOf(filename, size, body.bodyTruncated, body.digests, txId), app, logged };
    if (!body.bodyTruncated && size <= this.scanLimit && body.body.length === size) file.content = body.body;
    return file;
  }

  /** The file parts of an upload form, each a file of its own. */
  private multipartFiles(flow: Flow, txId: number, ctype: string, body: HttpBody, app: Record<string, unknown>, out: InspectedFile[]): void {
    if (body.body.length !== body.bodyDecodedLength) {
      // The form is larger than what was kept: hashed as one body, not split.
      out.push(this.httpFile(flow, 'toServer', txId, '', body, app, false));
      return;
    }
    const head = Buffer.from(`Content-Type: ${ctype}\r\n\r\n`, 'latin1');
    const message = parseMimeMessage(Buffer.concat([head, body.body]));
    for (const a of message.attachments) out.push(this.partFile(flow, 'toServer', txId, a.filename, a.content, a.size, a.truncated, app, false));
  }

  private partFile(flow: Flow, direction: Direction, txId: number, filename: string, content: Uint8Array, size: number, truncated: boolean, app: Record<string, unknown>, logged: boolean): InspectedFile {
    const digests = truncated ? undefined : fileDigests(content, ALL_HASHES);
    const file: InspectedFile = { flow, direction, txId, fileinfo: fileinfoOf(filename, size, truncated, digests, txId), app, logged };
    if (!truncated && size <= this.scanLimit) file.content = content;
    return file;
  }

  private smtpFiles(flow: Flow, f: FlowFiles, tx: SmtpTransaction, out: InspectedFile[]): void {
    const txId = f.smtpTx++;
    const attachments = tx.message?.attachments ?? [];
    if (attachments.length === 0) return;
    const eve = smtpEve(tx);
    const app: Record<string, unknown> = { smtp: eve.smtp };
    if (eve.email !== undefined) app.email = eve.email;
    for (const a of attachments) {
      // The pipeline logs named attachments only.
      out.push(this.partFile(flow, 'toServer', txId, a.filename, a.content, a.size, a.truncated, app, a.filename !== ''));
    }
  }
}
