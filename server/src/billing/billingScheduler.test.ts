import { afterAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../testing/testPlatform.ts';
import { BillingScheduler } from './billingScheduler.ts';

describe('billing scheduler', () => {
  let platform: TestPlatform;
  afterAll(async () => platform?.close());

  it('issues last month once per subscriber however often it ticks, and reminds when overdue', async () => {
    platform = await startTestPlatform();
    const cli = { scope: null, ip: null, requestId: 'setup' };
    platform.clock.set(new Date('2026-05-31T23:00:00+09:00'));
    const operatorId = await platform.createOrganization({ kind: 'operator', name: '運営' });
    await platform.services.billingRepository.putIssuer(operatorId, { issuerName: '運営', registrationNumber: 'T7123456789012', postalCode: '540-0029', address: '大阪市' }, platform.clock.now());
    const orgId = await platform.createOrganization({ kind: 'subscriber', name: '一号商店', membership: 'member' });
    await platform.createUser(orgId, 'subscriber_admin', 'admin@one.example');
    await platform.services.contracts.create(cli, { organizationId: orgId, planCode: 'member', startDate: '2026-04-01' });
    const warnings: unknown[] = [];
    const scheduler = new BillingScheduler(platform.services.billing, platform.clock, { info: () => {}, warn: (d) => warnings.push(d), error: () => {} });
    const invoices = () => platform.database.db.selectFrom('invoices').select(['billingMonth', 'totalYen', 'status']).orderBy('billingMonth').execute();

    await scheduler.tick(); // 2026-05-31 (JST): April is billed
    expect(await invoices()).toEqual([{ billingMonth: '2026-04', totalYen: 6600, status: 'unpaid' }]);
    platform.clock.set(new Date('2026-06-01T00:30:00+09:00')); // 15:30 UTC on 05-31, already June in Japan
    await Promise.all([scheduler.tick(), scheduler.tick()]);
    await scheduler.tick();
    expect(await invoices()).toEqual([
      { billingMonth: '2026-04', totalYen: 6600, status: 'unpaid' },
      { billingMonth: '2026-05', totalYen: 6600, status: 'unpaid' },
    ]);
    // April's invoice was issued 05-31, due 30 days later (06-30); on 07-01 it is overdue and reminded.
    platform.clock.set(new Date('2026-07-01T09:00:00+09:00'));
    await scheduler.tick();
    expect((await invoices()).map((i) => i.status)).toEqual(['overdue', 'unpaid', 'unpaid']);
    const reminders = (await platform.services.outbox.list({ kind: 'all' }, { limit: 50 })).filter((m) => m.subject.includes('お支払期限'));
    expect(reminders).toHaveLength(1);
    expect(warnings).toEqual([]);
    scheduler.start(10);
    await scheduler.stop();
  });
});
