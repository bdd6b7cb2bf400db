/**
 * The help desk (相談窓口): tickets from the portal's help button (with the subscriber's context),
 * phone calls logged by an agent, and mail; internal notes vs replies mailed to the customer through
 * the outbox; business-hours SLA timers; satisfaction after close; remote-support sessions that the
 * customer must consent to before the agent starts. Every write is audited.
 */
import { isOperatorRole } from '@otasuke/shared';
import type {
  CannedReply,
  CannedReplyUpdate,
  HelpdeskAgent,
  HelpRequestCreate,
  PhoneTicketCreate,
  RemoteSession,
  Ticket,
  TicketCommentCreate,
  TicketCounts,
  TicketDetail,
  TicketPriority,
  TicketQuery,
  TicketSubscriber,
  TicketUpdate,
} from '@otasuke/shared';
import { tenantFilterOf, type AccessScope, type RequestContext } from '../access/accessScope.ts';
import type { AuditService } from '../audit/auditService.ts';
import type { Clock } from '../clock.ts';
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError, UnauthenticatedError } from '../http/errors.ts';
import { translate } from '../i18n/catalog.ts';
import type { MailService } from '../mail/mailService.ts';
import { iso } from './helpdeskTables.ts';
import type { HelpdeskRepository, RemoteSessionRow, RemoteSessionView, TicketCommentView, TicketRow, TicketView } from './helpdeskRepository.ts';
import { inboundMailToTicket } from './inboundMail.ts';
import { slaState, ticketDueTimes, WARNING_FRACTION } from './ticketSla.ts';

export function isDeskStaff(scope: AccessScope): boolean {
  return isOperatorRole(scope.role) && scope.organizationKind === 'operator';
}

export function ticketNumber(row: { number: string | number }): string {
  return `T-${row.number}`;
}

export type InboundMailOutcome = { kind: 'ticket'; ticketId: string; number: string } | { kind: 'comment'; ticketId: string; number: string };

export class HelpdeskService {
  constructor(
    private readonly repository: HelpdeskRepository,
    private readonly audit: AuditService,
    private readonly mail: MailService,
    private readonly clock: Clock,
  ) {}

  /** The portal's help button: a ticket carrying what the desk needs to see first. */
  async helpRequest(context: RequestContext, body: HelpRequestCreate): Promise<TicketDetail> {
    const scope = requireScope(context);
    const organizationId = scope.organizationId;
    if (body.incidentId && !(await this.repository.incidentOrganization(body.incidentId, tenantFilterOf(scope)))) throw new NotFoundError('incident');
    const now = this.clock.now();
    const subscriberContext = await this.repository.subscriberContext(organizationId, now);
    // An open P1/P2 incident behind the call makes it urgent/high; otherwise the desk triages.
    const worst = subscriberContext.openIncidents.map((i) => i.priority).sort()[0];
    const priority: TicketPriority = body.category === 'security_incident' && worst === 'P1' ? 'urgent' : body.category === 'security_incident' || worst === 'P1' || worst === 'P2' ? 'high' : 'normal';
    const requester = scope.userId ? await this.repository.userContact(scope.userId) : undefined;
    const row = await this.repository.insertTicket({
      organizationId,
      requesterUserId: scope.userId,
      requesterEmail: requester?.email ?? null,
      source: 'portal',
      category: body.category,
      priority,
      subject: body.subject,
      description: body.description,
      context: subscriberContext,
      incidentId: body.incidentId ?? null,
      messageId: null,
      ...ticketDueTimes(priority, now),
      now,
    });
    await this.audit.record(context, { action: 'ticket.create', organizationId, targetType: 'ticket', targetId: row.id, details: { source: 'portal', priority } });
    return this.get(scope, row.id);
  }

