/**
 * Scale mode's adapter to NATS JetStream. Stream OTASUKE_INGEST (file storage, work-queue
 * retention: a message lives until one worker acks it), subjects `otasuke.ingest.<sensorId>`,
 * created by whichever node or worker comes first. Publishing waits for JetStream's ack, so the
 * ingest route answers the sensor only once the batch is stored in the stream.
 */
import { connect, nanos, type NatsConnection } from '@nats-io/transport-node';
import { DiscardPolicy, jetstream, jetstreamManager, RetentionPolicy, StorageType, type JetStreamClient } from '@nats-io/jetstream';
import { AppError } from '../http/errors.ts';
import type { QueuedBatch } from './alertStore.ts';
import type { IngestQueue } from './ingestService.ts';
import { encodeQueuedBatch } from './queuedBatch.ts';

export interface IngestStreamNames {
  stream: string;
  /** Subjects are `<prefix>.<sensorId>`. */
  subjectPrefix: string;
  /** The durable pull consumer every worker shares. */
  consumer: string;
}

export const DEFAULT_INGEST_STREAM: IngestStreamNames = { stream: 'OTASUKE_INGEST', subjectPrefix: 'otasuke.ingest', consumer: 'otasuke-ingest-workers' };

/** JetStream's dedupe window for Nats-Msg-Id: a sensor's quick retry of a batch is dropped at publish. */
const DUPLICATE_WINDOW_MS = 2 * 60_000;
const PUBLISH_TIMEOUT_MS = 10_000;

export async function connectNats(url: string, name: string): Promise<NatsConnection> {
  // Reconnect forever: a NATS restart must not need an Otasuke restart.
  return connect({ servers: url, name, maxReconnectAttempts: -1, reconnectTimeWait: 250, pingInterval: 10_000 });
}

/** Creates the stream when it is missing (two nodes may race: the loser finds it made). */
export async function ensureIngestStream(nc: NatsConnection, names: IngestStreamNames): Promise<void> {
  const jsm = await jetstreamManager(nc);
  try {
    await jsm.streams.info(names.stream);
    return;
  } catch {
    // Not there yet.
  }
  try {
    await jsm.streams.add({
      name: names.stream,
      subjects: [`${names.subjectPrefix}.>`],
      retention: RetentionPolicy.Workqueue,
      storage: StorageType.File,
      // A full stream refuses new batches (the sensors keep them in their spool) rather than drop queued ones.
      discard: DiscardPolicy.New,
      duplicate_window: nanos(DUPLICATE_WINDOW_MS),
    });
  } catch (err) {
    await jsm.streams.info(names.stream).catch(() => {
      throw err;
    });
  }
}

export class NatsIngestQueue implements IngestQueue {
  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly names: IngestStreamNames,
  ) {}

  static async open(url: string, names: IngestStreamNames = DEFAULT_INGEST_STREAM): Promise<NatsIngestQueue> {
    const nc = await connectNats(url, 'otasuke-ingest');
    try {
      await ensureIngestStream(nc, names);
    } catch (err) {
      await nc.close();
      throw err;
    }
    return new NatsIngestQueue(nc, jetstream(nc, { timeout: PUBLISH_TIMEOUT_MS }), names);
  }

  async publish(batch: QueuedBatch): Promise<void> {
    const subject = `${this.names.subjectPrefix}.${batch.sensorId}`;
    const maxPayload = this.nc.info?.max_payload ?? 1024 * 1024;
    const messages = encodeQueuedBatch(batch, maxPayload);
    try {
      await Promise.all(messages.map((m) => this.js.publish(subject, m.data, { ...(m.msgId ? { msgID: m.msgId } : {}), timeout: PUBLISH_TIMEOUT_MS })));
    } catch {
      // Nothing is acknowledged to the sensor, which keeps the batch in its spool and retries.
      throw new AppError('unavailable', 503, 'the ingest queue is unavailable right now; keep the batch and retry', { retryAfterSeconds: 5 });
    }
  }

  async close(): Promise<void> {
    await this.nc.drain().catch(() => this.nc.close());
  }
}
