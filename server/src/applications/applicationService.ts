import type { Application, ApplicationApproval, ApplicationApprove, ApplicationCreate, ApplicationStatus } from '@otasuke/shared';
import { tenantFilterOf, type AccessScope, type RequestContext } from '../access/accessScope.ts';
import type { AuditService } from '../audit/auditService.ts';
import { unusablePasswordHash, type Invitations } from '../auth/invitations.ts';
import type { Clock } from '../clock.ts';
import { addDays, addMonths } from '../billing/money.ts';
import { ConflictError, ForbiddenError, NotFoundError } from '../http/errors.ts';
import { bilingual, translate, type MessageKey } from '../i18n/catalog.ts';
import type { MailService } from '../mail/mailService.ts';
import type { ApplicationRepository } from './applicationRepository.ts';

/**
 * 申込 → review → approval. Approval creates the subscriber (organization, sites, admin user,
 * contract, insurance policy) in one transaction, then mails the admin an invitation
 * (auth/invitations.ts: a one-time link of the password-reset kind to set a password).
 */
export class ApplicationService {
  constructor(
    private readonly repository: ApplicationRepository,
    private readonly invitations: Invitations,
    private readonly audit: AuditService,
    private readonly mail: MailService,
    private readonly clock: Clock,
  ) {}

  async submit(context: RequestContext, input: ApplicationCreate): Promise<{ id: string; status: ApplicationStatus }> {
    const application = await this.repository.create(input);
    if (!application) {
      throw new ConflictError('an application from this company with this email address is already being reviewed', {
        fields: [
          { field: 'body.companyName', message: 'an application of this company is already being reviewed' },
          { field: 'body.email', message: 'already used by an open application' },
        ],
      });
    }
    await this.audit.record(context, { action: 'application.submit', organizationId: null, targetType: 'application', targetId: application.id, details: { companyName: input.companyName, membership: input.membership } });
    await this.notify(application, 'mail.application.received.subject', 'mail.application.received.body', { id: application.id });
    return { id: application.id, status: application.status };
  }

  list(scope: AccessScope, status?: ApplicationStatus): Promise<Application[]> {
    return this.repository.list(tenantFilterOf(requireOperator(scope)), status);
  }

  async get(scope: AccessScope, id: string): Promise<Application> {
    return (await this.repository.get(tenantFilterOf(requireOperator(scope)), id)) ?? notFound();
  }

  async requestInfo(context: RequestContext, id: string, message: string): Promise<Application> {
    const application = await this.review(context, id, 'info_requested', message);
    await this.notify(application, 'mail.application.infoRequested.subject', 'mail.application.infoRequested.body', { message });
    return application;
  }

  async reject(context: RequestContext, id: string, reason: string): Promise<Application> {
    const application = await this.review(context, id, 'rejected', reason);
    await this.notify(application, 'mail.application.rejected.subject', 'mail.application.rejected.body', { reason });
    return application;
  }

  async approve(context: RequestContext, id: string, input: ApplicationApprove): Promise<ApplicationApproval> {
    const scope = requireOperator(context.scope);
    const current = await this.get(scope, id);
    if (current.status === 'approved' || current.status === 'rejected') throw new ConflictError(`this application is already ${current.status}`);
    if (await this.repository.emailTaken(current.email)) {
      throw new ConflictError('the applicant email address already has an account', { fields: [{ field: 'email', message: 'already in use by a user' }] });
    }
    const now = this.clock.now();
    const result = await this.repository.approve(tenantFilterOf(scope), id, {
      reviewerId: scope.userId,
      at: now,
      // Nobody knows this password: the admin sets one through the invitation link.
      passwordHash: await unusablePasswordHash(),
      startDate: input.startDate,
      minimumTermMonths: input.minimumTermMonths ?? null,
      insurance: {
        insurerOrganizationId: input.insurerOrganizationId ?? null,
        policyNumber: input.insurancePolicyNumber,
        periodStart: input.startDate,
        periodEnd: input.insurancePeriodEnd ?? addDays(addMonths(input.startDate, 12), -1),
      },
    });
    if (result === 'email_taken') throw new ConflictError('the applicant email address already has an account', { fields: [{ field: 'email', message: 'already in use by a user' }] });
    if (!result) throw new ConflictError('this application is no longer open');
    const details = { applicationId: id, ...input, siteIds: result.siteIds, adminUserId: result.adminUserId, contractId: result.contractId, insurancePolicyId: result.insurancePolicyId };
    await this.audit.record(context, { action: 'application.approve', organizationId: result.organizationId, targetType: 'application', targetId: id, details });
    await this.audit.record(context, { action: 'organization.create', organizationId: result.organizationId, targetType: 'organization', targetId: result.organizationId, details: { fromApplication: id } });
    await this.audit.record(context, { action: 'user.create', organizationId: result.organizationId, targetType: 'user', targetId: result.adminUserId, details: { email: current.email, role: 'subscriber_admin' } });
    await this.audit.record(context, { action: 'contract.create', organizationId: result.organizationId, targetType: 'contract', targetId: result.contractId, details: { planCode: current.membership, startDate: input.startDate } });
    await this.audit.record(context, { action: 'insurance_policy.create', organizationId: result.organizationId, targetType: 'insurance_policy', targetId: result.insurancePolicyId, details: { policyNumber: input.insurancePolicyNumber } });
    await this.invitations.send(context, { userId: result.adminUserId, organizationId: result.organizationId, email: current.email, name: current.contactName }, 'subscriberAdmin');
    return result;
  }

  private async review(context: RequestContext, id: string, status: ApplicationStatus, note: string): Promise<Application> {
    const scope = requireOperator(context.scope);
    const current = await this.get(scope, id);
    const application = await this.repository.review(tenantFilterOf(scope), id, status, note, scope.userId, this.clock.now());
    if (!application) throw new ConflictError(`this application is already ${current.status}`);
    await this.audit.record(context, { action: `application.${status === 'rejected' ? 'reject' : 'request_info'}`, organizationId: null, targetType: 'application', targetId: id, details: { note } });
    return application;
  }

  private async notify(application: Application, subject: MessageKey, body: MessageKey, extra: Record<string, string>): Promise<void> {
    const vars = { name: application.contactName, company: application.companyName, ...extra };
    await this.mail.enqueue({ organizationId: application.organizationId, to: application.email, subject: translate('ja', subject, vars), text: bilingual('ja', body, vars) });
  }
}

function requireOperator(scope: AccessScope | null): AccessScope {
  if (!scope || scope.organizationKind !== 'operator') throw new ForbiddenError('applications are reviewed by the operator');
  return scope;
}

function notFound(): never {
  throw new NotFoundError('application');
}