  /** A phone call the agent logs while talking to the customer. */
  async logPhoneCall(context: RequestContext, body: PhoneTicketCreate): Promise<TicketDetail> {
    const scope = requireScope(context);
    if (body.organizationId && !(await this.repository.subscriberExists(body.organizationId))) throw new NotFoundError('subscriber');
    if (body.incidentId) {
      const owner = await this.repository.incidentOrganization(body.incidentId, tenantFilterOf(scope));
      if (!owner || (body.organizationId && owner !== body.organizationId)) throw new BadRequestError('the incident belongs to another subscriber (or does not exist); pick the caller’s incident or leave it out');
    }
    const now = this.clock.now();
    const row = await this.repository.insertTicket({
      organizationId: body.organizationId,
      requesterUserId: null,
      requesterEmail: null,
      source: 'phone',
      category: body.category,
      priority: body.priority,
      subject: body.subject,
      description: `${body.callerName}${body.callerPhone ? `（${body.callerPhone}）` : ''}\n${body.description}`,
      context: body.organizationId ? await this.repository.subscriberContext(body.organizationId, now) : null,
      incidentId: body.incidentId ?? null,
      messageId: null,
      ...ticketDueTimes(body.priority, now),
      now,
    });
    // Talking to the customer is the first response.
    await this.repository.updateTicket(row.id, { firstRespondedAt: now, status: 'open', assigneeUserId: scope.userId, updatedAt: now });
    await this.audit.record(context, { action: 'ticket.create', organizationId: body.organizationId, targetType: 'ticket', targetId: row.id, details: { source: 'phone' } });
    return this.get(scope, row.id);
  }

  /**
   * A received mail: a reply to a ticket (its `[#T-n]` tag or a Message-ID of the thread) becomes a
   * comment when it comes from the ticket's requester or a user of its subscriber; anything else
   * opens a ticket, attached to the sender's subscriber when the address is known, unassigned otherwise.
   */
  async ingestInboundMail(raw: Buffer, requestId = 'smtp'): Promise<InboundMailOutcome> {
    const mail = await inboundMailToTicket(raw);
    const now = this.clock.now();
    const sender = mail.fromAddress ? await this.repository.findSubscriberByEmail(mail.fromAddress) : undefined;
    const context: RequestContext = { scope: null, ip: null, requestId };
    const thread = (mail.ticketNumber !== null ? await this.repository.findTicketByNumber(mail.ticketNumber) : undefined) ?? (await this.repository.findTicketByMessageIds(mail.threadIds));
    const fromThisCustomer = thread && mail.fromAddress && (thread.requesterEmail === mail.fromAddress || (sender && thread.organizationId === sender.organizationId));
    if (thread && fromThisCustomer) {
      await this.repository.insertComment({ ticketId: thread.id, authorUserId: sender?.userId ?? null, authorEmail: mail.fromAddress, visibility: 'public', source: 'email', body: mail.text, messageId: mail.messageId, createdAt: now });
      if (thread.status === 'pending_customer' || thread.status === 'resolved') await this.repository.updateTicket(thread.id, { status: 'open', resolvedAt: null, updatedAt: now });
      await this.audit.record(context, { action: 'ticket.comment', organizationId: thread.organizationId, targetType: 'ticket', targetId: thread.id, details: { source: 'email', from: mail.fromAddress } });
      return { kind: 'comment', ticketId: thread.id, number: ticketNumber(thread) };
    }
    const row = await this.repository.insertTicket({
      organizationId: sender?.organizationId ?? null,
      requesterUserId: sender?.userId ?? null,
      requesterEmail: mail.fromAddress,
      source: 'email',
      category: 'other',
      priority: 'normal',
      subject: mail.subject.slice(0, 200),
      description: mail.text.slice(0, 8000),
      context: sender ? await this.repository.subscriberContext(sender.organizationId, now) : null,
      incidentId: null,
      messageId: mail.messageId,
      ...ticketDueTimes('normal', now),
      now,
    });
    await this.audit.record(context, { action: 'ticket.create', organizationId: row.organizationId, targetType: 'ticket', targetId: row.id, details: { source: 'email', from: mail.fromAddress } });
    return { kind: 'ticket', ticketId: row.id, number: ticketNumber(row) };
  }

