/**
 * What the desk's pages need from the API (issue #8's console): queue filters and SLA sorting, the
 * queue's counters, the agents to assign, the subscriber's live context, comment authorship as each
 * side may see it, canned replies edited and deleted (audited), and a remote session the customer
 * declines. Real database (PGlite, or PostgreSQL with OTASUKE_TEST_DATABASE_URL), ManualClock.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type Session, type TestPlatform } from '../testing/testPlatform.ts';

const cli = { scope: null, ip: null, requestId: 'setup' };

let platform: TestPlatform;
let desk: Session;
let customer: Session;
let member: Session;
const ids = { org: '', site: '', desk: '', customer: '', phone: '', portal: '' };

type TicketJson = { id: string; number: string; organizationName: string | null; assigneeName: string | null; sla: { firstResponse: string; resolution: string } };

async function tickets(query: string): Promise<TicketJson[]> {
  const response = await platform.request(desk, 'GET', `/api/v1/helpdesk/tickets?${query}`);
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
}

async function auditActions(targetId: string): Promise<string[]> {
  return (await sql<{ action: string }>`select action from audit_log where target_id = ${targetId} order by id`.execute(platform.database.db)).rows.map((r) => r.action);
}

beforeAll(async () => {
  platform = await startTestPlatform();
  const operator = await platform.createOrganization({ kind: 'operator', name: '運営' });
  ids.desk = await platform.createUser(operator, 'helpdesk', 'desk@otasuke.example');
  desk = await platform.signIn('desk@otasuke.example');
  ids.org = await platform.createOrganization({ kind: 'subscriber', name: '天満橋印刷株式会社', membership: 'member', prefecture: '大阪府', city: '大阪市中央区' });
  ids.customer = await platform.createUser(ids.org, 'subscriber_admin', 'owner@tenma.example');
  await platform.createUser(ids.org, 'subscriber_member', 'staff@tenma.example');
  const scope = { userId: ids.customer, tokenId: null, sessionId: null, organizationId: ids.org, organizationKind: 'subscriber' as const, role: 'subscriber_admin' as const };
  ids.site = (await platform.services.organizations.createSite({ ...cli, scope }, ids.org, { name: '本社', address: '大阪市中央区天満橋1-1', postalCode: '540-0001' })).id;
  await platform.services.notifications.createContact({ ...cli, scope }, ids.org, { role: 'primary', name: '天満 太郎', email: 'owner@tenma.example', phone: '06-1234-0000', locale: 'ja', channels: ['email'] });
  customer = await platform.signIn('owner@tenma.example');
  member = await platform.signIn('staff@tenma.example');
  // 2026-04-01 09:00 JST (a Wednesday): a phone call (answered while talking) and a help-button request.
  const phone = await platform.request(desk, 'POST', '/api/v1/helpdesk/tickets', { organizationId: ids.org, callerName: '天満 太郎', subject: 'プリンターが使えない', description: '印刷できない', category: 'network', priority: 'low' });
  expect(phone.statusCode, phone.body).toBe(200);
  ids.phone = phone.json().ticket.id;
  const portal = await platform.request(customer, 'POST', '/api/v1/helpdesk/help-requests', { subject: '助けてください', description: '画面に警告が出ました', category: 'other' });
  expect(portal.statusCode, portal.body).toBe(200);
  ids.portal = portal.json().ticket.id;
});

afterAll(async () => platform?.close());

describe('the help desk console API', () => {
  it('filters the queue by channel, priority, category, assignee and state, with names', async () => {
    expect((await tickets('source=phone')).map((t) => t.id)).toEqual([ids.phone]);
    expect((await tickets('source=portal')).map((t) => t.id)).toEqual([ids.portal]);
    expect((await tickets('priority=low')).map((t) => t.id)).toEqual([ids.phone]);
    expect((await tickets('category=network')).map((t) => t.id)).toEqual([ids.phone]);
    expect((await tickets('assigneeUserId=none')).map((t) => t.id)).toEqual([ids.portal]);
    const mine = await tickets(`assigneeUserId=${ids.desk}`);
    expect(mine.map((t) => t.id)).toEqual([ids.phone]);
    expect(mine[0]).toMatchObject({ organizationName: '天満橋印刷株式会社', assigneeName: 'desk@otasuke.example' });
    expect((await tickets('active=true')).length).toBe(2);
    expect(await tickets('active=false')).toEqual([]);
    const bad = await platform.request(desk, 'GET', '/api/v1/helpdesk/tickets?sla=late');
    expect(bad.statusCode).toBe(400);
  });

  it('counts the active tickets and finds those due soon, then breached, sorted by the next due time', async () => {
    const counts = async () => (await platform.request(desk, 'GET', '/api/v1/helpdesk/ticket-counts')).json();
    expect(await counts()).toEqual({ active: 2, byStatus: { new: 1, open: 1, pending_customer: 0 }, breached: 0, dueSoon: 0, unassigned: 1 });
    // The portal ticket (normal): first response within 4 business hours, warning from 80% (12:12 JST).
    platform.clock.set(new Date('2026-04-01T12:30:00+09:00'));
    expect((await tickets('sla=due_soon')).map((t) => t.id)).toEqual([ids.portal]);
    expect(await tickets('sla=breached')).toEqual([]);
    expect(await counts()).toMatchObject({ dueSoon: 1, breached: 0 });
    platform.clock.set(new Date('2026-04-01T13:30:00+09:00'));
    const breached = await tickets('sla=breached');
    expect(breached.map((t) => t.id)).toEqual([ids.portal]);
    expect(breached[0]!.sla.firstResponse).toBe('breached');
    expect(await tickets('sla=due_soon')).toEqual([]);
    expect(await counts()).toMatchObject({ dueSoon: 0, breached: 1 });
    // Due first: the portal ticket's overdue first response, before the phone ticket's resolution days away.
    expect((await tickets('sort=sla_due')).map((t) => t.id)).toEqual([ids.portal, ids.phone]);
    expect((await tickets('sort=newest')).map((t) => t.id)).toEqual([ids.portal, ids.phone]);
    // A customer has no counters.
    expect((await platform.request(customer, 'GET', '/api/v1/helpdesk/ticket-counts')).statusCode).toBe(403);
  });

  it('lists the agents and shows the subscriber as it is now, with sites and contacts for a dispatch', async () => {
    const agents = (await platform.request(desk, 'GET', '/api/v1/helpdesk/agents')).json();
    expect(agents).toEqual([{ id: ids.desk, displayName: 'desk@otasuke.example', role: 'helpdesk' }]);
    const response = await platform.request(desk, 'GET', `/api/v1/helpdesk/tickets/${ids.portal}/subscriber`);
    expect(response.statusCode, response.body).toBe(200);
    const overview = response.json();
    expect(overview.organization).toMatchObject({ id: ids.org, name: '天満橋印刷株式会社', membership: 'member' });
    expect(overview.sites).toEqual([{ id: ids.site, name: '本社', address: '大阪市中央区天満橋1-1' }]);
    expect(overview.contacts).toEqual([{ name: '天満 太郎', role: 'primary', email: 'owner@tenma.example', phone: '06-1234-0000' }]);
    expect(overview.context).toMatchObject({ openIncidents: [], recentAlerts: [], sensors: [] });
    expect(overview.dispatchJobs).toEqual([]);
    expect((await platform.request(customer, 'GET', `/api/v1/helpdesk/tickets/${ids.portal}/subscriber`)).statusCode).toBe(403);
    expect((await platform.request(desk, 'GET', '/api/v1/helpdesk/tickets/00000000-0000-4000-8000-000000000000/subscriber')).statusCode).toBe(404);
  });

  it('tells the customer that the desk wrote, without naming its people', async () => {
    const sent = await platform.request(desk, 'POST', `/api/v1/helpdesk/tickets/${ids.portal}/comments`, { visibility: 'public', body: 'ご連絡ありがとうございます。' });
    expect(sent.statusCode, sent.body).toBe(200);
    await platform.request(desk, 'POST', `/api/v1/helpdesk/tickets/${ids.portal}/comments`, { visibility: 'internal', body: '社内メモ' });
    await platform.request(customer, 'POST', `/api/v1/helpdesk/tickets/${ids.portal}/comments`, { visibility: 'public', body: 'よろしくお願いします。' });
    const staffView = (await platform.request(desk, 'GET', `/api/v1/helpdesk/tickets/${ids.portal}`)).json();
    expect(staffView.comments.map((c: { fromDesk: boolean; authorName: string | null; visibility: string }) => [c.visibility, c.fromDesk, c.authorName])).toEqual([
      ['public', true, 'desk@otasuke.example'],
      ['internal', true, 'desk@otasuke.example'],
      ['public', false, 'owner@tenma.example'],
    ]);
    const customerView = (await platform.request(member, 'GET', `/api/v1/helpdesk/tickets/${ids.portal}`)).json();
    expect(customerView.comments.map((c: { fromDesk: boolean; authorName: string | null; authorEmail: string | null; authorUserId: string | null }) => [c.fromDesk, c.authorName, c.authorEmail, c.authorUserId])).toEqual([
      [true, null, null, null],
      [false, 'owner@tenma.example', 'owner@tenma.example', ids.customer],
    ]);
  });

  it('lets the desk edit and delete canned replies, audited; customers cannot', async () => {
    const created = await platform.request(desk, 'POST', '/api/v1/helpdesk/canned-replies', { title: '再起動のお願い', body: 'ルーターを再起動してください。', category: 'network' });
    expect(created.statusCode, created.body).toBe(200);
    const id = created.json().id as string;
    const edited = await platform.request(desk, 'PATCH', `/api/v1/helpdesk/canned-replies/${id}`, { body: 'ルーターの電源を抜き、10秒後に差し直してください。', category: null });
    expect(edited.statusCode, edited.body).toBe(200);
    expect(edited.json()).toEqual({ id, title: '再起動のお願い', body: 'ルーターの電源を抜き、10秒後に差し直してください。', category: null });
    const listed = (await platform.request(desk, 'GET', '/api/v1/helpdesk/canned-replies')).json();
    expect(listed.find((c: { id: string }) => c.id === id).body).toBe('ルーターの電源を抜き、10秒後に差し直してください。');
    expect((await platform.request(desk, 'PATCH', `/api/v1/helpdesk/canned-replies/${id}`, {})).statusCode).toBe(400);
    expect((await platform.request(desk, 'PATCH', `/api/v1/helpdesk/canned-replies/${id}`, { title: '   ' })).statusCode).toBe(400);
    expect((await platform.request(customer, 'PATCH', `/api/v1/helpdesk/canned-replies/${id}`, { body: '乗っ取り' })).statusCode).toBe(403);
    expect((await platform.request(customer, 'DELETE', `/api/v1/helpdesk/canned-replies/${id}`)).statusCode).toBe(403);
    expect((await platform.request(desk, 'DELETE', `/api/v1/helpdesk/canned-replies/${id}`)).statusCode).toBe(204);
    expect((await platform.request(desk, 'DELETE', `/api/v1/helpdesk/canned-replies/${id}`)).statusCode).toBe(404);
    expect((await platform.request(desk, 'PATCH', `/api/v1/helpdesk/canned-replies/${id}`, { body: 'もうない' })).statusCode).toBe(404);
    expect((await platform.request(desk, 'GET', '/api/v1/helpdesk/canned-replies')).json().some((c: { id: string }) => c.id === id)).toBe(false);
    expect(await auditActions(id)).toEqual(['canned_reply.create', 'canned_reply.update', 'canned_reply.delete']);
  });

  it('lets the customer decline a remote session, which then never starts; a new one can be proposed', async () => {
    const first = (await platform.request(desk, 'POST', `/api/v1/helpdesk/tickets/${ids.portal}/remote-sessions`)).json();
    const twice = await platform.request(desk, 'POST', `/api/v1/helpdesk/tickets/${ids.portal}/remote-sessions`);
    expect(twice.statusCode).toBe(409);
    const refused = await platform.request(member, 'POST', `/api/v1/helpdesk/remote-sessions/${first.id}/refuse`);
    expect(refused.statusCode, refused.body).toBe(200);
    expect(refused.json()).toMatchObject({ refusedAt: platform.clock.now().toISOString(), consentAt: null });
    expect((await platform.request(customer, 'POST', `/api/v1/helpdesk/remote-sessions/${first.id}/consent`)).statusCode).toBe(409);
    expect((await platform.request(member, 'POST', `/api/v1/helpdesk/remote-sessions/${first.id}/refuse`)).statusCode).toBe(409);
    expect((await platform.request(desk, 'POST', `/api/v1/helpdesk/remote-sessions/${first.id}/start`)).statusCode).toBe(409);
    expect(await auditActions(first.id)).toEqual(['remote_session.request', 'remote_session.refuse']);

    platform.clock.advance(60_000);
    const second = (await platform.request(desk, 'POST', `/api/v1/helpdesk/tickets/${ids.portal}/remote-sessions`)).json();
    const consent = await platform.request(customer, 'POST', `/api/v1/helpdesk/remote-sessions/${second.id}/consent`);
    expect(consent.json()).toMatchObject({ consentUserId: ids.customer, consentUserName: 'owner@tenma.example', refusedAt: null });
    expect((await platform.request(member, 'POST', `/api/v1/helpdesk/remote-sessions/${second.id}/refuse`)).statusCode).toBe(409);
    const detail = (await platform.request(desk, 'GET', `/api/v1/helpdesk/tickets/${ids.portal}`)).json();
    expect(detail.remoteSessions.map((s: { refusedAt: string | null; consentUserName: string | null }) => [s.refusedAt !== null, s.consentUserName])).toEqual([
      [true, null],
      [false, 'owner@tenma.example'],
    ]);
  });
});
