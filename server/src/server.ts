/**
 * `otasuke server`: open the database (migrating it), build the services, start the mail worker and
 * the HTTP server. Returns a handle whose close() stops everything in order (HTTP first, so no new
 * work arrives, then the worker, then the database).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import type { Config } from './config/config.ts';
import { systemClock, type Clock } from './clock.ts';
import { openDatabase, type Database } from './db/database.ts';
import { buildApp } from './http/app.ts';
import { createServices, type AppServices } from './services.ts';
import { OutboxWorker } from './mail/outboxWorker.ts';
import { BillingScheduler } from './billing/billingScheduler.ts';
import { NotificationScheduler } from './notifications/notificationScheduler.ts';
import { OfferDeadlineScheduler } from './dispatch/offerDeadlineScheduler.ts';
import { startInboundMailListener } from './helpdesk/inboundMailListener.ts';
import { SmtpMailer } from './mail/smtpMailer.ts';
import { loadDemoData, type DemoLogin } from './demo/demoData.ts';
import { startDemoSensors, type DemoSensors } from './demo/demoSensors.ts';
import { AlertPartitionKeeper } from './ingest/alertPartitionKeeper.ts';
import { IngestRepository } from './ingest/ingestRepository.ts';
import { DEFAULT_INGEST_STREAM, NatsIngestQueue, type IngestStreamNames } from './ingest/natsIngestQueue.ts';
import type { ServiceAdapters } from './services.ts';
import { distributionSettingsOf } from './bundles/distributionConfig.ts';
import { DistributionScheduler } from './bundles/distributionScheduler.ts';

export const defaultWebDist = fileURLToPath(new URL('../../web/dist', import.meta.url));

export interface RunningServer {
  url: string;
  /** The URL people use (PUBLIC_URL, or http://localhost:<bound port>). */
  publicUrl: string;
  services: AppServices;
  database: Database;
  demoLogins: DemoLogin[] | null;
  /** With --demo: one in-process sensor per demo subscriber (see demo/demoSensors.ts), else null. */
  demoSensors: DemoSensors | null;
  close(): Promise<void>;
}

export async function startServer(
  config: Config,
  options: { clock?: Clock; webDist?: string; ingestStream?: IngestStreamNames; adapters?: ServiceAdapters; demoSensors?: boolean } = {},
): Promise<RunningServer> {
  const logger = pino({ level: config.logLevel, base: { service: 'otasuke-server' } });
  const clock = options.clock ?? systemClock;
  const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  logger.info({ database: database.kind }, 'database ready');
  // Links in mails use the public URL; when none is configured it follows the port really bound.
  const settings = { publicUrl: config.publicUrl, sessionIdleMinutes: config.sessionIdleMinutes, mailCharset: config.mailCharset };
  // Scale mode: ingest publishes to JetStream and `otasuke worker` stores; embedded: stored here.
  const ingestQueue = config.natsUrl ? await NatsIngestQueue.open(config.natsUrl, options.ingestStream ?? DEFAULT_INGEST_STREAM) : undefined;
  if (ingestQueue) logger.info({ stream: (options.ingestStream ?? DEFAULT_INGEST_STREAM).stream }, 'scale mode: ingest publishes to NATS JetStream');
  const services = createServices(database.db, clock, settings, logger, {
    ...options.adapters,
    ...(ingestQueue ? { ingestQueue } : {}),
    ingestRate: { batchesPerSecond: config.ingestBatchesPerSecond, burst: config.ingestBurst },
    distribution: options.adapters?.distribution ?? distributionSettingsOf(config),
    notifications: { ...options.adapters?.notifications, allowInternalWebhooks: options.adapters?.notifications?.allowInternalWebhooks ?? config.allowInternalWebhooks },
  });
  // A bad bundleSigningKeyFile stops the start here, with the reason, not at the first sensor poll.
  await services.bundles.publicKey();
  const alertPartitions = new AlertPartitionKeeper(new IngestRepository(database.db), clock, logger);
  await alertPartitions.start();

  const demoLogins = config.demo ? await loadDemoData(services) : null;

  const mailer = config.smtpUrl ? new SmtpMailer(config.smtpUrl) : undefined;
  const worker = new OutboxWorker({ repository: services.outbox, mailer, clock, from: config.mailFrom, logger });
  worker.start();
  const billingJobs = new BillingScheduler(services.billing, clock, logger);
  billingJobs.start();
  // Catch up at start (a no-op when the invoices exist), not an hour later.
  void billingJobs.tick();
  // Scheduled feed imports each minute; daily bundle rebuild and heartbeat prune.
  const distributionJobs = new DistributionScheduler(services, clock, logger);
  distributionJobs.start();
  // Sensor health, incident notifications (repeats, escalation) and the monthly all-quiet message.
  const notificationJobs = new NotificationScheduler({ notifications: services.notifications, sensorMonitor: services.sensorMonitor }, clock, logger);
  notificationJobs.start();
  // On-site job offers past their deadline go to the next vendor.
  const dispatchJobs = new OfferDeadlineScheduler(services.dispatch, logger);
  dispatchJobs.start();

  const webDist = options.webDist ?? defaultWebDist;
  if (!existsSync(webDist)) logger.warn({ webDist }, 'the console is not built (npm run build:web); serving the API only');
  const app = await buildApp({
    services,
    logger,
    bodyLimitBytes: config.bodyLimitBytes,
    cookieSecure: config.cookieSecure,
    webDist,
    publicUrl: config.publicUrl,
  });
  const address = await app.listen({ port: config.port, host: config.host });
  logger.info({ address }, 'otasuke server listening');
  const boundPort = new URL(address).port;
  if (!config.publicUrlGiven) settings.publicUrl = `http://localhost:${boundPort}`;
  const url = address.replace('0.0.0.0', 'localhost').replace('[::]', 'localhost');
  // Mail to the desk's address becomes tickets (off unless INBOUND_SMTP_PORT is set).
  const inboundMail =
    config.inboundSmtpPort === undefined
      ? null
      : await startInboundMailListener({
          host: config.host,
          port: config.inboundSmtpPort,
          recipients: config.inboundSmtpRecipients.split(',').map((a) => a.trim().toLowerCase()).filter((a) => a !== ''),
          deliver: (raw) => services.helpdesk.ingestInboundMail(raw),
          onError: (error) => logger.error({ err: error }, 'inbound mail could not become a ticket'),
        });
  if (inboundMail) logger.info({ port: inboundMail.port }, 'help desk inbound SMTP listening');
  // Demo sensors enroll over HTTP against this server, so they start once it listens; off in tests unless asked.
  const demoSensors = config.demo && (options.demoSensors ?? process.env.VITEST === undefined) ? startDemoSensors({ services, dataDir: config.dataDir, serverUrl: url, logger }) : null;

  let closed = false;
  return {
    url,
    publicUrl: settings.publicUrl,
    services,
    database,
    demoLogins,
    demoSensors,
    async close() {
      if (closed) return;
      closed = true;
      await demoSensors?.stop();
      await inboundMail?.close();
      await app.close();
      await billingJobs.stop();
      await distributionJobs.stop();
      await notificationJobs.stop();
      await dispatchJobs.stop();
      await worker.stop();
      await alertPartitions.stop();
      await ingestQueue?.close();
      await mailer?.close();
      await database.close();
    },
  };
}
