/**
 * Runs the monitoring jobs each minute: the sensor health check first (so a silent sensor's
 * incident is told in the same pass), then the notifications due, the daily digests due (once per
 * subscriber and Japan day, from the policy's morning hour on), and on the 1st (Japan time)
 * the previous month's all-quiet messages (once per subscriber and month, so ticking often is safe).
 */
import type { Clock } from '../clock.ts';
import type { MailLogger } from '../mail/outboxWorker.ts';
import type { SensorMonitor } from '../sensorMonitor/sensorMonitor.ts';
import type { NotificationService } from './notificationService.ts';

export const NOTIFICATION_TICK_MS = 60_000;

/** `YYYY-MM` of the month before `now` in Japan time. */
export function previousJapanMonth(now: Date): string {
  const japan = new Date(now.getTime() + 9 * 3_600_000);
  const d = new Date(Date.UTC(japan.getUTCFullYear(), japan.getUTCMonth() - 1, 1));
  return d.toISOString().slice(0, 7);
}

export class NotificationScheduler {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  /** The month whose all-quiet pass finished in this process (the table keeps it once across processes). */
  private quietDone: string | null = null;

  constructor(
    private readonly jobs: { notifications: NotificationService; sensorMonitor: SensorMonitor },
    private readonly clock: Clock,
    private readonly logger?: MailLogger,
  ) {}

  start(intervalMs = NOTIFICATION_TICK_MS): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  tick(): Promise<void> {
    this.running ??= this.pass().finally(() => (this.running = null));
    return this.running;
  }

  private async pass(): Promise<void> {
    try {
      const sensors = await this.jobs.sensorMonitor.check();
      if (sensors.opened.length || sensors.resolved.length) this.logger?.info({ ...sensors }, 'sensor health incidents changed');
    } catch (err) {
      this.logger?.warn({ err }, 'sensor health check failed; the next tick retries');
    }
    try {
      const sent = await this.jobs.notifications.tick();
      if (sent.incidents) this.logger?.info({ ...sent }, 'incident notifications sent');
      const digests = await this.jobs.notifications.sendDailyDigests();
      if (digests.sent) this.logger?.info({ ...digests }, 'daily digests sent');
      const month = previousJapanMonth(this.clock.now());
      if (this.quietDone !== month) {
        const quiet = await this.jobs.notifications.sendQuietMonth(month);
        this.quietDone = month;
        if (quiet.sent) this.logger?.info({ month, ...quiet }, 'all-quiet messages sent');
      }
    } catch (err) {
      this.logger?.warn({ err }, 'notification job failed; the next tick resumes it');
    }
  }
}
