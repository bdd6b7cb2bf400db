/**
 * Invitations: how a person whose account someone else created gets in. The account is created with
 * a password nobody knows (`unusablePasswordHash`); the person is mailed a one-time link of the
 * password-reset kind (same token table and /reset-password page, longer validity) to set their own.
 * Used by the approval of an application (the subscriber's admin) and by the vendor registry
 * (a vendor's staff), which also shows each invitation's state and sends a new link (`resend`).
 *
 * The state is read from the links themselves (`password_resets`): a link is marked used only when
 * the person sets a password with it (voided links get an expiry of the moment they were voided), so
 * one used link = accepted; otherwise the newest link decides pending (still valid) or expired.
 */
import type { RequestContext } from '../access/accessScope.ts';
import type { AuditService } from '../audit/auditService.ts';
import type { Clock } from '../clock.ts';
import { ConflictError } from '../http/errors.ts';
import { bilingual, translate, type MessageKey } from '../i18n/catalog.ts';
import type { MailService } from '../mail/mailService.ts';
import type { AuthRepository } from './authRepository.ts';
import { hashPassword } from './passwordHasher.ts';
import { hashSecretToken, newSecretToken } from './secrets.ts';

/** How long an invitation link stays valid. */
export const INVITATION_DAYS = 7;

/** Which mail the invitee gets (both say how long the link lasts, `{{days}}`, and give it, `{{link}}`). */
const invitationMails = {
  subscriberAdmin: { subject: 'mail.invitation.subject', body: 'mail.invitation.body' },
  vendorStaff: { subject: 'mail.vendorStaffInvitation.subject', body: 'mail.vendorStaffInvitation.body' },
} as const satisfies Record<string, { subject: MessageKey; body: MessageKey }>;
export type InvitationKind = keyof typeof invitationMails;

export interface Invitee {
  userId: string;
  organizationId: string;
  email: string;
  /** How the mail addresses the person. */
  name: string;
}

/** The hash of a random password nobody is told: the account cannot sign in until the invitation is used. */
export function unusablePasswordHash(): Promise<string> {
  return hashPassword(newSecretToken());
}

/** Where an invitation stands: the person set a password (accepted), the link still works (pending), or it no longer does (expired). */
export type InvitationState = 'accepted' | 'pending' | 'expired';

export interface InvitationStatus {
  state: InvitationState;
  /** When the link that decides the state was sent (accepted: the link used); null for an account created with a password. */
  sentAt: Date | null;
  /** Until when the newest unused link works (pending) or worked (expired); null once accepted. */
  expiresAt: Date | null;
  /** When the person first set a password with a link; null unless accepted, and for an account created with a password. */
  acceptedAt: Date | null;
}

/** Why a new invitation is refused (`details.reason` of the 409). */
export type ResendRefusal = 'already_accepted' | 'disabled';

interface LinkFact {
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
}

/** The state from a user's set-password links (pure). No link at all: the account was created with a password, so nothing is pending. */
export function invitationStatusOf(links: readonly LinkFact[], now: Date): InvitationStatus {
  const used = links.filter((l) => l.usedAt !== null).sort((a, b) => a.usedAt!.getTime() - b.usedAt!.getTime())[0];
  if (used) return { state: 'accepted', sentAt: used.createdAt, expiresAt: null, acceptedAt: used.usedAt };
  const newest = [...links].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.expiresAt.getTime() - a.expiresAt.getTime())[0];
  if (!newest) return { state: 'accepted', sentAt: null, expiresAt: null, acceptedAt: null };
  return { state: newest.expiresAt.getTime() > now.getTime() ? 'pending' : 'expired', sentAt: newest.createdAt, expiresAt: newest.expiresAt, acceptedAt: null };
}

export class Invitations {
  constructor(
    private readonly authRepository: AuthRepository,
    private readonly mail: MailService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly links: { readonly publicUrl: string },
  ) {}

  /** Stores a one-time token (its SHA-256), mails the link in Japanese then English, audits `user.invite`. */
  async send(context: RequestContext, invitee: Invitee, kind: InvitationKind, vars: Record<string, string> = {}): Promise<void> {
    const now = this.clock.now();
    const token = newSecretToken();
    await this.authRepository.createPasswordReset({ tokenHash: hashSecretToken(token), userId: invitee.userId, createdAt: now, expiresAt: invitationExpiry(now) });
    await this.mailAndAudit(context, invitee, kind, vars, token, {});
  }

  /**
   * Sends a new link (same mail) to someone who has not accepted yet: their unused links stop working
   * in the same transaction that stores the new one; audited as `user.invite` with `resent: true`.
   * A disabled account or one whose person already set a password → 409 with `details.reason`.
   */
  async resend(context: RequestContext, invitee: Invitee, kind: InvitationKind, vars: Record<string, string> = {}): Promise<InvitationStatus> {
    const user = await this.authRepository.userById(invitee.userId);
    if (!user) throw new Error(`invitee ${invitee.userId} does not exist`);
    if (user.disabledAt !== null) {
      throw new ConflictError(`${user.email}'s account is disabled, so it gets no invitation; add the person again with another address, or leave it disabled`, { reason: 'disabled' satisfies ResendRefusal });
    }
    if ((await this.statusOf([invitee.userId])).get(invitee.userId)!.state === 'accepted') {
      throw new ConflictError(`${user.email} has already set a password and can sign in; if it is forgotten, the person resets it from the sign-in page`, { reason: 'already_accepted' satisfies ResendRefusal });
    }
    const now = this.clock.now();
    const token = newSecretToken();
    await this.authRepository.replacePasswordResets({ tokenHash: hashSecretToken(token), userId: invitee.userId, createdAt: now, expiresAt: invitationExpiry(now) });
    await this.mailAndAudit(context, invitee, kind, vars, token, { resent: true });
    return { state: 'pending', sentAt: now, expiresAt: invitationExpiry(now), acceptedAt: null };
  }

  /** The invitation state of each user (every id gets one), from their stored links, at the clock's now. */
  async statusOf(userIds: readonly string[]): Promise<Map<string, InvitationStatus>> {
    const links = new Map<string, LinkFact[]>(userIds.map((id) => [id, []]));
    for (const row of await this.authRepository.passwordResetsOf(userIds)) links.get(row.userId)?.push(row);
    const now = this.clock.now();
    return new Map([...links].map(([id, facts]) => [id, invitationStatusOf(facts, now)]));
  }

  private async mailAndAudit(context: RequestContext, invitee: Invitee, kind: InvitationKind, vars: Record<string, string>, token: string, details: { resent?: true }): Promise<void> {
    const mail = invitationMails[kind];
    const all = { ...vars, name: invitee.name, days: INVITATION_DAYS, link: `${this.links.publicUrl}/reset-password?token=${token}` };
    await this.mail.enqueue({ organizationId: invitee.organizationId, to: invitee.email, subject: translate('ja', mail.subject, all), text: bilingual('ja', mail.body, all) });
    await this.audit.record(context, { action: 'user.invite', organizationId: invitee.organizationId, targetType: 'user', targetId: invitee.userId, details: { kind, ...details } });
  }
}

function invitationExpiry(now: Date): Date {
  return new Date(now.getTime() + INVITATION_DAYS * 86_400_000);
}
