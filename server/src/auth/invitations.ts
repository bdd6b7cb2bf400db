/**
 * Invitations: how a person whose account someone else created gets in. The account is created with
 * a password nobody knows (`unusablePasswordHash`); the person is mailed a one-time link of the
 * password-reset kind (same token table and /reset-password page, longer validity) to set their own.
 * Used by the approval of an application (the subscriber's admin) and by the vendor registry
 * (a vendor's staff).
 */
import type { RequestContext } from '../access/accessScope.ts';
import type { AuditService } from '../audit/auditService.ts';
import type { Clock } from '../clock.ts';
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
    await this.authRepository.createPasswordReset({ tokenHash: hashSecretToken(token), userId: invitee.userId, createdAt: now, expiresAt: new Date(now.getTime() + INVITATION_DAYS * 86_400_000) });
    const mail = invitationMails[kind];
    const all = { ...vars, name: invitee.name, days: INVITATION_DAYS, link: `${this.links.publicUrl}/reset-password?token=${token}` };
    await this.mail.enqueue({ organizationId: invitee.organizationId, to: invitee.email, subject: translate('ja', mail.subject, all), text: bilingual('ja', mail.body, all) });
    await this.audit.record(context, { action: 'user.invite', organizationId: invitee.organizationId, targetType: 'user', targetId: invitee.userId, details: { kind } });
  }
}
