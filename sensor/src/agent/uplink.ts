/**
 * Sends the spool to `POST /api/v1/ingest/events`, oldest seq first: batches bounded by count
 * (`batchMaxEvents`, at most INGEST_LIMITS.maxEventsPerBatch), by time (`batchMaxSeconds` after
 * records appear) and by compressed size (INGEST_LIMITS.maxBatchBytes), as gzip NDJSON with the
 * sensor's credential. Records leave the spool only after the server's 200 (accepted, duplicate and
 * rejected lines are all final).
 *
 * Answers:
 * - 401/403: the credential is refused (revoked, or replaced by a re-enrollment elsewhere). The
 *   uplink stops sending — state `credential_refused`, the log says to re-enroll — and resumes when
 *   `resume()` is called with a new credential; the spool keeps filling meanwhile.
 * - 413: the batch is split in halves; a single event too large is dropped and counted.
 * - 400: the batch is bisected until the bad event(s) are alone, which are dropped and counted, so
 *   one bad event never blocks the sensor.
 * - 429, 5xx, other statuses, no answer: the same batch again after exponential backoff with full
 *   jitter (capped at `backoffMaxSeconds`), or after the server's Retry-After.
 */
import { gzipSync } from 'node:zlib';
import { INGEST_LIMITS, IngestResult } from '@otasuke/shared';
import type { AgentLog } from './agentLog.ts';
import { retryAfterMs, retryDelayMs } from './backoff.ts';
import type { ServerLink } from './serverLink.ts';
import type { Spool } from './spool/spool.ts';
import type { SpoolRecord } from './spool/spoolFrame.ts';

export const INGEST_PATH = '/api/v1/ingest/events';

export type UplinkState = 'idle' | 'sending' | 'backoff' | 'credential_refused' | 'stopped';

export interface UplinkStats {
  state: UplinkState;
  batches: number;
  accepted: number;
  duplicates: number;
  suppressed: number;
  /** Lines the server rejected inside a 200 (final, counted by the server too). */
  rejected: number;
  /** Events dropped by the agent: the server refused them alone (400) or they are too large (413). */
  dropped: { badEvent: number; tooLarge: number; damaged: number };
  retries: number;
  lastError: string | null;
  /** Seq of the newest event the server has acknowledged. */
  ackedSeq: number;
}

export interface UplinkOptions {
  batchMaxEvents: number;
  batchMaxSeconds: number;
  backoffMaxSeconds: number;
  log: AgentLog;
  random?: () => number;
}

class Stopped extends Error {}

export class Uplink {
  private readonly statsValue: UplinkStats = {
    state: 'idle',
    batches: 0,
    accepted: 0,
    duplicates: 0,
    suppressed: 0,
    rejected: 0,
    dropped: { badEvent: 0, tooLarge: 0, damaged: 0 },
    retries: 0,
    lastError: null,
    ackedSeq: 0,
  };
  private readonly abort = new AbortController();
  private running: Promise<void> | null = null;
  private resumeWaiter: (() => void) | null = null;
  private draining = false;
  private readonly batchMaxEvents: number;

  constructor(
    private readonly spool: Spool,
    private readonly link: ServerLink,
    private readonly options: UplinkOptions,
  ) {
    this.batchMaxEvents = Math.min(options.batchMaxEvents, INGEST_LIMITS.maxEventsPerBatch);
  }

  stats(): UplinkStats {
    return { ...this.statsValue, dropped: { ...this.statsValue.dropped } };
  }

  start(): void {
    this.running ??= this.loop().catch((e: unknown) => {
      if (!(e instanceof Stopped)) this.options.log('error', 'uplink_failed', { error: (e as Error).stack ?? String(e) });
    });
  }

  /** A new credential after `credential_refused`. */
  resume(credential: string): void {
    this.link.setCredential(credential);
    const wake = this.resumeWaiter;
    this.resumeWaiter = null;
    wake?.();
  }

  /**
   * Stops the loop. With `drainMs`, first keeps sending what is durable in the spool for up to that
   * long (a clean shutdown), then gives up; what is unsent stays in the spool for the next start.
   */
  async stop(drainMs = 0): Promise<void> {
    if (drainMs > 0 && this.running !== null && this.statsValue.state !== 'credential_refused') {
      this.draining = true;
      const deadline = sleep(drainMs, this.abort.signal);
      await Promise.race([this.drained(), deadline]);
    }
    this.abort.abort();
    this.resumeWaiter?.();
    await this.running;
    this.statsValue.state = 'stopped';
  }

  private async drained(): Promise<void> {
    while (!this.abort.signal.aborted && (this.spool.durableCount(1) > 0 || this.statsValue.state === 'sending')) await sleep(20, this.abort.signal);
  }

  private async loop(): Promise<void> {
    const signal = this.abort.signal;
    let failures = 0;
    while (!signal.aborted) {
      this.statsValue.state = 'idle';
      await this.spool.waitForRecords(signal);
      if (signal.aborted) break;
      // Time bound: let a batch gather unless it is already full (or we are shutting down).
      const gatherUntil = Date.now() + this.options.batchMaxSeconds * 1000;
      while (!signal.aborted && !this.draining && Date.now() < gatherUntil && this.spool.durableCount(this.batchMaxEvents) < this.batchMaxEvents) {
        await sleep(Math.min(50, gatherUntil - Date.now()), signal);
      }
      if (signal.aborted) break;
      try {
        const records = this.spool.peek(this.batchMaxEvents);
        if (records.length === 0) continue;
        this.statsValue.state = 'sending';
        await this.deliver(records);
        failures = 0;
      } catch (e) {
        if (e instanceof Stopped) throw e;
        // The spool's disk failed (full, read-only…): keep trying, the records are still there.
        this.statsValue.lastError = (e as Error).message;
        this.options.log('error', 'uplink_spool_failed', { error: (e as Error).message });
        await sleep(retryDelayMs(failures++, this.options.backoffMaxSeconds * 1000, this.options.random), signal);
      }
    }
  }

