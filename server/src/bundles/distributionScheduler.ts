/**
 * The timed jobs of rules/IOC distribution and sensor health, like the billing scheduler: each tick
 * imports the URL feeds whose schedule has come (each import rebuilds the bundles using that feed),
 * and once per day (Japan time) rebuilds every policy's bundle — rule files may have changed on
 * disk — and prunes heartbeat samples past their retention. Time comes from the injected clock, so
 * tests call `tick()` directly.
 */
import type { Clock } from '../clock.ts';
import type { FeedLogger, FeedService } from '../feeds/feedService.ts';
import type { SensorHealthService } from '../sensorHealth/sensorHealthService.ts';
import type { BundleService } from './bundleService.ts';

export const DISTRIBUTION_TICK_MS = 60 * 1000;

/** The Japan calendar date of an instant (the day the daily jobs belong to). */
export function japanDay(at: Date): string {
  return new Date(at.getTime() + 9 * 3600 * 1000).toISOString().slice(0, 10);
}

export class DistributionScheduler {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private lastDailyRun: string | null = null;

  constructor(
    private readonly jobs: { feeds: FeedService; bundles: BundleService; sensorHealth: SensorHealthService },
    private readonly clock: Clock,
    private readonly logger?: FeedLogger,
  ) {}

  start(intervalMs = DISTRIBUTION_TICK_MS): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One pass; a pass already running is joined, not doubled. */
  tick(): Promise<void> {
    this.running ??= this.pass().finally(() => (this.running = null));
    return this.running;
  }

  private async pass(): Promise<void> {
    try {
      await this.jobs.feeds.importDue(this.logger);
    } catch (err) {
      this.logger?.warn({ err }, 'scheduled feed imports failed; the next tick retries them');
    }
    const today = japanDay(this.clock.now());
    if (this.lastDailyRun === today) return;
    try {
      const built = await this.jobs.bundles.rebuildAll();
      const pruned = await this.jobs.sensorHealth.prune();
      this.lastDailyRun = today;
      this.logger?.info({ bundles: built.map((b) => ({ policy: b.policy, version: b.version, changed: b.changed })), heartbeatsPruned: pruned }, 'daily bundle rebuild and heartbeat prune done');
    } catch (err) {
      this.logger?.warn({ err }, 'daily bundle rebuild or heartbeat prune failed; the next tick retries it');
    }
  }
}
