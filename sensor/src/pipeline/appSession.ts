/**
 * The application layer of one flow: picks the protocol from the first bytes each way
 * (detectAppProto), feeds the chosen parser each direction's bytes in order, and turns what the
 * parser completes (transactions, handshakes, anomalies) into EVE payloads for the pipeline to
 * finish with the common fields.
 *
 * TCP data waits in `pending` until the other side acknowledges it (see SensorPipeline). Detection
 * holds the first chunks until it decides, then replays them into the parser.
 */
import type { AppLayerAnomaly, Direction, FileDigests, FileHashAlgorithms } from '../app-layer/appLayer.ts';
import { fileDigests } from '../app-layer/appLayer.ts';
import { detectAppProto, DETECT_MAX_BYTES } from '../app-layer/appProtoDetect.ts';
import type { AppProto } from '../app-layer/appProtoDetect.ts';
import { DnsFlowParser } from '../app-layer/dns/dnsFlow.ts';
import type { DnsRecord } from '../app-layer/dns/dnsMessage.ts';
import { FtpFlowParser, ftpEve } from '../app-layer/ftp/ftpControl.ts';
import type { FtpTransaction } from '../app-layer/ftp/ftpControl.ts';
import { FtpDataChannelTracker, FtpDataTransfer } from '../app-layer/ftp/ftpData.ts';
import type { FtpDataExpectations } from '../app-layer/ftp/ftpData.ts';
import { HttpFlowParser, httpEve } from '../app-layer/http/httpFlow.ts';
import type { HttpBody, HttpParserOptions, HttpRequest, HttpTransaction } from '../app-layer/http/httpFlow.ts';
import { HTTP_MAX_STORED_BODY } from '../app-layer/http/httpBody.ts';
import { headerValue } from '../app-layer/http/httpHead.ts';
import { QuicFlowParser } from '../app-layer/quic/quicFlow.ts';
import { isQuicInitial } from '../app-layer/quic/quicInitial.ts';
import { parseMimeMessage } from '../app-layer/smtp/mimeMessage.ts';
import { SmtpFlowParser, smtpEve } from '../app-layer/smtp/smtpSession.ts';
import type { SmtpTransaction } from '../app-layer/smtp/smtpSession.ts';
import { SshFlowParser } from '../app-layer/ssh/sshBanner.ts';
import type { SshRecord } from '../app-layer/ssh/sshBanner.ts';
import { TlsFlowParser } from '../app-layer/tls/tlsFlow.ts';
import type { TlsHandshakeRecord } from '../app-layer/tls/tlsFlow.ts';
import type { Flow, FlowDirection } from '../flow/flow.ts';
import type { ReassembledChunk } from '../stream/tcpReassembler.ts';
import { appLayerEventName, eveDns, httpFileName } from './eveFormat.ts';

/** One EVE record of the app layer, before the common fields are added. */
export interface AppRecordOut {
  flow: Flow;
  eventType: string;
  /** Orients src/dest: the direction the data travelled. */
  direction: FlowDirection;
  txId?: number;
  /** The payload (`dns`, `http`, `fileinfo`…), written after the common fields. */
  fields: Record<string, unknown>;
  /** The parser's own objects, for detection (raw headers, bodies); never written. `request`: the
   *  HTTP request just completed (a detection-only record before its response); `complete`: the
   *  whole transaction, with `requestSeen` when its request went out alone before. */
  source?: { http?: HttpTransaction; phase?: 'request' | 'complete'; requestSeen?: boolean; file?: FileSource; tlsCerts?: readonly Uint8Array[] };
  /** False when the event type is not written: the record is for detection only (absent: written). */
  logged?: boolean;
}
export type AppOut = (rec: AppRecordOut) => void;

/** The bytes of the file a fileinfo record describes (for scanners): the whole decoded file, only
 *  when it is complete and no larger than AppSessionOptions.fileContentLimit. */
export interface FileSource {
  content: Uint8Array;
}

