/**
 * Each minute: offers past their deadline expire and their jobs go to the next vendor. Ticking
 * often is safe (an offer expires once: the update only takes a pending row).
 */
import type { MailLogger } from '../mail/outboxWorker.ts';
import type { DispatchService } from './dispatchService.ts';

export const OFFER_TICK_MS = 60_000;

export class OfferDeadlineScheduler {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly dispatch: DispatchService,
    private readonly logger?: MailLogger,
  ) {}

  start(intervalMs = OFFER_TICK_MS): void {
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
      const { expired } = await this.dispatch.expireOffers({ scope: null, ip: null, requestId: 'offer-deadline' });
      if (expired) this.logger?.info({ expired }, 'dispatch offers expired; the jobs went to the next vendors');
    } catch (err) {
      this.logger?.warn({ err }, 'dispatch offer expiry failed; the next tick retries');
    }
  }
}