  async list(scope: AccessScope, query: TicketQuery): Promise<Ticket[]> {
    const rows = await this.repository.listTickets(tenantFilterOf(scope), query, this.clock.now(), WARNING_FRACTION);
    const tickets = rows.map((r) => this.toTicket(r));
    if (query.slaBreaching !== 'true') return tickets;
    const late = (s: string) => s === 'warning' || s === 'breached';
    return tickets.filter((t) => late(t.sla.firstResponse) || late(t.sla.resolution)).slice(0, query.limit);
  }

  async get(scope: AccessScope, id: string): Promise<TicketDetail> {
    const row = await this.find(scope, id);
    const staff = isDeskStaff(scope);
    const comments = (await this.repository.listComments(id)).filter((c) => staff || c.visibility === 'public');
    return {
      ticket: this.toTicket(row),
      context: staff ? (row.context ?? null) : null,
      comments: comments.map((c) => toComment(c, staff)),
      remoteSessions: (await this.repository.listRemoteSessions(id)).map(toRemoteSession),
    };
  }

  /** The queue's counters (active tickets: by status, SLA breached or due soon, unassigned). */
  async counts(scope: AccessScope): Promise<TicketCounts> {
    return this.repository.countTickets(tenantFilterOf(scope), this.clock.now(), WARNING_FRACTION);
  }

  /** Who a ticket can be assigned to. */
  async agents(): Promise<HelpdeskAgent[]> {
    return this.repository.listAgents();
  }

  /** The ticket's subscriber as it is now: context, sites and contacts (for a dispatch), jobs made from the ticket. */
  async subscriber(scope: AccessScope, ticketId: string): Promise<TicketSubscriber> {
    const row = await this.find(scope, ticketId);
    if (!row.organizationId) return { organization: null, context: null, sites: [], contacts: [], dispatchJobs: [] };
    return this.repository.subscriberOverview(row.organizationId, row.id, this.clock.now());
  }

  async update(context: RequestContext, id: string, patch: TicketUpdate): Promise<TicketDetail> {
    const scope = requireScope(context);
    const row = await this.find(scope, id);
    const now = this.clock.now();
    if (patch.assigneeUserId && !(await this.repository.isOperatorStaff(patch.assigneeUserId))) throw new BadRequestError('assigneeUserId must be an active user of the operator (help desk staff)');
    if (patch.organizationId !== undefined) {
      if (row.organizationId !== null) throw new ConflictError(`${ticketNumber(row)} already belongs to a subscriber; only an unassigned ticket can be attached`);
      if (!(await this.repository.subscriberExists(patch.organizationId))) throw new NotFoundError('subscriber');
    }
    const status = patch.status ?? row.status;
    const updated = await this.repository.updateTicket(id, {
      ...(patch.status ? { status } : {}),
      ...(patch.priority ? { priority: patch.priority, ...ticketDueTimes(patch.priority, new Date(row.createdAt)) } : {}),
      ...(patch.category ? { category: patch.category } : {}),
      ...(patch.assigneeUserId !== undefined ? { assigneeUserId: patch.assigneeUserId } : {}),
      ...(patch.organizationId ? { organizationId: patch.organizationId } : {}),
      resolvedAt: status === 'resolved' || status === 'closed' ? (row.resolvedAt ?? now) : null,
      closedAt: status === 'closed' ? (row.closedAt ?? now) : null,
      updatedAt: now,
    });
    await this.audit.record(context, { action: 'ticket.update', organizationId: updated.organizationId, targetType: 'ticket', targetId: id, details: { ...patch } });
    return this.get(scope, id);
  }

