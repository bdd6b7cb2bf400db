import { z } from 'zod';
import { Id, Membership, PostalCode } from './organizations.ts';

/** A calendar date in Japan time, YYYY-MM-DD. */
export const IsoDate = z.iso.date();
/** A billing month, YYYY-MM. */
export const YearMonth = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'month must be YYYY-MM, e.g. 2026-05');

/**
 * The check digit of a 13-digit 法人番号 / 適格請求書発行事業者登録番号 (its first digit): 9 − (Σ Pn × Qn mod 9),
 * Pn the n-th digit of the other 12 counted from the right, Qn 1 for odd n and 2 for even n
 * (法人番号の指定等に関する省令 第2条). Returns null when `digits` is not 13 digits.
 */
export function registrationCheckDigit(digits: string): number | null {
  if (!/^\d{13}$/.test(digits)) return null;
  const base = digits.slice(1);
  let sum = 0;
  for (let n = 1; n <= 12; n++) sum += Number(base[12 - n]) * (n % 2 === 1 ? 1 : 2);
  return 9 - (sum % 9);
}

/** 登録番号: "T" and 13 digits whose first digit checks the other twelve. */
export const RegistrationNumber = z
  .string()
  .trim()
  .regex(/^T\d{13}$/, 'registration number must be T followed by 13 digits, e.g. T7010705000725')
  .refine((v) => registrationCheckDigit(v.slice(1)) === Number(v[1]), 'registration number check digit does not match (mistyped digit?)');

export const PlanCode = Membership;
export type PlanCode = z.infer<typeof PlanCode>;

export const Plan = z
  .object({
    code: PlanCode,
    name: z.string(),
    monthlyPriceYen: z.number().int(),
    taxRatePercent: z.number().int(),
    initialCostYen: z.number().int(),
    validFrom: IsoDate,
  })
  .meta({ id: 'Plan' });
export type Plan = z.infer<typeof Plan>;

export const ContractStatus = z.enum(['scheduled', 'active', 'cancelling', 'ended']);
export const Contract = z
  .object({
    id: Id,
    organizationId: Id,
    planCode: PlanCode,
    startDate: IsoDate,
    minimumTermMonths: z.number().int().nullable(),
    endDate: IsoDate.nullable(),
    cancellationReason: z.string().nullable(),
    cancelledAt: z.iso.datetime().nullable(),
    membershipVerifiedAt: z.iso.datetime().nullable(),
    status: ContractStatus,
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'Contract' });
export type Contract = z.infer<typeof Contract>;

export const ContractCreate = z
  .object({
    organizationId: Id,
    planCode: PlanCode,
    startDate: IsoDate,
    minimumTermMonths: z.number().int().min(1).max(60).optional(),
  })
  .meta({ id: 'ContractCreate' });
export type ContractCreate = z.infer<typeof ContractCreate>;

export const ContractCancel = z
  .object({ endDate: IsoDate, reason: z.string().trim().min(1).max(500) })
  .meta({ id: 'ContractCancel' });
export type ContractCancel = z.infer<typeof ContractCancel>;

export const ContractPlanChange = z.object({ planCode: PlanCode }).meta({ id: 'ContractPlanChange' });
export type ContractPlanChange = z.infer<typeof ContractPlanChange>;

export const MembershipVerification = z
  .object({ verified: z.boolean(), note: z.string().trim().max(500).optional() })
  .meta({ id: 'MembershipVerification' });
export type MembershipVerification = z.infer<typeof MembershipVerification>;

export const ContractEvent = z
  .object({
    id: z.string(),
    contractId: Id,
    at: z.iso.datetime(),
    actorUserId: Id.nullable(),
    action: z.string(),
    details: z.record(z.string(), z.unknown()).nullable(),
  })
  .meta({ id: 'ContractEvent' });
export type ContractEvent = z.infer<typeof ContractEvent>;

export const IssuerSettingsUpdate = z
  .object({
    issuerName: z.string().trim().min(1).max(200),
    registrationNumber: RegistrationNumber,
    postalCode: PostalCode,
    address: z.string().trim().min(1).max(300),
    phone: z.string().trim().min(1).max(30).optional(),
    paymentTermDays: z.number().int().min(1).max(90).optional().describe("days from the issue date to the due date; 30 when omitted"),
  })
  .meta({ id: 'IssuerSettingsUpdate' });
