import type { Invoice, InvoiceLine, InvoiceQuery, IssuerSettings, IssuerSettingsUpdate } from '@otasuke/shared';
import { sql, type Selectable } from 'kysely';
import type { TenantFilter } from '../access/accessScope.ts';
import type { Db } from '../db/database.ts';
import type { InvoicesTable } from '../db/tables.ts';
import { restrictToTenant } from '../db/tenantFilter.ts';
import { invoiceTotals } from './money.ts';

type InvoiceRow = Selectable<InvoicesTable>;

export type NewInvoice = Omit<InvoiceRow, 'id' | 'status' | 'paidOn' | 'paidAmountYen' | 'reminderSentAt' | 'mailedAt' | 'createdAt' | 'invoiceNumber'> & {
  status?: InvoiceRow['status'];
};

export interface Recipient {
  email: string;
  displayName: string;
  locale: 'ja' | 'en';
}

function toInvoice(r: InvoiceRow, lines: InvoiceLine[]): Invoice {
  return {
    id: r.id,
    organizationId: r.organizationId,
    contractId: r.contractId,
    kind: r.kind,
    invoiceNumber: r.invoiceNumber,
    billingMonth: r.billingMonth,
    creditsInvoiceId: r.creditsInvoiceId,
    issueDate: r.issueDate,
    periodStart: r.periodStart,
    periodEnd: r.periodEnd,
    dueDate: r.dueDate,
    issuerName: r.issuerName,
    issuerRegistrationNumber: r.issuerRegistrationNumber,
    issuerAddress: r.issuerAddress,
    recipientName: r.recipientName,
    note: r.note,
    lines,
    // Recomputed from the stored lines by the same pure rule that fixed the stored totals.
    taxes: invoiceTotals(lines).taxes,
    subtotalYen: r.subtotalYen,
    taxYen: r.taxYen,
    totalYen: r.totalYen,
    status: r.status,
    paidOn: r.paidOn,
    paidAmountYen: r.paidAmountYen,
    reminderSentAt: r.reminderSentAt?.toISOString() ?? null,
    mailedAt: r.mailedAt?.toISOString() ?? null,
    createdAt: r.createdAt.toISOString(),
  };
}

/** Issuer settings, invoices and their lines. Every call is tenant-filtered. */
export class BillingRepository {
  constructor(private readonly db: Db) {}

  async getIssuer(filter: TenantFilter, organizationId?: string): Promise<IssuerSettings | undefined> {
    let q = restrictToTenant(this.db.selectFrom('issuerSettings').selectAll(), 'organizationId', filter);
    if (organizationId) q = q.where('organizationId', '=', organizationId);
    const row = await q.orderBy('updatedAt', 'desc').limit(1).executeTakeFirst();
    return row && { ...row, updatedAt: row.updatedAt.toISOString() };
  }

  async putIssuer(organizationId: string, input: IssuerSettingsUpdate, now: Date): Promise<IssuerSettings> {
    const values = { ...input, phone: input.phone ?? null, paymentTermDays: input.paymentTermDays ?? 30, updatedAt: now };
    const row = await this.db
      .insertInto('issuerSettings')
      .values({ organizationId, ...values })
      .onConflict((oc) => oc.column('organizationId').doUpdateSet(values))
      .returningAll()
      .executeTakeFirstOrThrow();
    return { ...row, updatedAt: row.updatedAt.toISOString() };
  }

  async exists(filter: TenantFilter, organizationId: string, billingMonth: string): Promise<boolean> {
    const row = await restrictToTenant(
      this.db.selectFrom('invoices').select('id').where('organizationId', '=', organizationId).where('billingMonth', '=', billingMonth),
      'organizationId',
      filter,
    ).executeTakeFirst();
    return row !== undefined;
  }

  /**
   * Inserts an invoice and its lines in one transaction, numbering it from the sequence. An invoice
   * for the same subscriber and month that already exists (another run got there first) wins:
   * nothing is inserted and undefined is returned.
   */
  async insertInvoice(invoice: NewInvoice, lines: Omit<InvoiceLine, 'lineNo'>[], numberPrefix: string): Promise<Invoice | undefined> {
    return this.db.transaction().execute(async (t) => {
      const { rows } = await sql<{ n: number }>`select nextval('invoice_number_seq')::integer as n`.execute(t);
      const invoiceNumber = `${numberPrefix}-${String(rows[0]!.n).padStart(6, '0')}`;
      const row = await t
        .insertInto('invoices')
        .values({ ...invoice, invoiceNumber })
        .onConflict((oc) => oc.constraint('invoices_subscriber_month_key').doNothing())
        .returningAll()
        .executeTakeFirst();
      if (!row) return undefined;
      const numbered = lines.map((line, i) => ({ ...line, lineNo: i + 1 }));
      await t
        .insertInto('invoiceLines')
        .values(numbered.map((line) => ({ ...line, invoiceId: row.id, organizationId: row.organizationId })))
        .execute();
      return toInvoice(row, numbered);
    });
  }

