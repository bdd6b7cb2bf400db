/**
 * SQL of the help desk: tickets, comments, canned replies, remote sessions, and the read-only
 * subscriber context a ticket carries (open incidents, recent alerts, sensor heartbeats, contract).
 * Every ticket query takes the caller's TenantFilter; a ticket with no organization yet (unknown
 * sender) is visible to operator staff only.
 */
import { sql, type Selectable } from 'kysely';
import type { TicketContext, TicketQuery } from '@otasuke/shared';
import type { TenantFilter } from '../access/accessScope.ts';
import type { Db } from '../db/database.ts';
import { restrictToTenant } from '../db/tenantFilter.ts';
import { helpdeskDb, iso, type HelpdeskDb, type RemoteSessionsTable, type TicketCommentsTable, type TicketsTable } from './helpdeskTables.ts';

export type TicketRow = Selectable<TicketsTable>;
export type TicketCommentRow = Selectable<TicketCommentsTable>;
export type RemoteSessionRow = Selectable<RemoteSessionsTable>;

export interface NewTicket {
  organizationId: string | null;
  requesterUserId: string | null;
  requesterEmail: string | null;
  source: TicketRow['source'];
  category: TicketRow['category'];
  priority: TicketRow['priority'];
  subject: string;
  description: string;
  context: TicketContext | null;
  incidentId: string | null;
  messageId: string | null;
  firstResponseDueAt: Date;
  resolutionDueAt: Date;
  now: Date;
}

export class HelpdeskRepository {
  private readonly db: HelpdeskDb;
  constructor(db: Db) {
    this.db = helpdeskDb(db);
  }

