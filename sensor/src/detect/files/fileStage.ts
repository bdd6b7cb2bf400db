/**
 * File inspection (detection stage `files`): every file the sensor sees travelling — HTTP downloads
 * and uploads, SMTP attachments, FTP-data transfers — is scanned by a scanner (clamd). A malware file raises an alert of
 * engine `file` (the seed's "virus" box), explain `malware_file`, severity 1, signature
 * "ClamAV: <name>". Matching file hashes against threat intel is the IOC stage's: it reads every
 * fileinfo record, written or not (uploads go to detection only), and raises those as engine `file`.
 *
 * The files are the pipeline's fileinfo records: with detection on, the app layer hashes every file
 * whole as it streams by and hands the bytes of those no larger than `fileContentLimit` (the scan
 * limit) in `source.file`. A file larger than the scan limit is hashed, counted, not scanned.
 * Scans run in the background, a bounded number at a time with a bounded backlog; their
 * alerts are raised when the verdict comes, stamped with the time the file was seen; `finish`
 * waits for every scan. A scan that fails (clamd down, timeout, clamd's own size limit) is
 * counted, never raised and never fatal.
 */
import type { Direction } from '../../app-layer/appLayer.ts';
import type { Flow } from '../../flow/flow.ts';
import type { AppRecordOut } from '../../pipeline/appSession.ts';
import type { FileContentReader } from '../../pipeline/sensorPipeline.ts';
import { OTASUKE_SID } from '../detectionStage.ts';
import type { DetectionStage, RaiseAlert, RaisedAlert } from '../detectionStage.ts';
import type { ClamdFailure, FileScanner } from './clamdClient.ts';

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
  /** The pipeline writes this fileinfo record (false: for detection only). */
  logged: boolean;
}

/** The file a fileinfo record describes; undefined for other records. */
export function inspectedFileOf(rec: AppRecordOut): InspectedFile | undefined {
  if (rec.eventType !== 'fileinfo') return undefined;
  const fileinfo = rec.fields.fileinfo;
  if (typeof fileinfo !== 'object' || fileinfo === null) return undefined;
  const app: Record<string, unknown> = {};
  for (const key of Object.keys(rec.fields)) if (key !== 'fileinfo') app[key] = rec.fields[key];
  const file: InspectedFile = { flow: rec.flow, direction: rec.direction, fileinfo: fileinfo as Record<string, unknown>, app, logged: rec.logged !== false };
  if (rec.txId !== undefined) file.txId = rec.txId;
  const content = rec.source?.file?.content;
  if (content !== undefined) file.content = content;
  return file;
}

export const FILE_SIDS = {
  /** The file's MD5, SHA-1 or SHA-256 is in a threat-intel feed. */
  hashMatch: OTASUKE_SID.fileBase + 1,
  /** clamd named the file. */
  clamav: OTASUKE_SID.fileBase + 2,
} as const;

/** Files larger than this are hashed and matched but not scanned. */
export const DEFAULT_FILE_SCAN_LIMIT = 10 * 1024 * 1024;
/** Scans in flight at once. */
export const DEFAULT_MAX_CONCURRENT_SCANS = 4;
/** Bytes of files waiting for a scan; past this a file is counted as not scanned (backlog). */
export const DEFAULT_MAX_QUEUED_SCAN_BYTES = 64 * 1024 * 1024;

const MALWARE_CATEGORY = 'Malware in a transferred file';

/** What the threat-intel index knows of a file hash. */
export interface FileHashIndicator {
  /** Further alert metadata: the feed, the threat's name… (string arrays). */
  metadata?: Record<string, string[]>;
  /** The threat's name, when the feed gives one. */
  threat?: string;
}

/** Looks up a lowercase hex digest (MD5, SHA-1 or SHA-256). */
export type FileHashLookup = (hex: string) => FileHashIndicator | undefined;

export interface FileStageOptions {
  /** Ignored: the IOC stage matches the hashes of every fileinfo record, uploads included (kept so
   *  callers that still pass it compile; remove it from buildDetection). */
  lookupHash?: FileHashLookup;
  scanner?: FileScanner;
  /** Bytes; default DEFAULT_FILE_SCAN_LIMIT. */
  scanLimit?: number;
  maxConcurrentScans?: number;
  maxQueuedScanBytes?: number;
}

export interface FileStageCounters {
  files: number;
  /** Files with digests (complete files). */
  hashed: number;
  /** Files cut short (capture gap, decoder cap): no digests, not scanned. */
  truncated: number;
  /** Always 0 now (hash matches are the IOC stage's); kept for the summary line's shape. */
  hashMatches: number;
  scanned: number;
  clean: number;
  infected: number;
  /** Complete files over the scan limit: hashed, not scanned. */
  tooLarge: number;
  /** Not scanned because the backlog was full. */
  backlogFull: number;
  scanFailures: Partial<Record<ClamdFailure, number>>;
}

interface QueuedScan {
  file: InspectedFile;
  content: Uint8Array;
  raise: RaiseAlert;
  timestamp: { sec: number; nsec: number };
}

