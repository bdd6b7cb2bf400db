/**
 * `otasuke worker`: scale mode's writer. Opens the database (migrating it), builds the same
 * services as the server (so the ingest hooks — suppressions, incidents — run here too), keeps the
 * alert partitions ready and consumes the ingest stream until closed.
 */
import pino from 'pino';
import type { Config } from '../config/config.ts';
import { systemClock, type Clock } from '../clock.ts';
import { openDatabase, type Database } from '../db/database.ts';
import { AlertPartitionKeeper } from '../ingest/alertPartitionKeeper.ts';
import { IngestRepository } from '../ingest/ingestRepository.ts';
import { connectNats, DEFAULT_INGEST_STREAM, type IngestStreamNames } from '../ingest/natsIngestQueue.ts';
import { createServices, type ServiceAdapters } from '../services.ts';
import { IngestWorker } from './ingestWorker.ts';

export interface RunningWorker {
  worker: IngestWorker;
  database: Database;
  close(): Promise<void>;
}

export interface WorkerOptions {
  clock?: Clock;
  stream?: IngestStreamNames;
  concurrency?: number;
  adapters?: ServiceAdapters;
}

export async function startWorker(config: Config, options: WorkerOptions = {}): Promise<RunningWorker> {
  if (!config.natsUrl) throw new Error('otasuke worker needs NATS_URL (--nats-url): it consumes the ingest stream of scale mode');
  // The embedded database belongs to one process; workers and ingest nodes share a PostgreSQL server.
  if (!config.databaseUrl) throw new Error('otasuke worker needs PostgreSQL (DATABASE_URL or --database-url): scale mode shares one database between ingest nodes and workers');
  const logger = pino({ level: config.logLevel, base: { service: 'otasuke-worker' } });
  const clock = options.clock ?? systemClock;
  const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  const settings = { publicUrl: config.publicUrl, sessionIdleMinutes: config.sessionIdleMinutes, mailCharset: config.mailCharset };
  const services = createServices(database.db, clock, settings, logger, options.adapters ?? {});
  const partitions = new AlertPartitionKeeper(new IngestRepository(database.db), clock, logger);
  let nc: Awaited<ReturnType<typeof connectNats>> | undefined;
  try {
    await partitions.start();
    nc = await connectNats(config.natsUrl, 'otasuke-worker');
    const worker = new IngestWorker(nc, options.stream ?? DEFAULT_INGEST_STREAM, services.alertStore, logger, { concurrency: options.concurrency ?? 4 });
    await worker.start();
    logger.info({ stream: (options.stream ?? DEFAULT_INGEST_STREAM).stream }, 'otasuke worker consuming');
    let closed = false;
    return {
      worker,
      database,
      async close() {
        if (closed) return;
        closed = true;
        await worker.stop();
        await nc!.drain().catch(() => nc!.close());
        await partitions.stop();
        await database.close();
      },
    };
  } catch (err) {
    await nc?.close();
    await partitions.stop();
    await database.close();
    throw err;
  }
}