export interface AppSessionOptions {
  httpHeaders: boolean;
  fileHashes: { md5?: boolean; sha1?: boolean; sha256?: boolean };
  types: ReadonlySet<string>;
  /** Detection stages run: records of event types not written still go out, unlogged. */
  detection?: boolean;
  /** Every chunk handed to the app layer, in order (detection's onStream); for flows whose
   *  protocol is unknown, up to FAILED_STREAM_MAX_BYTES per direction. */
  onChunk?: (flow: Flow, chunk: ReassembledChunk) => void;
  /** Bytes of a file kept whole for `source.file` (a scanner's limit); 0 or absent: none kept. */
  fileContentLimit?: number;
  /** The sensor's pending FTP data connections: control flows add, new TCP flows take. */
  ftpData?: FtpDataExpectations;
}

/** With detection every file gets every digest (threat-intel lists any of the three), whatever
 *  its size: hashing streams, nothing is kept for it. */
const DETECTION_HASHES: FileHashAlgorithms = { md5: true, sha1: true, sha256: true };
/** Bytes per direction of a flow of unknown protocol still handed to onChunk (raw-stream
 *  detection: Telnet/POP3/IMAP credentials, rules on TCP payloads); bounded like a stream depth. */
export const FAILED_STREAM_MAX_BYTES = 1024 * 1024;

/** Unacknowledged bytes one direction may wait with before they are parsed anyway. */
const DEFER_MAX_BYTES = 256 * 1024;
/** Chunks held while detecting; past this without a verdict the flow is 'failed'. */
const DETECT_MAX_HELD_CHUNKS = 8;
const DNS_PORT = 53;

type Parser = DnsFlowParser | HttpFlowParser | TlsFlowParser | SshFlowParser | SmtpFlowParser | FtpFlowParser | FtpDataTransfer | QuicFlowParser;

function isTls13(version: number | undefined): boolean {
  return version === 0x0304 || (version !== undefined && (version & 0xff00) === 0x7f00);
}

function concat(a: Uint8Array, b: Uint8Array, cap: number): Uint8Array {
  const n = Math.min(cap, a.length + b.length);
  if (a.length >= n) return a;
  const out = new Uint8Array(n);
  out.set(a, 0);
  out.set(b.subarray(0, n - a.length), a.length);
  return out;
}

function detached(list: ReassembledChunk[], input: ArrayBufferLike): ReassembledChunk[] {
  if (list.length === 0) return list;
  return list.map((c) => (c.data.buffer === input ? { direction: c.direction, data: c.data.slice(), gapBefore: c.gapBefore } : c));
}

export class AppSession {
  /** Detected protocol; 'failed' when detection gave up; null while undecided. */
  proto: AppProto | 'failed' | null = null;
  private parser: Parser | null = null;
  /** Nothing more to parse (protocol unknown, or everything logged). */
  private done = false;
  private readonly pending: Record<Direction, ReassembledChunk[]> = { toServer: [], toClient: [] };
  private readonly pendingBytes: Record<Direction, number> = { toServer: 0, toClient: 0 };
  private held: ReassembledChunk[] = [];
  private detectTs: Uint8Array = new Uint8Array(0);
  private detectTc: Uint8Array = new Uint8Array(0);
  private readonly isTcp: boolean;
  private nextTx = 0;
  private readonly dnsTxById = new Map<number, number[]>();
  private logged = false;
  private sshKex = { toServer: false, toClient: false };
  private sshBanner = false;
  /** DER certificates of the server's chain, until the handshake is logged (detection only). */
  private tlsCerts: readonly Uint8Array[] | undefined;
  /** HTTP requests handed to detection alone, until their transaction completes. */
  private readonly httpRequestTx = new Map<HttpRequest, HttpTransaction>();
  private httpRequests = 0;
  /** Bytes of a failed flow handed to onChunk, per direction. */
  private readonly failedBytes: Record<Direction, number> = { toServer: 0, toClient: 0 };
  /** FTP control: the data channel announced, until a command uses it. */
  private ftpChannel: FtpDataChannelTracker | null = null;

  constructor(
    readonly flow: Flow,
    private readonly options: AppSessionOptions,
  ) {
    this.isTcp = flow.proto === 6;
  }

  /** The EVE `app_proto` of the flow: undefined while nothing was seen. */
  appProtoName(): string | undefined {
    return this.proto ?? undefined;
  }

