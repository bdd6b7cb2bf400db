/**
 * SQL of the help desk: tickets, comments, canned replies, remote sessions, and the read-only
 * subscriber context a ticket carries (open incidents, recent alerts, sensor heartbeats, contract).
 * Every ticket query takes the caller's TenantFilter; a ticket with no organization yet (unknown
 * sender) is visible to operator staff only.
 */
import { sql, type ExpressionBuilder, type Selectable } from 'kysely';
import type { AlertDirection, TicketContext, TicketCounts, TicketQuery, TicketSubscriber } from '@otasuke/shared';
import type { TenantFilter } from '../access/accessScope.ts';
import type { Db } from '../db/database.ts';
import { restrictToTenant } from '../db/tenantFilter.ts';
import { incidentTitle } from '../explain/incidentText.ts';
import { endsOf } from '../incidents/correlation.ts';
import { helpdeskDb, iso, type HelpdeskDb, type HelpdeskTables, type RemoteSessionsTable, type TicketCommentsTable, type TicketsTable } from './helpdeskTables.ts';

export type TicketRow = Selectable<TicketsTable>;
/** A ticket with the names the desk reads (subscriber, assignee). */
export type TicketView = TicketRow & { organizationName: string | null; assigneeName: string | null };
export type TicketCommentRow = Selectable<TicketCommentsTable>;
/** A comment with its writer's name and whether the writer is operator staff. */
export type TicketCommentView = TicketCommentRow & { authorName: string | null; fromDesk: boolean };
export type RemoteSessionRow = Selectable<RemoteSessionsTable>;
export type RemoteSessionView = RemoteSessionRow & { consentUserName: string | null };

type TicketsEb = ExpressionBuilder<HelpdeskTables & { organizations: { id: string; name: string }; users: { id: string; displayName: string } }, 'tickets'>;
const ACTIVE = ['new', 'open', 'pending_customer'] as const;

/** The names shown beside a ticket, as correlated subqueries (the tenant column stays unambiguous). */
function ticketNames(eb: TicketsEb) {
  return [
    eb.selectFrom('organizations').select('organizations.name').whereRef('organizations.id', '=', 'tickets.organizationId').as('organizationName'),
    eb.selectFrom('users').select('users.displayName').whereRef('users.id', '=', 'tickets.assigneeUserId').as('assigneeName'),
  ];
}

/** A timer is breached once past due without being done, or done after its due time (as `slaState`). */
function breachedSql(now: Date) {
  return sql<boolean>`(coalesce(first_responded_at, ${now}) > first_response_due_at or coalesce(resolved_at, ${now}) > resolution_due_at)`;
}