  /** Staff: internal note or reply (mailed to the customer); the customer: a reply to the desk. */
  async comment(context: RequestContext, id: string, body: TicketCommentCreate): Promise<TicketDetail> {
    const scope = requireScope(context);
    const row = await this.find(scope, id);
    const staff = isDeskStaff(scope);
    if (!staff && body.visibility === 'internal') throw new ForbiddenError('internal notes are for the help desk; send a reply (visibility "public") instead');
    let text = body.body;
    if (body.cannedReplyId) {
      if (!staff) throw new ForbiddenError('canned replies are for the help desk');
      const canned = await this.repository.getCannedReply(body.cannedReplyId);
      if (!canned) throw new NotFoundError('canned reply');
      text ??= canned.body;
    }
    const now = this.clock.now();
    const author = scope.userId ? await this.repository.userContact(scope.userId) : undefined;
    await this.repository.insertComment({ ticketId: id, authorUserId: scope.userId, authorEmail: author?.email ?? null, visibility: body.visibility, source: 'portal', body: text!, messageId: null, createdAt: now });
    if (staff && body.visibility === 'public') {
      await this.repository.updateTicket(id, { firstRespondedAt: row.firstRespondedAt ?? now, status: row.status === 'new' || row.status === 'open' ? 'pending_customer' : row.status, updatedAt: now });
      await this.mailReply(row, text!);
    } else if (!staff && (row.status === 'pending_customer' || row.status === 'resolved')) {
      await this.repository.updateTicket(id, { status: 'open', resolvedAt: null, updatedAt: now });
    }
    await this.audit.record(context, { action: 'ticket.comment', organizationId: row.organizationId, targetType: 'ticket', targetId: id, details: { visibility: body.visibility } });
    return this.get(scope, id);
  }

  async rate(context: RequestContext, id: string, rating: { rating: number; comment?: string | undefined }): Promise<TicketDetail> {
    const scope = requireScope(context);
    const row = await this.find(scope, id);
    if (row.status !== 'resolved' && row.status !== 'closed') throw new ConflictError(`${ticketNumber(row)} is still ${row.status}; it can be rated once it is resolved or closed`);
    if (row.satisfaction !== null) throw new ConflictError(`${ticketNumber(row)} has already been rated`);
    await this.repository.updateTicket(id, { satisfaction: rating.rating, satisfactionComment: rating.comment ?? null, updatedAt: this.clock.now() });
    await this.audit.record(context, { action: 'ticket.rate', organizationId: row.organizationId, targetType: 'ticket', targetId: id, details: { rating: rating.rating } });
    return this.get(scope, id);
  }

  async cannedReplies(): Promise<CannedReply[]> {
    return this.repository.listCannedReplies();
  }

  async createCannedReply(context: RequestContext, reply: { title: string; body: string; category: CannedReply['category'] }): Promise<CannedReply> {
    const created = await this.repository.insertCannedReply(reply);
    await this.audit.record(context, { action: 'canned_reply.create', organizationId: null, targetType: 'canned_reply', targetId: created.id });
    return created;
  }

  async updateCannedReply(context: RequestContext, id: string, patch: CannedReplyUpdate): Promise<CannedReply> {
    const updated = await this.repository.updateCannedReply(id, {
      ...(patch.title !== undefined ? { title: patch.title } : {}),
      ...(patch.body !== undefined ? { body: patch.body } : {}),
      ...(patch.category !== undefined ? { category: patch.category } : {}),
    });
    if (!updated) throw new NotFoundError('canned reply');
    await this.audit.record(context, { action: 'canned_reply.update', organizationId: null, targetType: 'canned_reply', targetId: id, details: { fields: Object.keys(patch) } });
    return updated;
  }

  /** Replies already sent keep their text: a comment stores what was sent, not the template. */
  async deleteCannedReply(context: RequestContext, id: string): Promise<void> {
    if (!(await this.repository.deleteCannedReply(id))) throw new NotFoundError('canned reply');
    await this.audit.record(context, { action: 'canned_reply.delete', organizationId: null, targetType: 'canned_reply', targetId: id });
  }