  /** Keep a TCP chunk until the other side acknowledges it. A side that is never acknowledged
   *  (one-sided capture) is handed over once DEFER_MAX_BYTES wait, so memory stays bounded. */
  defer(chunk: ReassembledChunk, out: AppOut): void {
    if (this.done) {
      // Nothing parses a failed flow's bytes, so they need not wait for their acknowledgement.
      if (this.proto === 'failed') this.rawChunk(chunk);
      return;
    }
    const d = chunk.direction;
    this.pending[d].push(chunk);
    this.pendingBytes[d] += chunk.data.length;
    if (this.pendingBytes[d] > DEFER_MAX_BYTES) this.release(d, out);
  }

  /** True when chunks wait here (for an acknowledgement or a protocol verdict): their bytes may be
   *  views into the capture's read buffer. */
  holdsChunks(): boolean {
    return this.pending.toServer.length > 0 || this.pending.toClient.length > 0 || this.held.length > 0;
  }

  /** Copies the waiting chunks whose bytes lie in `input`, a read buffer about to be overwritten.
   *  Parsers copy what they keep themselves; only whole waiting chunks are views. */
  detachInput(input: ArrayBufferLike): void {
    this.pending.toServer = detached(this.pending.toServer, input);
    this.pending.toClient = detached(this.pending.toClient, input);
    this.held = detached(this.held, input);
  }

  /** Hand the data of `direction` that was waiting for an acknowledgement to the app layer. */
  release(direction: Direction, out: AppOut): void {
    const list = this.pending[direction];
    if (list.length === 0) return;
    this.pending[direction] = [];
    this.pendingBytes[direction] = 0;
    for (let i = 0; i < list.length; i++) this.chunk(list[i]!, out);
  }

  chunk(c: ReassembledChunk, out: AppOut): void {
    if (this.done) {
      if (this.proto === 'failed') this.rawChunk(c);
      return;
    }
    this.options.onChunk?.(this.flow, c);
    if (this.proto !== null) {
      this.feed(c, out);
      return;
    }
    const ready = this.detect(c);
    for (let i = 0; i < ready.length; i++) this.feed(ready[i]!, out);
  }

  /** The flow ended: what parsers still hold is logged. */
  end(out: AppOut): void {
    if (this.proto === null && this.held.length > 0) this.giveUp();
    const p = this.parser;
    if (p === null) return;
    if (p instanceof HttpFlowParser) {
      const r = p.end();
      this.anomalies(r.anomalies, out);
      if (this.options.detection) for (const request of r.requests) this.httpRequest(request, out);
      for (const tx of r.records) this.http(tx, out);
    } else if (p instanceof SmtpFlowParser) {
      const r = p.end();
      this.anomalies(r.anomalies, out);
      for (const tx of r.records) this.smtp(tx, out);
    } else if (p instanceof FtpFlowParser) {
      for (const tx of p.end().records) this.ftp(tx, out);
    } else if (p instanceof FtpDataTransfer) {
      this.ftpDataFile(p, out);
    } else if (p instanceof TlsFlowParser) {
      if (!this.logged && (p.clientHello !== undefined || p.serverHello !== undefined)) this.logTls(p, out);
    } else if (p instanceof SshFlowParser) {
      if (!this.logged && this.sshBanner) this.logSsh(p, out);
    }
    this.done = true;
    this.parser = null;
  }