/** A running timer has used 80% of its span (`WARNING_FRACTION` in ticketSla.ts) and none is breached. */
function dueSoonSql(now: Date, fraction: number) {
  return sql<boolean>`(not ${breachedSql(now)} and (
    (first_responded_at is null and ${now}::timestamptz >= created_at + (first_response_due_at - created_at) * ${fraction}::float8)
    or (resolved_at is null and ${now}::timestamptz >= created_at + (resolution_due_at - created_at) * ${fraction}::float8)))`;
}

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

  async getTicket(id: string, filter: TenantFilter): Promise<TicketView | undefined> {
    return restrictToTenant(
      this.db
        .selectFrom('tickets')
        .selectAll('tickets')
        .select((eb) => ticketNames(eb as unknown as TicketsEb))
        .where('id', '=', id),
      'organizationId',
      filter,
    ).executeTakeFirst();
  }

  async listTickets(filter: TenantFilter, query: TicketQuery, now: Date, warningFraction: number): Promise<TicketView[]> {
    let q = restrictToTenant(
      this.db
        .selectFrom('tickets')
        .selectAll('tickets')
        .select((eb) => ticketNames(eb as unknown as TicketsEb)),
      'organizationId',
      filter,
    );
    if (query.status) q = q.where('status', '=', query.status);
    if (query.active === 'true') q = q.where('status', 'in', ACTIVE);
    if (query.active === 'false') q = q.where('status', 'not in', ACTIVE);
    if (query.organizationId) q = q.where('organizationId', '=', query.organizationId);
    if (query.priority) q = q.where('priority', '=', query.priority);
    if (query.category) q = q.where('category', '=', query.category);
    if (query.source) q = q.where('source', '=', query.source);
    if (query.assigneeUserId === 'none') q = q.where('assigneeUserId', 'is', null);
    else if (query.assigneeUserId) q = q.where('assigneeUserId', '=', query.assigneeUserId);
    if (query.sla === 'breached') q = q.where(breachedSql(now));
    if (query.sla === 'due_soon') q = q.where(dueSoonSql(now, warningFraction));
    if (query.sort === 'sla_due') {
      // The next running timer first; tickets with no timer running go last.
      q = q.orderBy(sql`case when resolved_at is not null then null when first_responded_at is null then least(first_response_due_at, resolution_due_at) else resolution_due_at end`, (ob) => ob.asc().nullsLast()).orderBy('number', 'desc');
    } else q = q.orderBy('number', 'desc');
    return q.limit(query.slaBreaching === 'true' ? 1000 : query.limit).execute();
  }

  /** The queue's counters over the active tickets the caller may see. */
  async countTickets(filter: TenantFilter, now: Date, warningFraction: number): Promise<TicketCounts> {
    const row = await restrictToTenant(
      this.db
        .selectFrom('tickets')
        .select([
          sql<string>`count(*)`.as('active'),
          sql<string>`count(*) filter (where status = 'new')`.as('new'),
          sql<string>`count(*) filter (where status = 'open')`.as('open'),
          sql<string>`count(*) filter (where status = 'pending_customer')`.as('pendingCustomer'),
          sql<string>`count(*) filter (where ${breachedSql(now)})`.as('breached'),
          sql<string>`count(*) filter (where ${dueSoonSql(now, warningFraction)})`.as('dueSoon'),
          sql<string>`count(*) filter (where assignee_user_id is null)`.as('unassigned'),
        ])
        .where('status', 'in', ACTIVE),
      'organizationId',
      filter,
    ).executeTakeFirstOrThrow();
    return {
      active: Number(row.active),
      byStatus: { new: Number(row.new), open: Number(row.open), pending_customer: Number(row.pendingCustomer) },
      breached: Number(row.breached),
      dueSoon: Number(row.dueSoon),
      unassigned: Number(row.unassigned),
    };
  }

  /** Operator staff who can take tickets. */
  async listAgents(): Promise<Array<{ id: string; displayName: string; role: string }>> {
    return this.db
      .selectFrom('users')
      .innerJoin('organizations', 'organizations.id', 'users.organizationId')
      .select(['users.id', 'users.displayName', 'users.role'])
      .where('organizations.kind', '=', 'operator')
      .where('users.role', 'in', ['operator_admin', 'analyst', 'helpdesk'])
      .where('users.disabledAt', 'is', null)
      .orderBy('users.displayName')
      .execute();
  }

  /** The subscriber as it is now (the ticket's own context is the picture when it was opened). */
  async subscriberOverview(organizationId: string, ticketId: string, now: Date): Promise<TicketSubscriber> {
    const organization = await this.db
      .selectFrom('organizations')
      .select(['id', 'name', 'membership', 'prefecture', 'city'])
      .where('id', '=', organizationId)
      .where('kind', '=', 'subscriber')
      .executeTakeFirst();
    if (!organization) return { organization: null, context: null, sites: [], contacts: [], dispatchJobs: [] };
    const sites = await this.db.selectFrom('sites').select(['id', 'name', 'address']).where('organizationId', '=', organizationId).orderBy('createdAt').execute();
    const contacts = await sql<{ name: string; role: string; email: string | null; phone: string | null }>`
      select name, role, email, phone from notification_contacts where organization_id = ${organizationId} order by role desc, created_at, id`.execute(this.db);
    const jobs = await this.db
      .selectFrom('dispatchJobs')
      .select(['id', 'status', 'skill', 'siteName', 'createdAt'])
      .where('ticketId', '=', ticketId)
      .where('organizationId', '=', organizationId)
      .orderBy('createdAt', 'desc')
      .execute();
    return {
      organization: { id: organization.id, name: organization.name, membership: organization.membership ?? null, prefecture: organization.prefecture ?? null, city: organization.city ?? null },
      context: await this.subscriberContext(organizationId, now),
      sites: sites.map((s) => ({ id: s.id, name: s.name, address: s.address ?? null })),
      contacts: contacts.rows,
      dispatchJobs: jobs.map((j) => ({ id: j.id, status: j.status, skill: j.skill, siteName: j.siteName, createdAt: iso(j.createdAt)! })),
    };
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

  async listComments(ticketId: string): Promise<TicketCommentView[]> {
    const rows = await this.db
      .selectFrom('ticketComments')
      .leftJoin('users', 'users.id', 'ticketComments.authorUserId')
      .leftJoin('organizations', 'organizations.id', 'users.organizationId')
      .selectAll('ticketComments')
      .select(['users.displayName as authorName', 'organizations.kind as authorOrganizationKind'])
      .where('ticketComments.ticketId', '=', ticketId)
      .orderBy('ticketComments.seq')
      .execute();
    return rows.map(({ authorOrganizationKind, ...c }) => ({ ...c, authorName: c.authorName ?? null, fromDesk: authorOrganizationKind === 'operator' }));
  }

  async updateCannedReply(id: string, patch: { title?: string; body?: string; category?: TicketRow['category'] | null }) {
    return this.db.updateTable('cannedReplies').set(patch).where('id', '=', id).returning(['id', 'title', 'body', 'category']).executeTakeFirst();
  }

  async deleteCannedReply(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('cannedReplies').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
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

  async listRemoteSessions(ticketId: string): Promise<RemoteSessionView[]> {
    const rows = await this.db
      .selectFrom('remoteSessions')
      .leftJoin('users', 'users.id', 'remoteSessions.consentUserId')
      .selectAll('remoteSessions')
      .select('users.displayName as consentUserName')
      .where('remoteSessions.ticketId', '=', ticketId)
      .orderBy('remoteSessions.createdAt')
      .execute();
    return rows.map((r) => ({ ...r, consentUserName: r.consentUserName ?? null }));
  }

  /** A session proposed and neither answered by a refusal nor ended: a second one would confuse the customer. */
  async openRemoteSession(ticketId: string): Promise<RemoteSessionRow | undefined> {
    return this.db.selectFrom('remoteSessions').selectAll().where('ticketId', '=', ticketId).where('refusedAt', 'is', null).where('endedAt', 'is', null).executeTakeFirst();
  }

  async userName(userId: string | null): Promise<string | null> {
    if (!userId) return null;
    return (await this.db.selectFrom('users').select('displayName').where('id', '=', userId).executeTakeFirst())?.displayName ?? null;
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
    const alerts = await sql<{ id: string; signature: string; severity: number; observedAt: Date; explain: string; direction: AlertDirection; srcIp: string; destIp: string }>`
      select id, signature, severity, observed_at, explain, direction, host(src_ip) as src_ip, host(dest_ip) as dest_ip from alerts
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
      recentAlerts: alerts.rows.map((a) => {
        // The desk speaks with the owner in the owner's words: the same title the owner's mail and portal use.
        const facts = { explain: a.explain, ...endsOf(a), alertCount: 1 };
        return { id: a.id, signature: a.signature, severity: Number(a.severity), observedAt: iso(a.observedAt)!, title: { ja: incidentTitle(facts, 'ja'), en: incidentTitle(facts, 'en') } };
      }),
      sensors: sensors.rows.map((s) => ({ sensorId: s.sensorId, name: s.name, status: s.status, lastHeartbeatAt: iso(s.lastHeartbeatAt), dropRate: s.dropRate === null ? null : Number(s.dropRate) })),
      contract: contract ? { planCode: contract.planCode, startDate: String(contract.startDate), endDate: contract.endDate === null ? null : String(contract.endDate) } : null,
    };
  }
}
