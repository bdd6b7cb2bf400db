/**
 * Tells subscribers about incidents that need them, reminds and escalates until someone
 * acknowledges (one-click link or the console), and keeps the log of every send.
 *
 * `tick()` is driven by NotificationScheduler (every minute) and by tests with a ManualClock: it
 * reads the open P1/P2 incidents (the policy's `immediate` priorities) with their notification state
 * and sends what `decideSend` says is due. The incident core stays unaware of notifications.
 */
import { createHash, randomBytes } from 'node:crypto';
import type {
  IncidentAcknowledgement,
  IncidentKind,
  NotificationContact,
  NotificationContactCreate,
  NotificationLogEntry,
  NotificationLogQuery,
  NotificationWebhook,
  NotificationWebhookCreate,
} from '@otasuke/shared';
import { tenantFilterOf, type AccessScope, type RequestContext } from '../access/accessScope.ts';
import type { AuditService } from '../audit/auditService.ts';
import type { Clock } from '../clock.ts';
import { incidentTitle, renderIncidentText } from '../explain/incidentText.ts';
import { NotFoundError } from '../http/errors.ts';
import type { NotificationChannel } from './channels.ts';
import { decideSend, DEFAULT_NOTIFICATION_POLICY, digestDayOf, type NotificationPolicy } from './notificationPolicy.ts';
import type { ContactRow, NotificationRepository, PendingIncident } from './notificationRepository.ts';
import { digestMail, incidentMail, quietMail, type AckOutcome } from './notificationTexts.ts';
import { checkWebhookTarget, type AddressResolver } from './webhookTarget.ts';

export interface NotificationSettings {
  policy?: NotificationPolicy;
  /** The operator allows webhooks on internal addresses (labs, tests). Default false. */
  allowInternalWebhooks?: boolean;
  resolve?: AddressResolver;
}

/** A subscriber's notification settings as the API shows them. */
export interface NotificationSettingsView {
  organizationId: string;
  dailyDigest: boolean;
  updatedAt: string | null;
}

export interface NotificationChannels {
  email: NotificationChannel;
  webhook: NotificationChannel;
}

const DAY = 86_400_000;
const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** `<incident id>.<43 random base64url chars>`: the link names its incident, the hash binds it. */
function newAckToken(incidentId: string): string {
  return `${incidentId}.${randomBytes(32).toString('base64url')}`;
}

function toContact(r: ContactRow): NotificationContact {
  return { id: r.id, organizationId: r.organizationId, role: r.role, name: r.name, email: r.email, phone: r.phone, locale: r.locale, channels: r.channels, createdAt: r.createdAt.toISOString() };
}

export class NotificationService {
  private readonly policy: NotificationPolicy;

  constructor(
    private readonly repository: NotificationRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly links: { readonly publicUrl: string },
    private readonly channels: NotificationChannels,
    private readonly settings: NotificationSettings = {},
  ) {
    this.policy = settings.policy ?? DEFAULT_NOTIFICATION_POLICY;
  }