  /** Holds `c` while the protocol is unknown; once a parser is chosen, returns the chunks to feed
   *  it (everything held, in order). */
  private detect(c: ReassembledChunk): ReassembledChunk[] {
    const f = this.flow;
    const port53 = f.srcPort === DNS_PORT || f.dstPort === DNS_PORT;
    if (!this.isTcp) {
      if (f.proto !== 17) {
        this.giveUp();
        return [];
      }
      const found = c.direction === 'toServer' ? detectAppProto(c.data, undefined, 'udp') : undefined;
      // A client's QUIC Initial (long header of a version whose Initial keys are public).
      if (found !== 'dns' && !port53 && c.direction === 'toServer' && isQuicInitial(c.data)) {
        this.start('quic');
        return [c];
      }
      // Suricata also probes by port (DNS on 53), so a response seen first or an odd query counts.
      if (found !== 'dns' && !port53) {
        this.giveUp();
        return [];
      }
      this.start('dns');
      return [c];
    }
    this.held.push(c);
    const ftpData = this.options.ftpData;
    if (ftpData !== undefined && ftpData.size > 0) {
      const expected = ftpData.take(f.srcIp, f.dstIp, f.dstPort, f.lastSec);
      if (expected !== undefined) {
        this.proto = 'ftp-data';
        const wantFiles = this.options.types.has('fileinfo') || this.options.detection === true;
        const hashLimit = this.options.detection ? Infinity : HTTP_MAX_STORED_BODY;
        this.parser = new FtpDataTransfer(expected, wantFiles ? this.fileHashes : null, hashLimit, wantFiles ? (this.options.fileContentLimit ?? 0) : 0);
        return this.takeHeld();
      }
    }
    if (c.direction === 'toServer') this.detectTs = concat(this.detectTs, c.data, DETECT_MAX_BYTES);
    else this.detectTc = concat(this.detectTc, c.data, DETECT_MAX_BYTES);
    const found = detectAppProto(this.detectTs, this.detectTc, 'tcp');
    if (found !== undefined) {
      this.start(found);
      return this.takeHeld();
    }
    const undecidable =
      (this.detectTs.length > 0 && this.detectTc.length > 0) ||
      this.detectTs.length >= DETECT_MAX_BYTES ||
      this.detectTc.length >= DETECT_MAX_BYTES ||
      this.held.length >= DETECT_MAX_HELD_CHUNKS;
    if (!undecidable) return [];
    // DNS over TCP by port, as Suricata's probing parsers do.
    if (port53) {
      this.start('dns');
      return this.takeHeld();
    }
    this.giveUp();
    return [];
  }

  private takeHeld(): ReassembledChunk[] {
    const held = this.held;
    this.held = [];
    this.detectTs = this.detectTc = new Uint8Array(0);
    return held;
  }

  /** A chunk of a flow nothing parses: still seen by raw-stream detection, up to
   *  FAILED_STREAM_MAX_BYTES per direction (counting what went by before the verdict). */
  private rawChunk(c: ReassembledChunk): void {
    const onChunk = this.options.onChunk;
    if (onChunk === undefined) return;
    const d = c.direction;
    const room = FAILED_STREAM_MAX_BYTES - this.failedBytes[d];
    if (room <= 0) return;
    const data = c.data.length <= room ? c.data : c.data.subarray(0, room);
    this.failedBytes[d] += data.length;
    onChunk(this.flow, data === c.data ? c : { direction: d, data, gapBefore: c.gapBefore });
  }

  private giveUp(): void {
    for (const h of this.held) this.failedBytes[h.direction] += h.data.length;
    this.held = [];
    this.detectTs = this.detectTc = new Uint8Array(0);
    this.proto = 'failed';
    this.done = true;
    // What waited for an acknowledgement has not been seen by onChunk yet.
    const waiting = [...this.pending.toServer, ...this.pending.toClient];
    for (let i = 0; i < waiting.length; i++) this.rawChunk(waiting[i]!);
    this.pending.toServer = [];
    this.pending.toClient = [];
    this.pendingBytes.toServer = this.pendingBytes.toClient = 0;
  }

  private start(proto: AppProto): void {
    this.proto = proto;
    switch (proto) {
      case 'dns':
        this.parser = new DnsFlowParser(this.isTcp ? 'tcp' : 'udp');
        break;
      case 'http':
        this.parser = new HttpFlowParser(this.httpParserOptions());
        break;
      case 'tls':
        this.parser = new TlsFlowParser();
        break;
      case 'ssh':
        this.parser = new SshFlowParser();
        break;
      case 'smtp':
        this.parser = new SmtpFlowParser();
        break;
      case 'ftp':
        this.parser = new FtpFlowParser();
        if (this.options.ftpData !== undefined) this.ftpChannel = new FtpDataChannelTracker({ clientIp: this.flow.srcIp, serverIp: this.flow.dstIp }, this);
        break;
      case 'quic':
        this.parser = new QuicFlowParser();
        break;
    }
  }

  /** Digests only when something reads them: fileinfo records written, or detection (which wants
   *  all three of every file, and the file bytes up to the scanner's limit). */
  private httpParserOptions(): HttpParserOptions {
    if (this.options.detection) {
      const keep = this.options.fileContentLimit ?? 0;
      return { fileHashes: DETECTION_HASHES, fileHashLimit: Infinity, ...(keep > 0 ? { bodyPrefixBytes: keep + 1 } : {}) };
    }
    return this.options.types.has('fileinfo') ? { fileHashes: this.options.fileHashes } : {};
  }

