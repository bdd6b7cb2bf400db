import type { ProgrammeTarget } from '@otasuke/shared';
import { sql } from 'kysely';
import type { TenantFilter } from '../access/accessScope.ts';
import type { Db } from '../db/database.ts';
import { restrictToTenant } from '../db/tenantFilter.ts';
import type { KpiContract, KpiPrice } from './kpiMath.ts';

/** The rows the KPIs are computed from. Every call on tenant data takes the filter. */
export class KpiRepository {
  constructor(private readonly db: Db) {}

  async target(code: string): Promise<ProgrammeTarget | undefined> {
    return this.db.selectFrom('programmeTargets').select(['code', 'name', 'startMonth', 'months', 'targetSubscribers']).where('code', '=', code).executeTakeFirst();
  }

  async prices(): Promise<KpiPrice[]> {
    return this.db.selectFrom('plans').select(['code', 'monthlyPriceYen', 'validFrom']).execute();
  }

  /** Contracts started on or before `last` with their subscriber's area. */
  async contractsStartedBy(filter: TenantFilter, last: string): Promise<KpiContract[]> {
    return restrictToTenant(
      this.db
        .selectFrom('contracts')
        .innerJoin('organizations', 'organizations.id', 'contracts.organizationId')
        .select(['contracts.planCode', 'contracts.startDate', 'contracts.endDate', 'organizations.prefecture', 'organizations.city'])
        .where('contracts.startDate', '<=', last),
      'contracts.organizationId',
      filter,
    )
      .orderBy('contracts.startDate')
      .execute();
  }

  /** Invoice totals per billing month between `from` and `to` (YYYY-MM). */
  async invoicedByMonth(filter: TenantFilter, from: string, to: string): Promise<Map<string, number>> {
    const rows = await restrictToTenant(
      this.db
        .selectFrom('invoices')
        .select(['billingMonth as month', sql<string>`sum(total_yen)`.as('yen')])
        .where('kind', '=', 'invoice')
        .where('billingMonth', '>=', from)
        .where('billingMonth', '<=', to)
        .groupBy('billingMonth'),
      'organizationId',
      filter,
    ).execute();
    return new Map(rows.map((r) => [r.month!, Number(r.yen)]));
  }

  /** Credit-note totals per month of issue. */
  async creditedByMonth(filter: TenantFilter, from: string, to: string): Promise<Map<string, number>> {
    return this.sumByMonthOf(filter, 'issueDate', 'totalYen', 'credit_note', from, to);
  }

  /** Payments per month of the payment date. */
  async paidByMonth(filter: TenantFilter, from: string, to: string): Promise<Map<string, number>> {
    return this.sumByMonthOf(filter, 'paidOn', 'paidAmountYen', 'invoice', from, to);
  }

  /** Invoices not paid whose due date is before `today`. */
  async overdue(filter: TenantFilter, today: string): Promise<{ count: number; amountYen: number }> {
    const row = await restrictToTenant(
      this.db
        .selectFrom('invoices')
        .select([sql<string>`count(*)`.as('count'), sql<string>`coalesce(sum(total_yen), 0)`.as('yen')])
        .where('kind', '=', 'invoice')
        .where('status', '<>', 'paid')
        .where('dueDate', '<', today),
      'organizationId',
      filter,
    ).executeTakeFirstOrThrow();
    return { count: Number(row.count), amountYen: Number(row.yen) };
  }

  private async sumByMonthOf(filter: TenantFilter, dateColumn: 'issueDate' | 'paidOn', amountColumn: 'totalYen' | 'paidAmountYen', kind: 'invoice' | 'credit_note', from: string, to: string): Promise<Map<string, number>> {
    const month = sql<string>`substr(${sql.ref(dateColumn)}, 1, 7)`;
    const rows = await restrictToTenant(
      this.db
        .selectFrom('invoices')
        .select([month.as('month'), sql<string>`sum(${sql.ref(amountColumn)})`.as('yen')])
        .where('kind', '=', kind)
        .where(dateColumn, '>=', `${from}-01`)
        .where(dateColumn, '<=', `${to}-31`)
        .groupBy(month),
      'organizationId',
      filter,
    ).execute();
    return new Map(rows.map((r) => [r.month, Number(r.yen)]));
  }
}