  /** Sends what is due now; one incident failing does not stop the others. */
  async tick(): Promise<{ incidents: number; messages: number }> {
    const now = this.clock.now();
    let incidents = 0;
    let messages = 0;
    for (const incident of await this.repository.pendingIncidents(this.policy.immediate)) {
      const alertCount = Number(incident.alertCount);
      const state = incident.state
        ? { firstSentAt: incident.state.firstSentAt, lastSentAt: incident.state.lastSentAt, sends: incident.state.sends, lastAlertCount: Number(incident.state.lastAlertCount), acknowledgedAt: incident.state.acknowledgedAt }
        : null;
      const decision = decideSend(this.policy, { kind: incident.kind as IncidentKind, priority: incident.priority, alertCount }, state, now);
      if (!decision) continue;
      const sendNumber = (state?.sends ?? 0) + 1;
      const contacts = (await this.repository.contactsOf(incident.organizationId)).filter((c) => c.role === 'primary' || decision.escalate);
      const targets: string[] = [];
      for (const contact of contacts) {
        if (!contact.email || !contact.channels.includes('email')) continue;
        const token = newAckToken(incident.id);
        await this.repository.insertToken({ tokenHash: hashToken(token), incidentId: incident.id, organizationId: incident.organizationId, contactId: contact.id, expiresAt: new Date(now.getTime() + this.policy.ackTokenDays * DAY), createdAt: now });
        const owner = renderIncidentText({ explain: incident.explain, insideHost: incident.insideHost, peer: incident.peer, alertCount, customerTextJa: incident.customerTextJa, customerTextEn: incident.customerTextEn }, contact.locale);
        const mail = incidentMail(contact.locale, {
          contactName: contact.name,
          subject: owner.subject,
          body: owner.body,
          purpose: decision.purpose,
          sendNumber,
          newDetections: decision.newDetections,
          toBackup: contact.role === 'backup',
          ackLink: `${this.links.publicUrl}/ack/${token}`,
          ackDays: this.policy.ackTokenDays,
        });
        messages += await this.deliver(this.channels.email, incident, decision.purpose, contact.email, mail, {});
        targets.push(`email:${contact.email}`);
      }
      for (const hook of await this.repository.listWebhooks({ kind: 'all' }, incident.organizationId)) {
        if (!hook.enabled) continue;
        const owner = renderIncidentText({ explain: incident.explain, insideHost: incident.insideHost, peer: incident.peer, alertCount, customerTextJa: incident.customerTextJa, customerTextEn: incident.customerTextEn }, 'ja');
        messages += await this.deliver(this.channels.webhook, incident, decision.purpose, hook.url, { subject: owner.subject, text: owner.body }, { secret: hook.secret });
        targets.push(`webhook:${hook.url}`);
      }
      if (targets.length === 0) {
        await this.repository.log({ organizationId: incident.organizationId, incidentId: incident.id, purpose: decision.purpose, channel: 'none', target: '-', status: 'failed', attempts: 0, error: 'no contact or webhook is registered for this subscriber', at: now });
      }
      await this.repository.recordSend({ id: incident.id, organizationId: incident.organizationId, alertCount }, now, decision.escalate, {
        kind: 'customer_notification',
        details: { purpose: decision.purpose, sendNumber, newDetections: decision.newDetections, targets },
      });
      incidents++;
    }
    return { incidents, messages };
  }

  private async deliver(channel: NotificationChannel, incident: PendingIncident, purpose: string, target: string, content: { subject: string; text: string }, extra: { secret?: string }): Promise<number> {
    const result = await channel
      .send({
        organizationId: incident.organizationId,
        incidentId: incident.id,
        purpose,
        target,
        subject: content.subject,
        text: content.text,
        data: { priority: incident.priority, kind: incident.kind, explain: incident.explain, alertCount: Number(incident.alertCount), lastSeenAt: incident.lastSeenAt.toISOString() },
        ...extra,
      })
      .catch((error: unknown) => ({ status: 'failed' as const, attempts: 1, error: (error as Error).message }));
    await this.repository.log({ organizationId: incident.organizationId, incidentId: incident.id, purpose, channel: channel.kind, target, ...result, at: this.clock.now() });
    return result.status === 'failed' ? 0 : 1;
  }

  /** The one-click link: valid once, for its own incident only, until it expires. */
  /**
   * What the link would do, without doing it: the GET of a link only shows a confirmation button,
   * because mail scanners and link previews open links nobody clicked.
   */
  async checkAckToken(token: string): Promise<{ outcome: AckOutcome | 'confirm'; incidentTitle: string | null }> {
    const found = await this.usableToken(token);
    return 'outcome' in found ? found : { outcome: 'confirm', incidentTitle: null };
  }

  private async usableToken(token: string): Promise<{ outcome: AckOutcome; incidentTitle: null } | { row: NonNullable<Awaited<ReturnType<NotificationRepository['findToken']>>>; hash: string; now: Date }> {
    const [incidentId] = token.split('.', 1);
    if (!incidentId || !UUID.test(incidentId) || token.length > 200) return { outcome: 'invalid', incidentTitle: null };
    const hash = hashToken(token);
    const row = await this.repository.findToken(hash);
    // A token copied onto another incident's id hashes to nothing stored: refused like a made-up one.
    if (!row || row.incidentId !== incidentId) return { outcome: 'invalid', incidentTitle: null };
    const now = this.clock.now();
    if (row.usedAt) return { outcome: 'used', incidentTitle: null };
    if (row.expiresAt.getTime() <= now.getTime()) return { outcome: 'expired', incidentTitle: null };
    return { row, hash, now };
  }

  async acknowledgeByToken(token: string): Promise<{ outcome: AckOutcome; incidentTitle: string | null }> {
    const found = await this.usableToken(token);
    if ('outcome' in found) return found;
    const { row, hash, now } = found;
    const contact = row.contactId ? await this.repository.contact(row.contactId) : undefined;
    try {
      const result = await this.repository.acknowledge({
        incidentId: row.incidentId,
        organizationId: row.organizationId,
        at: now,
        contactId: row.contactId,
        userId: null,
        tokenHash: hash,
        details: { via: 'mail_link', contactId: row.contactId, contactName: contact?.name ?? null, contactEmail: contact?.email ?? null },
      });
      await this.audit.record({ scope: null, ip: null, requestId: 'ack-link' }, { action: 'incident.customer_acknowledge', organizationId: row.organizationId, targetType: 'incident', targetId: row.incidentId, details: { via: 'mail_link', contactId: row.contactId } });
      return { outcome: result.already ? 'already' : 'acknowledged', incidentTitle: null };
    } catch {
      return { outcome: 'used', incidentTitle: null };
    }
  }

