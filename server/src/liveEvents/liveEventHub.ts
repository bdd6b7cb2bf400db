/**
 * Live events for the console: each server process reads what changed in `incidents` once a second
 * and fans it out to the event streams open on that process, each reader getting only the incidents
 * of the tenants it may see (`canSeeOrganization`, the same rule as every repository query).
 *
 * Why a database cursor and not a message bus: incidents change in many places — correlation in
 * this process (embedded mode) or in `otasuke worker` processes (scale mode, NATS), triage, merges,
 * the sensor monitor, the customer's acknowledgement by mail link or portal. Every one of them
 * commits to PostgreSQL, and only there; a publish after each commit would have to be added to each
 * writer (and could be lost between the commit and the publish, or sent for a rolled-back
 * transaction). Reading the committed rows cannot miss a writer nor report a change that did not
 * happen, works the same with one process or many (no NATS needed; a restart needs no replay), and
 * costs one indexed query per second per server process, whatever the number of open streams
 * (migration 0013). The price is up to a second of delay, which a person watching a queue does not
 * notice.
 *
 * A transaction may commit after a later one (its `updated_at` is the writer's clock at the
 * statement, not the commit): each read therefore goes back `lookbackMs` (10 s) before the newest
 * point already read, and a change already sent (same row, same facts) is not sent twice. A change
 * committed more than `lookbackMs` after it was stamped, or stamped by a clock that far behind, would
 * be missed by the stream; the console's slow fallback poll still shows it.
 */
import type { LiveIncidentEvent } from '@otasuke/shared';
import { canSeeOrganization, tenantFilterOf, type AccessScope, type TenantFilter } from '../access/accessScope.ts';
import type { Clock } from '../clock.ts';
import { AppError } from '../http/errors.ts';
import type { ChangeCursor, ChangedIncident, LiveEventRepository } from './liveEventRepository.ts';

/** Where one stream's text goes (the HTTP response in production; a buffer in unit tests). */
export interface LiveSink {
  /** Writes one chunk; false when the client has fallen too far behind (the hub then closes it). */
  write(chunk: string): boolean;
  end(): void;
}

export interface LiveSubscriber {
  scope: AccessScope;
  sink: LiveSink;
  /** Re-checks the credential at each heartbeat: a signed-out or disabled user's stream ends. */
  stillValid(): Promise<boolean>;
}

export interface LiveEventSettings {
  /** How often the database is read while any stream is open (default 1 s). */
  pollMs?: number;
  /** How far back each read goes before the newest point read (default 10 s). */
  lookbackMs?: number;
  /** A comment line on every stream this often, so proxies keep it open (default 15 s). */
  heartbeatMs?: number;
  /** Streams one user (or API token) may hold open on one process (default 5). */
  maxPerUser?: number;
  /** Streams open on one process in all (default 2,000). */
  maxStreams?: number;
  /** Rows read per query; a busy second reads several pages (default 500). */
  pageSize?: number;
  logger?: { warn(details: object, message: string): void };
}

interface Stream {
  key: string;
  filter: TenantFilter;
  subscriber: LiveSubscriber;
  closed: boolean;
}

const PAGES_PER_POLL = 20;

export class TooManyStreamsError extends AppError {
  constructor(message: string) {
    super('too_many_requests', 429, message);
  }
}