  private get fileHashes(): FileHashAlgorithms {
    return this.options.detection ? DETECTION_HASHES : this.options.fileHashes;
  }

  /** `source.file` for a file of `size` decoded bytes whose first bytes are `content`. */
  private fileSource(content: Uint8Array, size: number, truncated: boolean): FileSource | undefined {
    const limit = this.options.fileContentLimit ?? 0;
    if (truncated || size > limit || content.length !== size) return undefined;
    return { content };
  }

  private feed(c: ReassembledChunk, out: AppOut): void {
    const p = this.parser;
    if (p === null || this.done) return;
    const d = c.direction;
    if (c.gapBefore) p.gap(d);
    if (p instanceof TlsFlowParser) {
      const r = p.feed(d, c.data);
      this.anomalies(r.anomalies, out);
      for (const rec of r.records) this.tls(p, rec, out);
    } else if (p instanceof HttpFlowParser) {
      const r = p.feed(d, c.data);
      this.anomalies(r.anomalies, out);
      if (this.options.detection) for (const request of r.requests) this.httpRequest(request, out);
      for (const tx of r.records) this.http(tx, out);
      if (d === 'toClient' && this.httpRequestTx.size > 0) this.httpResponseSoFar(p);
    } else if (p instanceof DnsFlowParser) {
      const r = p.feed(d, c.data);
      this.anomalies(r.anomalies, out);
      for (const rec of r.records) this.dns(d, rec, out);
    } else if (p instanceof SshFlowParser) {
      const r = p.feed(d, c.data);
      this.anomalies(r.anomalies, out);
      for (const rec of r.records) this.ssh(p, rec, out);
    } else if (p instanceof SmtpFlowParser) {
      const r = p.feed(d, c.data);
      this.anomalies(r.anomalies, out);
      for (const tx of r.records) this.smtp(tx, out);
    } else if (p instanceof QuicFlowParser) {
      const r = p.feed(d, c.data);
      this.anomalies(r.anomalies, out);
      for (const rec of r.records) this.record(out, 'quic', rec.direction, { quic: rec.eve }, this.nextTx++);
    } else if (p instanceof FtpDataTransfer) {
      p.feed(d, c.data);
    } else {
      const r = p.feed(d, c.data);
      this.anomalies(r.anomalies, out);
      const tracker = this.ftpChannel;
      const expectations = this.options.ftpData;
      if (tracker !== null && expectations !== undefined) {
        for (const ev of r.dataEvents) {
          const e = tracker.event(ev, this.flow.lastSec);
          if (e !== undefined) expectations.add(e, this.flow.lastSec);
        }
      }
      for (const tx of r.records) this.ftp(tx, out);
    }
  }

  /** Every record goes out (detection sees them all); `logged` says whether it is written. */
  private record(out: AppOut, eventType: string, direction: Direction, fields: Record<string, unknown>, txId?: number, source?: AppRecordOut['source'], unlogged = false): void {
    const logged = !unlogged && this.options.types.has(eventType);
    if (!logged && !this.options.detection) return;
    const rec: AppRecordOut = { flow: this.flow, eventType, direction, fields, logged };
    if (txId !== undefined) rec.txId = txId;
    if (source !== undefined) rec.source = source;
    out(rec);
  }

  private anomalies(list: readonly AppLayerAnomaly[], out: AppOut): void {
    for (const a of list) {
      const anomaly = { app_proto: this.proto ?? 'failed', type: 'applayer', event: appLayerEventName(a.name), layer: 'proto_parser' };
      this.record(out, 'anomaly', a.direction, { anomaly });
    }
  }

  private dns(direction: Direction, rec: DnsRecord, out: AppOut): void {
    let txId: number;
    if (direction === 'toServer') {
      txId = this.nextTx++;
      const list = this.dnsTxById.get(rec.id);
      if (list === undefined) this.dnsTxById.set(rec.id, [txId]);
      else list.push(txId);
    } else {
      const list = this.dnsTxById.get(rec.id);
      const matched = list?.shift();
      if (list !== undefined && list.length === 0) this.dnsTxById.delete(rec.id);
      txId = matched ?? this.nextTx++;
    }
    this.record(out, 'dns', direction, { dns: eveDns(rec, txId) });
  }

