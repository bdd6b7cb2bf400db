import type {
  BillingRunResult, CreditNoteCreate, Invoice, InvoiceLine, InvoiceQuery, IssuerSettings, IssuerSettingsUpdate, PaymentRecord, ReminderRunResult,
} from '@otasuke/shared';
import { tenantFilterOf, type AccessScope, type RequestContext, type TenantFilter } from '../access/accessScope.ts';
import type { AuditService } from '../audit/auditService.ts';
import type { Clock } from '../clock.ts';
import type { ContractRepository } from '../contracts/contractRepository.ts';
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError } from '../http/errors.ts';
import { bilingual, translate, type MessageKey } from '../i18n/catalog.ts';
import type { MailService } from '../mail/mailService.ts';
import type { OrganizationRepository } from '../organizations/organizationRepository.ts';
import type { BillingRepository } from './billingRepository.ts';
import { invoiceCsv } from './invoiceCsv.ts';
import type { InvoicePdfRenderer } from './invoicePdf.ts';
import { addDays, formatYen, invoiceTotals, japanDate, monthBounds, monthlyCharge } from './money.ts';

const ALL: TenantFilter = { kind: 'all' };
/** An overdue invoice is reminded at most once a week. */
export const REMINDER_INTERVAL_DAYS = 7;

export interface BillingSettings {
  publicUrl: string;
}

/**
 * Monthly qualified invoices (適格請求書), credit notes, payments, reminders and the accounting
 * export. The money rules are in money.ts; this class applies them to contracts and stores the
 * result. Invoices are issued in arrears: the run for a month happens once the month is over.
 */
export class BillingService {
  constructor(
    private readonly repository: BillingRepository,
    private readonly contracts: ContractRepository,
    private readonly organizations: OrganizationRepository,
    private readonly audit: AuditService,
    private readonly mail: MailService,
    private readonly clock: Clock,
    private readonly pdf: InvoicePdfRenderer,
    private readonly settings: BillingSettings,
  ) {}

  async getIssuer(scope: AccessScope): Promise<IssuerSettings> {
    const operator = requireOperator(scope);
    return (await this.repository.getIssuer(tenantFilterOf(operator), operator.organizationId)) ?? notFound('issuer settings');
  }

  /** The operator's name, registration number and address, printed on every invoice issued after. */
  async putIssuer(context: RequestContext, input: IssuerSettingsUpdate): Promise<IssuerSettings> {
    const operator = requireOperator(context.scope);
    const settings = await this.repository.putIssuer(operator.organizationId, input, this.clock.now());
    await this.audit.record(context, { action: 'billing.issuer_update', organizationId: operator.organizationId, targetType: 'issuer_settings', targetId: operator.organizationId, details: { ...input } });
    return settings;
  }

  /**
   * The monthly job. Idempotent and resumable: each invoice is written in its own transaction, and
   * the unique (subscriber, month) constraint makes a second run, or a run racing this one, skip
   * what exists. Mail goes out after the invoices, for every invoice of the month not yet mailed,
   * so a run that died between the two mails on the next run. (A crash between enqueueing a mail
   * and marking the invoice mailed can send that one mail twice; it never bills twice.)
   */
  async runMonthly(context: RequestContext, month: string): Promise<BillingRunResult> {
    const today = this.today();
    const bounds = monthBounds(month);
    if (bounds.last >= today) {
      throw new BadRequestError(`invoices for ${month} are issued once the month is over (after ${bounds.last})`, { fields: [{ field: 'body.month', message: 'month not over yet' }] });
    }
    const issuer = await this.repository.getIssuer(ALL);
    if (!issuer) throw new BadRequestError('set the issuer settings (name, registration number, address) before billing');
    const result: BillingRunResult = { month, created: 0, existing: 0, mailed: 0, invoiceIds: [] };
    for (const contract of await this.contracts.listInServiceBetween(ALL, bounds.first, bounds.last)) {
      if (await this.repository.exists(ALL, contract.organizationId, month)) {
        result.existing++;
        continue;
      }
      const from = contract.startDate > bounds.first ? contract.startDate : bounds.first;
      const plan = await this.contracts.planOn(contract.planCode, from);
      const organization = await this.organizations.get(ALL, contract.organizationId);
      if (!plan || !organization) throw new Error(`contract ${contract.id}: no price of plan ${contract.planCode} on ${from}, or no organization`);
      const charge = monthlyCharge(month, contract, plan);
      if (!charge) continue;
      const lines = [{ description: charge.description, periodStart: charge.periodStart, periodEnd: charge.periodEnd, amountYen: charge.amountYen, taxRatePercent: charge.taxRatePercent }];
      const totals = invoiceTotals(lines);
      const invoice = await this.repository.insertInvoice(
        {
          organizationId: contract.organizationId,
          contractId: contract.id,
          kind: 'invoice',
          billingMonth: month,
          creditsInvoiceId: null,
          issueDate: today,
          periodStart: charge.periodStart,
          periodEnd: charge.periodEnd,
          dueDate: addDays(today, issuer.paymentTermDays),
          ...issuerSnapshot(issuer),
          recipientName: organization.name,
          note: null,
          subtotalYen: totals.subtotalYen,
          taxYen: totals.taxYen,
          totalYen: totals.totalYen,
        },
        lines,
        `INV-${month.replace('-', '')}`,
      );
      if (!invoice) {
        result.existing++;
        continue;
      }
      result.created++;
      result.invoiceIds.push(invoice.id);
      await this.audit.record(context, { action: 'invoice.create', organizationId: invoice.organizationId, targetType: 'invoice', targetId: invoice.id, details: { month, invoiceNumber: invoice.invoiceNumber, totalYen: invoice.totalYen } });
    }
    for (const invoice of await this.repository.unmailed(ALL, month)) {
      await this.send(invoice, 'mail.invoice.subject', 'mail.invoice.body', {});
      await this.repository.markMailed(ALL, invoice.id, this.clock.now());
      result.mailed++;
    }
    await this.audit.record(context, { action: 'billing.run', organizationId: null, targetType: 'billing_month', targetId: month, details: { created: result.created, existing: result.existing, mailed: result.mailed } });
    return result;
  }

