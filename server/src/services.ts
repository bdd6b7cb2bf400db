/**
 * The composition root: builds repositories and services from the adapters (database, clock,
 * mail queue). The HTTP app, the CLI and tests all get their services from here.
 */
import { ApplicationRepository } from './applications/applicationRepository.ts';
import { ApplicationService } from './applications/applicationService.ts';
import { AuditRepository } from './audit/auditRepository.ts';
import { AuditService } from './audit/auditService.ts';
import { AuthRepository } from './auth/authRepository.ts';
import { AuthService } from './auth/authService.ts';
import { BillingRepository } from './billing/billingRepository.ts';
import { BillingService } from './billing/billingService.ts';
import { PdfkitInvoiceRenderer, type InvoicePdfRenderer } from './billing/invoicePdf.ts';
import type { Clock } from './clock.ts';
import { ContractRepository } from './contracts/contractRepository.ts';
import { ContractService } from './contracts/contractService.ts';
import type { Db } from './db/database.ts';
import { EnrollmentRepository } from './enrollment/enrollmentRepository.ts';
import { EnrollmentService } from './enrollment/enrollmentService.ts';
import type { Services } from './http/services.ts';
import { KpiRepository } from './kpi/kpiRepository.ts';
import { KpiService } from './kpi/kpiService.ts';
import { MailService } from './mail/mailService.ts';
import { OutboxRepository } from './mail/outboxRepository.ts';
import type { MailLogger } from './mail/outboxWorker.ts';
import { OrganizationRepository } from './organizations/organizationRepository.ts';
import { OrganizationService } from './organizations/organizationService.ts';
import { PdfkitDeliveryNoteRenderer } from './shipping/deliveryNotePdf.ts';
import { ShipmentRepository } from './shipping/shipmentRepository.ts';
import { ShipmentService } from './shipping/shipmentService.ts';
import { ApiTokenRepository } from './tokens/apiTokenRepository.ts';
import { ApiTokenService } from './tokens/apiTokenService.ts';
import { UserRepository } from './users/userRepository.ts';
import { UserService } from './users/userService.ts';
import { BundleRepository } from './bundles/bundleRepository.ts';
import { BundleService, type BundleSettings } from './bundles/bundleService.ts';
import type { FeedFetchSettings } from './feeds/feedFetcher.ts';
import { FeedRepository } from './feeds/feedRepository.ts';
import { FeedService } from './feeds/feedService.ts';
import { SensorHealthRepository } from './sensorHealth/sensorHealthRepository.ts';
import { SensorHealthService } from './sensorHealth/sensorHealthService.ts';
import { AlertRepository } from './alerts/alertRepository.ts';
import { AlertService } from './alerts/alertService.ts';
import type { AlertIngestHooks } from './ingest/alertIngestHooks.ts';
import { AlertStore } from './ingest/alertStore.ts';
import { IngestRepository } from './ingest/ingestRepository.ts';
import { IngestService, type IngestQueue } from './ingest/ingestService.ts';
import { DEFAULT_INGEST_RATE, SensorRateLimiter, type RateLimit } from './ingest/sensorRateLimiter.ts';
import { IncidentRepository } from './incidents/incidentRepository.ts';
import { IncidentService } from './incidents/incidentService.ts';
import { createMonitoringHooks } from './incidents/monitoringHooks.ts';
import { SuppressionRepository } from './suppressions/suppressionRepository.ts';
import { SuppressionService } from './suppressions/suppressionService.ts';
import { StatsRepository } from './stats/statsRepository.ts';
import { StatsService } from './stats/statsService.ts';
import { SubscriberDirectoryRepository } from './subscriberDirectory/subscriberDirectoryRepository.ts';
import { SubscriberDirectoryService } from './subscriberDirectory/subscriberDirectoryService.ts';
import { HelpdeskRepository } from './helpdesk/helpdeskRepository.ts';
import { HelpdeskService } from './helpdesk/helpdeskService.ts';
import { DispatchRepository } from './dispatch/dispatchRepository.ts';
import { DispatchService } from './dispatch/dispatchService.ts';
import { VendorStaffRepository } from './dispatch/vendorStaffRepository.ts';
import { VendorStaffService } from './dispatch/vendorStaffService.ts';
import { Invitations } from './auth/invitations.ts';
import { InsuranceRepository } from './insurance/insuranceRepository.ts';
import { InsuranceService } from './insurance/insuranceService.ts';
import { EmailChannel, WebhookChannel } from './notifications/channels.ts';
import { NotificationRepository } from './notifications/notificationRepository.ts';
import { NotificationService, type NotificationSettings } from './notifications/notificationService.ts';
import { SensorMonitor } from './sensorMonitor/sensorMonitor.ts';
import { SensorMonitorRepository } from './sensorMonitor/sensorMonitorRepository.ts';
import { LiveEventHub, type LiveEventSettings } from './liveEvents/liveEventHub.ts';
import { LiveEventRepository } from './liveEvents/liveEventRepository.ts';

export interface ServiceSettings {
  publicUrl: string;
  sessionIdleMinutes: number;
  mailCharset: 'utf-8' | 'iso-2022-jp';
}

export interface AppServices extends Services {
  clock: Clock;
  settings: ServiceSettings;
  outbox: OutboxRepository;
  mail: MailService;
  billingRepository: BillingRepository;
  /** Stores validated batches (the ingest route in embedded mode, `otasuke worker` in scale mode). */
  alertStore: AlertStore;
  /** The sensor health check, run by NotificationScheduler. */
  sensorMonitor: SensorMonitor;
}