  /** A request is complete: detection sees it now, before its response (never written). The
   *  transaction object is the parser's, so it gains its response later. */
  private httpRequest(request: HttpRequest, out: AppOut): void {
    const tx: HttpTransaction = { txId: this.httpRequests++, request };
    this.httpRequestTx.set(request, tx);
    out({ flow: this.flow, eventType: 'http', direction: 'toServer', fields: {}, logged: false, txId: tx.txId, source: { http: tx, phase: 'request' } });
  }

  /** A response is being read for a request detection saw alone: its transaction shows the
   *  response so far (status, length), as Suricata's alerts raised mid-transaction do. */
  private httpResponseSoFar(p: HttpFlowParser): void {
    const progress = p.responseInProgress();
    const request = progress?.tx.request;
    if (progress === undefined || request === undefined) return;
    const early = this.httpRequestTx.get(request);
    if (early !== undefined) early.response = progress.response;
  }

  private http(tx: HttpTransaction, out: AppOut): void {
    const http = httpEve(tx, { headers: this.options.httpHeaders });
    const early = tx.request === undefined ? undefined : this.httpRequestTx.get(tx.request);
    const requestSeen = early !== undefined;
    if (early !== undefined) {
      // What detection kept of the request alone now shows the whole transaction (alerts raised on
      // the request are written at the end of the packet, with the response if it came with it).
      this.httpRequestTx.delete(tx.request!);
      early.txId = tx.txId;
      if (tx.response !== undefined) early.response = tx.response;
    }
    this.record(out, 'http', 'toServer', { http }, tx.txId, { http: tx, phase: 'complete', requestSeen });
    const wantFiles = this.options.types.has('fileinfo') || this.options.detection === true;
    if (!wantFiles) return;
    const req = tx.request;
    // Uploads: for detection only (written fileinfo stays as it was: downloads).
    if (this.options.detection && req !== undefined && req.bodyLength > 0) this.httpUploads(tx, req, out);
    const res = tx.response;
    if (res === undefined || res.bodyLength === 0) return;
    const filename = httpFileName(req?.uri ?? '', headerValue(res.headers, 'content-disposition'));
    const size = res.bodyTruncated ? res.bodyLength : res.bodyDecodedLength;
    const fileinfo = this.fileinfo(filename, res.digests, size, res.bodyTruncated, tx.txId);
    const file = this.fileSource(res.body, size, res.bodyTruncated);
    this.record(out, 'fileinfo', 'toClient', { http: httpEve(tx), fileinfo }, tx.txId, file === undefined ? undefined : { file });
  }

  /** The files a request carries: each file part of a multipart form (when the form was kept
   *  whole), else the body itself, named after the URI. */
  private httpUploads(tx: HttpTransaction, req: HttpRequest, out: AppOut): void {
    const fields = { http: httpEve(tx) };
    const ctype = headerValue(req.headers, 'content-type') ?? '';
    const whole = !req.bodyTruncated && req.body.length === req.bodyDecodedLength;
    if (/^\s*multipart\/form-data/i.test(ctype) && whole) {
      const head = Buffer.from(`Content-Type: ${ctype}\r\n\r\n`, 'latin1');
      const message = parseMimeMessage(Buffer.concat([head, req.body]));
      for (const a of message.attachments) {
        const digests = a.truncated ? undefined : fileDigests(a.content, this.fileHashes);
        const fileinfo = this.fileinfo(a.filename, digests, a.size, a.truncated, tx.txId);
        const file = this.fileSource(a.content, a.size, a.truncated);
        this.record(out, 'fileinfo', 'toServer', { ...fields, fileinfo }, tx.txId, file === undefined ? undefined : { file }, true);
      }
      if (message.attachments.length > 0) return;
    }
    this.httpBodyUpload(tx.txId, req, httpFileName(req.uri, undefined), fields, out);
  }

  private httpBodyUpload(txId: number, body: HttpBody, filename: string, fields: Record<string, unknown>, out: AppOut): void {
    const size = body.bodyTruncated ? body.bodyLength : body.bodyDecodedLength;
    const fileinfo = this.fileinfo(filename, body.digests, size, body.bodyTruncated, txId);
    const file = this.fileSource(body.body, size, body.bodyTruncated);
    this.record(out, 'fileinfo', 'toServer', { ...fields, fileinfo }, txId, file === undefined ? undefined : { file }, true);
  }