  /** Sends records until the server has them (or they are dropped); acknowledges them in the spool. */
  private async deliver(records: SpoolRecord[]): Promise<void> {
    const lines = records.filter((r) => r.payload.length > 0);
    const damaged = records.length - lines.length;
    if (lines.length === 0) {
      this.statsValue.dropped.damaged += damaged;
      this.ack(records);
      return;
    }
    const body = gzipSync(Buffer.concat(lines.flatMap((r) => [r.payload, NEWLINE])));
    if (body.length > INGEST_LIMITS.maxBatchBytes) return this.split(records, 'tooLarge');
    for (let attempt = 0; ; attempt++) {
      if (this.abort.signal.aborted) throw new Stopped();
      let status: number;
      let answer: Awaited<ReturnType<ServerLink['exchange']>> | null = null;
      try {
        answer = await this.link.exchange('POST', INGEST_PATH, {
          headers: { 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip', accept: 'application/json' },
          body,
          signal: this.abort.signal,
        });
        status = answer.status;
      } catch (e) {
        if (this.abort.signal.aborted) throw new Stopped();
        status = 0;
        this.statsValue.lastError = (e as Error).message;
      }
      if (status === 200 && answer !== null) {
        this.statsValue.dropped.damaged += damaged;
        this.recordResult(answer.body, records);
        this.ack(records);
        return;
      }
      if (status === 401 || status === 403) {
        this.statsValue.state = 'credential_refused';
        this.statsValue.lastError = `the server refused the sensor credential (${status}): re-enroll with otasuke sensor enroll --server URL --code CODE`;
        this.options.log('error', 'credential_refused', { status, message: this.statsValue.lastError, reason: errorReason(answer?.body) });
        await new Promise<void>((resolve) => {
          this.resumeWaiter = resolve;
        });
        this.statsValue.state = 'sending';
        attempt = -1;
        continue;
      }
      if (status === 413) return this.split(records, 'tooLarge');
      if (status === 400) {
        if (lines.length === 1) {
          this.statsValue.dropped.badEvent++;
          this.options.log('warn', 'event_refused', { seq: lines[0]!.seq, reason: errorReason(answer?.body) });
          this.ack(records);
          return;
        }
        return this.split(records, 'badEvent');
      }
      // 429, 5xx, anything else, or no answer: the same batch again, later.
      this.statsValue.state = 'backoff';
      this.statsValue.retries++;
      if (status !== 0) this.statsValue.lastError = `the server answered ${status} to ${records.length} event(s)`;
      const wait = (status === 429 || status === 503 ? retryAfterMs(answer?.headers['retry-after'], Date.now()) : null) ?? retryDelayMs(attempt, this.options.backoffMaxSeconds * 1000, this.options.random);
      this.options.log('warn', 'uplink_retry', { status, events: records.length, waitMs: wait, error: this.statsValue.lastError });
      await sleep(wait, this.abort.signal);
      this.statsValue.state = 'sending';
    }
  }

  /** Halves in order; a single event that cannot go alone is dropped and counted. */
  private async split(records: SpoolRecord[], reason: 'tooLarge' | 'badEvent'): Promise<void> {
    if (records.length === 1) {
      this.statsValue.dropped[reason]++;
      this.options.log('warn', 'event_dropped', { seq: records[0]!.seq, reason });
      this.ack(records);
      return;
    }
    const half = Math.ceil(records.length / 2);
    await this.deliver(records.slice(0, half));
    await this.deliver(records.slice(half));
  }

  private recordResult(body: Buffer, records: SpoolRecord[]): void {
    this.statsValue.batches++;
    let parsed: ReturnType<typeof IngestResult.safeParse>;
    try {
      parsed = IngestResult.safeParse(JSON.parse(body.toString('utf8')));
    } catch {
      parsed = IngestResult.safeParse(undefined);
    }
    if (!parsed.success) {
      // The server took the batch (200); an answer we cannot read does not make us send it again.
      this.options.log('warn', 'ingest_answer_unreadable', { events: records.length });
      this.statsValue.accepted += records.length;
      return;
    }
    const r = parsed.data;
    this.statsValue.accepted += r.accepted;
    this.statsValue.duplicates += r.duplicates;
    this.statsValue.suppressed += r.suppressed;
    this.statsValue.rejected += r.rejected.length;
    if (r.rejected.length > 0) this.options.log('warn', 'events_rejected', { rejected: r.rejected.slice(0, 10), total: r.rejected.length });
  }

  private ack(records: SpoolRecord[]): void {
    const last = records.at(-1)!.seq;
    this.spool.ack(last);
    this.statsValue.ackedSeq = Math.max(this.statsValue.ackedSeq, last);
  }
}

const NEWLINE = Buffer.from('\n');

function errorReason(body: Buffer | undefined): string | undefined {
  if (body === undefined || body.length === 0) return undefined;
  try {
    const e = (JSON.parse(body.toString('utf8')) as { error?: { code?: string; message?: string; details?: { reason?: string } } }).error;
    return e?.details?.reason ?? e?.message ?? e?.code;
  } catch {
    return body.toString('utf8').slice(0, 200);
  }
}

/** Resolves after `ms`, or at once when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    signal?.addEventListener('abort', done, { once: true });
  });
}
