/**
 * What the help-desk pages know beyond the API types: the lists behind the filters, the colours of
 * priorities, statuses and SLA states (always shown with their words), the next due time of a ticket,
 * and the state of a remote-support session as the desk and the customer see it.
 */
import type { components } from '../api/schema.d.ts';

export type Ticket = components['schemas']['Ticket'];
export type TicketDetail = components['schemas']['TicketDetail'];
export type TicketComment = components['schemas']['TicketComment'];
export type TicketStatus = components['schemas']['TicketStatus'];
export type TicketPriority = components['schemas']['TicketPriority'];
export type TicketCategory = components['schemas']['TicketCategory'];
export type TicketSource = components['schemas']['TicketSource'];
export type SlaState = components['schemas']['SlaState'];
export type RemoteSession = components['schemas']['RemoteSession'];
export type CannedReply = components['schemas']['CannedReply'];
export type TicketSubscriber = components['schemas']['TicketSubscriber'];

export const ticketStatuses: TicketStatus[] = ['new', 'open', 'pending_customer', 'resolved', 'closed'];
export const ticketPriorities: TicketPriority[] = ['urgent', 'high', 'normal', 'low'];
export const ticketCategories: TicketCategory[] = ['security_incident', 'sensor', 'network', 'account', 'billing', 'other'];
export const ticketSources: TicketSource[] = ['portal', 'phone', 'email'];

export const priorityColor: Record<TicketPriority, string> = { urgent: 'red.8', high: 'orange.7', normal: 'blue.7', low: 'gray.6' };
export const statusColor: Record<TicketStatus, string> = { new: 'red', open: 'blue', pending_customer: 'yellow', resolved: 'green', closed: 'gray' };
export const slaColor: Record<SlaState, string> = { met: 'green', running: 'blue', warning: 'orange', breached: 'red' };

/** The status a ticket can be moved to from the desk (the server accepts any; these are the sensible ones). */
export function isDone(status: TicketStatus): boolean {
  return status === 'resolved' || status === 'closed';
}

/** The next deadline that still runs: the first response until it is given, then the resolution. */
export function nextDue(ticket: Pick<Ticket, 'firstRespondedAt' | 'firstResponseDueAt' | 'resolvedAt' | 'resolutionDueAt'>): { timer: 'firstResponse' | 'resolution'; dueAt: string } | null {
  if (ticket.resolvedAt) return null;
  if (!ticket.firstRespondedAt) return { timer: 'firstResponse', dueAt: ticket.firstResponseDueAt };
  return { timer: 'resolution', dueAt: ticket.resolutionDueAt };
}

/** Minutes from `now` to `dueAt`: negative once past due. */
export function minutesUntil(dueAt: string, now: number): number {
  return Math.round((Date.parse(dueAt) - now) / 60_000);
}

/** "2時間15分" needs hours and minutes apart; days for long spans. */
export function splitMinutes(total: number): { days: number; hours: number; minutes: number } {
  const abs = Math.abs(total);
  return { days: Math.floor(abs / 1440), hours: Math.floor((abs % 1440) / 60), minutes: abs % 60 };
}

export type SessionPhase = 'waiting' | 'refused' | 'ready' | 'running' | 'ended';

export function sessionPhase(session: Pick<RemoteSession, 'consentAt' | 'refusedAt' | 'startedAt' | 'endedAt'>): SessionPhase {
  if (session.endedAt) return 'ended';
  if (session.startedAt) return 'running';
  if (session.refusedAt) return 'refused';
  if (session.consentAt) return 'ready';
  return 'waiting';
}

/** A new session can be proposed when none is waiting, ready or running (the server says the same). */
export function canProposeSession(sessions: Array<Pick<RemoteSession, 'consentAt' | 'refusedAt' | 'startedAt' | 'endedAt'>>): boolean {
  return sessions.every((s) => ['refused', 'ended'].includes(sessionPhase(s)));
}

/** The canned replies that fit a ticket first (same category), then the general ones, then the rest. */
export function cannedForCategory(replies: CannedReply[], category: TicketCategory): CannedReply[] {
  const rank = (r: CannedReply) => (r.category === category ? 0 : r.category === null ? 1 : 2);
  return [...replies].sort((a, b) => rank(a) - rank(b) || a.title.localeCompare(b.title, 'ja'));
}