export interface ServiceAdapters {
  logger?: MailLogger;
  /** The invoice PDF adapter (pdfkit by default). */
  invoicePdf?: InvoicePdfRenderer;
  /** Scale mode: validated batches go to JetStream instead of being stored in-process. */
  ingestQueue?: IngestQueue;
  /** Suppressions before insert, incidents after commit (see ingest/alertIngestHooks.ts). */
  alertHooks?: AlertIngestHooks;
  /** Batches per second per sensor, per node (default 20, burst 40). */
  ingestRate?: RateLimit;
  /** Rules/IOC bundles, feed fetching and heartbeat retention (config: rulesDir, bundleSigningKeyFile, feed*, heartbeatRetentionDays). */
  distribution?: { bundles?: BundleSettings; feeds?: FeedFetchSettings; heartbeatRetentionDays?: number };
  /** Notification policy and whether webhooks may target internal addresses (default: refused). */
  notifications?: NotificationSettings;
  /** Live event streams: poll and heartbeat intervals, limits (defaults in liveEvents/liveEventHub.ts). */
  liveEvents?: LiveEventSettings;
}

export function createServices(db: Db, clock: Clock, settings: ServiceSettings, logger?: MailLogger, adapters: ServiceAdapters = {}): AppServices {
  const audit = new AuditService(new AuditRepository(db), clock);
  const outbox = new OutboxRepository(db);
  const mail = new MailService(outbox, clock, { charset: settings.mailCharset, ...(logger ? { logger } : {}) });
  const organizationRepository = new OrganizationRepository(db);
  const authRepository = new AuthRepository(db);
  const contractRepository = new ContractRepository(db);
  const billingRepository = new BillingRepository(db);
  // Links in mails read settings.publicUrl when they are written (server.ts may set it after binding).
  const links = { get publicUrl() { return settings.publicUrl; } };
  const incidents = new IncidentService(new IncidentRepository(db), audit, clock);
  const suppressions = new SuppressionService(new SuppressionRepository(db), audit, clock);
  // Without other hooks, ingest suppresses and correlates in-process (embedded mode).
  const alertStore = new AlertStore(new IngestRepository(db), adapters.alertHooks ?? createMonitoringHooks({ incidents, suppressions, db, clock }), clock, logger);
  const feedRepository = new FeedRepository(db);
  const bundles = new BundleService(new BundleRepository(db), feedRepository, audit, clock, adapters.distribution?.bundles);
  const dispatchRepository = new DispatchRepository(db);
  const invitations = new Invitations(authRepository, mail, audit, clock, links);
  const enrollment = new EnrollmentService(new EnrollmentRepository(db), organizationRepository, audit, clock, links, bundles);
  return {
    db,
    clock,
    settings,
    audit,
    outbox,
    mail,
    devMailbox: mail,
    auth: new AuthService(authRepository, audit, mail, clock, settings),
    organizations: new OrganizationService(organizationRepository, audit),
    users: new UserService(new UserRepository(db), organizationRepository, audit, clock),
    apiTokens: new ApiTokenService(new ApiTokenRepository(db), audit, clock),
    contracts: new ContractService(contractRepository, organizationRepository, audit, clock),
    billingRepository,
    billing: new BillingService(billingRepository, contractRepository, organizationRepository, audit, mail, clock, adapters.invoicePdf ?? new PdfkitInvoiceRenderer(), links),
    shipping: new ShipmentService(new ShipmentRepository(db), organizationRepository, billingRepository, audit, new PdfkitDeliveryNoteRenderer(), enrollment),
    enrollment,
    sensorHealth: new SensorHealthService(new SensorHealthRepository(db), organizationRepository, clock, adapters.distribution?.heartbeatRetentionDays),
    bundles,
    feeds: new FeedService(feedRepository, bundles, audit, clock, adapters.distribution?.feeds),
    kpi: new KpiService(new KpiRepository(db), clock),
    applications: new ApplicationService(new ApplicationRepository(db, contractRepository), invitations, audit, mail, clock),
    alertStore,
    ingest: new IngestService(alertStore, new SensorRateLimiter(adapters.ingestRate ?? DEFAULT_INGEST_RATE), adapters.ingestQueue ?? null),
    alerts: new AlertService(new AlertRepository(db)),
    incidents,
    suppressions,
    stats: new StatsService(new StatsRepository(db)),
    subscriberDirectory: new SubscriberDirectoryService(new SubscriberDirectoryRepository(db), clock),
    helpdesk: new HelpdeskService(new HelpdeskRepository(db), audit, mail, clock),
    dispatch: new DispatchService(dispatchRepository, audit, mail, clock, links),
    vendorStaff: new VendorStaffService(new VendorStaffRepository(db), invitations, audit, clock),
    insurance: new InsuranceService(new InsuranceRepository(db), dispatchRepository, incidents, audit, clock),
    notifications: new NotificationService(new NotificationRepository(db), audit, clock, links, {
      email: new EmailChannel(mail),
      webhook: new WebhookChannel({ allowInternal: adapters.notifications?.allowInternalWebhooks ?? false, ...(adapters.notifications?.resolve ? { resolve: adapters.notifications.resolve } : {}), now: () => clock.now() }),
    }, adapters.notifications),
    sensorMonitor: new SensorMonitor(new SensorMonitorRepository(db), clock, bundles),
    liveEvents: new LiveEventHub(new LiveEventRepository(db), clock, { ...(logger ? { logger } : {}), ...adapters.liveEvents }),
  };
}
