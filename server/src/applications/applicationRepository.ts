import type { Application, ApplicationCreate, ApplicationStatus } from '@otasuke/shared';
import type { Selectable } from 'kysely';
import type { TenantFilter } from '../access/accessScope.ts';
import type { ContractRepository } from '../contracts/contractRepository.ts';
import type { Db } from '../db/database.ts';
import type { ApplicationsTable } from '../db/tables.ts';
import { restrictToTenant } from '../db/tenantFilter.ts';

const toApplication = (r: Selectable<ApplicationsTable>): Application => ({
  id: r.id,
  status: r.status,
  companyName: r.companyName,
  companyNameKana: r.companyNameKana,
  representativeName: r.representativeName,
  contactName: r.contactName,
  email: r.email,
  phone: r.phone,
  postalCode: r.postalCode,
  prefecture: r.prefecture,
  city: r.city,
  address: r.address,
  employees: r.employees,
  membership: r.membership,
  membershipNumber: r.membershipNumber,
  sites: r.sites,
  desiredStartDate: r.desiredStartDate,
  reviewNote: r.reviewNote,
  reviewedAt: r.reviewedAt?.toISOString() ?? null,
  organizationId: r.organizationId,
  createdAt: r.createdAt.toISOString(),
});

export const OPEN_STATUSES: readonly ApplicationStatus[] = ['pending', 'info_requested'];

export interface ApprovalPlan {
  reviewerId: string | null;
  at: Date;
  passwordHash: string;
  startDate: string;
  minimumTermMonths: number | null;
  insurance: { insurerOrganizationId: string | null; policyNumber: string; periodStart: string; periodEnd: string | null };
}

export interface ApprovalRecord {
  application: Application;
  organizationId: string;
  siteIds: string[];
  adminUserId: string;
  contractId: string;
  insurancePolicyId: string;
}

const isUniqueViolation = (err: unknown) => (err as { code?: string } | null)?.code === '23505';

/**
 * Applications (申込). Before approval an application belongs to no tenant, so only operator staff
 * (filter `all`) see it; afterwards it belongs to the subscriber it created.
 */
export class ApplicationRepository {
  constructor(
    private readonly db: Db,
    private readonly contracts: ContractRepository,
  ) {}

  /** Undefined when the same company and address already have an open application. */
  async create(input: ApplicationCreate): Promise<Application | undefined> {
    try {
      const row = await this.db
        .insertInto('applications')
        .values({
          companyName: input.companyName,
          companyNameKana: input.companyNameKana ?? null,
          representativeName: input.representativeName,
          contactName: input.contactName,
          email: input.email,
          phone: input.phone,
          postalCode: input.postalCode,
          prefecture: input.prefecture,
          city: input.city,
          address: input.address,
          employees: input.employees,
          membership: input.membership,
          membershipNumber: input.membershipNumber ?? null,
          sites: JSON.stringify(input.sites),
          desiredStartDate: input.desiredStartDate ?? null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toApplication(row);
    } catch (err) {
      if (isUniqueViolation(err)) return undefined;
      throw err;
    }
  }

  async list(filter: TenantFilter, status?: ApplicationStatus): Promise<Application[]> {
    let q = restrictToTenant(this.db.selectFrom('applications').selectAll(), 'organizationId', filter);
    if (status) q = q.where('status', '=', status);
    return (await q.orderBy('createdAt').orderBy('id').execute()).map(toApplication);
  }

  async get(filter: TenantFilter, id: string): Promise<Application | undefined> {
    const row = await restrictToTenant(this.db.selectFrom('applications').selectAll().where('id', '=', id), 'organizationId', filter).executeTakeFirst();
    return row && toApplication(row);
  }

  async emailTaken(email: string): Promise<boolean> {
    return (await this.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst()) !== undefined;
  }

  /** Moves an open application to `status`; undefined when it is not open (or not visible). */
  async review(filter: TenantFilter, id: string, status: ApplicationStatus, note: string, reviewerId: string | null, at: Date): Promise<Application | undefined> {
    const row = await restrictToTenant(
      this.db.updateTable('applications').set({ status, reviewNote: note, reviewedBy: reviewerId, reviewedAt: at }).where('id', '=', id).where('status', 'in', OPEN_STATUSES),
      'organizationId',
      filter,
    )
      .returningAll()
      .executeTakeFirst();
    return row && toApplication(row);
  }

  /**
   * Approval, all or nothing: the subscriber organization, its sites, its admin user, the contract
   * (with its first history entry), the insurance policy, and the application marked approved.
   * Undefined when the application is no longer open; 'email_taken' when the admin's address
   * already has an account.
   */
  async approve(filter: TenantFilter, id: string, plan: ApprovalPlan): Promise<ApprovalRecord | undefined | 'email_taken'> {
    try {
      return await this.db.transaction().execute(async (t) => {
        const application = await restrictToTenant(t.selectFrom('applications').selectAll().where('id', '=', id).where('status', 'in', OPEN_STATUSES), 'organizationId', filter)
          .forUpdate()
          .executeTakeFirst();
        if (!application) return undefined;
        const organization = await t
          .insertInto('organizations')
          .values({ kind: 'subscriber', name: application.companyName, nameKana: application.companyNameKana, membership: application.membership, prefecture: application.prefecture, city: application.city })
          .returning('id')
          .executeTakeFirstOrThrow();
        const siteIds: string[] = [];
        for (const site of application.sites) {
          const row = await t.insertInto('sites').values({ organizationId: organization.id, name: site.name, postalCode: site.postalCode, address: site.address }).returning('id').executeTakeFirstOrThrow();
          siteIds.push(row.id);
        }
        const user = await t
          .insertInto('users')
          .values({ organizationId: organization.id, email: application.email, displayName: application.contactName, role: 'subscriber_admin', locale: 'ja', passwordHash: plan.passwordHash })
          .returning('id')
          .executeTakeFirstOrThrow();
        const contract = await this.contracts.create(
          { organizationId: organization.id, planCode: application.membership, startDate: plan.startDate, minimumTermMonths: plan.minimumTermMonths, membershipVerifiedAt: null },
          { actorUserId: plan.reviewerId, action: 'contract.create', details: { fromApplication: id, planCode: application.membership, startDate: plan.startDate }, at: plan.at },
          t,
        );
        const policy = await t
          .insertInto('insurancePolicies')
          .values({ organizationId: organization.id, ...plan.insurance })
          .returning('id')
          .executeTakeFirstOrThrow();
        const approved = await t
          .updateTable('applications')
          .set({ status: 'approved', organizationId: organization.id, reviewedBy: plan.reviewerId, reviewedAt: plan.at })
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirstOrThrow();
        return { application: toApplication(approved), organizationId: organization.id, siteIds, adminUserId: user.id, contractId: contract.id, insurancePolicyId: policy.id };
      });
    } catch (err) {
      if (isUniqueViolation(err)) return 'email_taken';
      throw err;
    }
  }
}
