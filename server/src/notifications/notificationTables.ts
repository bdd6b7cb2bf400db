/** Row types of the notification tables (migration 0010), kept beside the domain like incidentTables.ts. */
import type { ColumnType, Generated, Kysely } from 'kysely';
import type { Db } from '../db/database.ts';
import type { Tables } from '../db/tables.ts';
import type { MonitoringTables } from '../incidents/incidentTables.ts';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export interface NotificationContactsTable {
  id: Generated<string>;
  organizationId: string;
  role: 'primary' | 'backup';
  name: string;
  email: string | null;
  phone: string | null;
  locale: 'ja' | 'en';
  channels: string[];
  createdAt: Timestamp;
}

export interface NotificationWebhooksTable {
  id: Generated<string>;
  organizationId: string;
  url: string;
  secret: string;
  enabled: Generated<boolean>;
  createdAt: Timestamp;
}

export interface IncidentNotificationStatesTable {
  incidentId: string;
  organizationId: string;
  firstSentAt: Timestamp;
  lastSentAt: Timestamp;
  sends: number;
  lastAlertCount: ColumnType<string, number | string, number | string>;
  escalatedAt: NullableTimestamp;
  acknowledgedAt: NullableTimestamp;
  acknowledgedByContactId: string | null;
  acknowledgedByUserId: string | null;
}

export interface IncidentAckTokensTable {
  tokenHash: string;
  incidentId: string;
  organizationId: string;
  contactId: string | null;
  expiresAt: Timestamp;
  usedAt: NullableTimestamp;
  createdAt: Timestamp;
}

export interface NotificationLogTable {
  id: Generated<string>;
  organizationId: string;
  incidentId: string | null;
  purpose: string;
  channel: string;
  target: string;
  status: 'sent' | 'queued' | 'failed';
  attempts: number;
  error: string | null;
  at: Timestamp;
}

export interface SensorProblemsTable {
  sensorId: string;
  problem: 'sensor_silent' | 'sensor_drops' | 'sensor_old_bundle';
  incidentId: string;
  openedAt: Timestamp;
}

export interface QuietReportsTable {
  organizationId: string;
  month: string;
  sentAt: Timestamp;
}

export interface NotificationSettingsTable {
  organizationId: string;
  dailyDigest: boolean;
  updatedAt: Timestamp;
}

export interface NotificationDigestsTable {
  organizationId: string;
  /** `YYYY-MM-DD`, the Japan day the digest covers. */
  day: ColumnType<string, string, string>;
  incidents: number;
  sentAt: Timestamp;
}

export interface NotificationTables {
  notificationContacts: NotificationContactsTable;
  notificationWebhooks: NotificationWebhooksTable;
  incidentNotificationStates: IncidentNotificationStatesTable;
  incidentAckTokens: IncidentAckTokensTable;
  notificationLog: NotificationLogTable;
  sensorProblems: SensorProblemsTable;
  quietReports: QuietReportsTable;
  notificationSettings: NotificationSettingsTable;
  notificationDigests: NotificationDigestsTable;
}

export type NotificationDb = Kysely<Tables & MonitoringTables & NotificationTables>;

export function notificationDb(db: Db): NotificationDb {
  // Only widens the type; the tables exist from migration 0010 on.
  return db as unknown as NotificationDb;
}