export type IssuerSettingsUpdate = z.infer<typeof IssuerSettingsUpdate>;

export const IssuerSettings = z
  .object({
    organizationId: Id,
    issuerName: z.string(),
    registrationNumber: z.string(),
    postalCode: z.string(),
    address: z.string(),
    phone: z.string().nullable(),
    paymentTermDays: z.number().int(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'IssuerSettings' });
export type IssuerSettings = z.infer<typeof IssuerSettings>;

export const InvoiceKind = z.enum(['invoice', 'credit_note']);
export const InvoiceStatus = z.enum(['unpaid', 'paid', 'overdue']);
export type InvoiceStatus = z.infer<typeof InvoiceStatus>;

export const InvoiceLine = z
  .object({
    lineNo: z.number().int(),
    description: z.string(),
    periodStart: IsoDate.nullable(),
    periodEnd: IsoDate.nullable(),
    amountYen: z.number().int().describe('tax excluded; negative on credit notes'),
    taxRatePercent: z.number().int(),
  })
  .meta({ id: 'InvoiceLine' });
export type InvoiceLine = z.infer<typeof InvoiceLine>;

export const TaxSummary = z
  .object({ taxRatePercent: z.number().int(), amountYen: z.number().int(), taxYen: z.number().int() })
  .meta({ id: 'TaxSummary' });
export type TaxSummary = z.infer<typeof TaxSummary>;

export const Invoice = z
  .object({
    id: Id,
    organizationId: Id,
    contractId: Id.nullable(),
    kind: InvoiceKind,
    invoiceNumber: z.string(),
    billingMonth: YearMonth.nullable(),
    creditsInvoiceId: Id.nullable(),
    issueDate: IsoDate,
    periodStart: IsoDate,
    periodEnd: IsoDate,
    dueDate: IsoDate,
    issuerName: z.string(),
    issuerRegistrationNumber: z.string(),
    issuerAddress: z.string(),
    recipientName: z.string(),
    note: z.string().nullable(),
    lines: z.array(InvoiceLine),
    taxes: z.array(TaxSummary),
    subtotalYen: z.number().int(),
    taxYen: z.number().int(),
    totalYen: z.number().int(),
    status: InvoiceStatus,
    paidOn: IsoDate.nullable(),
    paidAmountYen: z.number().int().nullable(),
    reminderSentAt: z.iso.datetime().nullable(),
    mailedAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'Invoice' });
export type Invoice = z.infer<typeof Invoice>;

export const InvoiceQuery = z.object({
  organizationId: Id.optional(),
  month: YearMonth.optional(),
  status: InvoiceStatus.optional(),
});
export type InvoiceQuery = z.infer<typeof InvoiceQuery>;

export const BillingRunRequest = z.object({ month: YearMonth }).meta({ id: 'BillingRunRequest' });
export const BillingRunResult = z
  .object({ month: YearMonth, created: z.number().int(), existing: z.number().int(), mailed: z.number().int(), invoiceIds: z.array(Id) })
  .meta({ id: 'BillingRunResult' });
export type BillingRunResult = z.infer<typeof BillingRunResult>;

export const ReminderRunResult = z
  .object({ markedOverdue: z.number().int(), reminded: z.number().int() })
  .meta({ id: 'ReminderRunResult' });
export type ReminderRunResult = z.infer<typeof ReminderRunResult>;

export const PaymentRecord = z
  .object({ paidOn: IsoDate, amountYen: z.number().int().positive() })
  .meta({ id: 'PaymentRecord' });
export type PaymentRecord = z.infer<typeof PaymentRecord>;

export const CreditNoteCreate = z
  .object({
    reason: z.string().trim().min(1).max(500),
    /** What to credit (positive amounts, tax excluded); omitted: the whole original invoice. */
    lines: z
      .array(z.object({ description: z.string().trim().min(1).max(200), amountYen: z.number().int().positive(), taxRatePercent: z.literal(10) }))
      .min(1)
      .max(20)
      .optional(),
  })
  .meta({ id: 'CreditNoteCreate' });
export type CreditNoteCreate = z.infer<typeof CreditNoteCreate>;

export const InvoiceExportQuery = z.object({ month: YearMonth });
