import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rolesByOrganizationKind, roles } from '@otasuke/shared';
import { startTestPlatform, type TestPlatform } from '../testing/testPlatform.ts';
import { demoOperatorName, loadDemoData } from './demoData.ts';

describe('demo data', () => {
  let platform: TestPlatform;
  beforeAll(async () => {
    platform = await startTestPlatform();
  });
  afterAll(async () => platform?.close());

  it('creates every kind of organization and a user for every role, once', async () => {
    const logins = await loadDemoData(platform.services);
    expect(logins).not.toBeNull();
    expect(new Set(logins!.map((l) => l.role))).toEqual(new Set(roles));
    const orgs = await platform.database.db.selectFrom('organizations').selectAll().execute();
    expect(orgs.find((o) => o.kind === 'operator')?.name).toBe(demoOperatorName);
    const subscribers = orgs.filter((o) => o.kind === 'subscriber');
    expect(subscribers).toHaveLength(3);
    expect(subscribers.map((s) => s.membership).sort()).toEqual(['member', 'member', 'non_member']);
    expect(subscribers.every((s) => s.prefecture === '大阪府')).toBe(true);
    for (const kind of Object.keys(rolesByOrganizationKind)) expect(orgs.some((o) => o.kind === kind)).toBe(true);

    // Under contract from past months, billed every finished month, one invoice overdue.
    const contracts = await platform.database.db.selectFrom('contracts').selectAll().execute();
    expect(contracts.map((c) => [c.planCode, c.startDate]).sort()).toEqual([['member', '2025-09-10'], ['member', '2025-11-01'], ['non_member', '2026-01-15']]);
    const invoices = await platform.database.db.selectFrom('invoices').selectAll().execute();
    expect(invoices.map((i) => i.billingMonth).sort()).toEqual([
      '2025-09', '2025-10', '2025-11', '2025-11', '2025-12', '2025-12', '2026-01', '2026-01', '2026-01', '2026-02', '2026-02', '2026-02', '2026-03', '2026-03', '2026-03',
    ]);
    expect(invoices.filter((i) => i.status === 'overdue').map((i) => [i.recipientName, i.billingMonth])).toEqual([['堺みなと物流株式会社', '2026-02']]);
    expect(invoices.filter((i) => i.status === 'unpaid').map((i) => i.billingMonth)).toEqual(['2026-03', '2026-03', '2026-03']);
    const userCount = (await platform.database.db.selectFrom('users').select('id').execute()).length;
    const invoiceCount = invoices.length;
    expect(await loadDemoData(platform.services)).toBeNull();
    expect((await platform.database.db.selectFrom('organizations').select('id').execute()).length).toBe(orgs.length);
    expect((await platform.database.db.selectFrom('users').select('id').execute()).length).toBe(userCount);
    expect((await platform.database.db.selectFrom('invoices').select('id').execute()).length).toBe(invoiceCount);
  });

  it('prints logins that work', async () => {
    await platform.database.db.deleteFrom('organizations').execute();
    const logins = (await loadDemoData(platform.services))!;
    const owner = logins.find((l) => l.role === 'subscriber_admin')!;
    const session = await platform.signIn(owner.email, owner.password);
    const me = (await platform.request(session, 'GET', '/api/v1/auth/me')).json();
    expect(me.organization.name).toBe(owner.organization);
  });
});
