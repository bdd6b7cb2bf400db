/** Row types of every table, as Kysely sees them (camelCase; the CamelCasePlugin maps to snake_case). */
import type { ColumnType, Generated } from 'kysely';
import type { MailCharset, Membership, OrganizationKind, Role } from '@otasuke/shared';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export interface OrganizationsTable {
  id: Generated<string>;
  kind: OrganizationKind;
  name: string;
  nameKana: string | null;
  membership: Membership | null;
  prefecture: string | null;
  city: string | null;
  createdAt: Timestamp;
}

export interface SitesTable {
  id: Generated<string>;
  organizationId: string;
  name: string;
  postalCode: string | null;
  address: string | null;
  createdAt: Timestamp;
}

export interface SensorsTable {
  id: Generated<string>;
  organizationId: string;
  siteId: string;
  name: string;
  status: Generated<'pending' | 'active' | 'revoked'>;
  lastSeenAt: NullableTimestamp;
  credentialHash: string | null;
  enrolledAt: NullableTimestamp;
  hostname: string | null;
  agentVersion: string | null;
  lastHeartbeatAt: NullableTimestamp;
  bundleVersion: string | null;
  createdAt: Timestamp;
}

export interface EnrollmentCodesTable {
  id: Generated<string>;
  organizationId: string;
  siteId: string;
  sensorId: string;
  codeHash: string;
  createdBy: string | null;
  expiresAt: Timestamp;
  usedAt: NullableTimestamp;
  createdAt: Timestamp;
}

export interface UsersTable {
  id: Generated<string>;
  organizationId: string;
  email: string;
  displayName: string;
  role: Role;
  locale: Generated<'ja' | 'en'>;
  passwordHash: string;
  totpSecret: string | null;
  totpEnabled: Generated<boolean>;
  totpLastStep: number | null;
  failedLogins: Generated<number>;
  lockedUntil: NullableTimestamp;
  disabledAt: NullableTimestamp;
  createdAt: Timestamp;
}

export interface SessionsTable {
  id: string;
  userId: string;
  csrfToken: string;
  ip: string | null;
  userAgent: string | null;
  createdAt: Timestamp;
  lastSeenAt: Timestamp;
  expiresAt: Timestamp;
}

export interface LoginChallengesTable {
  id: string;
  userId: string;
  pendingTotpSecret: string | null;
  attempts: Generated<number>;
  expiresAt: Timestamp;
}

export interface LoginThrottleTable {
  key: string;
  failures: Generated<number>;
  windowStartedAt: Timestamp;
  blockedUntil: NullableTimestamp;
}

export interface PasswordResetsTable {
  tokenHash: string;
  userId: string;
  createdAt: Timestamp;
  expiresAt: Timestamp;
  usedAt: NullableTimestamp;
}

export interface ApiTokensTable {
  id: Generated<string>;
  organizationId: string;
  createdBy: string | null;
  role: Role;
  name: string;
  prefix: string;
  secretHash: string;
  createdAt: Timestamp;
  lastUsedAt: NullableTimestamp;
  revokedAt: NullableTimestamp;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: Timestamp;
  actorUserId: string | null;
  actorTokenId: string | null;
  organizationId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  ip: string | null;
  requestId: string | null;
  details: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
}

export interface MailOutboxTable {
  id: Generated<string>;
  organizationId: string | null;
  toAddress: string;
  subject: string;
  textBody: string;
  htmlBody: string | null;
  charset: Generated<MailCharset>;
  status: Generated<'pending' | 'sent' | 'failed' | 'held'>;
  attempts: Generated<number>;
  nextAttemptAt: Timestamp;
  lastError: string | null;
  messageId: string | null;
  createdAt: Timestamp;
  sentAt: NullableTimestamp;
}

type IsoDate = string;
type Json = ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;

export interface PlansTable {
  code: Membership;
  name: string;
  monthlyPriceYen: number;
  taxRatePercent: number;
  initialCostYen: Generated<number>;
  validFrom: IsoDate;
}

export interface ContractsTable {
  id: Generated<string>;
  organizationId: string;
  planCode: Membership;
  startDate: IsoDate;
  minimumTermMonths: number | null;
  endDate: IsoDate | null;
  cancellationReason: string | null;
  cancelledAt: NullableTimestamp;
  membershipVerifiedAt: NullableTimestamp;
  createdAt: Timestamp;
}

export interface ContractEventsTable {
  id: Generated<number>;
  contractId: string;
  organizationId: string;
  at: Timestamp;
  actorUserId: string | null;
  action: string;
  details: Json;
}

export interface IssuerSettingsTable {
  organizationId: string;
  issuerName: string;
  registrationNumber: string;
  postalCode: string;
  address: string;
  phone: string | null;
  paymentTermDays: number;
  updatedAt: Timestamp;
}

export interface InvoicesTable {
  id: Generated<string>;
  organizationId: string;
  contractId: string | null;
  kind: 'invoice' | 'credit_note';
  invoiceNumber: string;
  billingMonth: string | null;
  creditsInvoiceId: string | null;
  issueDate: IsoDate;
  periodStart: IsoDate;
  periodEnd: IsoDate;
  dueDate: IsoDate;
  issuerName: string;
  issuerRegistrationNumber: string;
  issuerAddress: string;
  recipientName: string;
  note: string | null;
  subtotalYen: number;
  taxYen: number;
  totalYen: number;
  status: Generated<'unpaid' | 'paid' | 'overdue'>;
  paidOn: IsoDate | null;
  paidAmountYen: number | null;
  reminderSentAt: NullableTimestamp;
  mailedAt: NullableTimestamp;
  createdAt: Timestamp;
}

