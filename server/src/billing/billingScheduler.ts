/**
 * Runs the billing jobs on a timer: each tick issues the invoices of the previous month (a no-op
 * once they exist, so ticking often is safe) and runs the overdue/reminder job. Time comes from the
 * injected clock, so tests drive `tick()` directly. Several servers may tick at once: invoices stay
 * unique by the (subscriber, month) constraint; a reminder could then go out twice.
 */
import type { Clock } from '../clock.ts';
import type { MailLogger } from '../mail/outboxWorker.ts';
import type { BillingService } from './billingService.ts';
import { japanDate, previousMonth } from './money.ts';

export const BILLING_TICK_MS = 60 * 60 * 1000;

export class BillingScheduler {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly billing: BillingService,
    private readonly clock: Clock,
    private readonly logger?: MailLogger,
  ) {}

  start(intervalMs = BILLING_TICK_MS): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One pass of both jobs; a tick already running is joined, not doubled. */
  tick(): Promise<void> {
    this.running ??= this.pass().finally(() => (this.running = null));
    return this.running;
  }

  private async pass(): Promise<void> {
    const context = { scope: null, ip: null, requestId: 'job:billing' };
    const month = previousMonth(japanDate(this.clock.now()).slice(0, 7));
    try {
      const result = await this.billing.runMonthly(context, month);
      if (result.created || result.mailed) this.logger?.info({ month, created: result.created, mailed: result.mailed }, 'monthly invoices issued');
      const reminders = await this.billing.runReminders(context);
      if (reminders.reminded) this.logger?.info({ ...reminders }, 'payment reminders mailed');
    } catch (err) {
      this.logger?.warn({ err, month }, 'billing job failed; the next tick resumes it');
    }
  }
}