  async list(filter: TenantFilter, query: InvoiceQuery): Promise<Invoice[]> {
    let q = restrictToTenant(this.db.selectFrom('invoices').selectAll(), 'organizationId', filter);
    if (query.organizationId) q = q.where('organizationId', '=', query.organizationId);
    if (query.month) q = q.where((eb) => eb.or([eb('billingMonth', '=', query.month!), eb.and([eb('kind', '=', 'credit_note'), eb('issueDate', 'like', `${query.month}-%`)])]));
    if (query.status) q = q.where('status', '=', query.status);
    return this.withLines(filter, await q.orderBy('issueDate').orderBy('invoiceNumber').execute());
  }

  async get(filter: TenantFilter, id: string): Promise<Invoice | undefined> {
    const row = await restrictToTenant(this.db.selectFrom('invoices').selectAll().where('id', '=', id), 'organizationId', filter).executeTakeFirst();
    return row && (await this.withLines(filter, [row]))[0];
  }

  /** Invoices of a month not yet mailed (a resumed run mails what a failed one did not). */
  async unmailed(filter: TenantFilter, billingMonth: string): Promise<Invoice[]> {
    const rows = await restrictToTenant(this.db.selectFrom('invoices').selectAll(), 'organizationId', filter)
      .where('billingMonth', '=', billingMonth)
      .where('mailedAt', 'is', null)
      .orderBy('invoiceNumber')
      .execute();
    return this.withLines(filter, rows);
  }

  async markMailed(filter: TenantFilter, id: string, at: Date): Promise<void> {
    await restrictToTenant(this.db.updateTable('invoices').set({ mailedAt: at }).where('id', '=', id), 'organizationId', filter).execute();
  }

  /** Only an unpaid or overdue invoice can be paid: two payments racing record one. */
  async recordPayment(filter: TenantFilter, id: string, paidOn: string, amountYen: number): Promise<Invoice | undefined> {
    const row = await restrictToTenant(
      this.db.updateTable('invoices').set({ status: 'paid', paidOn, paidAmountYen: amountYen }).where('id', '=', id).where('kind', '=', 'invoice').where('status', '<>', 'paid'),
      'organizationId',
      filter,
    )
      .returningAll()
      .executeTakeFirst();
    return row && (await this.withLines(filter, [row]))[0];
  }

  /** Unpaid invoices whose due date has passed become overdue; returns how many changed. */
  async markOverdue(filter: TenantFilter, today: string): Promise<number> {
    const result = await restrictToTenant(
      this.db.updateTable('invoices').set({ status: 'overdue' }).where('status', '=', 'unpaid').where('kind', '=', 'invoice').where('dueDate', '<', today),
      'organizationId',
      filter,
    ).executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** Overdue invoices never reminded, or last reminded before `remindedBefore`. */
  async dueForReminder(filter: TenantFilter, remindedBefore: Date): Promise<Invoice[]> {
    const rows = await restrictToTenant(this.db.selectFrom('invoices').selectAll(), 'organizationId', filter)
      .where('status', '=', 'overdue')
      .where((eb) => eb.or([eb('reminderSentAt', 'is', null), eb('reminderSentAt', '<', remindedBefore)]))
      .orderBy('dueDate')
      .execute();
    return this.withLines(filter, rows);
  }

  async markReminded(filter: TenantFilter, id: string, at: Date): Promise<void> {
    await restrictToTenant(this.db.updateTable('invoices').set({ reminderSentAt: at }).where('id', '=', id), 'organizationId', filter).execute();
  }

  /** Who receives a subscriber's invoices: its active admins. */
  async recipients(filter: TenantFilter, organizationId: string): Promise<Recipient[]> {
    return restrictToTenant(
      this.db.selectFrom('users').select(['email', 'displayName', 'locale']).where('organizationId', '=', organizationId).where('role', '=', 'subscriber_admin').where('disabledAt', 'is', null),
      'organizationId',
      filter,
    )
      .orderBy('createdAt')
      .execute();
  }

  private async withLines(filter: TenantFilter, rows: InvoiceRow[]): Promise<Invoice[]> {
    if (rows.length === 0) return [];
    const lines = await restrictToTenant(this.db.selectFrom('invoiceLines').selectAll(), 'organizationId', filter)
      .where(
        'invoiceId',
        'in',
        rows.map((r) => r.id),
      )
      .orderBy('invoiceId')
      .orderBy('lineNo')
      .execute();
    const byInvoice = new Map<string, InvoiceLine[]>();
    for (const { invoiceId, organizationId: _o, ...line } of lines) {
      const list = byInvoice.get(invoiceId) ?? [];
      list.push(line);
      byInvoice.set(invoiceId, list);
    }
    return rows.map((r) => toInvoice(r, byInvoice.get(r.id) ?? []));
  }
}