/** One server-sent event; the payload is one line of JSON. */
export function formatEvent(event: LiveIncidentEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

export class LiveEventHub {
  private readonly streams = new Set<Stream>();
  private readonly perUser = new Map<string, number>();
  /** Changes up to here are read for good (older than every transaction still open, we assume). */
  private settled: number | null = null;
  /** What was sent of the changes after `settled`, by incident: the facts last sent. */
  private readonly sent = new Map<string, { fingerprint: string; changedAt: number }>();
  private pollTimer: NodeJS.Timeout | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private polling: Promise<unknown> | null = null;
  private stopped = false;
  private readonly pollMs: number;
  private readonly lookbackMs: number;
  private readonly heartbeatMs: number;
  private readonly maxPerUser: number;
  private readonly maxStreams: number;
  private readonly pageSize: number;

  constructor(
    private readonly repository: LiveEventRepository,
    private readonly clock: Clock,
    private readonly settings: LiveEventSettings = {},
  ) {
    this.pollMs = settings.pollMs ?? 1000;
    this.lookbackMs = settings.lookbackMs ?? 10_000;
    this.heartbeatMs = settings.heartbeatMs ?? 15_000;
    this.maxPerUser = settings.maxPerUser ?? 5;
    this.maxStreams = settings.maxStreams ?? 2000;
    this.pageSize = settings.pageSize ?? 500;
  }

  get openStreams(): number {
    return this.streams.size;
  }

  /**
   * Checks the limits before anything is written (so a refusal is a plain 429), then returns the
   * function that starts the stream; that one returns the function that ends it.
   */
  admit(scope: AccessScope): (subscriber: LiveSubscriber) => () => void {
    if (this.stopped) throw new AppError('unavailable', 503, 'the server is shutting down; reconnect in a moment');
    const key = scope.userId ?? scope.tokenId ?? scope.sessionId ?? scope.organizationId;
    if ((this.perUser.get(key) ?? 0) >= this.maxPerUser) throw new TooManyStreamsError(`at most ${this.maxPerUser} live streams per user; close another tab of the console`);
    if (this.streams.size >= this.maxStreams) throw new TooManyStreamsError('this server has too many live streams open; the console falls back to polling');
    return (subscriber) => this.add(key, subscriber);
  }

  private add(key: string, subscriber: LiveSubscriber): () => void {
    const stream: Stream = { key, filter: tenantFilterOf(subscriber.scope), subscriber, closed: false };
    this.streams.add(stream);
    this.perUser.set(key, (this.perUser.get(key) ?? 0) + 1);
    // The browser reconnects after 5 s when the connection drops.
    this.write(stream, 'retry: 5000\n: connected\n\n');
    this.startTimers();
    return () => this.remove(stream, false);
  }

  private remove(stream: Stream, endSink: boolean): void {
    if (stream.closed) return;
    stream.closed = true;
    this.streams.delete(stream);
    const left = (this.perUser.get(stream.key) ?? 1) - 1;
    if (left > 0) this.perUser.set(stream.key, left);
    else this.perUser.delete(stream.key);
    if (endSink) stream.subscriber.sink.end();
    if (this.streams.size === 0) this.stopTimers();
  }

  private write(stream: Stream, text: string): void {
    if (stream.closed) return;
    // A reader that does not keep up is dropped rather than buffered without bound; it reconnects.
    if (!stream.subscriber.sink.write(text)) this.remove(stream, true);
  }

  private startTimers(): void {
    // Only changes from now on (less the look-back) concern streams opened now.
    if (this.settled === null) this.settled = this.clock.now().getTime() - this.lookbackMs;
    // A read still running schedules the next one itself when it ends.
    if (this.pollTimer === null && this.polling === null) this.schedulePoll();
    if (this.heartbeatTimer === null) {
      this.heartbeatTimer = setInterval(() => void this.heartbeat(), this.heartbeatMs);
      this.heartbeatTimer.unref();
    }
  }

  private stopTimers(): void {
    if (this.pollTimer) clearTimeout(this.pollTimer);
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.pollTimer = null;
    this.heartbeatTimer = null;
    // Nobody listens: the next first stream starts from its own present.
    this.settled = null;
    this.sent.clear();
  }

  private schedulePoll(): void {
    this.pollTimer = setTimeout(() => {
      this.pollTimer = null;
      this.polling = this.poll()
        .catch((error: unknown) => this.settings.logger?.warn({ err: error }, 'live events: reading the changed incidents failed; retrying'))
        .finally(() => {
          this.polling = null;
          if (this.streams.size > 0 && !this.stopped && this.pollTimer === null) this.schedulePoll();
        });
    }, this.pollMs);
    this.pollTimer.unref();
  }

  /** One read of the changes and their fan-out; returns the events found (for tests and benches). */
  async poll(): Promise<LiveIncidentEvent[]> {
    const now = this.clock.now().getTime();
    const settled = this.settled ?? now - this.lookbackMs;
    const events: LiveIncidentEvent[] = [];
    let cursor: ChangeCursor | null = null;
    let full = false;
    for (let page = 0; page < PAGES_PER_POLL; page++) {
      const rows: ChangedIncident[] = await this.repository.changedSince(new Date(settled), cursor, this.pageSize);
      for (const row of rows) {
        const event = this.eventOf(row, settled);
        if (event) events.push(event);
      }
      const last = rows.at(-1);
      full = rows.length === this.pageSize;
      if (!full || !last) break;
      cursor = { changedAt: last.changedAt, id: last.id };
    }
    // Everything older than the look-back is read for good; after a very busy second (pages left
    // over), only up to the last change read, so the next read goes on from there.
    const next = full && cursor ? Math.min(now - this.lookbackMs, cursor.changedAt.getTime() - 1) : now - this.lookbackMs;
    if (this.settled !== null) {
      this.settled = Math.max(this.settled, next);
      for (const [id, sent] of this.sent) if (sent.changedAt <= this.settled) this.sent.delete(id);
    }
    for (const event of events) this.fanOut(event);
    return events;
  }

  private eventOf(row: ChangedIncident, settled: number): LiveIncidentEvent | null {
    const ack = row.customerAcknowledgedAt?.toISOString() ?? null;
    const fingerprint = `${row.changedAt.getTime()}|${row.status}|${row.priority}|${row.alertCount}|${ack}`;
    const before = this.sent.get(row.id);
    if (before?.fingerprint === fingerprint) return null;
    this.sent.set(row.id, { fingerprint, changedAt: row.changedAt.getTime() });
    // New to the readers: created after the point already read, and not sent before.
    const created = before === undefined && row.createdAt.getTime() > settled;
    return {
      type: created ? 'incident.created' : 'incident.updated',
      id: row.id,
      subscriber: { id: row.organizationId, name: row.organizationName },
      priority: row.priority,
      status: row.status,
      alertCount: row.alertCount,
      customerAcknowledgedAt: ack,
      changedAt: row.changedAt.toISOString(),
    };
  }

  private fanOut(event: LiveIncidentEvent): void {
    const text = formatEvent(event);
    for (const stream of [...this.streams]) {
      if (canSeeOrganization(stream.filter, event.subscriber.id)) this.write(stream, text);
    }
  }

  private async heartbeat(): Promise<void> {
    const text = `: heartbeat ${this.clock.now().toISOString()}\n\n`;
    await Promise.all(
      [...this.streams].map(async (stream) => {
        let valid = false;
        try {
          valid = await stream.subscriber.stillValid();
        } catch {
          // A failed check (database away) keeps the stream; the next one decides.
          valid = true;
        }
        if (valid) this.write(stream, text);
        else this.remove(stream, true);
      }),
    );
  }

  /** Ends every stream (server shutdown); the browsers reconnect to another process or later. */
  async close(): Promise<void> {
    this.stopped = true;
    for (const stream of [...this.streams]) this.remove(stream, true);
    this.stopTimers();
    await this.polling;
  }
}