  list(scope: AccessScope, query: InvoiceQuery): Promise<Invoice[]> {
    return this.repository.list(tenantFilterOf(scope), query);
  }

  async get(scope: AccessScope, id: string): Promise<Invoice> {
    return (await this.repository.get(tenantFilterOf(scope), id)) ?? notFound('invoice');
  }

  async pdfOf(scope: AccessScope, id: string): Promise<Buffer> {
    return this.pdf.render(await this.get(scope, id));
  }

  /** A payment closes an invoice; it must be the invoice's total (partial payments are not tracked). */
  async recordPayment(context: RequestContext, id: string, input: PaymentRecord): Promise<Invoice> {
    const scope = requireOperator(context.scope);
    const invoice = await this.get(scope, id);
    if (invoice.kind !== 'invoice') throw new BadRequestError('payments are recorded on invoices, not credit notes');
    if (invoice.status === 'paid') throw new ConflictError('this invoice is already paid', { fields: [{ field: 'body.paidOn', message: `paid on ${invoice.paidOn}` }] });
    if (input.amountYen !== invoice.totalYen) {
      throw new BadRequestError(`the payment must be the invoice total ${invoice.totalYen}`, { fields: [{ field: 'body.amountYen', message: `must be ${invoice.totalYen}` }] });
    }
    const paid = await this.repository.recordPayment(tenantFilterOf(scope), id, input.paidOn, input.amountYen);
    if (!paid) throw new ConflictError('this invoice is already paid', { fields: [{ field: 'body.paidOn', message: 'already paid' }] });
    await this.audit.record(context, { action: 'invoice.payment', organizationId: paid.organizationId, targetType: 'invoice', targetId: id, details: { ...input } });
    return paid;
  }

