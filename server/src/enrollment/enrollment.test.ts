import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type Session, type TestPlatform } from '../testing/testPlatform.ts';

describe(`sensor enrollment (${process.env.OTASUKE_TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  let platform: TestPlatform;
  let admin: Session;
  let operator: Session;
  let member: Session;
  let other: Session;
  let orgId: string;
  let siteId: string;

  const enroll = (code: string, extra: Record<string, unknown> = {}) => platform.request(null, 'POST', '/api/v1/sensors/enroll', { code, ...extra });
  const me = (credential: string) => platform.app.inject({ method: 'GET', url: '/api/v1/sensors/me', headers: { authorization: `Bearer ${credential}` } });
  const newCode = async (session: Session, body: Record<string, unknown> = {}, site = siteId) => {
    const response = await platform.request(session, 'POST', `/api/v1/sites/${site}/enrollment-codes`, body);
    expect(response.statusCode, response.body).toBe(201);
    return response.json() as { code: string; sensorId: string; siteId: string; organizationId: string; expiresAt: string; url: string; qrPngDataUrl: string };
  };

  beforeAll(async () => {
    platform = await startTestPlatform();
    const operatorId = await platform.createOrganization({ kind: 'operator', name: '運営' });
    await platform.createUser(operatorId, 'operator_admin', 'op@enroll.example');
    orgId = await platform.createOrganization({ kind: 'subscriber', name: '加入者株式会社', membership: 'member' });
    await platform.createUser(orgId, 'subscriber_admin', 'admin@enroll.example');
    await platform.createUser(orgId, 'subscriber_member', 'member@enroll.example');
    const otherId = await platform.createOrganization({ kind: 'subscriber', name: '他社', membership: 'member' });
    await platform.createUser(otherId, 'subscriber_admin', 'other@enroll.example');
    admin = await platform.signIn('admin@enroll.example');
    operator = await platform.signIn('op@enroll.example');
    member = await platform.signIn('member@enroll.example');
    other = await platform.signIn('other@enroll.example');
    siteId = (await platform.request(admin, 'POST', `/api/v1/organizations/${orgId}/sites`, { name: '本社' })).json().id;
  });
  afterAll(async () => platform?.close());

  it('creates a pending sensor and a 7-day code shown once with a URL and a QR code, stored hashed', async () => {
    const code = await newCode(admin, { name: '本社センサー' });
    expect(code.code).toMatch(/^otse_[\w-]{20,}$/);
    expect(code.url).toBe(`http://otasuke.test/enroll?code=${code.code}`);
    expect(code.qrPngDataUrl).toMatch(/^data:image\/png;base64,/);
    expect(new Date(code.expiresAt).getTime() - platform.clock.now().getTime()).toBe(7 * 24 * 3600 * 1000);
    const sensor = (await platform.request(admin, 'GET', `/api/v1/sensors/${code.sensorId}`)).json();
    expect(sensor).toMatchObject({ status: 'pending', siteId, organizationId: orgId, name: '本社センサー' });
    const stored = await platform.database.db.selectFrom('enrollmentCodes').selectAll().where('sensorId', '=', code.sensorId).execute();
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain(code.code);
    const audit = (await platform.request(admin, 'GET', `/api/v1/audit-log?organizationId=${orgId}`)).json();
    const actions = (Array.isArray(audit) ? audit : audit.items).map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['sensor.create', 'enrollment_code.create']));
  });

  it('lets the operator create codes too, but not a subscriber member', async () => {
    await newCode(operator);
    expect((await platform.request(member, 'POST', `/api/v1/sites/${siteId}/enrollment-codes`, {})).statusCode).toBe(403);
  });

  it('exchanges a code once for a credential that authenticates the sensor; a replay is refused', async () => {
    const code = await newCode(admin);
    const response = await enroll(code.code, { hostname: 'box-1', agentVersion: '0.1.0' });
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({ sensorId: code.sensorId, serverUrl: 'http://otasuke.test' });
    expect(body.credential).toMatch(/^ots_[\w-]{40,}$/);
    const row = await platform.database.db.selectFrom('sensors').selectAll().where('id', '=', code.sensorId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'active', hostname: 'box-1', agentVersion: '0.1.0' });
    expect(row.credentialHash).not.toContain(body.credential);
    const mine = await me(body.credential);
    expect(mine.statusCode).toBe(200);
    expect(mine.json()).toMatchObject({ id: code.sensorId, status: 'active' });
    expect(await platform.services.enrollment.authenticateSensor(body.credential)).toEqual({ sensorId: code.sensorId, organizationId: orgId, siteId: row.siteId });

    const replay = await enroll(code.code);
    expect(replay.statusCode).toBe(401);
    expect(replay.json().error.details.reason).toBe('enrollment_code_used');
    expect((await me(body.credential)).statusCode).toBe(200);
  });

  it('refuses unknown codes and forged credentials clearly', async () => {
    const unknown = await enroll('otse_not-a-real-code');
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json().error.details.reason).toBe('enrollment_code_invalid');
    expect((await me('ots_forged')).statusCode).toBe(401);
    expect((await platform.app.inject({ method: 'GET', url: '/api/v1/sensors/me' })).statusCode).toBe(401);
    expect((await platform.request(admin, 'GET', '/api/v1/sensors/me')).statusCode).toBe(401);
    expect(await platform.services.enrollment.authenticateSensor('ots_forged')).toBeNull();
  });

  it('expires a code after 7 days', async () => {
    const code = await newCode(admin);
    platform.clock.advance(7 * 24 * 3600 * 1000 - 1000);
    // Sessions idle out long before a week; sign in again.
    admin = await platform.signIn('admin@enroll.example');
    const stillValid = await newCode(admin);
    platform.clock.advance(1000);
    const expired = await enroll(code.code);
    expect(expired.statusCode).toBe(401);
    expect(expired.json().error.details.reason).toBe('enrollment_code_expired');
    expect((await platform.request(admin, 'GET', `/api/v1/sensors/${code.sensorId}`)).json().status).toBe('pending');
    expect((await enroll(stillValid.code)).statusCode).toBe(200);
    other = await platform.signIn('other@enroll.example');
  });

  it('re-enrolls a sensor with a new code: the new credential works, the old one stops', async () => {
    const first = await newCode(admin);
    const old = (await enroll(first.code)).json().credential as string;
    const again = await newCode(admin, { sensorId: first.sensorId });
    expect(again.sensorId).toBe(first.sensorId);
    const fresh = (await enroll(again.code)).json().credential as string;
    expect(fresh).not.toBe(old);
    expect((await me(old)).statusCode).toBe(401);
    expect((await me(fresh)).json().id).toBe(first.sensorId);
  });

  it('a newer code for the same sensor retires the unused older one', async () => {
    const first = await newCode(admin);
    const second = await newCode(admin, { sensorId: first.sensorId });
    expect((await enroll(first.code)).json().error.details.reason).toBe('enrollment_code_used');
    expect((await enroll(second.code)).statusCode).toBe(200);
  });

  it('refuses a revoked sensor: its credential stops, its pending code and new codes are refused', async () => {
    const code = await newCode(admin);
    const credential = (await enroll(code.code)).json().credential as string;
    const pending = await newCode(admin, { sensorId: code.sensorId });
    expect((await platform.request(admin, 'POST', `/api/v1/sensors/${code.sensorId}/revoke`)).statusCode).toBe(200);
    expect((await me(credential)).statusCode).toBe(401);
    expect(await platform.services.enrollment.authenticateSensor(credential)).toBeNull();
    const refused = await enroll(pending.code);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.details.reason).toBe('sensor_revoked');
    expect((await platform.request(admin, 'POST', `/api/v1/sites/${siteId}/enrollment-codes`, { sensorId: code.sensorId })).statusCode).toBe(403);
  });

  it("does not let another tenant create codes for a site or sensor it doesn't own", async () => {
    const code = await newCode(admin);
    expect((await platform.request(other, 'POST', `/api/v1/sites/${siteId}/enrollment-codes`, {})).statusCode).toBe(404);
    expect((await platform.request(other, 'POST', `/api/v1/sites/${siteId}/enrollment-codes`, { sensorId: code.sensorId })).statusCode).toBe(404);
    // A sensor of another site (even the caller's own) cannot be named under this site.
    const site2 = (await platform.request(admin, 'POST', `/api/v1/organizations/${orgId}/sites`, { name: '支店' })).json().id as string;
    expect((await platform.request(admin, 'POST', `/api/v1/sites/${site2}/enrollment-codes`, { sensorId: code.sensorId })).statusCode).toBe(404);
  });
});
