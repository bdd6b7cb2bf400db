import { registrationCheckDigit, RegistrationNumber } from '@otasuke/shared';
import { describe, expect, it } from 'vitest';
import {
  addDays, addMonths, daysBetweenInclusive, daysInMonth, formatYen, invoiceTotals, japanDate, monthBounds, monthlyCharge, previousMonth, proratedAmount,
  servicePeriodInMonth, taxOf,
} from './money.ts';

const member = { name: 'お助け隊サービス（会員）', monthlyPriceYen: 6000, taxRatePercent: 10 };
const nonMember = { name: 'お助け隊サービス（非会員）', monthlyPriceYen: 7500, taxRatePercent: 10 };

describe('calendar', () => {
  it('knows the length of every month, leap years included', () => {
    expect(['2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10', '2026-11', '2026-12'].map(daysInMonth)).toEqual([
      31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31,
    ]);
    expect(daysInMonth('2028-02')).toBe(29);
    expect(daysInMonth('2100-02')).toBe(28);
    expect(daysInMonth('2000-02')).toBe(29);
    expect(monthBounds('2026-02')).toEqual({ first: '2026-02-01', last: '2026-02-28', days: 28 });
  });

  it('moves by days and months', () => {
    expect(previousMonth('2026-01')).toBe('2025-12');
    expect(previousMonth('2026-10')).toBe('2026-09');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonths('2027-12-31', 2)).toBe('2028-02-29');
    expect(addMonths('2026-04-10', 12)).toBe('2027-04-10');
    expect(addMonths('2026-11-15', 3)).toBe('2027-02-15');
    expect(daysBetweenInclusive('2026-05-20', '2026-05-31')).toBe(12);
    expect(daysBetweenInclusive('2026-05-20', '2026-05-20')).toBe(1);
  });

  it('reads the date in Japan, not in UTC', () => {
    expect(japanDate(new Date('2026-05-31T14:59:59Z'))).toBe('2026-05-31');
    expect(japanDate(new Date('2026-05-31T15:00:00Z'))).toBe('2026-06-01');
  });

  it('finds the days in service within a month', () => {
    expect(servicePeriodInMonth('2026-05', '2026-05-20', null)).toEqual({ from: '2026-05-20', to: '2026-05-31', days: 12, daysInMonth: 31 });
    expect(servicePeriodInMonth('2026-06', '2026-05-20', null)).toEqual({ from: '2026-06-01', to: '2026-06-30', days: 30, daysInMonth: 30 });
    expect(servicePeriodInMonth('2026-07', '2026-05-20', '2026-07-10')).toEqual({ from: '2026-07-01', to: '2026-07-10', days: 10, daysInMonth: 31 });
    expect(servicePeriodInMonth('2026-05', '2026-05-10', '2026-05-19')).toEqual({ from: '2026-05-10', to: '2026-05-19', days: 10, daysInMonth: 31 });
    expect(servicePeriodInMonth('2026-04', '2026-05-20', null)).toBeNull();
    expect(servicePeriodInMonth('2026-08', '2026-05-20', '2026-07-31')).toBeNull();
  });
});

describe('proration: floor(monthly price × days in service ÷ days in month)', () => {
  it('charges a whole month exactly', () => {
    for (const days of [28, 29, 30, 31]) {
      expect(proratedAmount(6000, days, days)).toBe(6000);
      expect(proratedAmount(7500, days, days)).toBe(7500);
    }
    expect(proratedAmount(6000, 0, 31)).toBe(0);
  });

  it('rounds partial months down to the yen', () => {
    expect(proratedAmount(6000, 12, 31)).toBe(2322); // 72,000 / 31 = 2,322.58…
    expect(proratedAmount(7500, 12, 31)).toBe(2903); // 90,000 / 31 = 2,903.22…
    expect(proratedAmount(6000, 10, 31)).toBe(1935); // 60,000 / 31 = 1,935.48…
    expect(proratedAmount(7500, 10, 31)).toBe(2419); // 75,000 / 31 = 2,419.35…
    expect(proratedAmount(6000, 1, 31)).toBe(193); // 6,000 / 31 = 193.54…
    expect(proratedAmount(7500, 1, 28)).toBe(267); // 7,500 / 28 = 267.85…
    expect(proratedAmount(6000, 15, 30)).toBe(3000); // exact
    expect(proratedAmount(7500, 14, 29)).toBe(3620); // 105,000 / 29 = 3,620.68…
    expect(proratedAmount(6000, 30, 31)).toBe(5806); // 180,000 / 31 = 5,806.45…
  });

  it('refuses what is not a day count or a yen amount', () => {
    expect(() => proratedAmount(6000.5, 1, 31)).toThrow(RangeError);
    expect(() => proratedAmount(6000, 32, 31)).toThrow(RangeError);
    expect(() => proratedAmount(6000, -1, 31)).toThrow(RangeError);
    expect(() => proratedAmount(6000, 1, 27)).toThrow(RangeError);
    expect(() => proratedAmount(6000, 1.5, 31)).toThrow(RangeError);
  });

  it('builds the monthly line for first, full and last months', () => {
    const contract = { startDate: '2026-05-20', endDate: '2026-07-10' };
    expect(monthlyCharge('2026-04', contract, member)).toBeNull();
    expect(monthlyCharge('2026-05', contract, member)).toEqual({
      description: 'お助け隊サービス（会員） 2026年5月分（日割 12/31日）', periodStart: '2026-05-20', periodEnd: '2026-05-31', amountYen: 2322, taxRatePercent: 10, prorated: true,
    });
    expect(monthlyCharge('2026-06', contract, nonMember)).toEqual({
      description: 'お助け隊サービス（非会員） 2026年6月分', periodStart: '2026-06-01', periodEnd: '2026-06-30', amountYen: 7500, taxRatePercent: 10, prorated: false,
    });
    expect(monthlyCharge('2026-07', contract, nonMember)?.amountYen).toBe(2419);
    expect(monthlyCharge('2026-08', contract, nonMember)).toBeNull();
  });
});

