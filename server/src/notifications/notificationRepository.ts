/** SQL of notifications: contacts, webhooks, per-incident state, acknowledgement tokens, the send log. */
import type { NotificationContactCreate, NotificationLogQuery, NotificationWebhookCreate } from '@otasuke/shared';
import { sql, type Selectable } from 'kysely';
import type { TenantFilter } from '../access/accessScope.ts';
import type { Db } from '../db/database.ts';
import { restrictToTenant } from '../db/tenantFilter.ts';
import type { IncidentsTable } from '../incidents/incidentTables.ts';
import type { SendResult } from './channels.ts';
import {
  notificationDb,
  type IncidentAckTokensTable,
  type IncidentNotificationStatesTable,
  type NotificationContactsTable,
  type NotificationDb,
  type NotificationLogTable,
  type NotificationWebhooksTable,
} from './notificationTables.ts';

export type ContactRow = Selectable<NotificationContactsTable>;
export type WebhookRow = Selectable<NotificationWebhooksTable>;
export type StateRow = Selectable<IncidentNotificationStatesTable>;
export type TokenRow = Selectable<IncidentAckTokensTable>;
export type LogRow = Selectable<NotificationLogTable>;
export type PendingIncident = Selectable<IncidentsTable> & { organizationName: string; state: StateRow | null };

const OPEN = ['new', 'acknowledged', 'investigating', 'customer_notified'] as const;

export class NotificationRepository {
  private readonly db: NotificationDb;

  constructor(db: Db) {
    this.db = notificationDb(db);
  }

  listContacts(filter: TenantFilter, organizationId: string): Promise<ContactRow[]> {
    return restrictToTenant(this.db.selectFrom('notificationContacts').selectAll(), 'organizationId', filter)
      .where('organizationId', '=', organizationId)
      .orderBy('role', 'desc')
      .orderBy('createdAt')
      .orderBy('id')
      .execute();
  }

  contactsOf(organizationId: string): Promise<ContactRow[]> {
    return this.listContacts({ kind: 'all' }, organizationId);
  }

