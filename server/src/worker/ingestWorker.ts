/**
 * `otasuke worker`'s loop: a durable pull consumer on the ingest stream, shared by every worker
 * (JetStream hands each message to one of them). A message is acked only after its alerts are
 * committed; a failure naks it for redelivery a little later. A message stored twice (a worker
 * died between commit and ack) is harmless: the unique key makes the second insert a no-op.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import { nanos } from '@nats-io/transport-node';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import type { MailLogger } from '../mail/outboxWorker.ts';
import type { AlertStore } from '../ingest/alertStore.ts';
import { ensureIngestStream, type IngestStreamNames } from '../ingest/natsIngestQueue.ts';
import { decodeQueuedBatch } from '../ingest/queuedBatch.ts';

export interface IngestWorkerOptions {
  /** Messages stored at once by this worker (each in its own transaction). */
  concurrency?: number;
  /** How long a message may stay unacked before JetStream gives it to another worker. */
  ackWaitMs?: number;
}

const REDELIVER_DELAY_MS = 1000;

export class IngestWorker {
  private messages: ConsumerMessages | null = null;
  private loop: Promise<void> | null = null;
  private stopped = false;
  private readonly inFlight = new Set<Promise<void>>();
  /** Batches stored and failed since start (for logs, tests and the bench). */
  readonly stats = { messages: 0, alerts: 0, duplicates: 0, failures: 0 };

  constructor(
    private readonly nc: NatsConnection,
    private readonly names: IngestStreamNames,
    private readonly store: AlertStore,
    private readonly logger?: MailLogger,
    private readonly options: IngestWorkerOptions = {},
  ) {}

  async start(): Promise<void> {
    await ensureIngestStream(this.nc, this.names);
    const jsm = await jetstreamManager(this.nc);
    const concurrency = this.options.concurrency ?? 4;
    try {
      await jsm.consumers.info(this.names.stream, this.names.consumer);
    } catch {
      await jsm.consumers
        .add(this.names.stream, {
          durable_name: this.names.consumer,
          ack_policy: AckPolicy.Explicit,
          deliver_policy: DeliverPolicy.All,
          ack_wait: nanos(this.options.ackWaitMs ?? 30_000),
          max_deliver: -1,
          max_ack_pending: 10_000,
        })
        .catch(async (err: unknown) => {
          // Another worker made it meanwhile.
          await jsm.consumers.info(this.names.stream, this.names.consumer).catch(() => {
            throw err;
          });
        });
    }
    const consumer = await jetstream(this.nc).consumers.get(this.names.stream, this.names.consumer);
    this.messages = await consumer.consume({ max_messages: concurrency * 2 });
    const messages = this.messages;
    this.loop = (async () => {
      for await (const message of messages) {
        if (this.stopped) {
          message.nak();
          continue;
        }
        while (this.inFlight.size >= concurrency) await Promise.race(this.inFlight);
        const work = this.handle(message).finally(() => this.inFlight.delete(work));
        this.inFlight.add(work);
      }
    })();
  }

  private async handle(message: JsMsg): Promise<void> {
    try {
      const batch = decodeQueuedBatch(message.data);
      const outcome = await this.store.store(batch);
      message.ack();
      this.stats.messages++;
      this.stats.alerts += outcome.accepted;
      this.stats.duplicates += outcome.duplicates;
    } catch (err) {
      this.stats.failures++;
      if (err instanceof SyntaxError || (err as Error).message?.startsWith('not an ingest batch')) {
        // Not ours or corrupt: redelivering it would fail forever.
        this.logger?.error({ err, subject: message.subject, seq: message.seq }, 'ingest worker: unreadable message dropped');
        message.term();
        return;
      }
      this.logger?.warn({ err, subject: message.subject, redelivery: message.info.deliveryCount }, 'ingest worker: could not store a batch; it will be redelivered');
      message.nak(REDELIVER_DELAY_MS);
    }
  }

  /** Stops taking messages, finishes (and acks) the ones being stored. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.messages?.close();
    await Promise.allSettled([...this.inFlight]);
    await this.loop;
  }
}