describe('tax: once per invoice per rate, rounded toward zero', () => {
  it('rounds down', () => {
    expect(taxOf(6000, 10)).toBe(600);
    expect(taxOf(7500, 10)).toBe(750);
    expect(taxOf(2322, 10)).toBe(232); // 232.2
    expect(taxOf(2903, 10)).toBe(290); // 290.3
    expect(taxOf(1935, 10)).toBe(193); // 193.5
    expect(taxOf(2419, 10)).toBe(241); // 241.9
    expect(taxOf(9, 10)).toBe(0);
    expect(taxOf(999, 8)).toBe(79); // 79.92
    expect(taxOf(0, 10)).toBe(0);
  });

  it('mirrors negative amounts of credit notes', () => {
    expect(taxOf(-2419, 10)).toBe(-241);
    expect(taxOf(-9, 10)).toBe(0);
  });

  it('sums lines per rate before rounding (not per line)', () => {
    // Per line: floor(0.5) + floor(0.5) = 0; per invoice: floor(10 × 10%) = 1.
    expect(invoiceTotals([{ amountYen: 5, taxRatePercent: 10 }, { amountYen: 5, taxRatePercent: 10 }])).toEqual({
      taxes: [{ taxRatePercent: 10, amountYen: 10, taxYen: 1 }],
      subtotalYen: 10,
      taxYen: 1,
      totalYen: 11,
    });
    // Two rates: each rounded once, rates in ascending order.
    expect(
      invoiceTotals([
        { amountYen: 1999, taxRatePercent: 10 },
        { amountYen: 999, taxRatePercent: 8 },
        { amountYen: 2322, taxRatePercent: 10 },
      ]),
    ).toEqual({
      taxes: [
        { taxRatePercent: 8, amountYen: 999, taxYen: 79 }, // 79.92
        { taxRatePercent: 10, amountYen: 4321, taxYen: 432 }, // 432.1
      ],
      subtotalYen: 5320,
      taxYen: 511,
      totalYen: 5831,
    });
  });

  it('gives the seed prices: ¥6,600 and ¥8,250 a month', () => {
    expect(invoiceTotals([{ amountYen: 6000, taxRatePercent: 10 }]).totalYen).toBe(6600);
    expect(invoiceTotals([{ amountYen: 7500, taxRatePercent: 10 }]).totalYen).toBe(8250);
    expect(invoiceTotals([])).toEqual({ taxes: [], subtotalYen: 0, taxYen: 0, totalYen: 0 });
  });

  it('makes a full credit note the exact negative of its invoice', () => {
    const invoice = invoiceTotals([{ amountYen: 2903, taxRatePercent: 10 }]);
    const credit = invoiceTotals([{ amountYen: -2903, taxRatePercent: 10 }]);
    expect(credit).toEqual({ taxes: [{ taxRatePercent: 10, amountYen: -2903, taxYen: -290 }], subtotalYen: -2903, taxYen: -290, totalYen: -3193 });
    expect(credit.totalYen).toBe(-invoice.totalYen);
  });

  it('refuses fractional yen', () => {
    expect(() => invoiceTotals([{ amountYen: 1.5, taxRatePercent: 10 }])).toThrow(RangeError);
  });

  it('formats yen', () => {
    expect(formatYen(6600)).toBe('¥6,600');
    expect(formatYen(1234567)).toBe('¥1,234,567');
    expect(formatYen(-3193)).toBe('-¥3,193');
    expect(formatYen(0)).toBe('¥0');
  });
});

describe('registration number (登録番号)', () => {
  it('computes the check digit of the 法人番号 rule', () => {
    // 12 digits 123456789012 from the right ×1,×2,…: 2+2+0+18+8+14+6+10+4+6+2+2 = 74; 74 mod 9 = 2; 9 − 2 = 7.
    expect(registrationCheckDigit('7123456789012')).toBe(7);
    expect(registrationCheckDigit('7010705000725')).toBe(7);
    expect(registrationCheckDigit('4011001098993')).toBe(4);
    expect(registrationCheckDigit('123')).toBeNull();
  });

  it('accepts T + 13 digits with a matching check digit and explains what is wrong otherwise', () => {
    expect(RegistrationNumber.parse(' T7123456789012 ')).toBe('T7123456789012');
    const wrongDigit = RegistrationNumber.safeParse('T7123456789013');
    expect(wrongDigit.success).toBe(false);
    expect(wrongDigit.error?.issues[0]?.message).toMatch(/check digit/);
    for (const bad of ['7123456789012', 'T712345678901', 'T71234567890123', 't7123456789012', 'T712345678901A']) {
      expect(RegistrationNumber.safeParse(bad).error?.issues[0]?.message, bad).toMatch(/T followed by 13 digits/);
    }
  });
});