  /** A signed-in subscriber (or operator staff on their behalf) acknowledges in the console. */
  async acknowledgeByUser(context: RequestContext, incidentId: string): Promise<IncidentAcknowledgement> {
    const scope = context.scope!;
    const incident = (await this.repository.incidentOf(tenantFilterOf(scope), incidentId)) ?? null;
    if (!incident) throw new NotFoundError('incident');
    const result = await this.repository.acknowledge({ incidentId, organizationId: incident.organizationId, at: this.clock.now(), contactId: null, userId: scope.userId, tokenHash: null, details: { via: 'console', userId: scope.userId } });
    if (!result.already) await this.audit.record(context, { action: 'incident.customer_acknowledge', organizationId: incident.organizationId, targetType: 'incident', targetId: incidentId, details: { via: 'console' } });
    return { incidentId, acknowledgedAt: result.acknowledgedAt.toISOString(), alreadyAcknowledged: result.already };
  }

  private async organizationOf(scope: AccessScope, organizationId: string): Promise<void> {
    const filter = tenantFilterOf(scope);
    if (filter.kind === 'organization' && filter.organizationId !== organizationId) throw new NotFoundError('organization');
    if (!(await this.repository.isSubscriber(organizationId))) throw new NotFoundError('organization');
  }

  async listContacts(scope: AccessScope, organizationId: string): Promise<NotificationContact[]> {
    await this.organizationOf(scope, organizationId);
    return (await this.repository.listContacts(tenantFilterOf(scope), organizationId)).map(toContact);
  }

  async createContact(context: RequestContext, organizationId: string, input: NotificationContactCreate): Promise<NotificationContact> {
    await this.organizationOf(context.scope!, organizationId);
    const row = await this.repository.createContact(organizationId, input, this.clock.now());
    await this.audit.record(context, { action: 'notification.contact_create', organizationId, targetType: 'notification_contact', targetId: row.id, details: { role: row.role } });
    return toContact(row);
  }

  async deleteContact(context: RequestContext, id: string): Promise<void> {
    const row = await this.repository.deleteContact(tenantFilterOf(context.scope!), id);
    if (!row) throw new NotFoundError('contact');
    await this.audit.record(context, { action: 'notification.contact_delete', organizationId: row.organizationId, targetType: 'notification_contact', targetId: id, details: {} });
  }

  async listWebhooks(scope: AccessScope, organizationId: string): Promise<NotificationWebhook[]> {
    await this.organizationOf(scope, organizationId);
    return (await this.repository.listWebhooks(tenantFilterOf(scope), organizationId)).map((r) => ({ id: r.id, organizationId: r.organizationId, url: r.url, enabled: r.enabled, createdAt: r.createdAt.toISOString() }));
  }

  async createWebhook(context: RequestContext, organizationId: string, input: NotificationWebhookCreate): Promise<NotificationWebhook> {
    await this.organizationOf(context.scope!, organizationId);
    await checkWebhookTarget(input.url, { allowInternal: this.settings.allowInternalWebhooks ?? false, ...(this.settings.resolve ? { resolve: this.settings.resolve } : {}) });
    const r = await this.repository.createWebhook(organizationId, input, this.clock.now());
    await this.audit.record(context, { action: 'notification.webhook_create', organizationId, targetType: 'notification_webhook', targetId: r.id, details: { url: r.url } });
    return { id: r.id, organizationId: r.organizationId, url: r.url, enabled: r.enabled, createdAt: r.createdAt.toISOString() };
  }

  async deleteWebhook(context: RequestContext, id: string): Promise<void> {
    const row = await this.repository.deleteWebhook(tenantFilterOf(context.scope!), id);
    if (!row) throw new NotFoundError('webhook');
    await this.audit.record(context, { action: 'notification.webhook_delete', organizationId: row.organizationId, targetType: 'notification_webhook', targetId: id, details: {} });
  }

  async log(scope: AccessScope, query: NotificationLogQuery): Promise<NotificationLogEntry[]> {
    const rows = await this.repository.listLog(tenantFilterOf(scope), query);
    return rows.map((r) => ({ id: Number(r.id), organizationId: r.organizationId, incidentId: r.incidentId, purpose: r.purpose, channel: r.channel, target: r.target, status: r.status, attempts: r.attempts, error: r.error, at: r.at.toISOString() }));
  }

