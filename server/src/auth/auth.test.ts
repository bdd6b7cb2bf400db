import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, TEST_PASSWORD, type TestPlatform } from '../testing/testPlatform.ts';
import { totpCode } from './totp.ts';

describe('authentication', () => {
  let platform: TestPlatform;
  let subscriberId: string;
  let operatorId: string;

  beforeAll(async () => {
    platform = await startTestPlatform();
    operatorId = await platform.createOrganization({ kind: 'operator', name: '運営' });
    subscriberId = await platform.createOrganization({ kind: 'subscriber', name: '株式会社テスト', membership: 'member' });
    await platform.createUser(subscriberId, 'subscriber_admin', 'owner@test.example');
    await platform.createUser(subscriberId, 'subscriber_member', 'staff@test.example');
    await platform.createUser(operatorId, 'analyst', 'analyst@test.example');
    await platform.createUser(subscriberId, 'subscriber_member', 'locked@test.example');
    await platform.createUser(subscriberId, 'subscriber_member', 'reset@test.example');
  });
  afterAll(async () => platform?.close());

  const login = (email: string, password: string, ip = '127.0.0.1') =>
    platform.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password }, remoteAddress: ip });

  it('signs a subscriber in with a HttpOnly, SameSite=Lax session cookie', async () => {
    const response = await login('Owner@Test.example', TEST_PASSWORD);
    expect(response.statusCode).toBe(200);
    expect(response.json().status).toBe('authenticated');
    expect(response.json().session.user.email).toBe('owner@test.example');
    const cookie = String(response.headers['set-cookie']);
    expect(cookie).toMatch(/^otasuke_session=[\w-]{43};/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Lax');
    const me = await platform.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie: cookie.split(';')[0]! } });
    expect(me.statusCode).toBe(200);
    expect(me.json().organization.name).toBe('株式会社テスト');
  });

  it('answers a wrong password and an unknown email identically', async () => {
    const wrong = await login('staff@test.example', 'not the password');
    const unknown = await login('nobody@test.example', 'not the password');
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json().error).toEqual({ code: 'invalid_credentials', message: 'the email address or password is incorrect' });
    expect(unknown.json().error).toEqual(wrong.json().error);
    expect(wrong.headers['set-cookie']).toBeUndefined();
  });

  it('requires TOTP set-up for analysts, then the code at every sign-in, and refuses a replayed code', async () => {
    const first = await login('analyst@test.example', TEST_PASSWORD);
    expect(first.json().status).toBe('totp_setup_required');
    const { secret, challenge, otpauthUrl, qrDataUrl } = first.json();
    expect(otpauthUrl).toContain('otpauth://totp/Otasuke:analyst%40test.example?');
    expect(qrDataUrl).toMatch(/^data:image\/png;base64,/);
    expect(first.headers['set-cookie']).toBeUndefined();

    const bad = await platform.request(null, 'POST', '/api/v1/auth/login/totp', { challenge, code: '000000' === totpCode(secret, platform.clock.now()) ? '111111' : '000000' });
    expect(bad.statusCode).toBe(401);
    expect(bad.json().error.code).toBe('invalid_totp');

    const code = totpCode(secret, platform.clock.now());
    const ok = await platform.request(null, 'POST', '/api/v1/auth/login/totp', { challenge, code });
    expect(ok.json().status).toBe('authenticated');
    expect(ok.json().session.user.totpEnabled).toBe(true);

    const second = await login('analyst@test.example', TEST_PASSWORD);
    expect(second.json().status).toBe('totp_required');
    const replay = await platform.request(null, 'POST', '/api/v1/auth/login/totp', { challenge: second.json().challenge, code });
    expect(replay.statusCode).toBe(401);
    platform.clock.advance(30_000);
    const fresh = await platform.request(null, 'POST', '/api/v1/auth/login/totp', { challenge: second.json().challenge, code: totpCode(secret, platform.clock.now()) });
    expect(fresh.json().status).toBe('authenticated');
  });

  it('locks an account after 5 wrong passwords with a clear message, and unlocks after 15 minutes', async () => {
    for (let i = 0; i < 4; i++) expect((await login('locked@test.example', 'wrong password')).statusCode).toBe(401);
    expect((await login('locked@test.example', 'wrong password')).statusCode).toBe(401);
    const locked = await login('locked@test.example', TEST_PASSWORD);
    expect(locked.statusCode).toBe(429);
    expect(locked.json().error.code).toBe('account_locked');
    expect(locked.json().error.message).toMatch(/locked after too many failed sign-ins; try again after .* or reset your password/);
    expect(locked.headers['retry-after']).toBe('900');
    platform.clock.advance(15 * 60_000 + 1000);
    expect((await login('locked@test.example', TEST_PASSWORD)).statusCode).toBe(200);
  });

  it('blocks an address after 20 failed sign-ins in 15 minutes, other addresses unaffected', async () => {
    for (let i = 0; i < 20; i++) await login(`guess${i}@test.example`, 'x', '203.0.113.9');
    const blocked = await login('owner@test.example', TEST_PASSWORD, '203.0.113.9');
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json().error.code).toBe('too_many_requests');
    expect((await login('owner@test.example', TEST_PASSWORD, '203.0.113.10')).statusCode).toBe(200);
  });

  it('refuses cookie-authenticated writes without the CSRF token', async () => {
    const session = await platform.signIn('owner@test.example');
    const noToken = await platform.app.inject({ method: 'POST', url: `/api/v1/organizations/${subscriberId}/sites`, headers: { cookie: session.cookie }, payload: { name: '支店' } });
    expect(noToken.statusCode).toBe(403);
    expect(noToken.json().error.code).toBe('csrf_failed');
    const withToken = await platform.request(session, 'POST', `/api/v1/organizations/${subscriberId}/sites`, { name: '支店' });
    expect(withToken.statusCode).toBe(201);
  });

  it('resets a password by a mailed one-time link and ends old sessions', async () => {
    const oldSession = await platform.signIn('reset@test.example');
    expect((await platform.request(null, 'POST', '/api/v1/auth/password-reset/request', { email: 'reset@test.example' })).statusCode).toBe(202);
    expect((await platform.request(null, 'POST', '/api/v1/auth/password-reset/request', { email: 'nobody@test.example' })).statusCode).toBe(202);
    const mails = await platform.services.outbox.list({ kind: 'all' }, { limit: 10 });
    const resetMails = mails.filter((m) => m.to === 'reset@test.example');
    expect(resetMails).toHaveLength(1);
    expect(mails.filter((m) => m.to === 'nobody@test.example')).toHaveLength(0);
    expect(resetMails[0]!.subject).toBe('【お助け隊】パスワード再設定のご案内');
    const token = /reset-password\?token=([\w-]+)/.exec(resetMails[0]!.text)![1]!;

    const confirm = await platform.request(null, 'POST', '/api/v1/auth/password-reset/confirm', { token, password: 'a brand new passphrase' });
    expect(confirm.statusCode).toBe(204);
    expect((await platform.request(oldSession, 'GET', '/api/v1/auth/me')).statusCode).toBe(401);
    expect((await login('reset@test.example', TEST_PASSWORD)).statusCode).toBe(401);
    expect((await login('reset@test.example', 'a brand new passphrase')).statusCode).toBe(200);
    const again = await platform.request(null, 'POST', '/api/v1/auth/password-reset/confirm', { token, password: 'another new passphrase' });
    expect(again.statusCode).toBe(400);
    expect(again.json().error.message).toContain('invalid, already used or expired');
  });

  it('issues API tokens shown once, hashed at rest, revocable', async () => {
    const session = await platform.signIn('owner@test.example');
    const created = await platform.request(session, 'POST', '/api/v1/api-tokens', { name: '会計連携' });
    expect(created.statusCode).toBe(201);
    const { secret, token } = created.json();
    expect(secret).toMatch(/^otk_/);
    const stored = await platform.database.db.selectFrom('apiTokens').selectAll().where('id', '=', token.id).executeTakeFirstOrThrow();
    expect(stored.secretHash).not.toContain(secret);
    expect(JSON.stringify((await platform.request(session, 'GET', '/api/v1/api-tokens')).json())).not.toContain(secret);

    const bearer = { authorization: `Bearer ${secret}` };
    const sites = await platform.app.inject({ method: 'GET', url: '/api/v1/sites', headers: bearer });
    expect(sites.statusCode).toBe(200);
    // A token is not a cookie: no CSRF token needed for its writes.
    expect((await platform.app.inject({ method: 'POST', url: `/api/v1/organizations/${subscriberId}/sites`, headers: bearer, payload: { name: 'API支店' } })).statusCode).toBe(201);

    expect((await platform.request(session, 'POST', `/api/v1/api-tokens/${token.id}/revoke`)).statusCode).toBe(200);
    const revoked = await platform.app.inject({ method: 'GET', url: '/api/v1/sites', headers: bearer });
    expect(revoked.statusCode).toBe(401);
    expect(revoked.json().error.message).toBe('the API token is invalid or revoked');
  });

  it('ends idle sessions and signs out', async () => {
    const session = await platform.signIn('staff@test.example');
    expect((await platform.request(session, 'GET', '/api/v1/auth/me')).statusCode).toBe(200);
    platform.clock.advance(721 * 60_000);
    expect((await platform.request(session, 'GET', '/api/v1/auth/me')).statusCode).toBe(401);
    const next = await platform.signIn('staff@test.example');
    expect((await platform.request(next, 'POST', '/api/v1/auth/logout')).statusCode).toBe(204);
    expect((await platform.request(next, 'GET', '/api/v1/auth/me')).statusCode).toBe(401);
  });

  it('audits sign-ins and failures with IP and request id', async () => {
    const rows = await platform.database.db.selectFrom('auditLog').selectAll().where('action', 'in', ['auth.login', 'auth.login_failed', 'auth.account_locked']).execute();
    expect(rows.some((r) => r.action === 'auth.account_locked')).toBe(true);
    for (const row of rows) {
      expect(row.ip).toMatch(/^(127\.0\.0\.1|203\.0\.113\.\d+)$/);
      expect(row.requestId).toBeTruthy();
    }
  });
});
