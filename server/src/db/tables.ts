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

export interface Tables {
  organizations: OrganizationsTable;
  sites: SitesTable;
  sensors: SensorsTable;
  users: UsersTable;
  sessions: SessionsTable;
  loginChallenges: LoginChallengesTable;
  loginThrottle: LoginThrottleTable;
  passwordResets: PasswordResetsTable;
  apiTokens: ApiTokensTable;
  auditLog: AuditLogTable;
  mailOutbox: MailOutboxTable;
}