  createContact(organizationId: string, input: NotificationContactCreate, now: Date): Promise<ContactRow> {
    return this.db
      .insertInto('notificationContacts')
      .values({ organizationId, role: input.role, name: input.name, email: input.email, phone: input.phone, locale: input.locale, channels: sql`${sql.val(input.channels)}::text[]`, createdAt: now })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async deleteContact(filter: TenantFilter, id: string): Promise<ContactRow | undefined> {
    return restrictToTenant(this.db.deleteFrom('notificationContacts'), 'organizationId', filter).where('id', '=', id).returningAll().executeTakeFirst();
  }

  listWebhooks(filter: TenantFilter, organizationId: string): Promise<WebhookRow[]> {
    return restrictToTenant(this.db.selectFrom('notificationWebhooks').selectAll(), 'organizationId', filter).where('organizationId', '=', organizationId).orderBy('createdAt').orderBy('id').execute();
  }

  createWebhook(organizationId: string, input: NotificationWebhookCreate, now: Date): Promise<WebhookRow> {
    return this.db.insertInto('notificationWebhooks').values({ organizationId, url: input.url, secret: input.secret, enabled: input.enabled, createdAt: now }).returningAll().executeTakeFirstOrThrow();
  }

  deleteWebhook(filter: TenantFilter, id: string): Promise<WebhookRow | undefined> {
    return restrictToTenant(this.db.deleteFrom('notificationWebhooks'), 'organizationId', filter).where('id', '=', id).returningAll().executeTakeFirst();
  }

  /** Open incidents of these priorities with their notification state (null before the first send). */
  async pendingIncidents(priorities: readonly string[]): Promise<PendingIncident[]> {
    if (priorities.length === 0) return [];
    const rows = await this.db
      .selectFrom('incidents')
      .innerJoin('organizations', 'organizations.id', 'incidents.organizationId')
      .leftJoin('incidentNotificationStates as s', 's.incidentId', 'incidents.id')
      .selectAll('incidents')
      .select(['organizations.name as organizationName', 's.incidentId as stateIncidentId', 's.firstSentAt', 's.lastSentAt', 's.sends', 's.lastAlertCount', 's.escalatedAt', 's.acknowledgedAt as customerAcknowledgedAt', 's.acknowledgedByContactId', 's.acknowledgedByUserId'])
      .where('incidents.status', 'in', OPEN)
      .where('incidents.priority', 'in', priorities as IncidentsTable['priority'][])
      .where('s.acknowledgedAt', 'is', null)
      .orderBy('incidents.createdAt')
      .execute();
    return rows.map(({ stateIncidentId, firstSentAt, lastSentAt, sends, lastAlertCount, escalatedAt, customerAcknowledgedAt, acknowledgedByContactId, acknowledgedByUserId, ...incident }) => ({
      ...incident,
      state: stateIncidentId
        ? { incidentId: stateIncidentId, organizationId: incident.organizationId, firstSentAt: firstSentAt!, lastSentAt: lastSentAt!, sends: sends!, lastAlertCount: lastAlertCount!, escalatedAt: escalatedAt ?? null, acknowledgedAt: customerAcknowledgedAt ?? null, acknowledgedByContactId: acknowledgedByContactId ?? null, acknowledgedByUserId: acknowledgedByUserId ?? null }
        : null,
    }));
  }

  async recordSend(incident: { id: string; organizationId: string; alertCount: number }, now: Date, escalated: boolean, timeline: { kind: string; details: Record<string, unknown> }): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx
        .insertInto('incidentNotificationStates')
        .values({ incidentId: incident.id, organizationId: incident.organizationId, firstSentAt: now, lastSentAt: now, sends: 1, lastAlertCount: incident.alertCount, escalatedAt: escalated ? now : null })
        .onConflict((oc) =>
          oc.column('incidentId').doUpdateSet({
            lastSentAt: now,
            sends: sql`incident_notification_states.sends + 1`,
            lastAlertCount: incident.alertCount,
            escalatedAt: escalated ? sql`coalesce(incident_notification_states.escalated_at, ${now})` : sql`incident_notification_states.escalated_at`,
          }),
        )
        .execute();
      await tx.insertInto('incidentEvents').values({ incidentId: incident.id, organizationId: incident.organizationId, at: now, actorUserId: null, kind: timeline.kind, details: JSON.stringify(timeline.details) }).execute();
    });
  }

  async insertToken(row: Omit<TokenRow, 'usedAt'>): Promise<void> {
    await this.db.insertInto('incidentAckTokens').values(row).execute();
  }

  findToken(tokenHash: string): Promise<TokenRow | undefined> {
    return this.db.selectFrom('incidentAckTokens').selectAll().where('tokenHash', '=', tokenHash).executeTakeFirst();
  }

  state(incidentId: string): Promise<StateRow | undefined> {
    return this.db.selectFrom('incidentNotificationStates').selectAll().where('incidentId', '=', incidentId).executeTakeFirst();
  }

  contact(id: string): Promise<ContactRow | undefined> {
    return this.db.selectFrom('notificationContacts').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /**
   * Records the customer's acknowledgement once (state, timeline, the token used); false when it was
   * already acknowledged. A token is spent in the same transaction, so a link works once.
   */
  async acknowledge(input: { incidentId: string; organizationId: string; at: Date; contactId: string | null; userId: string | null; tokenHash: string | null; details: Record<string, unknown> }): Promise<{ acknowledgedAt: Date; already: boolean }> {
    return this.db.transaction().execute(async (tx) => {
      if (input.tokenHash) {
        const spent = await tx.updateTable('incidentAckTokens').set({ usedAt: input.at }).where('tokenHash', '=', input.tokenHash).where('usedAt', 'is', null).executeTakeFirst();
        if (Number(spent.numUpdatedRows) === 0) throw new Error('token already used');
      }
      await sql`select 1 from incidents where id = ${input.incidentId} for update`.execute(tx);
      const existing = await tx.selectFrom('incidentNotificationStates').select('acknowledgedAt').where('incidentId', '=', input.incidentId).executeTakeFirst();
      if (existing?.acknowledgedAt) return { acknowledgedAt: existing.acknowledgedAt, already: true };
      await tx
        .insertInto('incidentNotificationStates')
        .values({ incidentId: input.incidentId, organizationId: input.organizationId, firstSentAt: input.at, lastSentAt: input.at, sends: 0, lastAlertCount: 0, acknowledgedAt: input.at, acknowledgedByContactId: input.contactId, acknowledgedByUserId: input.userId })
        .onConflict((oc) => oc.column('incidentId').doUpdateSet({ acknowledgedAt: input.at, acknowledgedByContactId: input.contactId, acknowledgedByUserId: input.userId }))
        .execute();
      await tx.insertInto('incidentEvents').values({ incidentId: input.incidentId, organizationId: input.organizationId, at: input.at, actorUserId: input.userId, kind: 'customer_acknowledged', details: JSON.stringify(input.details) }).execute();
      return { acknowledgedAt: input.at, already: false };
    });
  }

  async log(entry: { organizationId: string; incidentId: string | null; purpose: string; channel: string; target: string; at: Date } & SendResult): Promise<void> {
    await this.db.insertInto('notificationLog').values(entry).execute();
  }

  listLog(filter: TenantFilter, query: NotificationLogQuery): Promise<LogRow[]> {
    let q = restrictToTenant(this.db.selectFrom('notificationLog').selectAll(), 'organizationId', filter);
    if (query.organizationId) q = q.where('organizationId', '=', query.organizationId);
    if (query.incidentId) q = q.where('incidentId', '=', query.incidentId);
    return q.orderBy('at', 'desc').orderBy('id', 'desc').limit(query.limit).execute();
  }

  /** Subscribers with at least one primary contact, for the monthly all-quiet message. */
  async subscribersWithContacts(): Promise<Array<{ organizationId: string; organizationName: string }>> {
    return this.db
      .selectFrom('organizations')
      .innerJoin('notificationContacts', 'notificationContacts.organizationId', 'organizations.id')
      .select(['organizations.id as organizationId', 'organizations.name as organizationName'])
      .where('organizations.kind', '=', 'subscriber')
      .where('notificationContacts.role', '=', 'primary')
      .groupBy(['organizations.id', 'organizations.name'])
      .execute();
  }

  /**
   * The month's figures of one subscriber: packets the sensors watched (per sensor the growth of its
   * `packets_total` counter across the month's heartbeats; the heartbeat has no flow counter), alerts
   * stored, and incidents that needed the customer (P1/P2).
   */
  async monthFigures(organizationId: string, from: Date, to: Date): Promise<{ packets: number; alerts: number; customerIncidents: number }> {
    const packets = await sql<{ n: string | null }>`
      select sum(grown) as n from (
        select max(packets_total) - min(packets_total) as grown from sensor_heartbeats
        where organization_id = ${organizationId} and received_at >= ${from} and received_at < ${to} group by sensor_id) s`.execute(this.db);
    const alerts = await sql<{ n: string }>`select count(*) as n from alerts where organization_id = ${organizationId} and observed_at >= ${from} and observed_at < ${to}`.execute(this.db);
    const incidents = await sql<{ n: string }>`
      select count(*) as n from incidents where organization_id = ${organizationId} and priority in ('P1','P2') and created_at >= ${from} and created_at < ${to} and kind <> 'sensor_health'`.execute(this.db);
    return { packets: Number(packets.rows[0]?.n ?? 0), alerts: Number(alerts.rows[0]?.n ?? 0), customerIncidents: Number(incidents.rows[0]?.n ?? 0) };
  }

  /** True the first time for (subscriber, month); the all-quiet message is sent only then. */
  async claimQuietReport(organizationId: string, month: string, now: Date): Promise<boolean> {
    const row = await this.db.insertInto('quietReports').values({ organizationId, month, sentAt: now }).onConflict((oc) => oc.doNothing()).returning('month').executeTakeFirst();
    return row !== undefined;
  }

  async settings(organizationId: string): Promise<{ dailyDigest: boolean; updatedAt: Date | null }> {
    const row = await this.db.selectFrom('notificationSettings').select(['dailyDigest', 'updatedAt']).where('organizationId', '=', organizationId).executeTakeFirst();
    return row ?? { dailyDigest: false, updatedAt: null };
  }

  async setSettings(organizationId: string, dailyDigest: boolean, now: Date): Promise<{ dailyDigest: boolean; updatedAt: Date }> {
    return this.db
      .insertInto('notificationSettings')
      .values({ organizationId, dailyDigest, updatedAt: now })
      .onConflict((oc) => oc.column('organizationId').doUpdateSet({ dailyDigest, updatedAt: now }))
      .returning(['dailyDigest', 'updatedAt'])
      .executeTakeFirstOrThrow();
  }

  /** Subscribers that asked for the daily digest. */
  async digestSubscribers(): Promise<string[]> {
    const rows = await this.db
      .selectFrom('notificationSettings')
      .innerJoin('organizations', 'organizations.id', 'notificationSettings.organizationId')
      .select('organizations.id')
      .where('notificationSettings.dailyDigest', '=', true)
      .where('organizations.kind', '=', 'subscriber')
      .execute();
    return rows.map((r) => r.id);
  }

  /** A subscriber's incidents of these priorities opened in [from, to) (merged ones live on in their target). */
  digestIncidents(organizationId: string, priorities: readonly string[], from: Date, to: Date) {
    return this.db
      .selectFrom('incidents')
      .select(['id', 'explain', 'insideHost', 'peer', 'alertCount', 'priority', 'status', 'createdAt'])
      .where('organizationId', '=', organizationId)
      .where('priority', 'in', priorities as IncidentsTable['priority'][])
      .where('status', '!=', 'merged')
      .where('createdAt', '>=', from)
      .where('createdAt', '<', to)
      .orderBy('createdAt')
      .orderBy('id')
      .execute();
  }

  /**
   * True the first time for (subscriber, day): the digest is sent only then. The incidents it lists
   * get a `customer_notification` timeline entry in the same transaction.
   */
  async claimDigest(organizationId: string, day: string, incidentIds: readonly string[], now: Date): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      const row = await tx.insertInto('notificationDigests').values({ organizationId, day, incidents: incidentIds.length, sentAt: now }).onConflict((oc) => oc.doNothing()).returning('day').executeTakeFirst();
      if (!row) return false;
      if (incidentIds.length > 0) {
        await tx
          .insertInto('incidentEvents')
          .values(incidentIds.map((incidentId) => ({ incidentId, organizationId, at: now, actorUserId: null, kind: 'customer_notification', details: JSON.stringify({ purpose: 'digest', day }) })))
          .execute();
      }
      return true;
    });
  }

  incidentOf(filter: TenantFilter, id: string): Promise<{ id: string; organizationId: string } | undefined> {
    return restrictToTenant(this.db.selectFrom('incidents').select(['id', 'organizationId']), 'organizationId', filter).where('id', '=', id).executeTakeFirst();
  }

  async isSubscriber(organizationId: string): Promise<boolean> {
    const row = await this.db.selectFrom('organizations').select('id').where('id', '=', organizationId).where('kind', '=', 'subscriber').executeTakeFirst();
    return row !== undefined;
  }
}
