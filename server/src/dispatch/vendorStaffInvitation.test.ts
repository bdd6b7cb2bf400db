/**
 * Where a vendor staff member's invitation stands, and sending it again (HTTP, on PGlite or
 * PostgreSQL): pending right after adding, expired after 7 days by the test clock, a new link voids
 * the old one and its use makes the account accepted; accepted, disabled and foreign accounts are
 * refused without mailing anything.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type Session, type TestPlatform } from '../testing/testPlatform.ts';
import { startDispatchCast } from './dispatchTestFixture.ts';

const DAY = 86_400_000;
const PASSWORD = 'あたらしい合言葉 2026 invite';
let platform: TestPlatform;
const s: Record<string, Session> = {};
const ids = { vendor: '', otherVendor: '', otherStaff: '', taro: '', jiro: '', saburo: '' };
let addedAt = '';

interface Member {
  id: string;
  email: string;
  disabled: boolean;
  invitation: { state: string; sentAt: string | null; expiresAt: string | null; acceptedAt: string | null };
}

const iso = (ms: number) => new Date(ms).toISOString();
const allMails = async () => platform.services.outbox.list({ kind: 'all' }, { limit: 500 });
/** Oldest first (the outbox lists newest first). */
const mailsTo = async (to: string) => (await allMails()).filter((m) => m.to === to).reverse();
const tokensIn = async (to: string) => (await mailsTo(to)).map((m) => /reset-password\?token=([\w-]+)/.exec(m.text)![1]!);
const confirm = (token: string) => platform.request(null, 'POST', '/api/v1/auth/password-reset/confirm', { token, password: PASSWORD });
const staff = async (): Promise<Record<string, Member['invitation'] & { disabled: boolean }>> => {
  const r = await platform.request(s.admin!, 'GET', `/api/v1/vendors/${ids.vendor}/staff`);
  expect(r.statusCode, r.body).toBe(200);
  return Object.fromEntries((r.json() as Member[]).map((u) => [u.email, { ...u.invitation, disabled: u.disabled }]));
};
const resend = (who: Session | null, userId: string, vendorId = ids.vendor) => platform.request(who, 'POST', `/api/v1/vendors/${vendorId}/staff/${userId}/invitation`);

async function add(email: string, displayName: string): Promise<string> {
  const r = await platform.request(s.admin!, 'POST', `/api/v1/vendors/${ids.vendor}/staff`, { email, displayName });
  expect(r.statusCode, r.body).toBe(201);
  return r.json().id;
}

beforeAll(async () => {
  platform = await startTestPlatform();
  const cast = await startDispatchCast(platform, { name: '招待確認商店', ownerEmail: 'owner@shoutai.example', address: '大阪市北区天満1-1-1' });
  s.admin = cast.admin;
  s.desk = cast.desk;
  ids.vendor = await platform.createOrganization({ kind: 'vendor', name: '天満パソコン救急' });
  ids.otherVendor = await platform.createOrganization({ kind: 'vendor', name: '北区ネットワーク工房' });
  ids.otherStaff = await platform.createUser(ids.otherVendor, 'vendor_staff', 'staff@kita-net.example');
  s.otherStaff = await platform.signIn('staff@kita-net.example');
  addedAt = platform.clock.now().toISOString();
  ids.taro = await add('taro@tenma-pc.example', '天満 太郎');
  ids.jiro = await add('jiro@tenma-pc.example', '天満 次郎');
});

afterAll(async () => platform?.close());

