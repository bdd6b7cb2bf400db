/**
 * `POST /api/v1/ingest/events`: read the batch, validate every line, then either store it here
 * (embedded mode) or hand it to JetStream and answer after the publish ack (scale mode, where
 * `otasuke worker` stores it). Either way an acknowledged event is durable.
 *
 * In scale mode `accepted` counts queued events: whether one was a duplicate is known only when a
 * worker stores it, so duplicates are then counted in sensor_ingest_counters, not in the answer.
 */
import type { IngestResult } from '@otasuke/shared';
import type { SensorIdentity } from '../enrollment/enrollmentService.ts';
import { AppError } from '../http/errors.ts';
import type { AlertStore, QueuedBatch } from './alertStore.ts';
import { decodeBatchBody, parseBatchText } from './ingestBatch.ts';
import type { SensorRateLimiter } from './sensorRateLimiter.ts';

/** Scale mode's hand-off (JetStream); resolves once the batch is durable there. */
export interface IngestQueue {
  publish(batch: QueuedBatch): Promise<void>;
  close(): Promise<void>;
}

export class IngestService {
  constructor(
    private readonly store: AlertStore,
    private readonly limiter: SensorRateLimiter,
    private readonly queue: IngestQueue | null,
  ) {}

  get mode(): 'embedded' | 'scale' {
    return this.queue ? 'scale' : 'embedded';
  }

  /** Before the body is read: a sensor over its rate gets 429 with Retry-After. */
  admit(sensor: SensorIdentity): void {
    const waitSeconds = this.limiter.take(sensor.sensorId);
    if (waitSeconds > 0) {
      throw new AppError('too_many_requests', 429, `this sensor sends batches too fast; retry in ${waitSeconds} s`, { retryAfterSeconds: waitSeconds });
    }
  }

  async ingest(sensor: SensorIdentity, body: Buffer, contentEncoding: string | undefined): Promise<IngestResult> {
    const text = await decodeBatchBody(body, contentEncoding);
    const { events, rejected } = parseBatchText(text);
    const batch: QueuedBatch = { sensorId: sensor.sensorId, organizationId: sensor.organizationId, siteId: sensor.siteId, rejected: rejected.length, events: events.map((e) => e.event) };
    if (this.queue) {
      await this.queue.publish(batch);
      return { accepted: batch.events.length, duplicates: 0, rejected, suppressed: 0 };
    }
    const outcome = await this.store.store(batch);
    return { accepted: outcome.accepted, duplicates: outcome.duplicates, rejected, suppressed: outcome.suppressed };
  }
}
