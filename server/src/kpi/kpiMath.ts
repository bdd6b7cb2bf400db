/**
 * The programme KPIs as pure functions over contracts, plan prices and invoice sums: no clock, no
 * database. The definitions are written once, in shared/src/kpi.ts, and tested with exact values
 * in kpiMath.test.ts.
 */
import type { Membership, ProgrammeTarget, SubscriberKpiArea, SubscriberKpiMonth } from '@otasuke/shared';
import { monthBounds, previousMonth } from '../billing/money.ts';

export interface KpiContract {
  planCode: Membership;
  startDate: string;
  endDate: string | null;
  prefecture: string | null;
  city: string | null;
}

export interface KpiPrice {
  code: Membership;
  monthlyPriceYen: number;
  validFrom: string;
}

/** Sums of money per month (YYYY-MM → yen). */
export interface KpiMoney {
  invoiced: ReadonlyMap<string, number>;
  credited: ReadonlyMap<string, number>;
  paid: ReadonlyMap<string, number>;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Months from `from` to `to`, both included. */
export function monthsBetween(from: string, to: string): string[] {
  const [fy, fm] = from.split('-').map(Number) as [number, number];
  const [ty, tm] = to.split('-').map(Number) as [number, number];
  const out: string[] = [];
  for (let i = fy * 12 + fm - 1; i <= ty * 12 + tm - 1; i++) out.push(`${Math.floor(i / 12)}-${pad((i % 12) + 1)}`);
  return out;
}

/** `month` moved by `delta` months. */
export function shiftMonth(month: string, delta: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const i = y * 12 + m - 1 + delta;
  return `${Math.floor(i / 12)}-${pad((i % 12) + 1)}`;
}

/** In service on the month's last day and not ending on it. */
export function activeAtEnd(contract: Pick<KpiContract, 'startDate' | 'endDate'>, month: string): boolean {
  const last = monthBounds(month).last;
  return contract.startDate <= last && (contract.endDate === null || contract.endDate > last);
}

/** The target line: round(target × elapsed ÷ months), the start month counting 1, capped; 0 before the start. */
export function targetFor(target: Pick<ProgrammeTarget, 'startMonth' | 'months' | 'targetSubscribers'>, month: string): number {
  if (month < target.startMonth) return 0;
  const elapsed = Math.min(monthsBetween(target.startMonth, month).length, target.months);
  return Math.round((target.targetSubscribers * elapsed) / target.months);
}

/** The monthly price of a plan in force on `date` (the latest valid_from not after it); 0 when none. */
export function priceOn(prices: readonly KpiPrice[], code: Membership, date: string): number {
  let best: KpiPrice | undefined;
  for (const p of prices) if (p.code === code && p.validFrom <= date && (!best || p.validFrom > best.validFrom)) best = p;
  return best?.monthlyPriceYen ?? 0;
}

/** Churned ÷ active at the end of the month before, in percent with two decimals; null when nobody was active. */
export function churnRatePercent(churned: number, activeBefore: number): number | null {
  if (activeBefore === 0) return null;
  return Math.round((churned * 10_000) / activeBefore) / 100;
}

export function monthlyKpis(months: readonly string[], contracts: readonly KpiContract[], prices: readonly KpiPrice[], target: ProgrammeTarget, money: KpiMoney): SubscriberKpiMonth[] {
  return months.map((month) => {
    const { first, last } = monthBounds(month);
    const before = previousMonth(month);
    let activeMembers = 0;
    let activeNonMembers = 0;
    let activeBefore = 0;
    let newSubscribers = 0;
    let churnedSubscribers = 0;
    let mrrYen = 0;
    for (const c of contracts) {
      if (activeAtEnd(c, before)) activeBefore++;
      if (c.startDate >= first && c.startDate <= last) newSubscribers++;
      if (c.endDate !== null && c.endDate >= first && c.endDate <= last) churnedSubscribers++;
      if (!activeAtEnd(c, month)) continue;
      if (c.planCode === 'member') activeMembers++;
      else activeNonMembers++;
      mrrYen += priceOn(prices, c.planCode, last);
    }
    return {
      month,
      activeSubscribers: activeMembers + activeNonMembers,
      activeMembers,
      activeNonMembers,
      newSubscribers,
      churnedSubscribers,
      churnRatePercent: churnRatePercent(churnedSubscribers, activeBefore),
      targetSubscribers: targetFor(target, month),
      mrrYen,
      invoicedYen: money.invoiced.get(month) ?? 0,
      creditedYen: money.credited.get(month) ?? 0,
      paidYen: money.paid.get(month) ?? 0,
    };
  });
}

/** Active subscribers at the end of `month` by prefecture and city, most first, then by name. */
export function areaKpis(contracts: readonly KpiContract[], month: string): SubscriberKpiArea[] {
  const byArea = new Map<string, SubscriberKpiArea>();
  for (const c of contracts) {
    if (!activeAtEnd(c, month)) continue;
    const key = JSON.stringify([c.prefecture, c.city]);
    const area = byArea.get(key) ?? { prefecture: c.prefecture, city: c.city, activeSubscribers: 0, activeMembers: 0, activeNonMembers: 0 };
    area.activeSubscribers++;
    if (c.planCode === 'member') area.activeMembers++;
    else area.activeNonMembers++;
    byArea.set(key, area);
  }
  const name = (a: SubscriberKpiArea) => `${a.prefecture ?? '\uffff'}${a.city ?? '\uffff'}`;
  return [...byArea.values()].sort((a, b) => b.activeSubscribers - a.activeSubscribers || (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0));
}
