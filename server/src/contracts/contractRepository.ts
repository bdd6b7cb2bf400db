import type { Contract, ContractEvent, Membership, Plan } from '@otasuke/shared';
import type { Selectable, Transaction } from 'kysely';
import type { TenantFilter } from '../access/accessScope.ts';
import type { Db } from '../db/database.ts';
import type { ContractsTable, Tables } from '../db/tables.ts';
import { restrictToTenant } from '../db/tenantFilter.ts';

export type ContractRow = Selectable<ContractsTable>;

/** Status on a given day (Japan calendar). */
export function contractStatus(row: Pick<ContractRow, 'startDate' | 'endDate'>, today: string): Contract['status'] {
  if (row.endDate !== null && row.endDate < today) return 'ended';
  if (row.startDate > today) return 'scheduled';
  return row.endDate !== null ? 'cancelling' : 'active';
}

export const toContract = (r: ContractRow, today: string): Contract => ({
  id: r.id,
  organizationId: r.organizationId,
  planCode: r.planCode,
  startDate: r.startDate,
  minimumTermMonths: r.minimumTermMonths,
  endDate: r.endDate,
  cancellationReason: r.cancellationReason,
  cancelledAt: r.cancelledAt?.toISOString() ?? null,
  membershipVerifiedAt: r.membershipVerifiedAt?.toISOString() ?? null,
  status: contractStatus(r, today),
  createdAt: r.createdAt.toISOString(),
});

export interface NewContractEvent {
  actorUserId: string | null;
  action: string;
  details?: Record<string, unknown>;
  at: Date;
}

/** Plans (prices as data), contracts and the history of their changes. */
export class ContractRepository {
  constructor(private readonly db: Db) {}

  /** Every price row, newest first per plan. Plans are not tenant data: the same for everyone. */
  async listPlans(): Promise<Plan[]> {
    const rows = await this.db.selectFrom('plans').selectAll().orderBy('code').orderBy('validFrom', 'desc').execute();
    return rows.map((r) => ({ ...r }));
  }

  /** The price row in force on `date`: the latest valid_from not after it. */
  async planOn(code: Membership, date: string): Promise<Plan | undefined> {
    const row = await this.db
      .selectFrom('plans')
      .selectAll()
      .where('code', '=', code)
      .where('validFrom', '<=', date)
      .orderBy('validFrom', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row && { ...row };
  }

  async list(filter: TenantFilter, organizationId?: string): Promise<ContractRow[]> {
    let q = restrictToTenant(this.db.selectFrom('contracts').selectAll(), 'organizationId', filter);
    if (organizationId) q = q.where('organizationId', '=', organizationId);
    return q.orderBy('createdAt').orderBy('id').execute();
  }

  async get(filter: TenantFilter, id: string): Promise<ContractRow | undefined> {
    return restrictToTenant(this.db.selectFrom('contracts').selectAll().where('id', '=', id), 'organizationId', filter).executeTakeFirst();
  }

  async getByOrganization(filter: TenantFilter, organizationId: string): Promise<ContractRow | undefined> {
    return restrictToTenant(this.db.selectFrom('contracts').selectAll().where('organizationId', '=', organizationId), 'organizationId', filter).executeTakeFirst();
  }

  /** Contracts in service on at least one day between `first` and `last`. */
  async listInServiceBetween(filter: TenantFilter, first: string, last: string): Promise<ContractRow[]> {
    return restrictToTenant(this.db.selectFrom('contracts').selectAll(), 'organizationId', filter)
      .where('startDate', '<=', last)
      .where((eb) => eb.or([eb('endDate', 'is', null), eb('endDate', '>=', first)]))
      .orderBy('createdAt')
      .orderBy('id')
      .execute();
  }

  /** Creates the contract and its first history entry together. Pass `trx` to join a larger transaction. */
  async create(
    input: { organizationId: string; planCode: Membership; startDate: string; minimumTermMonths: number | null; membershipVerifiedAt: Date | null },
    event: NewContractEvent,
    trx?: Transaction<Tables>,
  ): Promise<ContractRow> {
    const run = async (t: Transaction<Tables>) => {
      const row = await t.insertInto('contracts').values(input).returningAll().executeTakeFirstOrThrow();
      await insertEvent(t, row, event);
      return row;
    };
    return trx ? run(trx) : this.db.transaction().execute(run);
  }

  /** Changes a contract and records the change in its history, in one transaction. */
  async update(
    filter: TenantFilter,
    id: string,
    changes: Partial<Pick<ContractRow, 'planCode' | 'endDate' | 'cancellationReason' | 'cancelledAt' | 'membershipVerifiedAt'>>,
    event: NewContractEvent,
    organizationMembership?: Membership,
  ): Promise<ContractRow | undefined> {
    return this.db.transaction().execute(async (t) => {
      const row = await restrictToTenant(t.updateTable('contracts').set(changes).where('id', '=', id), 'organizationId', filter).returningAll().executeTakeFirst();
      if (!row) return undefined;
      if (organizationMembership) await t.updateTable('organizations').set({ membership: organizationMembership }).where('id', '=', row.organizationId).execute();
      await insertEvent(t, row, event);
      return row;
    });
  }

  async history(filter: TenantFilter, contractId: string): Promise<ContractEvent[]> {
    const rows = await restrictToTenant(this.db.selectFrom('contractEvents').selectAll().where('contractId', '=', contractId), 'organizationId', filter)
      .orderBy('id')
      .execute();
    return rows.map((r) => ({ id: String(r.id), contractId: r.contractId, at: r.at.toISOString(), actorUserId: r.actorUserId, action: r.action, details: r.details }));
  }
}

async function insertEvent(t: Transaction<Tables>, row: ContractRow, event: NewContractEvent): Promise<void> {
  await t
    .insertInto('contractEvents')
    .values({
      contractId: row.id,
      organizationId: row.organizationId,
      at: event.at,
      actorUserId: event.actorUserId,
      action: event.action,
      details: event.details ? JSON.stringify(event.details) : null,
    })
    .execute();
}
