/** Everything route handlers may call. Built once in server.ts (and in tests) from the adapters. */
import type { ApplicationService } from '../applications/applicationService.ts';
import type { AuditService } from '../audit/auditService.ts';
import type { AuthService } from '../auth/authService.ts';
import type { BillingService } from '../billing/billingService.ts';
import type { ContractService } from '../contracts/contractService.ts';
import type { Db } from '../db/database.ts';
import type { EnrollmentService } from '../enrollment/enrollmentService.ts';
import type { KpiService } from '../kpi/kpiService.ts';
import type { OrganizationService } from '../organizations/organizationService.ts';
import type { ShipmentService } from '../shipping/shipmentService.ts';
import type { ApiTokenService } from '../tokens/apiTokenService.ts';
import type { UserService } from '../users/userService.ts';
import type { BundleService } from '../bundles/bundleService.ts';
import type { FeedService } from '../feeds/feedService.ts';
import type { SensorHealthService } from '../sensorHealth/sensorHealthService.ts';
import type { IngestService } from '../ingest/ingestService.ts';
import type { AlertService } from '../alerts/alertService.ts';
import type { IncidentService } from '../incidents/incidentService.ts';
import type { SuppressionService } from '../suppressions/suppressionService.ts';
import type { StatsService } from '../stats/statsService.ts';
import type { SubscriberDirectoryService } from '../subscriberDirectory/subscriberDirectoryService.ts';
import type { HelpdeskService } from '../helpdesk/helpdeskService.ts';
import type { DispatchService } from '../dispatch/dispatchService.ts';
import type { VendorStaffService } from '../dispatch/vendorStaffService.ts';
import type { InsuranceService } from '../insurance/insuranceService.ts';
import type { NotificationService } from '../notifications/notificationService.ts';
import type { LiveEventHub } from '../liveEvents/liveEventHub.ts';
import type { OutboxMail } from '@otasuke/shared';
import type { AccessScope } from '../access/accessScope.ts';

export interface Services {
  db: Db;
  auth: AuthService;
  audit: AuditService;
  organizations: OrganizationService;
  users: UserService;
  apiTokens: ApiTokenService;
  devMailbox: DevMailbox;
  contracts: ContractService;
  billing: BillingService;
  applications: ApplicationService;
  shipping: ShipmentService;
  kpi: KpiService;
  enrollment: EnrollmentService;
  sensorHealth: SensorHealthService;
  bundles: BundleService;
  feeds: FeedService;
  ingest: IngestService;
  alerts: AlertService;
  incidents: IncidentService;
  suppressions: SuppressionService;
  stats: StatsService;
  subscriberDirectory: SubscriberDirectoryService;
  helpdesk: HelpdeskService;
  dispatch: DispatchService;
  /** The vendor registry's portal accounts (invitations by mail). */
  vendorStaff: VendorStaffService;
  insurance: InsuranceService;
  notifications: NotificationService;
  /** The console's live event streams (GET /events). */
  liveEvents: LiveEventHub;
}

/** The dev mailbox: outgoing mail as stored in the outbox, readable in the console. */
export interface DevMailbox {
  list(scope: AccessScope, query: { status?: OutboxMail['status'] | undefined; limit: number }): Promise<OutboxMail[]>;
  get(scope: AccessScope, id: string): Promise<OutboxMail>;
}