  async requestRemoteSession(context: RequestContext, ticketId: string): Promise<RemoteSession> {
    const scope = requireScope(context);
    const ticket = await this.find(scope, ticketId);
    if (!ticket.organizationId) throw new ConflictError(`attach ${ticketNumber(ticket)} to a subscriber first (PATCH organizationId); remote support needs the customer's consent in the portal`);
    if (ticket.status === 'closed') throw new ConflictError(`${ticketNumber(ticket)} is closed; reopen it before proposing remote support`);
    if (await this.repository.openRemoteSession(ticketId)) throw new ConflictError(`${ticketNumber(ticket)} already has a remote session that is waiting or running; end it (or wait for the customer's answer) first`);
    const session = await this.repository.insertRemoteSession({ ticketId, organizationId: ticket.organizationId, requestedByUserId: scope.userId, now: this.clock.now() });
    await this.audit.record(context, { action: 'remote_session.request', organizationId: ticket.organizationId, targetType: 'remote_session', targetId: session.id });
    return toRemoteSession({ ...session, consentUserName: null });
  }

  async consentRemoteSession(context: RequestContext, id: string): Promise<RemoteSession> {
    const scope = requireScope(context);
    const session = await this.findSession(scope, id);
    if (session.consentAt) throw new ConflictError('consent was already given for this session');
    if (session.refusedAt) throw new ConflictError('this session was declined; the desk can propose a new one');
    const updated = await this.repository.updateRemoteSession(id, { consentUserId: scope.userId, consentAt: this.clock.now() });
    await this.audit.record(context, { action: 'remote_session.consent', organizationId: session.organizationId, targetType: 'remote_session', targetId: id });
    return toRemoteSession({ ...updated, consentUserName: await this.repository.userName(updated.consentUserId) });
  }

  /** The customer declines: the session can never start; the desk sees who declined and when. */
  async refuseRemoteSession(context: RequestContext, id: string): Promise<RemoteSession> {
    const scope = requireScope(context);
    const session = await this.findSession(scope, id);
    if (session.consentAt) throw new ConflictError('consent was already given for this session; ask the desk to end it instead');
    if (session.refusedAt) throw new ConflictError('this session was already declined');
    const updated = await this.repository.updateRemoteSession(id, { refusedUserId: scope.userId, refusedAt: this.clock.now() });
    await this.audit.record(context, { action: 'remote_session.refuse', organizationId: session.organizationId, targetType: 'remote_session', targetId: id });
    return toRemoteSession({ ...updated, consentUserName: null });
  }

  async startRemoteSession(context: RequestContext, id: string): Promise<RemoteSession> {
    const scope = requireScope(context);
    const session = await this.findSession(scope, id);
    if (session.refusedAt) throw new ConflictError('the customer declined this session; it cannot start');
    if (!session.consentAt) throw new ConflictError('the customer has not consented yet: ask them to press 「同意する」 in the portal, then start');
    if (session.startedAt) throw new ConflictError('this session has already started');
    const updated = await this.repository.updateRemoteSession(id, { agentUserId: scope.userId, startedAt: this.clock.now() });
    await this.audit.record(context, { action: 'remote_session.start', organizationId: session.organizationId, targetType: 'remote_session', targetId: id });
    return toRemoteSession({ ...updated, consentUserName: await this.repository.userName(updated.consentUserId) });
  }

  async endRemoteSession(context: RequestContext, id: string, summary: string): Promise<RemoteSession> {
    const scope = requireScope(context);
    const session = await this.findSession(scope, id);
    if (!session.startedAt) throw new ConflictError('the session has not started');
    if (session.endedAt) throw new ConflictError('the session has already ended');
    const updated = await this.repository.updateRemoteSession(id, { endedAt: this.clock.now(), summary });
    await this.audit.record(context, { action: 'remote_session.end', organizationId: session.organizationId, targetType: 'remote_session', targetId: id });
    return toRemoteSession({ ...updated, consentUserName: await this.repository.userName(updated.consentUserId) });
  }

