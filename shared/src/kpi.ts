import { z } from 'zod';
import { IsoDate, YearMonth } from './billing.ts';

/**
 * The operator's programme KPIs: subscribers month by month against the target line, by membership
 * and area, churn, monthly recurring revenue, invoiced and paid amounts, and what is overdue now.
 * Definitions (server/src/kpi/kpiMath.ts computes them):
 * - active at the end of a month: the contract started on or before its last day and does not end
 *   on or before it (a contract whose last day of service is the month's last day has churned in
 *   that month), so active(M) = active(M−1) + new(M) − churned(M);
 * - new: the contract starts in the month; churned: its end date (last day of service) is in the month;
 * - churn rate: churned ÷ active at the end of the month before, in percent with two decimals
 *   (null when nobody was active);
 * - MRR: the monthly price (tax excluded) in force on the month's last day of the current plan of
 *   every contract active at the month's end, in integer yen;
 * - target: the straight line from 0 to the target over the programme's months,
 *   round(target × months elapsed ÷ months), counting the start month as 1 and capped at the target.
 */
export const KpiQuery = z.object({
  from: YearMonth.optional().describe('first month, YYYY-MM; 11 months before `to` when omitted'),
  to: YearMonth.optional().describe('last month, YYYY-MM; the current month (Japan) when omitted'),
});
export type KpiQuery = z.infer<typeof KpiQuery>;

export const ProgrammeTarget = z
  .object({
    code: z.string(),
    name: z.string(),
    startMonth: YearMonth,
    months: z.number().int(),
    targetSubscribers: z.number().int(),
  })
  .meta({ id: 'ProgrammeTarget' });
export type ProgrammeTarget = z.infer<typeof ProgrammeTarget>;

export const SubscriberKpiMonth = z
  .object({
    month: YearMonth,
    activeSubscribers: z.number().int(),
    activeMembers: z.number().int(),
    activeNonMembers: z.number().int(),
    newSubscribers: z.number().int(),
    churnedSubscribers: z.number().int(),
    churnRatePercent: z.number().nullable(),
    targetSubscribers: z.number().int(),
    mrrYen: z.number().int().describe('monthly recurring revenue, tax excluded'),
    invoicedYen: z.number().int().describe('totals (tax included) of the invoices for this billing month'),
    creditedYen: z.number().int().describe('totals of credit notes issued in this month (zero or negative)'),
    paidYen: z.number().int().describe('payments recorded with a payment date in this month'),
  })
  .meta({ id: 'SubscriberKpiMonth' });
export type SubscriberKpiMonth = z.infer<typeof SubscriberKpiMonth>;

export const SubscriberKpiArea = z
  .object({ prefecture: z.string().nullable(), city: z.string().nullable(), activeSubscribers: z.number().int(), activeMembers: z.number().int(), activeNonMembers: z.number().int() })
  .meta({ id: 'SubscriberKpiArea' });
export type SubscriberKpiArea = z.infer<typeof SubscriberKpiArea>;

export const OverdueSummary = z
  .object({ asOf: IsoDate, count: z.number().int(), amountYen: z.number().int().describe('totals (tax included) of unpaid invoices past their due date') })
  .meta({ id: 'OverdueSummary' });
export type OverdueSummary = z.infer<typeof OverdueSummary>;

export const SubscriberKpis = z
  .object({
    from: YearMonth,
    to: YearMonth,
    target: ProgrammeTarget,
    months: z.array(SubscriberKpiMonth),
    areas: z.array(SubscriberKpiArea).describe('active subscribers at the end of `to`, by prefecture and city, most first'),
    overdue: OverdueSummary,
  })
  .meta({ id: 'SubscriberKpis' });
export type SubscriberKpis = z.infer<typeof SubscriberKpis>;