describe('invitation state and re-sending from the vendor registry', () => {
  it('lists a newly added person as pending, with when the link was sent and until when it works', async () => {
    const expires = iso(Date.parse(addedAt) + 7 * DAY);
    expect(await staff()).toEqual({
      'taro@tenma-pc.example': { state: 'pending', sentAt: addedAt, expiresAt: expires, acceptedAt: null, disabled: false },
      'jiro@tenma-pc.example': { state: 'pending', sentAt: addedAt, expiresAt: expires, acceptedAt: null, disabled: false },
    });
    // An account created with a password (no invitation) counts as accepted, with no dates.
    const other = (await platform.request(s.desk!, 'GET', `/api/v1/vendors/${ids.otherVendor}/staff`)).json() as Member[];
    expect(other.map((u) => [u.email, u.invitation])).toEqual([['staff@kita-net.example', { state: 'accepted', sentAt: null, expiresAt: null, acceptedAt: null }]]);
  });

  it('re-sends: the old link stops working, the new one sets the password, and the person is then accepted', async () => {
    const [oldToken] = await tokensIn('taro@tenma-pc.example');
    platform.clock.advance(3_600_000);
    const resentAt = platform.clock.now().toISOString();
    const r = await resend(s.admin!, ids.taro);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ id: ids.taro, email: 'taro@tenma-pc.example', disabled: false, invitation: { state: 'pending', sentAt: resentAt, expiresAt: iso(Date.parse(resentAt) + 7 * DAY), acceptedAt: null } });

    const mails = await mailsTo('taro@tenma-pc.example');
    expect(mails).toHaveLength(2);
    expect(mails.map((m) => m.subject)).toEqual(['【お助け隊】協力会社ポータルのアカウントのご案内', '【お助け隊】協力会社ポータルのアカウントのご案内']);
    expect(mails[1]!.text.startsWith('天満 太郎 様\n\nサイバーセキュリティお助け隊の駆け付け協力会社「天満パソコン救急」のポータル')).toBe(true);
    const tokens = await tokensIn('taro@tenma-pc.example');
    expect(tokens[0]).toBe(oldToken);
    expect(tokens[1]).not.toBe(oldToken);

    expect((await confirm(oldToken!)).statusCode).toBe(400);
    expect((await staff())['taro@tenma-pc.example']).toEqual({ state: 'pending', sentAt: resentAt, expiresAt: iso(Date.parse(resentAt) + 7 * DAY), acceptedAt: null, disabled: false });

    platform.clock.advance(60_000);
    const acceptedAt = platform.clock.now().toISOString();
    expect((await confirm(tokens[1]!)).statusCode).toBe(204);
    await platform.signIn('taro@tenma-pc.example', PASSWORD);
    expect((await staff())['taro@tenma-pc.example']).toEqual({ state: 'accepted', sentAt: resentAt, expiresAt: null, acceptedAt, disabled: false });

    const audit = (await platform.request(s.admin!, 'GET', `/api/v1/audit-log?organizationId=${ids.vendor}&action=user.invite`)).json() as Array<{ targetId: string; details: unknown }>;
    expect(audit.filter((e) => e.targetId === ids.taro).map((e) => e.details)).toEqual([{ kind: 'vendorStaff', resent: true }, { kind: 'vendorStaff' }]);
  });

  it('refuses to re-send to someone who already accepted: 409 already_accepted, nothing mailed', async () => {
    const mails = (await allMails()).length;
    const r = await resend(s.admin!, ids.taro);
    expect(r.statusCode, r.body).toBe(409);
    expect(r.json().error).toEqual({
      code: 'conflict',
      message: 'taro@tenma-pc.example has already set a password and can sign in; if it is forgotten, the person resets it from the sign-in page',
      details: { reason: 'already_accepted' },
    });
    expect((await allMails()).length).toBe(mails);
  });

  it('shows the invitation as expired after 7 days, and a re-sent link works again', async () => {
    const expires = iso(Date.parse(addedAt) + 7 * DAY);
    platform.clock.set(new Date(Date.parse(expires) - 3_600_000));
    s.admin = await platform.signIn('admin@op.example');
    platform.clock.set(new Date(Date.parse(expires) - 1));
    expect((await staff())['jiro@tenma-pc.example']!.state).toBe('pending');
    platform.clock.set(new Date(expires));
    expect((await staff())['jiro@tenma-pc.example']).toEqual({ state: 'expired', sentAt: addedAt, expiresAt: expires, acceptedAt: null, disabled: false });
    const [expired] = await tokensIn('jiro@tenma-pc.example');
    expect((await confirm(expired!)).statusCode).toBe(400);

    const r = await resend(s.admin!, ids.jiro);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().invitation).toEqual({ state: 'pending', sentAt: expires, expiresAt: iso(Date.parse(expires) + 7 * DAY), acceptedAt: null });
    const tokens = await tokensIn('jiro@tenma-pc.example');
    expect(tokens).toHaveLength(2);
    expect((await confirm(tokens[1]!)).statusCode).toBe(204);
    expect((await staff())['jiro@tenma-pc.example']).toEqual({ state: 'accepted', sentAt: expires, expiresAt: null, acceptedAt: expires, disabled: false });
  });

  it('refuses a disabled account with 409 disabled; its unused link is void and shows as expired', async () => {
    ids.saburo = await add('saburo@tenma-pc.example', '天満 三郎');
    const [token] = await tokensIn('saburo@tenma-pc.example');
    platform.clock.advance(60_000);
    const disabledAt = platform.clock.now().toISOString();
    expect((await platform.request(s.admin!, 'DELETE', `/api/v1/vendors/${ids.vendor}/staff/${ids.saburo}`)).statusCode).toBe(200);
    const mails = (await allMails()).length;
    const r = await resend(s.admin!, ids.saburo);
    expect(r.statusCode, r.body).toBe(409);
    expect(r.json().error).toEqual({
      code: 'conflict',
      message: "saburo@tenma-pc.example's account is disabled, so it gets no invitation; add the person again with another address, or leave it disabled",
      details: { reason: 'disabled' },
    });
    expect((await allMails()).length).toBe(mails);
    expect((await confirm(token!)).statusCode).toBe(400);
    expect((await staff())['saburo@tenma-pc.example']).toEqual({ state: 'expired', sentAt: iso(Date.parse(disabledAt) - 60_000), expiresAt: disabledAt, acceptedAt: null, disabled: true });
  });

  it('answers 404 for a user not of that vendor or an unknown vendor, and 403 to everyone but the operator’s admin', async () => {
    // The clock moved by days: sign in again.
    s.desk = await platform.signIn('desk@op.example');
    s.otherStaff = await platform.signIn('staff@kita-net.example');
    const mails = (await allMails()).length;
    for (const [vendorId, userId] of [
      [ids.vendor, ids.otherStaff],
      [ids.vendor, '00000000-0000-4000-8000-000000000000'],
      ['00000000-0000-4000-8000-000000000000', ids.jiro],
    ] as const) {
      const r = await resend(s.admin!, userId, vendorId);
      expect(r.statusCode, r.body).toBe(404);
      expect(r.json().error.code).toBe('not_found');
    }
    expect((await resend(s.admin!, ids.otherStaff, ids.vendor)).json().error.message).toBe('vendor staff account not found');
    for (const who of [s.desk!, s.otherStaff!]) {
      const r = await resend(who, ids.otherStaff, ids.otherVendor);
      expect(r.statusCode, r.body).toBe(403);
      expect(r.json().error.code).toBe('forbidden');
    }
    expect((await resend(null, ids.otherStaff, ids.otherVendor)).statusCode).toBe(401);
    expect((await allMails()).length).toBe(mails);
  });
});