export class FileStage implements DetectionStage, FileContentReader {
  readonly name = 'files';
  /** Files up to this size reach the stage whole (0 without a scanner: nothing to read). */
  readonly fileContentLimit: number;
  readonly counters: FileStageCounters = {
    files: 0, hashed: 0, truncated: 0, hashMatches: 0, scanned: 0, clean: 0, infected: 0, tooLarge: 0, backlogFull: 0, scanFailures: {},
  };
  private readonly scanner: FileScanner | undefined;
  private readonly scanLimit: number;
  private readonly maxConcurrent: number;
  private readonly maxQueuedBytes: number;
  private readonly queue: QueuedScan[] = [];
  private queuedBytes = 0;
  private running = 0;
  private readonly idleWaiters: (() => void)[] = [];

  constructor(options: FileStageOptions) {
    this.scanner = options.scanner;
    this.scanLimit = options.scanLimit ?? DEFAULT_FILE_SCAN_LIMIT;
    this.maxConcurrent = Math.max(1, options.maxConcurrentScans ?? DEFAULT_MAX_CONCURRENT_SCANS);
    this.maxQueuedBytes = options.maxQueuedScanBytes ?? DEFAULT_MAX_QUEUED_SCAN_BYTES;
    this.fileContentLimit = this.scanner === undefined ? 0 : this.scanLimit;
  }

  onAppRecord(rec: AppRecordOut, raise: RaiseAlert): void {
    const file = inspectedFileOf(rec);
    if (file !== undefined) this.inspect(file, raise);
  }

  /** Waits for every queued and running scan; their alerts are raised before it resolves. */
  async finish(): Promise<void> {
    if (this.running === 0 && this.queue.length === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  /** One file: counted now, scanned later. */
  inspect(file: InspectedFile, raise: RaiseAlert): void {
    const c = this.counters;
    c.files++;
    const info = file.fileinfo;
    if (info.state === 'TRUNCATED') {
      c.truncated++;
      return;
    }
    const timestamp = { sec: file.flow.lastSec, nsec: file.flow.lastNsec };
    if (typeof info.md5 === 'string' || typeof info.sha256 === 'string' || typeof info.sha1 === 'string') c.hashed++;
    if (this.scanner === undefined) return;
    const size = typeof info.size === 'number' ? info.size : (file.content?.length ?? 0);
    if (size > this.scanLimit) {
      c.tooLarge++;
      return;
    }
    const content = file.content;
    if (content === undefined) return;
    if (this.queuedBytes + content.length > this.maxQueuedBytes && this.queue.length > 0) {
      c.backlogFull++;
      return;
    }
    this.queue.push({ file, content, raise, timestamp });
    this.queuedBytes += content.length;
    this.pump();
  }

  private pump(): void {
    while (this.running < this.maxConcurrent && this.queue.length > 0) {
      const job = this.queue.shift() as QueuedScan;
      this.queuedBytes -= job.content.length;
      this.running++;
      void this.scan(job).finally(() => {
        this.running--;
        this.pump();
        if (this.running === 0 && this.queue.length === 0) for (const w of this.idleWaiters.splice(0)) w();
      });
    }
  }

  private async scan(job: QueuedScan): Promise<void> {
    const c = this.counters;
    const verdict = await (this.scanner as FileScanner).scan(job.content);
    if (verdict.status === 'failed') {
      c.scanFailures[verdict.reason] = (c.scanFailures[verdict.reason] ?? 0) + 1;
      return;
    }
    c.scanned++;
    if (verdict.status === 'clean') {
      c.clean++;
      return;
    }
    c.infected++;
    const alert = this.alert(job.file, FILE_SIDS.clamav, `ClamAV: ${verdict.signature}`, { clamav_signature: [verdict.signature] }, job.timestamp);
    job.raise(alert);
  }

  private alert(file: InspectedFile, sid: number, signature: string, metadata: Record<string, string[]>, timestamp: { sec: number; nsec: number }): RaisedAlert {
    const app: Record<string, unknown> = { ...file.app, fileinfo: file.fileinfo };
    const a: RaisedAlert = {
      engine: 'file',
      explain: 'malware_file',
      gid: 1,
      signatureId: sid,
      rev: 1,
      signature,
      category: MALWARE_CATEGORY,
      severity: 1,
      // The sender is the alert's source: a download comes from the server, an upload from the client.
      direction: file.direction,
      flow: file.flow,
      metadata,
      app,
      timestamp,
    };
    if (file.txId !== undefined) a.txId = file.txId;
    return a;
  }
}

/** One line for the load summary and the run summary. */
export function formatFileStageCounters(c: FileStageCounters): string {
  const failures = Object.entries(c.scanFailures)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  return `files: ${c.files} seen, ${c.hashed} hashed, ${c.truncated} truncated, ${c.hashMatches} hash matches, ${c.scanned} scanned (${c.infected} infected), ${c.tooLarge} over the scan limit, ${c.backlogFull} skipped (scan backlog full)${failures === '' ? '' : `, scan failures: ${failures}`}`;
}
