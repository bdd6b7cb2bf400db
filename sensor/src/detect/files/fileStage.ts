/**
 * File inspection (detection stage `files`): every file the sensor sees travelling — HTTP downloads
 * and uploads, SMTP attachments — is scanned by a scanner (clamd). A malware file raises an alert of
 * engine `file` (the seed's "virus" box), explain `malware_file`, severity 1, signature
 * "ClamAV: <name>". Matching file hashes against threat intel is the IOC stage's (it reads every
 * fileinfo record and raises those as engine `file` too); an injected `lookupHash` does the same
 * here for the files only this stage sees (HTTP uploads: the pipeline logs no fileinfo for them).
 *
 * The pipeline's fileinfo records carry no bytes, so the stage takes its files from its own
 * extractor over the flow's bytes (onStream). A file larger than the scan limit is hashed, counted,
 * not scanned. Scans run in the background, a bounded number at a time with a bounded backlog; their
 * alerts are raised when the verdict comes, stamped with the time the file was seen; `finish`
 * waits for every scan. A scan that fails (clamd down, timeout, clamd's own size limit) is
 * counted, never raised and never fatal.
 */
import type { Flow } from '../../flow/flow.ts';
import { OTASUKE_SID } from '../detectionStage.ts';
import type { DetectionStage, RaiseAlert, RaisedAlert, StreamData } from '../detectionStage.ts';
import type { ClamdFailure, FileScanner } from './clamdClient.ts';
import { StreamFileExtractor } from './streamFileExtractor.ts';
import type { InspectedFile } from './streamFileExtractor.ts';

export type { InspectedFile } from './streamFileExtractor.ts';

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
  lookupHash?: FileHashLookup;
  scanner?: FileScanner;
  /** Bytes; default DEFAULT_FILE_SCAN_LIMIT. */
  scanLimit?: number;
  maxConcurrentScans?: number;
  maxQueuedScanBytes?: number;
  /** HTTP/SMTP flows followed at once; default DEFAULT_MAX_FOLLOWED_FLOWS. */
  maxFollowedFlows?: number;
}

export interface FileStageCounters {
  files: number;
  /** Files with digests (complete files). */
  hashed: number;
  /** Files cut short (capture gap, decoder cap): no digests, not scanned. */
  truncated: number;
  hashMatches: number;
  scanned: number;
  clean: number;
  infected: number;
  /** Complete files over the scan limit: hashed, not scanned. */
  tooLarge: number;
  /** Not scanned because the backlog was full. */
  backlogFull: number;
  /** HTTP/SMTP flows not inspected: too many followed at once (memory bound). */
  flowsNotFollowed: number;
  scanFailures: Partial<Record<ClamdFailure, number>>;
}

interface QueuedScan {
  file: InspectedFile;
  content: Uint8Array;
  raise: RaiseAlert;
  timestamp: { sec: number; nsec: number };
}

const HASH_FIELDS = ['sha256', 'sha1', 'md5'] as const;

export class FileStage implements DetectionStage {
  readonly name = 'files';
  readonly counters: FileStageCounters = {
    files: 0, hashed: 0, truncated: 0, hashMatches: 0, scanned: 0, clean: 0, infected: 0, tooLarge: 0, backlogFull: 0, flowsNotFollowed: 0, scanFailures: {},
  };
  private readonly lookupHash: FileHashLookup | undefined;
  private readonly scanner: FileScanner | undefined;
  private readonly scanLimit: number;
  private readonly maxConcurrent: number;
  private readonly maxQueuedBytes: number;
  private readonly extractor: StreamFileExtractor;
  private readonly queue: QueuedScan[] = [];
  private queuedBytes = 0;
  private running = 0;
  private readonly idleWaiters: (() => void)[] = [];

  constructor(options: FileStageOptions) {
    this.lookupHash = options.lookupHash;
    this.scanner = options.scanner;
    this.scanLimit = options.scanLimit ?? DEFAULT_FILE_SCAN_LIMIT;
    this.maxConcurrent = Math.max(1, options.maxConcurrentScans ?? DEFAULT_MAX_CONCURRENT_SCANS);
    this.maxQueuedBytes = options.maxQueuedScanBytes ?? DEFAULT_MAX_QUEUED_SCAN_BYTES;
    this.extractor = new StreamFileExtractor(this.scanLimit, options.maxFollowedFlows);
  }

  onStream(data: StreamData, raise: RaiseAlert): void {
    const files = this.extractor.onStream(data.flow, data.direction, data.data);
    this.counters.flowsNotFollowed = this.extractor.notFollowed;
    for (let i = 0; i < files.length; i++) this.inspect(files[i]!, raise);
  }

  onFlowEnd(flow: Flow, raise: RaiseAlert): void {
    for (const file of this.extractor.onFlowEnd(flow)) this.inspect(file, raise);
  }

  /** Waits for every queued and running scan; their alerts are raised before it resolves. */
  async finish(): Promise<void> {
    if (this.running === 0 && this.queue.length === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  /** One file: hash lookup now, scan later. */
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
    if (this.lookupHash !== undefined && !file.logged) {
      for (const field of HASH_FIELDS) {
        const hex = info[field];
        if (typeof hex !== 'string') continue;
        const hit = this.lookupHash(hex);
        if (hit === undefined) continue;
        c.hashMatches++;
        raise(this.hashAlert(file, field, hex, hit, timestamp));
        break;
      }
    }
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

  private hashAlert(file: InspectedFile, field: (typeof HASH_FIELDS)[number], hex: string, hit: FileHashIndicator, timestamp: { sec: number; nsec: number }): RaisedAlert {
    const name = field === 'md5' ? 'MD5' : field === 'sha1' ? 'SHA-1' : 'SHA-256';
    const what = hit.threat !== undefined ? ` (${hit.threat})` : '';
    const metadata: Record<string, string[]> = { ...hit.metadata, file_hash: [`${field}:${hex}`] };
    return this.alert(file, FILE_SIDS.hashMatch, `OTASUKE FILE known malicious file by ${name}${what}`, metadata, timestamp);
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
  return `files: ${c.files} seen, ${c.hashed} hashed, ${c.truncated} truncated, ${c.hashMatches} hash matches, ${c.scanned} scanned (${c.infected} infected), ${c.tooLarge} over the scan limit, ${c.backlogFull} skipped (scan backlog full)${c.flowsNotFollowed > 0 ? `, ${c.flowsNotFollowed} flows not followed (too many at once)` : ''}${failures === '' ? '' : `, scan failures: ${failures}`}`;
}
