import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type Session, type TestPlatform } from '../testing/testPlatform.ts';

describe('audit log', () => {
  let platform: TestPlatform;
  let operator: Session;
  let ownerA: Session;
  let orgA: string;
  let orgB: string;

  beforeAll(async () => {
    platform = await startTestPlatform();
    const op = await platform.createOrganization({ kind: 'operator', name: '運営' });
    await platform.createUser(op, 'operator_admin', 'admin@audit.example');
    orgA = await platform.createOrganization({ kind: 'subscriber', name: 'A社', membership: 'member' });
    orgB = await platform.createOrganization({ kind: 'subscriber', name: 'B社', membership: 'member' });
    await platform.createUser(orgA, 'subscriber_admin', 'a@audit.example');
    await platform.createUser(orgB, 'subscriber_admin', 'b@audit.example');
    operator = await platform.signIn('admin@audit.example');
    ownerA = await platform.signIn('a@audit.example');
    const ownerB = await platform.signIn('b@audit.example');
    await platform.request(ownerA, 'POST', `/api/v1/organizations/${orgA}/sites`, { name: 'A本社' });
    await platform.request(ownerB, 'POST', `/api/v1/organizations/${orgB}/sites`, { name: 'B本社' });
  });
  afterAll(async () => platform?.close());

  it('records every write with actor, organization, target, IP and request id', async () => {
    const response = await platform.app.inject({
      method: 'PATCH',
      url: `/api/v1/organizations/${orgA}`,
      headers: { cookie: ownerA.cookie, 'x-csrf-token': ownerA.csrfToken, 'x-request-id': 'req-audit-1' },
      payload: { city: '大阪市北区' },
    });
    expect(response.statusCode).toBe(200);
    const entries = (await platform.request(operator, 'GET', '/api/v1/audit-log?action=organization.update')).json();
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      action: 'organization.update',
      organizationId: orgA,
      targetType: 'organization',
      targetId: orgA,
      ip: '127.0.0.1',
      requestId: 'req-audit-1',
      details: { city: '大阪市北区' },
    });
    expect(entries[0].actorUserId).toBeTruthy();
  });

  it('lets operator admins filter by organization and action prefix, newest first', async () => {
    const sites = (await platform.request(operator, 'GET', `/api/v1/audit-log?action=site.&organizationId=${orgB}`)).json();
    expect(sites.map((e: { action: string; organizationId: string }) => [e.action, e.organizationId])).toEqual([['site.create', orgB]]);
    const all = (await platform.request(operator, 'GET', '/api/v1/audit-log?limit=500')).json();
    const ids = all.map((e: { id: string }) => Number(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    const page = (await platform.request(operator, 'GET', `/api/v1/audit-log?limit=2&before=${ids[1]}`)).json();
    expect(page.map((e: { id: string }) => Number(e.id))).toEqual(ids.slice(2, 4));
  });

  it("shows a subscriber admin only its own organization's entries", async () => {
    const mine = (await platform.request(ownerA, 'GET', '/api/v1/audit-log?limit=500')).json();
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((e: { organizationId: string }) => e.organizationId === orgA)).toBe(true);
  });
});
