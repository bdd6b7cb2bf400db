/**
 * Vendor portal accounts from the registry (HTTP, on PGlite or PostgreSQL): the operator adds a
 * vendor's staff member, the person gets the invitation mail (Japanese first), sets a password with
 * its link, signs in and sees only the jobs of their own vendor. Duplicates, unknown vendors and
 * callers who are not the operator's admin are refused without writing anything.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { c2Alert, insertAlertSeries } from '../incidents/alertFixtures.ts';
import { startTestPlatform, type Session, type TestPlatform } from '../testing/testPlatform.ts';
import { startDispatchCast } from './dispatchTestFixture.ts';

const cli = { scope: null, ip: null, requestId: 'setup' };
const NEW_PASSWORD = 'ひみつの合言葉 2026 vendor';
let platform: TestPlatform;
const s: Record<string, Session> = {};
const ids = { osakaVendor: '', kyotoVendor: '', subscriber: '', site: '', incident: '', osakaJob: '', networkJob: '', staff: '' };

async function registerVendor(name: string, skill: string, contactEmail: string): Promise<string> {
  const id = await platform.createOrganization({ kind: 'vendor', name });
  const r = await platform.request(s.admin!, 'PUT', `/api/v1/vendors/${id}`, {
    companyName: name, areas: [{ prefecture: '大阪府', city: null }], skills: [skill], businessHours: '平日 9:00–18:00', hourlyRateYen: 8000, callOutFeeYen: 5000, capacity: 2,
    contactName: '窓口', contactEmail, contactPhone: '06-1111-2222',
  });
  expect(r.statusCode, r.body).toBe(200);
  return id;
}

const mailsTo = async (to: string) => (await platform.services.outbox.list({ kind: 'all' }, { limit: 500 })).filter((m) => m.to === to);
const userCount = async () => Number((await platform.database.db.selectFrom('users').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

beforeAll(async () => {
  platform = await startTestPlatform();
  const cast = await startDispatchCast(platform, { name: '天満商店株式会社', ownerEmail: 'owner@tenma.example', address: '大阪市北区天満1-1-1' });
  s.admin = cast.admin;
  s.desk = cast.desk;
  s.owner = cast.owner;
  ids.subscriber = cast.subscriberId;
  ids.site = cast.siteId;
  const scope = cast.ownerScope;
  const sensor = await platform.services.organizations.createSensor({ ...cli, scope }, ids.site, { name: 'センサー' });
  const alerts = await insertAlertSeries(platform.database.db, { organizationId: ids.subscriber, siteId: ids.site, sensorId: sensor.id, firstSeq: 1, count: 2, start: new Date(platform.clock.now().getTime() - 3_600_000), stepMs: 1000, alert: c2Alert });
  ids.incident = (await platform.services.incidents.correlate(alerts)).incidents[0]!;

  // Two vendors serving the same place with different skills: each job goes to exactly one of them.
  ids.osakaVendor = await registerVendor('天満パソコン救急', 'pc_repair', 'office@tenma-pc.example');
  ids.kyotoVendor = await registerVendor('北区ネットワーク工房', 'network', 'office@kita-net.example');
  await platform.createUser(ids.kyotoVendor, 'vendor_staff', 'staff@kita-net.example');
  s.otherVendor = await platform.signIn('staff@kita-net.example');

  for (const [skill, key] of [['pc_repair', 'osakaJob'], ['network', 'networkJob']] as const) {
    const job = await platform.request(s.desk, 'POST', '/api/v1/dispatch/jobs', { incidentId: ids.incident, siteId: ids.site, skill, problem: `${skill} の点検`, contactName: '天満 花子', contactPhone: '06-1234-5678' });
    expect(job.statusCode, job.body).toBe(200);
    ids[key] = job.json().id;
    expect((await platform.request(s.desk, 'POST', `/api/v1/dispatch/jobs/${ids[key]}/offer`)).statusCode).toBe(200);
  }
});

afterAll(async () => platform?.close());

describe('vendor portal accounts from the registry', () => {
  it('adds a staff member, mails the invitation, and the person signs in to their vendor’s jobs only', async () => {
    expect((await platform.request(s.admin!, 'GET', `/api/v1/vendors/${ids.osakaVendor}/staff`)).json()).toEqual([]);

    const created = await platform.request(s.admin!, 'POST', `/api/v1/vendors/${ids.osakaVendor}/staff`, { email: ' Taro@Tenma-PC.example ', displayName: '天満 太郎' });
    expect(created.statusCode, created.body).toBe(201);
    ids.staff = created.json().id;
    expect(created.json()).toMatchObject({ organizationId: ids.osakaVendor, email: 'taro@tenma-pc.example', displayName: '天満 太郎', role: 'vendor_staff', locale: 'ja', disabled: false, totpEnabled: false });

    // Nobody knows the account's password until the invitation is used.
    const before = await platform.request(null, 'POST', '/api/v1/auth/login', { email: 'taro@tenma-pc.example', password: NEW_PASSWORD });
    expect(before.statusCode).toBe(401);

    const mails = await mailsTo('taro@tenma-pc.example');
    expect(mails).toHaveLength(1);
    const mail = mails[0]!;
    expect(mail.organizationId).toBe(ids.osakaVendor);
    expect(mail.subject).toBe('【お助け隊】協力会社ポータルのアカウントのご案内');
    expect(mail.text.startsWith('天満 太郎 様\n\nサイバーセキュリティお助け隊の駆け付け協力会社「天満パソコン救急」のポータル')).toBe(true);
    expect(mail.text).toContain('有効期限: 7日、1回限り');
    expect(mail.text.indexOf('天満 太郎 様')).toBeLessThan(mail.text.indexOf('Dear 天満 太郎,'));
    expect(mail.text).toContain('We created your account in the portal of 天満パソコン救急');
    const links = [...mail.text.matchAll(/http:\/\/otasuke\.test\/reset-password\?token=([\w-]+)/g)].map((m) => m[1]);
    expect(links).toHaveLength(2);
    expect(links[0]).toBe(links[1]);

    const set = await platform.request(null, 'POST', '/api/v1/auth/password-reset/confirm', { token: links[0], password: NEW_PASSWORD });
    expect(set.statusCode, set.body).toBe(204);
    // The link is single use.
    expect((await platform.request(null, 'POST', '/api/v1/auth/password-reset/confirm', { token: links[0], password: 'another password 123' })).statusCode).toBe(400);

    s.staff = await platform.signIn('taro@tenma-pc.example', NEW_PASSWORD);
    const me = (await platform.request(s.staff, 'GET', '/api/v1/auth/me')).json();
    expect(me.user).toMatchObject({ id: ids.staff, role: 'vendor_staff', organizationId: ids.osakaVendor });
    const jobs = await platform.request(s.staff, 'GET', '/api/v1/dispatch/jobs');
    expect(jobs.statusCode).toBe(200);
    expect(jobs.json().map((j: { id: string }) => j.id)).toEqual([ids.osakaJob]);
    expect((await platform.request(s.staff, 'GET', `/api/v1/dispatch/jobs/${ids.networkJob}`)).statusCode).toBe(404);
    // The other vendor sees its own job, not this one.
    expect((await platform.request(s.otherVendor!, 'GET', '/api/v1/dispatch/jobs')).json().map((j: { id: string }) => j.id)).toEqual([ids.networkJob]);

    const listed = await platform.request(s.desk!, 'GET', `/api/v1/vendors/${ids.osakaVendor}/staff`);
    expect(listed.statusCode).toBe(200);
    expect(listed.json().map((u: { email: string; displayName: string; disabled: boolean }) => [u.email, u.displayName, u.disabled])).toEqual([['taro@tenma-pc.example', '天満 太郎', false]]);

    const audit = (await platform.request(s.admin!, 'GET', `/api/v1/audit-log?organizationId=${ids.osakaVendor}&action=user.`)).json() as Array<{ action: string; targetId: string; details: unknown }>;
    expect(audit.map((e) => [e.action, e.targetId, e.details]).sort()).toEqual([
      ['user.create', ids.staff, { email: 'taro@tenma-pc.example', role: 'vendor_staff', from: 'vendor_registry' }],
      ['user.invite', ids.staff, { kind: 'vendorStaff' }],
    ]);
  });

  it('refuses an address that already has an account with 409 on body.email, and writes nothing', async () => {
    const users = await userCount();
    const mails = (await platform.services.outbox.list({ kind: 'all' }, { limit: 500 })).length;
    for (const email of ['taro@tenma-pc.example', 'OWNER@tenma.example']) {
      const r = await platform.request(s.admin!, 'POST', `/api/v1/vendors/${ids.osakaVendor}/staff`, { email, displayName: '重複' });
      expect(r.statusCode, r.body).toBe(409);
      expect(r.json().error.code).toBe('conflict');
      expect(r.json().error.message).toBe(`${email.toLowerCase()} already has an account (each address signs in to one account); use another address, or ask the person which account they use`);
      expect(r.json().error.details.fields).toEqual([{ field: 'body.email', message: 'already in use by another account' }]);
    }
    expect(await userCount()).toBe(users);
    expect((await platform.services.outbox.list({ kind: 'all' }, { limit: 500 })).length).toBe(mails);
  });

  it('names the bad field of a malformed request', async () => {
    const r = await platform.request(s.admin!, 'POST', `/api/v1/vendors/${ids.osakaVendor}/staff`, { email: 'not-an-address', displayName: ' ' });
    expect(r.statusCode).toBe(400);
    expect(r.json().error.code).toBe('validation_failed');
    expect(r.json().error.details.fields.map((f: { field: string }) => f.field).sort()).toEqual(['body.displayName', 'body.email']);
  });

  it('answers 404 for an unknown vendor or an organization that is not a vendor, creating nothing', async () => {
    const users = await userCount();
    for (const id of ['00000000-0000-4000-8000-000000000000', ids.subscriber]) {
      const add = await platform.request(s.admin!, 'POST', `/api/v1/vendors/${id}/staff`, { email: 'ghost@vendor.example', displayName: '幽霊' });
      expect(add.statusCode, add.body).toBe(404);
      expect(add.json().error.message).toBe('vendor not found');
      expect((await platform.request(s.admin!, 'GET', `/api/v1/vendors/${id}/staff`)).statusCode).toBe(404);
    }
    expect(await userCount()).toBe(users);
    expect(await mailsTo('ghost@vendor.example')).toEqual([]);
  });

  it('refuses everyone but the operator’s admin to add, and outsiders to read', async () => {
    const users = await userCount();
    for (const who of [s.owner!, s.otherVendor!, s.staff!, s.desk!]) {
      const r = await platform.request(who, 'POST', `/api/v1/vendors/${ids.osakaVendor}/staff`, { email: 'intruder@vendor.example', displayName: '侵入' });
      expect(r.statusCode, r.body).toBe(403);
      expect(r.json().error.code).toBe('forbidden');
    }
    for (const who of [s.owner!, s.otherVendor!, s.staff!]) {
      expect((await platform.request(who, 'GET', `/api/v1/vendors/${ids.osakaVendor}/staff`)).statusCode).toBe(403);
      expect((await platform.request(who, 'DELETE', `/api/v1/vendors/${ids.osakaVendor}/staff/${ids.staff}`)).statusCode).toBe(403);
    }
    expect((await platform.request(null, 'GET', `/api/v1/vendors/${ids.osakaVendor}/staff`)).statusCode).toBe(401);
    expect(await userCount()).toBe(users);
  });

  it('disables an account: its session ends and it cannot sign in again; another vendor’s user is 404', async () => {
    const otherVendorUser = (await platform.request(s.admin!, 'GET', `/api/v1/vendors/${ids.kyotoVendor}/staff`)).json()[0].id as string;
    expect((await platform.request(s.admin!, 'DELETE', `/api/v1/vendors/${ids.osakaVendor}/staff/${otherVendorUser}`)).statusCode).toBe(404);
    expect((await platform.request(s.otherVendor!, 'GET', '/api/v1/dispatch/jobs')).statusCode).toBe(200);

    const r = await platform.request(s.admin!, 'DELETE', `/api/v1/vendors/${ids.osakaVendor}/staff/${ids.staff}`);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ id: ids.staff, disabled: true });
    expect((await platform.request(s.staff!, 'GET', '/api/v1/dispatch/jobs')).statusCode).toBe(401);
    expect((await platform.request(null, 'POST', '/api/v1/auth/login', { email: 'taro@tenma-pc.example', password: NEW_PASSWORD })).statusCode).toBe(401);
    expect((await platform.request(s.admin!, 'GET', `/api/v1/vendors/${ids.osakaVendor}/staff`)).json().map((u: { disabled: boolean }) => u.disabled)).toEqual([true]);
    const audit = (await platform.request(s.admin!, 'GET', `/api/v1/audit-log?organizationId=${ids.osakaVendor}&action=user.deactivate`)).json();
    expect(audit.map((e: { targetId: string; details: unknown }) => [e.targetId, e.details])).toEqual([[ids.staff, { email: 'taro@tenma-pc.example', from: 'vendor_registry' }]]);
  });

  it('still invites a new subscriber’s admin through the same mechanism (applications)', async () => {
    const application = await platform.request(null, 'POST', '/api/v1/applications', {
      companyName: '招待確認株式会社', representativeName: '招待 一郎', contactName: '招待 花子', email: 'hanako@invite.example', phone: '06-1234-5678', postalCode: '530-0001',
      prefecture: '大阪府', city: '大阪市北区', address: '梅田1-1', employees: 3, membership: 'non_member', sites: [{ name: '本社', postalCode: '530-0001', address: '梅田1-1' }],
      consentTerms: true, consentMetadata: true,
    });
    expect(application.statusCode, application.body).toBe(201);
    const approved = await platform.request(s.admin!, 'POST', `/api/v1/applications/${application.json().id}/approve`, { startDate: '2026-04-15', insurancePolicyNumber: 'TM-INV-1' });
    expect(approved.statusCode, approved.body).toBe(200);
    const invitation = (await mailsTo('hanako@invite.example')).find((m) => m.subject === '【お助け隊】ご利用開始のご案内（アカウント設定）');
    expect(invitation?.text.startsWith('招待 花子 様\n\nサイバーセキュリティお助け隊へのお申し込みを承認しました。')).toBe(true);
    const token = /reset-password\?token=([\w-]+)/.exec(invitation!.text)![1];
    expect((await platform.request(null, 'POST', '/api/v1/auth/password-reset/confirm', { token, password: NEW_PASSWORD })).statusCode).toBe(204);
    const admin = await platform.signIn('hanako@invite.example', NEW_PASSWORD);
    expect((await platform.request(admin, 'GET', '/api/v1/auth/me')).json().user).toMatchObject({ id: approved.json().adminUserId, role: 'subscriber_admin' });
  });
});