export interface InvoiceLinesTable {
  invoiceId: string;
  organizationId: string;
  lineNo: number;
  description: string;
  periodStart: IsoDate | null;
  periodEnd: IsoDate | null;
  amountYen: number;
  taxRatePercent: number;
}

export interface ApplicationsTable {
  id: Generated<string>;
  status: Generated<'pending' | 'info_requested' | 'approved' | 'rejected'>;
  companyName: string;
  companyNameKana: string | null;
  representativeName: string;
  contactName: string;
  email: string;
  phone: string;
  postalCode: string;
  prefecture: string;
  city: string;
  address: string;
  employees: number;
  membership: Membership;
  membershipNumber: string | null;
  sites: ColumnType<Array<{ name: string; postalCode: string; address: string }>, string, string>;
  desiredStartDate: IsoDate | null;
  reviewNote: string | null;
  reviewedBy: string | null;
  reviewedAt: NullableTimestamp;
  organizationId: string | null;
  createdAt: Timestamp;
}

export interface InsurancePoliciesTable {
  id: Generated<string>;
  organizationId: string;
  insurerOrganizationId: string | null;
  policyNumber: string;
  periodStart: IsoDate;
  periodEnd: IsoDate | null;
  createdAt: Timestamp;
}

export interface ShipmentsTable {
  id: Generated<string>;
  organizationId: string;
  siteId: string;
  serial: string;
  carrier: 'yamato' | 'sagawa' | 'japan_post' | 'other';
  trackingNumber: string;
  status: Generated<'shipped' | 'delivered' | 'returned'>;
  shippedOn: IsoDate;
  deliveredOn: IsoDate | null;
  returnedOn: IsoDate | null;
  note: string | null;
  createdAt: Timestamp;
  sensorId: string | null;
  deliveryNotePdf: Buffer | null;
}

export interface ProgrammeTargetsTable {
  code: string;
  name: string;
  startMonth: string;
  months: number;
  targetSubscribers: number;
  updatedAt: Timestamp;
}

/** jsonb columns: written as JSON text, read back parsed (pg and PGlite both parse jsonb). */
type JsonColumn<T> = ColumnType<T | null, string | null | undefined, string | null>;

export interface AlertsTable {
  id: Generated<string>;
  organizationId: string;
  siteId: string;
  sensorId: string;
  /** bigint: pg returns it as a string. */
  seq: ColumnType<string, number | bigint | string, number | bigint | string>;
  observedAt: Timestamp;
  receivedAt: Timestamp;
  direction: 'inbound' | 'outbound' | 'internal' | 'external';
  engine: 'rule' | 'ioc' | 'behaviour' | 'file';
  explain: string;
  gid: number;
  signatureId: ColumnType<string, number | string, number | string>;
  rev: number;
  signature: string;
  category: string;
  severity: number;
  srcIp: string;
  srcPort: number | null;
  destIp: string;
  destPort: number | null;
  proto: string;
  appProto: string | null;
  flowId: string | null;
  communityId: string | null;
  metadata: JsonColumn<Record<string, string[]>>;
  flow: JsonColumn<Record<string, unknown>>;
  suppressed: Generated<boolean>;
  suppressionId: string | null;
  incidentId: string | null;
}

export interface SensorHeartbeatsTable {
  id: Generated<string>;
  sensorId: string;
  organizationId: string;
  receivedAt: Timestamp;
  sentAt: Timestamp;
  agentVersion: string;
  bundleVersion: string | null;
  uptimeSec: number;
  packetsPerSec: number;
  packetsTotal: ColumnType<string, number | string, number | string>;
  dropsTotal: ColumnType<string, number | string, number | string>;
  dropRate: number;
  cpuPercent: number;
  memoryBytes: ColumnType<string, number | string, number | string>;
  diskFreeBytes: ColumnType<string, number | string, number | string>;
  spoolBacklogEvents: ColumnType<string, number | string, number | string>;
  spoolBacklogBytes: ColumnType<string, number | string, number | string>;
  spoolDropped: ColumnType<string, number | string, number | string>;
}

export interface SensorIngestCountersTable {
  sensorId: string;
  accepted: ColumnType<string, number | string | undefined, number | string>;
  duplicates: ColumnType<string, number | string | undefined, number | string>;
  rejected: ColumnType<string, number | string | undefined, number | string>;
  suppressed: ColumnType<string, number | string | undefined, number | string>;
  updatedAt: Timestamp;
}

export interface Tables {
  alerts: AlertsTable;
  sensorHeartbeats: SensorHeartbeatsTable;
  sensorIngestCounters: SensorIngestCountersTable;
  programmeTargets: ProgrammeTargetsTable;
  shipments: ShipmentsTable;
  plans: PlansTable;
  contracts: ContractsTable;
  contractEvents: ContractEventsTable;
  issuerSettings: IssuerSettingsTable;
  invoices: InvoicesTable;
  invoiceLines: InvoiceLinesTable;
  applications: ApplicationsTable;
  insurancePolicies: InsurancePoliciesTable;
  organizations: OrganizationsTable;
  sites: SitesTable;
  sensors: SensorsTable;
  enrollmentCodes: EnrollmentCodesTable;
  users: UsersTable;
  sessions: SessionsTable;
  loginChallenges: LoginChallengesTable;
  loginThrottle: LoginThrottleTable;
  passwordResets: PasswordResetsTable;
  apiTokens: ApiTokensTable;
  auditLog: AuditLogTable;
  mailOutbox: MailOutboxTable;
}
