/** Keeps the alerts table's month partitions ready: at start, then every hour (cheap when they exist). */
import type { Clock } from '../clock.ts';
import type { MailLogger } from '../mail/outboxWorker.ts';
import { monthPartitionsAround } from './alertPartitions.ts';
import type { IngestRepository } from './ingestRepository.ts';

const HOUR_MS = 3600_000;

export class AlertPartitionKeeper {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly repository: IngestRepository,
    private readonly clock: Clock,
    private readonly logger?: MailLogger,
  ) {}

  /** Makes the partitions of last month to two months ahead; returns what it created. */
  async ensure(): Promise<string[]> {
    const made: string[] = [];
    for (const partition of monthPartitionsAround(this.clock.now())) {
      const outcome = await this.repository.ensureMonthPartition(partition);
      if (outcome !== 'exists') {
        made.push(partition.name);
        this.logger?.info({ partition: partition.name, outcome }, 'alerts partition ready');
      }
    }
    return made;
  }

  async start(): Promise<void> {
    await this.ensure();
    this.timer = setInterval(() => {
      this.running = this.ensure().then(
        () => undefined,
        (err: unknown) => this.logger?.error({ err }, 'alerts partitions: could not prepare the coming months; retrying in an hour'),
      );
    }, HOUR_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
