/**
 * Scale mode in one process, for tests and the bench: a test database, an ingest app that publishes
 * to JetStream, and workers storing from it. Stream, subjects and consumer get a unique prefix per
 * run, so parallel runs on one NATS server never see each other's messages.
 */
import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { ManualClock } from '../clock.ts';
import type { Database } from '../db/database.ts';
import { buildApp } from '../http/app.ts';
import { connectNats, NatsIngestQueue, type IngestStreamNames } from '../ingest/natsIngestQueue.ts';
import { createServices, type AppServices, type ServiceAdapters } from '../services.ts';
import { IngestWorker } from './ingestWorker.ts';

export function uniqueStreamNames(label: string): IngestStreamNames {
  const run = `${label}_${randomBytes(4).toString('hex')}`.toUpperCase();
  return { stream: `OTASUKE_INGEST_${run}`, subjectPrefix: `otasuke.${run.toLowerCase()}.ingest`, consumer: `workers_${run.toLowerCase()}` };
}

export interface ScaleModeHarness {
  services: AppServices;
  app: Awaited<ReturnType<typeof buildApp>>;
  workers: IngestWorker[];
  /** Waiting + unacked messages of the stream's consumer. */
  backlog(): Promise<number>;
  close(options?: { deleteStream?: boolean }): Promise<void>;
}

export async function startScaleModeHarness(database: Database, natsUrl: string, names: IngestStreamNames, options: { workers?: number; concurrency?: number; clock?: ManualClock; workerAdapters?: ServiceAdapters } = {}): Promise<ScaleModeHarness> {
  const clock = options.clock ?? new ManualClock();
  const queue = await NatsIngestQueue.open(natsUrl, names);
  const settings = { publicUrl: 'http://otasuke.test', sessionIdleMinutes: 720, mailCharset: 'utf-8' as const };
  const services = createServices(database.db, clock, settings, undefined, { ingestQueue: queue, ingestRate: { batchesPerSecond: 10_000, burst: 10_000 } });
  const app = await buildApp({ services, logger: false });
  const connections: NatsConnection[] = [];
  const workers: IngestWorker[] = [];
  for (let i = 0; i < (options.workers ?? 1); i++) {
    const nc = await connectNats(natsUrl, `otasuke-test-worker-${i}`);
    connections.push(nc);
    // Each worker stores with its own services, as separate `otasuke worker` processes would.
    const workerServices = createServices(database.db, clock, settings, undefined, options.workerAdapters ?? {});
    const worker = new IngestWorker(nc, names, workerServices.alertStore, undefined, { concurrency: options.concurrency ?? 4, ackWaitMs: 10_000 });
    await worker.start();
    workers.push(worker);
  }
  return {
    services,
    app,
    workers,
    async backlog() {
      const jsm = await jetstreamManager(connections[0]!);
      const info = await jsm.consumers.info(names.stream, names.consumer);
      return info.num_pending + info.num_ack_pending;
    },
    async close({ deleteStream = true } = {}) {
      for (const worker of workers) await worker.stop();
      if (deleteStream && connections[0]) await (await jetstreamManager(connections[0])).streams.delete(names.stream).catch(() => false);
      for (const nc of connections) await nc.close();
      await app.close();
      await queue.close();
    },
  };
}
