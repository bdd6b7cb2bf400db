/**
 * A vendor's staff accounts, kept by the operator from the vendor registry: who of a vendor can sign
 * in to the vendor portal. Adding one creates a `vendor_staff` user of the vendor organization with a
 * password nobody knows and mails the person an invitation to set theirs (auth/invitations.ts);
 * removing one disables the account (kept for the audit trail and the jobs it worked on). The list
 * shows where each invitation stands (accepted / pending / expired), and a pending or expired one can
 * be sent again with a new link (the old ones stop working).
 */
import type { User } from '@otasuke/shared';
import { tenantFilterOf, type AccessScope, type RequestContext } from '../access/accessScope.ts';
import type { AuditService } from '../audit/auditService.ts';
import { unusablePasswordHash, type Invitations, type InvitationStatus } from '../auth/invitations.ts';
import type { Clock } from '../clock.ts';
import { ConflictError, ForbiddenError, NotFoundError, UnauthenticatedError } from '../http/errors.ts';
import type { VendorStaffCreate, VendorStaffMember } from './vendorStaffSchemas.ts';
import type { VendorStaffRepository } from './vendorStaffRepository.ts';

export class VendorStaffService {
  constructor(
    private readonly repository: VendorStaffRepository,
    private readonly invitations: Invitations,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /** The vendor's users with their invitation state, oldest first (operator staff, who read the registry). */
  async list(scope: AccessScope, vendorId: string): Promise<VendorStaffMember[]> {
    requireOperatorStaff(scope);
    await this.vendorName(vendorId);
    const users = await this.repository.staff(vendorId);
    const states = await this.invitations.statusOf(users.map((u) => u.id));
    return users.map((u) => withInvitation(u, states.get(u.id)!));
  }

  /**
   * Mails a new invitation link to a person who has not set a password yet (pending or expired); their
   * earlier unused links stop working. Not this vendor's user → 404; disabled or already accepted → 409
   * with `details.reason` (`disabled` | `already_accepted`), nothing sent.
   */
  async resendInvitation(context: RequestContext, vendorId: string, userId: string): Promise<VendorStaffMember> {
    requireOperatorAdmin(context);
    const company = await this.vendorName(vendorId);
    const user = await this.repository.member(vendorId, userId);
    if (!user) throw new NotFoundError('vendor staff account');
    const status = await this.invitations.resend(context, { userId: user.id, organizationId: vendorId, email: user.email, name: user.displayName }, 'vendorStaff', { company });
    return withInvitation(user, status);
  }

  /** Creates the account and mails the invitation; an address that already has an account → 409, nothing written. */
  async add(context: RequestContext, vendorId: string, input: VendorStaffCreate): Promise<User> {
    requireOperatorAdmin(context);
    const company = await this.vendorName(vendorId);
    const user = await this.repository.createUnlessEmailTaken(
      { organizationId: vendorId, email: input.email, displayName: input.displayName, role: 'vendor_staff', locale: input.locale, passwordHash: await unusablePasswordHash() },
      this.clock.now(),
    );
    if (!user) {
      throw new ConflictError(`${input.email} already has an account (each address signs in to one account); use another address, or ask the person which account they use`, {
        fields: [{ field: 'body.email', message: 'already in use by another account' }],
      });
    }
    await this.audit.record(context, { action: 'user.create', organizationId: vendorId, targetType: 'user', targetId: user.id, details: { email: user.email, role: user.role, from: 'vendor_registry' } });
    await this.invitations.send(context, { userId: user.id, organizationId: vendorId, email: user.email, name: user.displayName }, 'vendorStaff', { company });
    return user;
  }

  /** Disables the account: it can no longer sign in, its sessions end and an unused invitation is void. */
  async deactivate(context: RequestContext, vendorId: string, userId: string): Promise<User> {
    requireOperatorAdmin(context);
    await this.vendorName(vendorId);
    const user = await this.repository.deactivate(vendorId, userId, this.clock.now());
    if (!user) throw new NotFoundError('vendor staff account');
    await this.audit.record(context, { action: 'user.deactivate', organizationId: vendorId, targetType: 'user', targetId: userId, details: { email: user.email, from: 'vendor_registry' } });
    return user;
  }

  private async vendorName(vendorId: string): Promise<string> {
    const name = await this.repository.vendorName(vendorId);
    if (name === undefined) throw new NotFoundError('vendor');
    return name;
  }
}

function withInvitation(user: User, status: InvitationStatus): VendorStaffMember {
  const iso = (d: Date | null) => d?.toISOString() ?? null;
  return { ...user, invitation: { state: status.state, sentAt: iso(status.sentAt), expiresAt: iso(status.expiresAt), acceptedAt: iso(status.acceptedAt) } };
}

function requireOperatorStaff(scope: AccessScope): void {
  if (tenantFilterOf(scope).kind !== 'all') throw new ForbiddenError('vendor accounts are kept by the operator');
}

function requireOperatorAdmin(context: RequestContext): void {
  if (!context.scope) throw new UnauthenticatedError();
  requireOperatorStaff(context.scope);
  if (context.scope.role !== 'operator_admin') throw new ForbiddenError('only an operator administrator adds, removes or re-invites vendor accounts');
}
