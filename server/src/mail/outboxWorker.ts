/**
 * Sends the outbox. Every mail is stored first (MailService.enqueue); this worker takes due mails,
 * composes and sends them through the injected Mailer, and records the outcome on the row.
 *
 * Without a mailer (no SMTP_URL) due mails become 'held': readable in the dev mailbox, never
 * dropped. Held mails stay held when a mailer appears later (a restart with SMTP_URL): they were
 * written for the dev mailbox, and mailing them to real people days later would surprise them.
 */
import type { Clock } from '../clock.ts';
import { composeMail, type ComposedMail } from './mailComposer.ts';
import type { DueMail, OutboxRepository } from './outboxRepository.ts';
import { MailerError, type Mailer } from './smtpMailer.ts';

export interface MailLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

const MINUTE = 60_000;
/** Wait after the 1st, 2nd, … failed attempt; the attempt after the last one is the final one. */
export const RETRY_DELAYS_MS = [1 * MINUTE, 5 * MINUTE, 30 * MINUTE, 120 * MINUTE, 360 * MINUTE];
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;
/** How long a claimed mail is reserved for its worker; after that a dead worker's mail is retaken. */
const LEASE_MS = 10 * MINUTE;
const BATCH_SIZE = 20;

export interface OutboxWorkerOptions {
  repository: OutboxRepository;
  mailer: Mailer | undefined;
  clock: Clock;
  /** The From header, e.g. `Otasuke <no-reply@example.jp>` (config MAIL_FROM). */
  from: string;
  logger?: MailLogger;
  /** Pause between polls when the outbox is drained. */
  pollMs?: number;
}

export interface OutboxRunResult {
  sent: number;
  /** Given up: a permanent refusal or the last attempt failed. */
  failed: number;
  /** Failed for now, scheduled again. */
  retried: number;
  /** Kept for the dev mailbox (no mailer). */
  held: number;
}

const silentLogger: MailLogger = { info() {}, warn() {}, error() {} };

export class OutboxWorker {
  private readonly repository: OutboxRepository;
  private readonly mailer: Mailer | undefined;
  private readonly clock: Clock;
  private readonly from: string;
  private readonly logger: MailLogger;
  private readonly pollMs: number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private polling = false;
  /** Set while stop() waits: the run in flight sends no further mail. */
  private stopping = false;

  constructor(options: OutboxWorkerOptions) {
    this.repository = options.repository;
    this.mailer = options.mailer;
    this.clock = options.clock;
    this.from = options.from;
    this.logger = options.logger ?? silentLogger;
    this.pollMs = options.pollMs ?? 5_000;
  }

  /** One pass over the due mails (at most one batch). */
  async runOnce(): Promise<OutboxRunResult> {
    const result: OutboxRunResult = { sent: 0, failed: 0, retried: 0, held: 0 };
    const now = this.clock.now();
    if (!this.mailer) {
      const held = await this.repository.holdDue(now);
      for (const mail of held) {
        this.logger.info({ mailId: mail.id, to: mail.to, subject: mail.subject }, 'mail held in the dev mailbox (no SMTP_URL)');
      }
      result.held = held.length;
      return result;
    }
    const due = await this.repository.claimDue(now, BATCH_SIZE, new Date(now.getTime() + LEASE_MS));
    for (const [index, mail] of due.entries()) {
      if (this.stopping) {
        await this.repository.release(due.slice(index).map((m) => m.id), this.clock.now());
        break;
      }
      result[await this.deliver(mail, this.mailer)] += 1;
    }
    return result;
  }

  /** Polls until stop(); a full batch is followed at once by the next. */
  start(): void {
    if (this.polling) return;
    this.polling = true;
    const tick = async () => {
      this.timer = undefined;
      let batchWasFull = false;
      const run = this.runOnce().then(
        (r) => {
          batchWasFull = r.sent + r.failed + r.retried >= BATCH_SIZE;
        },
        (err: unknown) => this.logger.error({ err }, 'mail outbox run failed'),
      );
      this.running = run;
      await run;
      this.running = undefined;
      if (this.polling) this.timer = setTimeout(tick, batchWasFull ? 0 : this.pollMs);
    };
    this.timer = setTimeout(tick, 0);
  }

  /** Stops polling; waits for the mail being sent, and gives the rest of its batch back. */
  async stop(): Promise<void> {
    this.polling = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.stopping = true;
    try {
      await this.running;
    } finally {
      this.stopping = false;
    }
  }

  private async deliver(mail: DueMail, mailer: Mailer): Promise<'sent' | 'failed' | 'retried'> {
    let composed: ComposedMail;
    try {
      composed = await composeMail(mail, { from: this.from, date: this.clock.now() });
    } catch (err) {
      // Composing is deterministic: it would fail the same way every time.
      const message = `cannot compose the mail: ${errorMessage(err)}`;
      await this.repository.markFailed(mail.id, message, null);
      this.logger.error({ mailId: mail.id, err }, message);
      return 'failed';
    }
    if (composed.fallbackReason) {
      this.logger.warn({ mailId: mail.id, reason: composed.fallbackReason }, 'mail sent as UTF-8 instead of ISO-2022-JP');
    }
    try {
      await mailer.send(composed.raw, composed.envelope);
    } catch (err) {
      const attempt = mail.attempts + 1;
      const permanent = err instanceof MailerError && err.permanent;
      const message = errorMessage(err);
      if (permanent || attempt >= MAX_ATTEMPTS) {
        await this.repository.markFailed(mail.id, message, null);
        this.logger.error({ mailId: mail.id, attempt, permanent, error: message }, 'mail not delivered, given up');
        return 'failed';
      }
      const retryAt = new Date(this.clock.now().getTime() + RETRY_DELAYS_MS[attempt - 1]!);
      await this.repository.markFailed(mail.id, message, retryAt);
      this.logger.warn({ mailId: mail.id, attempt, retryAt: retryAt.toISOString(), error: message }, 'mail not delivered, will retry');
      return 'retried';
    }
    await this.repository.markSent(mail.id, composed.messageId, this.clock.now(), composed.charset);
    this.logger.info({ mailId: mail.id, messageId: composed.messageId }, 'mail sent');
    return 'sent';
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