  async getSettings(scope: AccessScope, organizationId: string): Promise<NotificationSettingsView> {
    await this.organizationOf(scope, organizationId);
    const row = await this.repository.settings(organizationId);
    return { organizationId, dailyDigest: row.dailyDigest, updatedAt: row.updatedAt?.toISOString() ?? null };
  }

  async setSettings(context: RequestContext, organizationId: string, input: { dailyDigest: boolean }): Promise<NotificationSettingsView> {
    await this.organizationOf(context.scope!, organizationId);
    const row = await this.repository.setSettings(organizationId, input.dailyDigest, this.clock.now());
    await this.audit.record(context, { action: 'notification.settings_update', organizationId, targetType: 'organization', targetId: organizationId, details: { dailyDigest: input.dailyDigest } });
    return { organizationId, dailyDigest: row.dailyDigest, updatedAt: row.updatedAt.toISOString() };
  }

  /**
   * The daily digest: for each subscriber that asked for it, once per Japan day (from the policy's
   * hour of the next morning on), one mail to each primary contact listing the day's incidents of
   * the policy's `digest` priorities (P3), which are never mailed one by one. A day without any
   * sends nothing. Each send is logged; each listed incident gets a timeline entry.
   */
  async sendDailyDigests(): Promise<{ sent: number }> {
    const now = this.clock.now();
    const due = digestDayOf(this.policy, now);
    if (!due || this.policy.digest.length === 0) return { sent: 0 };
    let sent = 0;
    for (const organizationId of await this.repository.digestSubscribers()) {
      const incidents = await this.repository.digestIncidents(organizationId, this.policy.digest, due.from, due.to);
      if (!(await this.repository.claimDigest(organizationId, due.day, incidents.map((i) => i.id), now))) continue;
      if (incidents.length === 0) continue;
      for (const contact of await this.repository.contactsOf(organizationId)) {
        if (contact.role !== 'primary' || !contact.email || !contact.channels.includes('email')) continue;
        const items = incidents.map((i) => ({
          time: new Date(i.createdAt.getTime() + 9 * 3_600_000).toISOString().slice(11, 16),
          title: incidentTitle({ explain: i.explain, insideHost: i.insideHost, peer: i.peer, alertCount: Number(i.alertCount) }, contact.locale),
          alertCount: Number(i.alertCount),
          resolved: i.status === 'resolved',
        }));
        const mail = digestMail(contact.locale, contact.name, due.day, items, this.links.publicUrl);
        const result = await this.channels.email
          .send({ organizationId, incidentId: null, purpose: 'digest', target: contact.email, subject: mail.subject, text: mail.text, data: { day: due.day, incidents: incidents.map((i) => i.id) } })
          .catch((error: unknown) => ({ status: 'failed' as const, attempts: 1, error: (error as Error).message }));
        await this.repository.log({ organizationId, incidentId: null, purpose: 'digest', channel: 'email', target: contact.email, ...result, at: this.clock.now() });
        if (result.status !== 'failed') sent++;
      }
    }
    return { sent };
  }

  /**
   * The monthly all-quiet message (month `YYYY-MM`, a finished month): to the primary contacts of
   * each subscriber with no incident that needed them that month; once per subscriber and month.
   */
  async sendQuietMonth(month: string): Promise<{ sent: number }> {
    const from = new Date(`${month}-01T00:00:00+09:00`);
    const to = new Date(from);
    to.setUTCMonth(to.getUTCMonth() + 1);
    let sent = 0;
    for (const subscriber of await this.repository.subscribersWithContacts()) {
      const figures = await this.repository.monthFigures(subscriber.organizationId, from, to);
      if (figures.customerIncidents > 0) continue;
      if (!(await this.repository.claimQuietReport(subscriber.organizationId, month, this.clock.now()))) continue;
      for (const contact of await this.repository.contactsOf(subscriber.organizationId)) {
        if (contact.role !== 'primary' || !contact.email) continue;
        const mail = quietMail(contact.locale, contact.name, month, figures.packets, figures.alerts);
        const result = await this.channels.email.send({ organizationId: subscriber.organizationId, incidentId: null, purpose: 'all_quiet', target: contact.email, subject: mail.subject, text: mail.text, data: { month, ...figures } });
        await this.repository.log({ organizationId: subscriber.organizationId, incidentId: null, purpose: 'all_quiet', channel: 'email', target: contact.email, ...result, at: this.clock.now() });
        sent++;
      }
    }
    return { sent };
  }
}
