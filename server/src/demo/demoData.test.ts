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

    const userCount = (await platform.database.db.selectFrom('users').select('id').execute()).length;
    expect(await loadDemoData(platform.services)).toBeNull();
    expect((await platform.database.db.selectFrom('organizations').select('id').execute()).length).toBe(orgs.length);
    expect((await platform.database.db.selectFrom('users').select('id').execute()).length).toBe(userCount);
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
