/**
 * The money rules of billing, as pure functions over integer yen and ISO dates (YYYY-MM-DD, Japan
 * calendar). Nothing here reads a clock or a database, so every rule is tested with exact values
 * (money.test.ts).
 *
 * Rules (also in docs/architecture.md, "Billing"):
 * - Billing is monthly in arrears: the invoice for a month is issued after the month ends and
 *   covers the days of that month during which the contract was in service (start date and end
 *   date both count as days of service).
 * - Proration: a month not wholly in service is charged
 *     floor(monthly price × days in service ÷ days in that month)
 *   i.e. daily proration by the actual length of the month, rounded down to the yen once per line.
 *   A whole month is the monthly price exactly.
 * - Consumption tax is computed once per invoice per tax rate (the 適格請求書 rule: one rounding per
 *   rate per invoice, never per line): tax = the sum of the tax-excluded amounts at that rate ×
 *   rate ÷ 100, rounded toward zero (切り捨て). Credit notes carry negative amounts; rounding toward
 *   zero makes a full credit note the exact mirror of the invoice it corrects.
 * - Total = tax-excluded subtotal + tax. All amounts are integers of yen.
 */

export interface MonthBounds {
  first: string;
  last: string;
  days: number;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

export function daysInMonth(month: string): number {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

export function monthBounds(month: string): MonthBounds {
  const days = daysInMonth(month);
  return { first: `${month}-01`, last: `${month}-${pad(days)}`, days };
}

/** The month before `month` (YYYY-MM). */
export function previousMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 1 ? `${y - 1}-12` : `${y}-${pad(m - 1)}`;
}

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** The same day `months` later, clamped to the month's end (1/31 + 1 month = 2/28 or 2/29). */
export function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const total = y * 12 + (m - 1) + months;
  const month = `${Math.floor(total / 12)}-${pad((total % 12) + 1)}`;
  return `${month}-${pad(Math.min(d, daysInMonth(month)))}`;
}

/** Days from `from` to `to`, both included. */
export function daysBetweenInclusive(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;
}

/** The calendar date in Japan (UTC+9, no daylight saving) at an instant. */
export function japanDate(at: Date): string {
  return new Date(at.getTime() + 9 * 3_600_000).toISOString().slice(0, 10);
}

export interface ServicePeriod {
  from: string;
  to: string;
  days: number;
  daysInMonth: number;
}

/** The part of `month` during which a contract from `startDate` to `endDate` (null: open) is in service. */
export function servicePeriodInMonth(month: string, startDate: string, endDate: string | null): ServicePeriod | null {
  const bounds = monthBounds(month);
  const from = startDate > bounds.first ? startDate : bounds.first;
  const to = endDate !== null && endDate < bounds.last ? endDate : bounds.last;
  if (from > to) return null;
  return { from, to, days: daysBetweenInclusive(from, to), daysInMonth: bounds.days };
}

/** floor(monthly price × days in service ÷ days in month); the whole price for a whole month. */
export function proratedAmount(monthlyPriceYen: number, daysInService: number, daysInMonthCount: number): number {
  assertYen(monthlyPriceYen);
  if (!Number.isInteger(daysInService) || !Number.isInteger(daysInMonthCount) || daysInMonthCount < 28 || daysInMonthCount > 31) {
    throw new RangeError(`bad day counts ${daysInService}/${daysInMonthCount}`);
  }
  if (daysInService < 0 || daysInService > daysInMonthCount) throw new RangeError(`days in service ${daysInService} outside 0..${daysInMonthCount}`);
  // Integers well below 2^53: the product is exact, and so is the integer division.
  return Math.floor((monthlyPriceYen * daysInService) / daysInMonthCount);
}

export interface MoneyLine {
  amountYen: number;
  taxRatePercent: number;
}

export interface TaxLine {
  taxRatePercent: number;
  amountYen: number;
  taxYen: number;
}

export interface InvoiceTotals {
  taxes: TaxLine[];
  subtotalYen: number;
  taxYen: number;
  totalYen: number;
}

/** Tax on one rate's sum, rounded toward zero (切り捨て; negative sums of credit notes mirror positive ones). */
export function taxOf(amountYen: number, taxRatePercent: number): number {
  assertYen(amountYen);
  const magnitude = Math.floor((Math.abs(amountYen) * taxRatePercent) / 100);
  return amountYen < 0 && magnitude > 0 ? -magnitude : magnitude;
}

/** Amounts summed per tax rate, tax computed once per rate, then the totals. Rates in ascending order. */
export function invoiceTotals(lines: readonly MoneyLine[]): InvoiceTotals {
  const byRate = new Map<number, number>();
  for (const line of lines) {
    assertYen(line.amountYen);
    byRate.set(line.taxRatePercent, (byRate.get(line.taxRatePercent) ?? 0) + line.amountYen);
  }
  const taxes = [...byRate.entries()]
    .sort(([a], [b]) => a - b)
    .map(([taxRatePercent, amountYen]) => ({ taxRatePercent, amountYen, taxYen: taxOf(amountYen, taxRatePercent) }));
  const subtotalYen = taxes.reduce((sum, t) => sum + t.amountYen, 0);
  const taxYen = taxes.reduce((sum, t) => sum + t.taxYen, 0);
  return { taxes, subtotalYen, taxYen, totalYen: subtotalYen + taxYen };
}

export interface MonthlyCharge {
  description: string;
  periodStart: string;
  periodEnd: string;
  amountYen: number;
  taxRatePercent: number;
  prorated: boolean;
}

/** The line a contract is charged for a month, or null when it was not in service that month. */
export function monthlyCharge(
  month: string,
  contract: { startDate: string; endDate: string | null },
  plan: { name: string; monthlyPriceYen: number; taxRatePercent: number },
): MonthlyCharge | null {
  const period = servicePeriodInMonth(month, contract.startDate, contract.endDate);
  if (!period) return null;
  const prorated = period.days !== period.daysInMonth;
  const amountYen = proratedAmount(plan.monthlyPriceYen, period.days, period.daysInMonth);
  const [y, m] = month.split('-');
  const description = prorated
    ? `${plan.name} ${y}年${Number(m)}月分（日割 ${period.days}/${period.daysInMonth}日）`
    : `${plan.name} ${y}年${Number(m)}月分`;
  return { description, periodStart: period.from, periodEnd: period.to, amountYen, taxRatePercent: plan.taxRatePercent, prorated };
}

/** ¥1,234 / -¥1,234 */
export function formatYen(amountYen: number): string {
  const text = Math.abs(amountYen).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${amountYen < 0 ? '-' : ''}¥${text}`;
}

function assertYen(value: number): void {
  if (!Number.isSafeInteger(value)) throw new RangeError(`amount ${value} is not an integer number of yen`);
}
