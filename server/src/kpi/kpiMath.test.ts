import { describe, expect, it } from 'vitest';
import { activeAtEnd, areaKpis, churnRatePercent, monthlyKpis, monthsBetween, priceOn, shiftMonth, targetFor, type KpiContract, type KpiPrice } from './kpiMath.ts';

const target = { code: 'subscribers', name: '3年で3,000社', startMonth: '2026-01', months: 36, targetSubscribers: 3000 };
const osaka = (city: string) => ({ prefecture: '大阪府', city });

// A fixture whose every figure is worked out by hand below.
const contracts: KpiContract[] = [
  { planCode: 'non_member', startDate: '2025-12-01', endDate: '2026-01-15', prefecture: null, city: null }, // G: churns in January
  { planCode: 'member', startDate: '2026-01-10', endDate: null, ...osaka('東大阪市') }, // A
  { planCode: 'non_member', startDate: '2026-01-31', endDate: '2026-03-31', ...osaka('堺市堺区') }, // B: its last day is March's last day
  { planCode: 'member', startDate: '2026-02-15', endDate: '2026-02-20', ...osaka('東大阪市') }, // C: in and out in February
  { planCode: 'member', startDate: '2026-02-01', endDate: null, ...osaka('東大阪市') }, // F
  { planCode: 'non_member', startDate: '2026-03-01', endDate: null, ...osaka('堺市堺区') }, // D
  { planCode: 'member', startDate: '2026-04-01', endDate: null, ...osaka('大阪市北区') }, // E: after the range
];
const prices: KpiPrice[] = [
  { code: 'member', monthlyPriceYen: 6000, validFrom: '2020-01-01' },
  { code: 'non_member', monthlyPriceYen: 7500, validFrom: '2020-01-01' },
  { code: 'member', monthlyPriceYen: 6500, validFrom: '2026-03-01' },
];

describe('KPI arithmetic', () => {
  it('walks months across a year end', () => {
    expect(monthsBetween('2025-11', '2026-02')).toEqual(['2025-11', '2025-12', '2026-01', '2026-02']);
    expect(monthsBetween('2026-03', '2026-03')).toEqual(['2026-03']);
    expect(monthsBetween('2026-04', '2026-03')).toEqual([]);
    expect(shiftMonth('2026-01', -1)).toBe('2025-12');
    expect(shiftMonth('2026-12', -11)).toBe('2026-01');
    expect(shiftMonth('2026-05', 24)).toBe('2028-05');
  });

  it('counts a contract active at a month end only when it continues past it', () => {
    expect(activeAtEnd({ startDate: '2026-01-31', endDate: null }, '2026-01')).toBe(true);
    expect(activeAtEnd({ startDate: '2026-02-01', endDate: null }, '2026-01')).toBe(false);
    expect(activeAtEnd({ startDate: '2026-01-01', endDate: '2026-03-31' }, '2026-03')).toBe(false);
    expect(activeAtEnd({ startDate: '2026-01-01', endDate: '2026-04-01' }, '2026-03')).toBe(true);
  });

  it('draws the target line from 0 to 3,000 over 36 months, rounded, then flat', () => {
    expect(targetFor(target, '2025-12')).toBe(0);
    expect(targetFor(target, '2026-01')).toBe(83); // 3000 × 1 ÷ 36 = 83.33
    expect(targetFor(target, '2026-02')).toBe(167); // 166.67
    expect(targetFor(target, '2026-03')).toBe(250);
    expect(targetFor(target, '2027-06')).toBe(1500); // month 18
    expect(targetFor(target, '2028-12')).toBe(3000); // month 36
    expect(targetFor(target, '2029-06')).toBe(3000);
  });

  it('reads the price in force on a date', () => {
    expect(priceOn(prices, 'member', '2026-02-28')).toBe(6000);
    expect(priceOn(prices, 'member', '2026-03-01')).toBe(6500);
    expect(priceOn(prices, 'non_member', '2026-03-31')).toBe(7500);
    expect(priceOn(prices, 'member', '2019-12-31')).toBe(0);
  });

  it('rounds churn to two decimals and has none without subscribers', () => {
    expect(churnRatePercent(1, 3)).toBe(33.33);
    expect(churnRatePercent(2, 3)).toBe(66.67);
    expect(churnRatePercent(0, 5)).toBe(0);
    expect(churnRatePercent(0, 0)).toBeNull();
  });

  it('computes every monthly figure of the fixture exactly', () => {
    const money = {
      invoiced: new Map([['2026-02', 11_078]]),
      credited: new Map([['2026-03', -3193]]),
      paid: new Map([['2026-03', 4478]]),
    };
    const months = monthlyKpis(['2026-01', '2026-02', '2026-03'], contracts, prices, target, money);
    expect(months).toEqual([
      // Dec: G active (1). Jan: A and B start, G ends (1 of 1 = 100%); A member, B non-member; MRR 6,000 + 7,500.
      { month: '2026-01', activeSubscribers: 2, activeMembers: 1, activeNonMembers: 1, newSubscribers: 2, churnedSubscribers: 1, churnRatePercent: 100, targetSubscribers: 83, mrrYen: 13_500, invoicedYen: 0, creditedYen: 0, paidYen: 0 },
      // Feb: C and F start, C ends; A, B, F active; MRR 6,000 × 2 + 7,500.
      { month: '2026-02', activeSubscribers: 3, activeMembers: 2, activeNonMembers: 1, newSubscribers: 2, churnedSubscribers: 1, churnRatePercent: 50, targetSubscribers: 167, mrrYen: 19_500, invoicedYen: 11_078, creditedYen: 0, paidYen: 0 },
      // Mar: D starts, B's last day is 3/31 so it churns in March; A, F (member at the new ¥6,500) and D.
      { month: '2026-03', activeSubscribers: 3, activeMembers: 2, activeNonMembers: 1, newSubscribers: 1, churnedSubscribers: 1, churnRatePercent: 33.33, targetSubscribers: 250, mrrYen: 20_500, invoicedYen: 0, creditedYen: -3193, paidYen: 4478 },
    ]);
    // active(M) = active(M−1) + new(M) − churned(M)
    let before = 1;
    for (const m of months) {
      expect(m.activeSubscribers).toBe(before + m.newSubscribers - m.churnedSubscribers);
      before = m.activeSubscribers;
    }
  });

  it('groups active subscribers by area, most first, ties by name', () => {
    expect(areaKpis(contracts, '2026-03')).toEqual([
      { prefecture: '大阪府', city: '東大阪市', activeSubscribers: 2, activeMembers: 2, activeNonMembers: 0 },
      { prefecture: '大阪府', city: '堺市堺区', activeSubscribers: 1, activeMembers: 0, activeNonMembers: 1 },
    ]);
    expect(areaKpis(contracts, '2025-12')).toEqual([{ prefecture: null, city: null, activeSubscribers: 1, activeMembers: 0, activeNonMembers: 1 }]);
    expect(areaKpis(contracts, '2026-04').map((a) => a.city)).toEqual(['東大阪市', '堺市堺区', '大阪市北区']);
  });
});
