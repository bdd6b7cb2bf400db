/**
 * Row types of the help desk, dispatch and insurance tables (migration 0011), kept beside the domain
 * like incidents/incidentTables.ts; repositories reach them through `helpdeskDb(db)`.
 */
import type { ColumnType, Generated, Kysely } from 'kysely';
import type { Db } from '../db/database.ts';
import type { Tables } from '../db/tables.ts';
import type { MonitoringTables } from '../incidents/incidentTables.ts';
import type { CoverageItem, TicketCategory, TicketContext, TicketPriority, TicketSource, TicketStatus, VendorArea } from '@otasuke/shared';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T> = ColumnType<T, string, string>;
type BigId = ColumnType<string, never, never>;

export interface TicketsTable {
  id: Generated<string>;
  number: BigId;
  organizationId: string | null;
  requesterUserId: string | null;
  requesterEmail: string | null;
  source: TicketSource;
  category: TicketCategory;
  priority: TicketPriority;
  status: Generated<TicketStatus>;
  subject: string;
  description: string;
  context: Json<TicketContext | null> | null;
  incidentId: string | null;
  assigneeUserId: string | null;
  messageId: string | null;
  firstResponseDueAt: Timestamp;
  resolutionDueAt: Timestamp;
  firstRespondedAt: NullableTimestamp;
  resolvedAt: NullableTimestamp;
  closedAt: NullableTimestamp;
  satisfaction: number | null;
  satisfactionComment: string | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface TicketCommentsTable {
  id: Generated<string>;
  /** Insertion order: comments written in the same instant keep their order. */
  seq: BigId;
  ticketId: string;
  authorUserId: string | null;
  authorEmail: string | null;
  visibility: 'internal' | 'public';
  source: TicketSource;
  body: string;
  messageId: string | null;
  createdAt: Timestamp;
}

export interface CannedRepliesTable {
  id: Generated<string>;
  title: string;
  body: string;
  category: TicketCategory | null;
  createdAt: Generated<Date>;
}

export interface RemoteSessionsTable {
  id: Generated<string>;
  ticketId: string;
  organizationId: string;
  requestedByUserId: string | null;
  consentUserId: string | null;
  consentAt: NullableTimestamp;
  /** Migration 0012: the customer declined. */
  refusedUserId: Generated<string | null>;
  refusedAt: NullableTimestamp;
  agentUserId: string | null;
  startedAt: NullableTimestamp;
  endedAt: NullableTimestamp;
  summary: string | null;
  createdAt: Timestamp;
}

export interface VendorProfilesTable {
  organizationId: string;
  companyName: string;
  areas: Json<VendorArea[]>;
  skills: Json<string[]>;
  businessHours: string;
  hourlyRateYen: number;
  callOutFeeYen: number;
  capacity: number;
  contactName: string;
  contactEmail: string;
  contactPhone: string;
  active: boolean;
  updatedAt: Timestamp;
}

export type DispatchStatusValue = 'requested' | 'offered' | 'accepted' | 'on_site' | 'reported' | 'signed_off' | 'unfilled';

export interface DispatchJobsTable {
  id: Generated<string>;
  organizationId: string;
  ticketId: string | null;
  incidentId: string | null;
  siteId: string;
  siteName: string;
  prefecture: string | null;
  city: string | null;
  address: string | null;
  contactName: string;
  contactPhone: string;
  problem: string;
  skill: string;
  offerMinutes: number;
  status: Generated<DispatchStatusValue>;
  vendorOrganizationId: string | null;
  arrivedAt: NullableTimestamp;
  workDone: string | null;
  minutesWorked: number | null;
  costYen: number | null;
  report: string | null;
  reportedAt: NullableTimestamp;
  signedOffUserId: string | null;
  signedOffAt: NullableTimestamp;
  createdAt: Timestamp;
}

export interface DispatchOffersTable {
  id: Generated<string>;
  jobId: string;
  vendorOrganizationId: string;
  rank: number;
  offeredAt: Timestamp;
  deadlineAt: Timestamp;
  status: Generated<'pending' | 'accepted' | 'declined' | 'expired'>;
  answeredAt: NullableTimestamp;
  reason: string | null;
}

export interface DispatchFilesTable {
  id: Generated<string>;
  jobId: string;
  vendorOrganizationId: string;
  fileName: string;
  contentType: string;
  sizeBytes: number;
  sha256: string;
  content: Buffer;
  createdAt: Timestamp;
}

export interface InsurancePoliciesExtension {
  coverage: Json<CoverageItem[]>;
}

export interface InsuranceClaimsTable {
  id: Generated<string>;
  number: BigId;
  organizationId: string;
  policyId: string;
  insurerOrganizationId: string;
  incidentId: string;
  status: Generated<'filed' | 'approved' | 'partially_approved' | 'denied'>;
  description: string;
  claimedAmountYen: number;
  paidAmountYen: number | null;
  outcomeNote: string | null;
  decidedAt: NullableTimestamp;
  evidencePack: Buffer;
  evidenceSha256: string;
  filedByUserId: string | null;
  createdAt: Timestamp;
}

export interface ClaimCommentsTable {
  id: Generated<string>;
  seq: BigId;
  claimId: string;
  authorUserId: string | null;
  authorOrganizationId: string;
  body: string;
  createdAt: Timestamp;
}

export interface HelpdeskTables {
  tickets: TicketsTable;
  ticketComments: TicketCommentsTable;
  cannedReplies: CannedRepliesTable;
  remoteSessions: RemoteSessionsTable;
  vendorProfiles: VendorProfilesTable;
  dispatchJobs: DispatchJobsTable;
  dispatchOffers: DispatchOffersTable;
  dispatchFiles: DispatchFilesTable;
  insuranceClaims: InsuranceClaimsTable;
  claimComments: ClaimCommentsTable;
}

type WithPolicyCoverage = Omit<Tables, 'insurancePolicies'> & { insurancePolicies: Tables['insurancePolicies'] & InsurancePoliciesExtension };
export type HelpdeskDb = Kysely<WithPolicyCoverage & MonitoringTables & HelpdeskTables>;

export function helpdeskDb(db: Db): HelpdeskDb {
  // Only widens the type; the tables exist from migration 0011 on.
  return db as unknown as HelpdeskDb;
}

export function iso(value: Date | string | null): string | null {
  return value === null ? null : new Date(value).toISOString();
}
