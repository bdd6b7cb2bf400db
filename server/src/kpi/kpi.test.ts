/**
 * GET /kpi/subscribers end to end: subscribers, contracts, invoices and a payment made through the
 * real services, then every figure checked against hand-computed values.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type Session, type TestPlatform } from '../testing/testPlatform.ts';

const cli = { scope: null, ip: null, requestId: 'kpi-test' };

describe('programme KPIs', () => {
  let platform: TestPlatform;
  let operator: Session;

  beforeAll(async () => {
    platform = await startTestPlatform(); // the clock stands at 2026-04-01 09:00 JST
    const operatorId = await platform.createOrganization({ kind: 'operator', name: '運営' });
    await platform.createUser(operatorId, 'operator_admin', 'op@kpi.example');
    await platform.createUser(operatorId, 'analyst', 'analyst@kpi.example');
    await platform.services.billingRepository.putIssuer(operatorId, { issuerName: '運営', registrationNumber: 'T7123456789012', postalCode: '540-0029', address: '大阪市', paymentTermDays: 30 }, platform.clock.now());

    const s1 = await platform.createOrganization({ kind: 'subscriber', name: '一号株式会社', membership: 'member', prefecture: '大阪府', city: '東大阪市' });
    const s2 = await platform.createOrganization({ kind: 'subscriber', name: '二号株式会社', membership: 'non_member', prefecture: '大阪府', city: '堺市堺区' });
    const s3 = await platform.createOrganization({ kind: 'subscriber', name: '三号株式会社', membership: 'member', prefecture: '京都府', city: '京都市' });
    await platform.createUser(s1, 'subscriber_admin', 'owner@s1.example');
    await platform.services.contracts.create(cli, { organizationId: s1, planCode: 'member', startDate: '2026-02-10' });
    await platform.services.contracts.create(cli, { organizationId: s2, planCode: 'non_member', startDate: '2026-03-01' });
    const c3 = await platform.services.contracts.create(cli, { organizationId: s3, planCode: 'member', startDate: '2026-02-01' });
    const opScope = { userId: null, tokenId: null, sessionId: null, organizationId: operatorId, organizationKind: 'operator' as const, role: 'operator_admin' as const };
    await platform.services.contracts.cancel({ ...cli, scope: opScope }, c3.id, { endDate: '2026-03-15', reason: '廃業' });

    // February: S1 19 of 28 days, floor(6000 × 19 ÷ 28) = 4071 + tax 407 = 4478; S3 whole month 6000 + 600.
    const feb = await platform.services.billing.runMonthly(cli, '2026-02');
    // March: S1 6600; S2 7500 + 750 = 8250; S3 15 of 31 days, floor(6000 × 15 ÷ 31) = 2903 + 290 = 3193.
    await platform.services.billing.runMonthly(cli, '2026-03');
    const s1Feb = (await platform.services.billing.list(opScope, { organizationId: s1, month: '2026-02' }))[0]!;
    expect(feb.invoiceIds).toContain(s1Feb.id);
    expect(s1Feb.totalYen).toBe(4478);
    platform.clock.set(new Date('2026-04-10T10:00:00+09:00'));
    await platform.services.billing.recordPayment({ ...cli, scope: opScope }, s1Feb.id, { paidOn: '2026-04-10', amountYen: 4478 });
    // Everything else was due 2026-05-01 and is still unpaid on 5/10.
    platform.clock.set(new Date('2026-05-10T10:00:00+09:00'));
    operator = await platform.signIn('op@kpi.example');
  });
  afterAll(async () => platform?.close());

  it('computes every month exactly', async () => {
    const response = await platform.request(operator, 'GET', '/api/v1/kpi/subscribers?from=2026-02&to=2026-05');
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.target).toEqual({ code: 'subscribers', name: '3年で3,000社', startMonth: '2026-04', months: 36, targetSubscribers: 3000 });
    expect(body.months).toEqual([
      { month: '2026-02', activeSubscribers: 2, activeMembers: 2, activeNonMembers: 0, newSubscribers: 2, churnedSubscribers: 0, churnRatePercent: null, targetSubscribers: 0, mrrYen: 12_000, invoicedYen: 4478 + 6600, creditedYen: 0, paidYen: 0 },
      { month: '2026-03', activeSubscribers: 2, activeMembers: 1, activeNonMembers: 1, newSubscribers: 1, churnedSubscribers: 1, churnRatePercent: 50, targetSubscribers: 0, mrrYen: 13_500, invoicedYen: 6600 + 8250 + 3193, creditedYen: 0, paidYen: 0 },
      { month: '2026-04', activeSubscribers: 2, activeMembers: 1, activeNonMembers: 1, newSubscribers: 0, churnedSubscribers: 0, churnRatePercent: 0, targetSubscribers: 83, mrrYen: 13_500, invoicedYen: 0, creditedYen: 0, paidYen: 4478 },
      { month: '2026-05', activeSubscribers: 2, activeMembers: 1, activeNonMembers: 1, newSubscribers: 0, churnedSubscribers: 0, churnRatePercent: 0, targetSubscribers: 167, mrrYen: 13_500, invoicedYen: 0, creditedYen: 0, paidYen: 0 },
    ]);
    expect(body.areas).toEqual([
      { prefecture: '大阪府', city: '堺市堺区', activeSubscribers: 1, activeMembers: 0, activeNonMembers: 1 },
      { prefecture: '大阪府', city: '東大阪市', activeSubscribers: 1, activeMembers: 1, activeNonMembers: 0 },
    ]);
    expect(body.overdue).toEqual({ asOf: '2026-05-10', count: 4, amountYen: 6600 + 6600 + 8250 + 3193 });
  });

  it('counts a credit note in the month it is issued', async () => {
    const op = { userId: null, tokenId: null, sessionId: null, organizationId: '', organizationKind: 'operator' as const, role: 'operator_admin' as const };
    const march = await platform.services.billing.list(op, { month: '2026-03' });
    const s3 = march.find((i) => i.totalYen === 3193)!;
    await platform.services.billing.createCreditNote({ ...cli, scope: op }, s3.id, { reason: '解約月の請求取消' });
    const body = (await platform.request(operator, 'GET', '/api/v1/kpi/subscribers?from=2026-05&to=2026-05')).json();
    expect(body.months[0].creditedYen).toBe(-3193);
  });

  it('defaults to the twelve months up to the current one', async () => {
    const body = (await platform.request(operator, 'GET', '/api/v1/kpi/subscribers')).json();
    expect([body.from, body.to, body.months.length]).toEqual(['2025-06', '2026-05', 12]);
  });

  it('reads the target line from data', async () => {
    await sql`update programme_targets set target_subscribers = 1200, start_month = '2026-03' where code = 'subscribers'`.execute(platform.database.db);
    const body = (await platform.request(operator, 'GET', '/api/v1/kpi/subscribers?from=2026-03&to=2026-04')).json();
    expect(body.months.map((m: { targetSubscribers: number }) => m.targetSubscribers)).toEqual([33, 67]); // 1200 × 1 ÷ 36, 1200 × 2 ÷ 36
  });

  it('refuses a backwards or too long range with a field error', async () => {
    const backwards = await platform.request(operator, 'GET', '/api/v1/kpi/subscribers?from=2026-05&to=2026-04');
    expect(backwards.statusCode).toBe(400);
    expect(JSON.stringify(backwards.json())).toContain('querystring.from');
    expect((await platform.request(operator, 'GET', '/api/v1/kpi/subscribers?from=2021-04&to=2026-04')).statusCode).toBe(400);
    expect((await platform.request(operator, 'GET', '/api/v1/kpi/subscribers?from=2021-05&to=2026-04')).statusCode).toBe(200);
    expect((await platform.request(operator, 'GET', '/api/v1/kpi/subscribers?from=2026-13')).statusCode).toBe(400);
  });

  it('is only for the operator admin', async () => {
    for (const email of ['analyst@kpi.example', 'owner@s1.example']) {
      const session = await platform.signIn(email);
      expect((await platform.request(session, 'GET', '/api/v1/kpi/subscribers')).statusCode, email).toBe(403);
    }
    expect((await platform.request(null, 'GET', '/api/v1/kpi/subscribers')).statusCode).toBe(401);
  });
});