  /** Another tenant's ticket answers like a missing one. */
  async find(scope: AccessScope, id: string): Promise<TicketView> {
    const row = await this.repository.getTicket(id, tenantFilterOf(scope));
    if (!row) throw new NotFoundError('ticket');
    return row;
  }

  private async findSession(scope: AccessScope, id: string): Promise<RemoteSessionRow> {
    const session = await this.repository.getRemoteSession(id, tenantFilterOf(scope));
    if (!session) throw new NotFoundError('remote session');
    return session;
  }

  private async mailReply(ticket: TicketRow, text: string): Promise<void> {
    const requester = ticket.requesterUserId ? await this.repository.userContact(ticket.requesterUserId) : undefined;
    const to = requester?.email ?? ticket.requesterEmail;
    if (!to) return; // a phone ticket with no address: the agent answers by phone
    const locale = requester?.locale ?? 'ja';
    const vars = { number: ticketNumber(ticket), subject: ticket.subject, name: requester?.displayName ?? to, body: text };
    await this.mail.enqueue({ organizationId: ticket.organizationId, to, subject: translate(locale, 'mail.ticket.reply.subject', vars), text: translate(locale, 'mail.ticket.reply.body', vars) });
  }

  private toTicket(row: TicketView): Ticket {
    const now = this.clock.now();
    const created = new Date(row.createdAt);
    return {
      id: row.id,
      number: ticketNumber(row),
      organizationId: row.organizationId,
      organizationName: row.organizationName,
      requesterEmail: row.requesterEmail,
      source: row.source,
      category: row.category,
      priority: row.priority,
      status: row.status,
      subject: row.subject,
      description: row.description,
      incidentId: row.incidentId,
      assigneeUserId: row.assigneeUserId,
      assigneeName: row.assigneeName,
      firstResponseDueAt: iso(row.firstResponseDueAt)!,
      resolutionDueAt: iso(row.resolutionDueAt)!,
      firstRespondedAt: iso(row.firstRespondedAt),
      resolvedAt: iso(row.resolvedAt),
      closedAt: iso(row.closedAt),
      sla: {
        firstResponse: slaState(created, new Date(row.firstResponseDueAt), row.firstRespondedAt ? new Date(row.firstRespondedAt) : null, now),
        resolution: slaState(created, new Date(row.resolutionDueAt), row.resolvedAt ? new Date(row.resolvedAt) : null, now),
      },
      satisfaction: row.satisfaction,
      satisfactionComment: row.satisfactionComment,
      createdAt: iso(row.createdAt)!,
    };
  }
}

function requireScope(context: RequestContext): AccessScope {
  if (!context.scope) throw new UnauthenticatedError();
  return context.scope;
}

/** Customers see that the desk wrote, not which of its people (nor their addresses). */
function toComment(c: TicketCommentView, staff: boolean) {
  const hidden = c.fromDesk && !staff;
  return {
    id: c.id,
    visibility: c.visibility,
    source: c.source,
    authorUserId: hidden ? null : c.authorUserId,
    authorEmail: hidden ? null : c.authorEmail,
    authorName: hidden ? null : c.authorName,
    fromDesk: c.fromDesk,
    body: c.body,
    createdAt: iso(c.createdAt)!,
  };
}

export function toRemoteSession(s: RemoteSessionView): RemoteSession {
  return {
    id: s.id,
    ticketId: s.ticketId,
    consentUserId: s.consentUserId,
    consentUserName: s.consentUserName,
    consentAt: iso(s.consentAt),
    refusedAt: iso(s.refusedAt),
    agentUserId: s.agentUserId,
    startedAt: iso(s.startedAt),
    endedAt: iso(s.endedAt),
    summary: s.summary,
    createdAt: iso(s.createdAt)!,
  };
}