  /** `digests`: of the complete file, as configured; the parsers give none for a truncated file
   *  (they would name a file that never was). */
  private fileinfo(filename: string, digests: FileDigests | undefined, size: number, truncated: boolean, txId: number): Record<string, unknown> {
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

  private tls(p: TlsFlowParser, rec: TlsHandshakeRecord, out: AppOut): void {
    if (this.logged) return;
    // The server's chain as sent (DER), for detection's `tls.certs`.
    if (rec.type === 'certificate' && rec.direction === 'toClient' && this.options.detection) this.tlsCerts = rec.der;
    // Suricata logs the handshake once the server's flight is complete: ServerHelloDone (TLS <= 1.2),
    // the ServerHello of TLS 1.3 (all that follows is encrypted), or the server's ChangeCipherSpec
    // of a resumed session.
    const complete =
      rec.type === 'server_hello_done' ||
      (rec.type === 'server_hello' && isTls13(rec.hello.selectedVersion)) ||
      (rec.type === 'change_cipher_spec' && rec.direction === 'toClient');
    if (complete) this.logTls(p, out);
  }

  private logTls(p: TlsFlowParser, out: AppOut): void {
    this.logged = true;
    this.record(out, 'tls', 'toServer', { tls: p.eve() }, undefined, this.tlsCerts === undefined ? undefined : { tlsCerts: this.tlsCerts });
    this.tlsCerts = undefined;
    // The rest is encrypted: nothing more to parse for logging (detection will want heartbeats).
    this.finishEarly();
  }

  /** Nothing more to log for this flow: drop the parser and what waits, so a flow idling in the
   *  table until its timeout does not pin packet buffers (parsers keep views into them). */
  private finishEarly(): void {
    this.done = true;
    this.parser = null;
    this.pending.toServer = [];
    this.pending.toClient = [];
    this.pendingBytes.toServer = this.pendingBytes.toClient = 0;
  }

  private ssh(p: SshFlowParser, rec: SshRecord, out: AppOut): void {
    if (rec.type === 'banner') this.sshBanner = true;
    else this.sshKex[rec.direction] = true;
    // Logged once both sides sent their KEXINIT (so HASSH is in), else at the end of the flow.
    if (!this.logged && this.sshKex.toServer && this.sshKex.toClient) this.logSsh(p, out);
  }

  private logSsh(p: SshFlowParser, out: AppOut): void {
    this.logged = true;
    this.record(out, 'ssh', 'toServer', { ssh: p.eve() });
    this.finishEarly();
  }

  private smtp(tx: SmtpTransaction, out: AppOut): void {
    const txId = this.nextTx++;
    const eve = smtpEve(tx);
    const fields: Record<string, unknown> = { smtp: eve.smtp };
    if (eve.email !== undefined) fields.email = eve.email;
    this.record(out, 'smtp', 'toServer', fields, txId);
    if (!this.options.types.has('fileinfo') && !this.options.detection) return;
    for (const a of tx.message?.attachments ?? []) {
      // Unnamed parts are not written (as before) but detection still looks at them.
      if (a.filename === '' && !this.options.detection) continue;
      const digests = a.truncated ? undefined : fileDigests(a.content, this.fileHashes);
      const fileinfo = this.fileinfo(a.filename, digests, a.size, a.truncated, txId);
      const file = this.fileSource(a.content, a.size, a.truncated);
      this.record(out, 'fileinfo', 'toServer', { ...fields, fileinfo }, txId, file === undefined ? undefined : { file }, a.filename === '');
    }
  }

  /** The data connection ended: its file, named by the command that asked for it. */
  private ftpDataFile(p: FtpDataTransfer, out: AppOut): void {
    if (!this.options.types.has('fileinfo') && !this.options.detection) return;
    const f = p.finish();
    if (f.size === 0) return;
    const fileinfo = this.fileinfo(f.filename, f.digests, f.size, f.truncated, 0);
    if (f.gaps) fileinfo.gaps = true;
    const file = this.fileSource(f.content, f.size, f.truncated);
    this.record(out, 'fileinfo', p.fileDirection, { ftp_data: { filename: f.filename, command: f.command }, fileinfo }, 0, file === undefined ? undefined : { file });
  }

  private ftp(tx: FtpTransaction, out: AppOut): void {
    this.record(out, 'ftp', 'toServer', { ftp: ftpEve(tx) }, this.nextTx++);
  }
}
