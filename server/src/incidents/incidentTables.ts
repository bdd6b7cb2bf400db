/**
 * Row types of the monitoring tables (migration 0009). Kept here rather than in db/tables.ts so the
 * domain grows without touching the shared file; repositories reach them with `db.withTables()`.
 */
import type { ColumnType, Generated, Kysely, Transaction } from 'kysely';
import type { Db } from '../db/database.ts';
import type { Tables } from '../db/tables.ts';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type BigCount = ColumnType<string, number | string | undefined, number | string>;

export interface IncidentsTable {
  id: Generated<string>;
  organizationId: string;
  siteId: string | null;
  sensorId: string | null;
  dedupKey: string;
  correlating: Generated<boolean>;
  kind: string;
  explain: string;
  direction: 'inbound' | 'outbound' | 'internal' | 'external';
  engine: 'rule' | 'ioc' | 'behaviour' | 'file';
  insideHost: string | null;
  peer: string | null;
  gid: number | null;
  signatureId: ColumnType<string | null, number | string | null, number | string | null>;
  signature: string | null;
  severity: number;
  priority: 'P1' | 'P2' | 'P3' | 'P4';
  status: Generated<'new' | 'acknowledged' | 'investigating' | 'customer_notified' | 'resolved' | 'merged'>;
  resolution: 'true_positive' | 'false_positive' | 'benign' | null;
  alertCount: BigCount;
  firstSeenAt: Timestamp;
  lastSeenAt: Timestamp;
  assigneeUserId: string | null;
  customerTextJa: string | null;
  customerTextEn: string | null;
  slaCalendar: string;
  acknowledgeDueAt: Timestamp;
  notifyDueAt: Timestamp;
  acknowledgedAt: NullableTimestamp;
  customerNotifiedAt: NullableTimestamp;
  resolvedAt: NullableTimestamp;
  mergedIntoId: string | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface IncidentEventsTable {
  id: Generated<string>;
  incidentId: string;
  organizationId: string;
  at: Timestamp;
  actorUserId: string | null;
  kind: string;
  details: ColumnType<Record<string, unknown>, string | undefined, string>;
}

export interface IncidentNotesTable {
  id: Generated<string>;
  incidentId: string;
  organizationId: string;
  authorUserId: string | null;
  body: string;
  createdAt: Timestamp;
}

export interface IncidentTasksTable {
  id: Generated<string>;
  incidentId: string;
  organizationId: string;
  title: string;
  done: Generated<boolean>;
  doneAt: NullableTimestamp;
  doneByUserId: string | null;
  createdAt: Timestamp;
}

export interface SuppressionsTable {
  id: Generated<string>;
  organizationId: string | null;
  gid: number | null;
  signatureId: ColumnType<string | null, number | string | null, number | string | null>;
  insideHost: string | null;
  peer: string | null;
  cidr: string | null;
  reason: string;
  authorUserId: string | null;
  expiresAt: NullableTimestamp;
  hitCount: BigCount;
  lastHitAt: NullableTimestamp;
  createdAt: Timestamp;
  deletedAt: NullableTimestamp;
}

export interface AssetCriticalityTable {
  organizationId: string;
  host: string;
  criticality: 'high' | 'normal' | 'low';
  label: string | null;
}

export interface MonitoringTables {
  incidents: IncidentsTable;
  incidentEvents: IncidentEventsTable;
  incidentNotes: IncidentNotesTable;
  incidentTasks: IncidentTasksTable;
  suppressions: SuppressionsTable;
  assetCriticality: AssetCriticalityTable;
}

export type MonitoringDb = Kysely<Tables & MonitoringTables>;
export type MonitoringTx = Transaction<Tables & MonitoringTables>;

export function monitoringDb(db: Db): MonitoringDb {
  // withTables only widens the type; the tables exist from migration 0009 on.
  return db as unknown as MonitoringDb;
}