  /**
   * A credit note (適格返還請求書) corrects an invoice: negative lines referring to the original —
   * by default all of it. It is settled on issue (offset against the next invoice or refunded
   * outside Otasuke), so its status is `paid`. The credits of one invoice may not exceed it.
   */
  async createCreditNote(context: RequestContext, id: string, input: CreditNoteCreate): Promise<Invoice> {
    const scope = requireOperator(context.scope);
    const original = await this.get(scope, id);
    if (original.kind !== 'invoice') throw new BadRequestError('a credit note corrects an invoice, not another credit note');
    const lines: Omit<InvoiceLine, 'lineNo'>[] = input.lines
      ? input.lines.map((l) => ({ description: `${l.description}（${original.invoiceNumber} の訂正）`, periodStart: original.periodStart, periodEnd: original.periodEnd, amountYen: -l.amountYen, taxRatePercent: l.taxRatePercent }))
      : original.lines.map((l) => ({ description: `${l.description}（${original.invoiceNumber} の取消）`, periodStart: l.periodStart, periodEnd: l.periodEnd, amountYen: -l.amountYen, taxRatePercent: l.taxRatePercent }));
    const earlier = (await this.repository.list(tenantFilterOf(scope), { organizationId: original.organizationId })).filter((i) => i.creditsInvoiceId === original.id);
    const totals = invoiceTotals(lines);
    const alreadyCredited = earlier.reduce((sum, i) => sum - i.subtotalYen, 0);
    if (alreadyCredited - totals.subtotalYen > original.subtotalYen) {
      throw new BadRequestError(`credits would exceed the invoice (${original.subtotalYen} yen tax excluded, ${alreadyCredited} already credited)`, { fields: [{ field: 'body.lines', message: 'more than the invoice' }] });
    }
    const today = this.today();
    const note = await this.repository.insertInvoice(
      {
        organizationId: original.organizationId,
        contractId: original.contractId,
        kind: 'credit_note',
        billingMonth: null,
        creditsInvoiceId: original.id,
        issueDate: today,
        periodStart: original.periodStart,
        periodEnd: original.periodEnd,
        dueDate: today,
        issuerName: original.issuerName,
        issuerRegistrationNumber: original.issuerRegistrationNumber,
        issuerAddress: original.issuerAddress,
        recipientName: original.recipientName,
        note: `${original.invoiceNumber} の訂正: ${input.reason}`,
        subtotalYen: totals.subtotalYen,
        taxYen: totals.taxYen,
        totalYen: totals.totalYen,
        status: 'paid',
      },
      lines,
      `CN-${today.slice(0, 7).replace('-', '')}`,
    );
    if (!note) throw new Error('credit note was not stored');
    await this.audit.record(context, { action: 'invoice.credit_note', organizationId: note.organizationId, targetType: 'invoice', targetId: note.id, details: { credits: original.id, reason: input.reason, totalYen: note.totalYen } });
    await this.send(note, 'mail.creditNote.subject', 'mail.creditNote.body', { reason: input.reason });
    await this.repository.markMailed(ALL, note.id, this.clock.now());
    return note;
  }

  /**
   * The reminder job: unpaid invoices past their due date (Japan calendar, per the injected clock)
   * become overdue, and each overdue invoice is reminded by mail, again every REMINDER_INTERVAL_DAYS.
   */
  async runReminders(context: RequestContext): Promise<ReminderRunResult> {
    const now = this.clock.now();
    const markedOverdue = await this.repository.markOverdue(ALL, japanDate(now));
    let reminded = 0;
    for (const invoice of await this.repository.dueForReminder(ALL, new Date(now.getTime() - REMINDER_INTERVAL_DAYS * 86_400_000))) {
      await this.send(invoice, 'mail.invoiceReminder.subject', 'mail.invoiceReminder.body', {});
      await this.repository.markReminded(ALL, invoice.id, now);
      await this.audit.record(context, { action: 'invoice.reminder', organizationId: invoice.organizationId, targetType: 'invoice', targetId: invoice.id });
      reminded++;
    }
    return { markedOverdue, reminded };
  }

  /** The accounting export of a month (invoices of the month and credit notes issued in it). */
  async exportCsv(scope: AccessScope, month: string): Promise<string> {
    return invoiceCsv(await this.repository.list(tenantFilterOf(requireOperator(scope)), { month }));
  }

  private async send(invoice: Invoice, subject: MessageKey, body: MessageKey, extra: Record<string, string>): Promise<void> {
    const month = invoice.billingMonth ? `${invoice.billingMonth.slice(0, 4)}年${Number(invoice.billingMonth.slice(5))}月` : invoice.issueDate;
    for (const recipient of await this.repository.recipients(ALL, invoice.organizationId)) {
      const vars = {
        name: recipient.displayName,
        month,
        number: invoice.invoiceNumber,
        total: formatYen(invoice.totalYen),
        due: invoice.dueDate,
        link: `${this.settings.publicUrl}/api/v1/invoices/${invoice.id}/pdf`,
        ...extra,
      };
      // The outbox carries no attachments yet: the mail links to the PDF (sign-in required).
      await this.mail.enqueue({ organizationId: invoice.organizationId, to: recipient.email, subject: translate(recipient.locale, subject, vars), text: bilingual(recipient.locale, body, vars) });
    }
  }

  private today(): string {
    return japanDate(this.clock.now());
  }
}

function issuerSnapshot(issuer: IssuerSettings) {
  return {
    issuerName: issuer.issuerName,
    issuerRegistrationNumber: issuer.registrationNumber,
    issuerAddress: `〒${issuer.postalCode} ${issuer.address}${issuer.phone ? `\u3000TEL ${issuer.phone}` : ''}`,
  };
}

/** Billing is the operator's: only its staff (the route guard narrows to operator_admin). */
function requireOperator(scope: AccessScope | null): AccessScope {
  if (!scope || scope.organizationKind !== 'operator') throw new ForbiddenError('billing is managed by the operator');
  return scope;
}

function notFound(what: string): never {
  throw new NotFoundError(what);
}
