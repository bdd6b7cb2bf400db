import type { Contract, ContractCancel, ContractCreate, ContractEvent, ContractPlanChange, MembershipVerification, Plan } from '@otasuke/shared';
import { tenantFilterOf, type AccessScope, type RequestContext } from '../access/accessScope.ts';
import type { AuditService } from '../audit/auditService.ts';
import type { Clock } from '../clock.ts';
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError } from '../http/errors.ts';
import type { OrganizationRepository } from '../organizations/organizationRepository.ts';
import { addDays, addMonths, japanDate } from '../billing/money.ts';
import { toContract, type ContractRepository } from './contractRepository.ts';

/**
 * A contract per subscriber: plan (member / non-member), start date, optional minimum term,
 * cancellation with an end date, membership verified by the operator, every change in its history.
 * A cancellation may not end the contract before its minimum term is served: the end date must be
 * on or after the day before the same date `minimumTermMonths` after the start (4/10 + 12 months →
 * earliest end 2027-04-09).
 */
export class ContractService {
  constructor(
    private readonly repository: ContractRepository,
    private readonly organizations: OrganizationRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  listPlans(): Promise<Plan[]> {
    return this.repository.listPlans();
  }

  async list(scope: AccessScope, organizationId?: string): Promise<Contract[]> {
    const today = this.today();
    return (await this.repository.list(tenantFilterOf(scope), organizationId)).map((r) => toContract(r, today));
  }

  async get(scope: AccessScope, id: string): Promise<Contract> {
    const row = await this.repository.get(tenantFilterOf(scope), id);
    if (!row) throw new NotFoundError('contract');
    return toContract(row, this.today());
  }

  async history(scope: AccessScope, id: string): Promise<ContractEvent[]> {
    await this.get(scope, id);
    return this.repository.history(tenantFilterOf(scope), id);
  }

  async create(context: RequestContext, input: ContractCreate): Promise<Contract> {
    const scope = context.scope;
    const filter = scope ? tenantFilterOf(scope) : ({ kind: 'all' } as const);
    const organization = await this.organizations.get(filter, input.organizationId);
    if (!organization) throw new NotFoundError('organization');
    if (organization.kind !== 'subscriber') throw new BadRequestError('only subscribers have contracts', { fields: [{ field: 'body.organizationId', message: 'not a subscriber' }] });
    if (await this.repository.getByOrganization({ kind: 'all' }, input.organizationId)) {
      throw new ConflictError('this subscriber already has a contract', { fields: [{ field: 'body.organizationId', message: 'already under contract' }] });
    }
    if (!(await this.repository.planOn(input.planCode, input.startDate))) {
      throw new BadRequestError('no price of this plan is valid on the start date', { fields: [{ field: 'body.startDate', message: 'no price in force' }] });
    }
    const row = await this.repository.create(
      { organizationId: input.organizationId, planCode: input.planCode, startDate: input.startDate, minimumTermMonths: input.minimumTermMonths ?? null, membershipVerifiedAt: null },
      { actorUserId: scope?.userId ?? null, action: 'contract.create', details: { ...input }, at: this.clock.now() },
    );
    await this.audit.record(context, { action: 'contract.create', organizationId: row.organizationId, targetType: 'contract', targetId: row.id, details: { ...input } });
    return toContract(row, this.today());
  }

  async cancel(context: RequestContext, id: string, input: ContractCancel): Promise<Contract> {
    const scope = requireScope(context);
    const current = await this.repository.get(tenantFilterOf(scope), id);
    if (!current) throw new NotFoundError('contract');
    if (current.endDate !== null) throw new ConflictError('this contract is already cancelled', { fields: [{ field: 'body.endDate', message: `already ends on ${current.endDate}` }] });
    if (input.endDate < current.startDate) throw new BadRequestError('the end date is before the start date', { fields: [{ field: 'body.endDate', message: `must be on or after ${current.startDate}` }] });
    if (current.minimumTermMonths !== null) {
      const earliest = addDays(addMonths(current.startDate, current.minimumTermMonths), -1);
      if (input.endDate < earliest) {
        throw new BadRequestError(`the minimum term of ${current.minimumTermMonths} months runs until ${earliest}`, { fields: [{ field: 'body.endDate', message: `must be on or after ${earliest}` }] });
      }
    }
    const now = this.clock.now();
    const row = await this.repository.update(
      tenantFilterOf(scope),
      id,
      { endDate: input.endDate, cancellationReason: input.reason, cancelledAt: now },
      { actorUserId: scope.userId, action: 'contract.cancel', details: { ...input }, at: now },
    );
    if (!row) throw new NotFoundError('contract');
    await this.audit.record(context, { action: 'contract.cancel', organizationId: row.organizationId, targetType: 'contract', targetId: id, details: { ...input } });
    return toContract(row, this.today());
  }

  /** A plan change applies to every month billed after it (the billing job reads the plan when it runs). */
  async changePlan(context: RequestContext, id: string, input: ContractPlanChange): Promise<Contract> {
    const scope = requireScope(context);
    const current = await this.repository.get(tenantFilterOf(scope), id);
    if (!current) throw new NotFoundError('contract');
    const now = this.clock.now();
    const row = await this.repository.update(
      tenantFilterOf(scope),
      id,
      { planCode: input.planCode, membershipVerifiedAt: input.planCode === 'member' ? now : null },
      { actorUserId: scope.userId, action: 'contract.plan_change', details: { from: current.planCode, to: input.planCode }, at: now },
      input.planCode,
    );
    if (!row) throw new NotFoundError('contract');
    await this.audit.record(context, { action: 'contract.plan_change', organizationId: row.organizationId, targetType: 'contract', targetId: id, details: { from: current.planCode, to: input.planCode } });
    return toContract(row, this.today());
  }

  /**
   * The operator checks the chamber membership number. Verified: the member plan stays and the
   * verification time is kept. Not a member: the contract moves to the non-member plan.
   */
  async verifyMembership(context: RequestContext, id: string, input: MembershipVerification): Promise<Contract> {
    const scope = requireScope(context);
    if (scope.organizationKind !== 'operator') throw new ForbiddenError('membership is verified by the operator');
    const current = await this.repository.get(tenantFilterOf(scope), id);
    if (!current) throw new NotFoundError('contract');
    const now = this.clock.now();
    const details = { verified: input.verified, note: input.note ?? null, planBefore: current.planCode };
    const row = await this.repository.update(
      tenantFilterOf(scope),
      id,
      input.verified ? { planCode: 'member', membershipVerifiedAt: now } : { planCode: 'non_member', membershipVerifiedAt: null },
      { actorUserId: scope.userId, action: 'contract.membership_verification', details, at: now },
      input.verified ? 'member' : 'non_member',
    );
    if (!row) throw new NotFoundError('contract');
    await this.audit.record(context, { action: 'contract.membership_verification', organizationId: row.organizationId, targetType: 'contract', targetId: id, details });
    return toContract(row, this.today());
  }

  private today(): string {
    return japanDate(this.clock.now());
  }
}

function requireScope(context: RequestContext): AccessScope {
  if (!context.scope) throw new ForbiddenError();
  return context.scope;
}