  async insertTicket(t: NewTicket): Promise<TicketRow> {
    return this.db
      .insertInto('tickets')
      .values({
        organizationId: t.organizationId,
        requesterUserId: t.requesterUserId,
        requesterEmail: t.requesterEmail,
        source: t.source,
        category: t.category,
        priority: t.priority,
        subject: t.subject,
        description: t.description,
        context: t.context ? JSON.stringify(t.context) : null,
        incidentId: t.incidentId,
        messageId: t.messageId,
        firstResponseDueAt: t.firstResponseDueAt,
        resolutionDueAt: t.resolutionDueAt,
        createdAt: t.now,
        updatedAt: t.now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async getTicket(id: string, filter: TenantFilter): Promise<TicketRow | undefined> {
    return restrictToTenant(this.db.selectFrom('tickets').selectAll().where('id', '=', id), 'organizationId', filter).executeTakeFirst();
  }

  async listTickets(filter: TenantFilter, query: TicketQuery): Promise<TicketRow[]> {
    let q = restrictToTenant(this.db.selectFrom('tickets').selectAll(), 'organizationId', filter);
    if (query.status) q = q.where('status', '=', query.status);
    if (query.organizationId) q = q.where('organizationId', '=', query.organizationId);
    return q.orderBy('number', 'desc').limit(query.slaBreaching === 'true' ? 1000 : query.limit).execute();
  }

  async updateTicket(id: string, patch: Partial<Omit<TicketRow, 'id' | 'number' | 'context' | 'createdAt'>>): Promise<TicketRow> {
    return this.db.updateTable('tickets').set(patch).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  }

  async findTicketByNumber(number: number): Promise<TicketRow | undefined> {
    return this.db.selectFrom('tickets').selectAll().where(sql<boolean>`number = ${number}`).executeTakeFirst();
  }

  /** The ticket a mail of one of these Message-IDs started or was added to. */
  async findTicketByMessageIds(messageIds: string[]): Promise<TicketRow | undefined> {
    if (messageIds.length === 0) return undefined;
    const direct = await this.db.selectFrom('tickets').selectAll().where('messageId', 'in', messageIds).orderBy('number', 'desc').executeTakeFirst();
    if (direct) return direct;
    const viaComment = await this.db.selectFrom('ticketComments').select('ticketId').where('messageId', 'in', messageIds).executeTakeFirst();
    return viaComment ? this.db.selectFrom('tickets').selectAll().where('id', '=', viaComment.ticketId).executeTakeFirst() : undefined;
  }

  async insertComment(c: Omit<TicketCommentRow, 'id' | 'seq'>): Promise<TicketCommentRow> {
    return this.db.insertInto('ticketComments').values(c).returningAll().executeTakeFirstOrThrow();
  }

  async listComments(ticketId: string): Promise<TicketCommentRow[]> {
    return this.db.selectFrom('ticketComments').selectAll().where('ticketId', '=', ticketId).orderBy('seq').execute();
  }

  async listCannedReplies() {
    return this.db.selectFrom('cannedReplies').select(['id', 'title', 'body', 'category']).orderBy('title').execute();
  }

  async getCannedReply(id: string) {
    return this.db.selectFrom('cannedReplies').select(['id', 'title', 'body', 'category']).where('id', '=', id).executeTakeFirst();
  }

  async insertCannedReply(reply: { title: string; body: string; category: TicketRow['category'] | null }) {
    return this.db.insertInto('cannedReplies').values(reply).returning(['id', 'title', 'body', 'category']).executeTakeFirstOrThrow();
  }

  async insertRemoteSession(s: { ticketId: string; organizationId: string; requestedByUserId: string | null; now: Date }): Promise<RemoteSessionRow> {
    return this.db
      .insertInto('remoteSessions')
      .values({ ticketId: s.ticketId, organizationId: s.organizationId, requestedByUserId: s.requestedByUserId, createdAt: s.now })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async getRemoteSession(id: string, filter: TenantFilter): Promise<RemoteSessionRow | undefined> {
    return restrictToTenant(this.db.selectFrom('remoteSessions').selectAll().where('id', '=', id), 'organizationId', filter).executeTakeFirst();
  }

  async listRemoteSessions(ticketId: string): Promise<RemoteSessionRow[]> {
    return this.db.selectFrom('remoteSessions').selectAll().where('ticketId', '=', ticketId).orderBy('createdAt').execute();
  }

  async updateRemoteSession(id: string, patch: Partial<Omit<RemoteSessionRow, 'id' | 'ticketId' | 'organizationId'>>): Promise<RemoteSessionRow> {
    return this.db.updateTable('remoteSessions').set(patch).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  }

  /** Who wrote: a user of a subscriber, or a notification contact of one. */
  async findSubscriberByEmail(email: string): Promise<{ organizationId: string; userId: string | null } | undefined> {
    const user = await this.db
      .selectFrom('users')
      .innerJoin('organizations', 'organizations.id', 'users.organizationId')
      .select(['users.id', 'users.organizationId'])
      .where('users.email', '=', email.toLowerCase())
      .where('organizations.kind', '=', 'subscriber')
      .executeTakeFirst();
    if (user) return { organizationId: user.organizationId, userId: user.id };
    const contact = await sql<{ organizationId: string }>`select organization_id from notification_contacts where lower(email) = ${email.toLowerCase()} limit 1`.execute(this.db);
    return contact.rows[0] ? { organizationId: contact.rows[0].organizationId, userId: null } : undefined;
  }

  async userContact(userId: string): Promise<{ email: string; displayName: string; locale: 'ja' | 'en'; organizationId: string } | undefined> {
    return this.db.selectFrom('users').select(['email', 'displayName', 'locale', 'organizationId']).where('id', '=', userId).executeTakeFirst();
  }

  async isOperatorStaff(userId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('users')
      .innerJoin('organizations', 'organizations.id', 'users.organizationId')
      .select('users.id')
      .where('users.id', '=', userId)
      .where('organizations.kind', '=', 'operator')
      .where('users.disabledAt', 'is', null)
      .executeTakeFirst();
    return row !== undefined;
  }

  async incidentOrganization(incidentId: string, filter: TenantFilter): Promise<string | undefined> {
    const row = await restrictToTenant(this.db.selectFrom('incidents').select('organizationId').where('id', '=', incidentId), 'organizationId', filter).executeTakeFirst();
    return row?.organizationId;
  }

  async subscriberExists(organizationId: string): Promise<boolean> {
    return (await this.db.selectFrom('organizations').select('id').where('id', '=', organizationId).where('kind', '=', 'subscriber').executeTakeFirst()) !== undefined;
  }

  /** What the desk needs to see at a glance: open incidents, the last day's alerts, sensor health, contract. */
  async subscriberContext(organizationId: string, now: Date): Promise<TicketContext> {
    const incidents = await this.db
      .selectFrom('incidents')
      .select(['id', 'kind', 'priority', 'status', 'lastSeenAt'])
      .where('organizationId', '=', organizationId)
      .where('status', 'in', ['new', 'acknowledged', 'investigating', 'customer_notified'])
      .orderBy('priority')
      .orderBy('lastSeenAt', 'desc')
      .limit(20)
      .execute();
    const alerts = await sql<{ id: string; signature: string; severity: number; observedAt: Date }>`
      select id, signature, severity, observed_at from alerts
      where organization_id = ${organizationId} and observed_at > ${new Date(now.getTime() - 7 * 86_400_000)} and not suppressed
      order by observed_at desc limit 20`.execute(this.db);
    const sensors = await sql<{ sensorId: string; name: string; status: string; lastHeartbeatAt: Date | null; dropRate: number | null }>`
      select s.id as sensor_id, s.name, s.status, h.received_at as last_heartbeat_at, h.drop_rate
      from sensors s left join lateral (
        select received_at, drop_rate from sensor_heartbeats where sensor_id = s.id order by received_at desc limit 1
      ) h on true
      where s.organization_id = ${organizationId} order by s.name`.execute(this.db);
    const contract = await this.db.selectFrom('contracts').select(['planCode', 'startDate', 'endDate']).where('organizationId', '=', organizationId).executeTakeFirst();
    return {
      openIncidents: incidents.map((i) => ({ id: i.id, kind: i.kind, priority: i.priority, status: i.status, lastSeenAt: iso(i.lastSeenAt)! })),
      recentAlerts: alerts.rows.map((a) => ({ id: a.id, signature: a.signature, severity: Number(a.severity), observedAt: iso(a.observedAt)! })),
      sensors: sensors.rows.map((s) => ({ sensorId: s.sensorId, name: s.name, status: s.status, lastHeartbeatAt: iso(s.lastHeartbeatAt), dropRate: s.dropRate === null ? null : Number(s.dropRate) })),
      contract: contract ? { planCode: contract.planCode, startDate: String(contract.startDate), endDate: contract.endDate === null ? null : String(contract.endDate) } : null,
    };
  }
}
