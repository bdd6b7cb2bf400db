/**
 * The desk picks the vendor (HTTP, on PGlite or PostgreSQL): `POST /dispatch/jobs/:id/offer` with a
 * vendorId offers the job to that candidate only — same deadline, mail and audit entry as the next
 * best, marked as the desk's choice — and a decline or expiry then moves on to the next best. A vendor
 * that is not a current candidate (elsewhere, without the skill, already asked, no vendor at all,
 * another organization's id) is refused with the reason and nothing changes; vendors and customers
 * cannot call the route.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type Session, type TestPlatform } from '../testing/testPlatform.ts';
import { startDispatchCast } from './dispatchTestFixture.ts';

let platform: TestPlatform;
const s: Record<string, Session> = {};
const v: Record<string, string> = {};
const ids = { org: '', rival: '', site: '', job: '', other: '', race: '' };

async function vendor(key: string, name: string, email: string, over: { prefecture?: string; skills?: string[]; hourlyRateYen?: number } = {}) {
  const id = await platform.createOrganization({ kind: 'vendor', name });
  await platform.createUser(id, 'vendor_staff', email);
  const r = await platform.request(s.admin!, 'PUT', `/api/v1/vendors/${id}`, {
    companyName: name, areas: [{ prefecture: over.prefecture ?? '大阪府', city: over.prefecture ? null : '大阪市北区' }], skills: over.skills ?? ['pc_repair'], businessHours: '平日 9:00–18:00',
    hourlyRateYen: over.hourlyRateYen ?? 8000, callOutFeeYen: 5000, capacity: 2, contactName: '担当', contactEmail: email, contactPhone: '06-1111-2222',
  });
  expect(r.statusCode, r.body).toBe(200);
  v[key] = id;
  s[key] = await platform.signIn(email);
}

const offerUrl = (job: string) => `/api/v1/dispatch/jobs/${job}/offer`;
const job = async (id: string) => (await platform.request(s.desk!, 'GET', `/api/v1/dispatch/jobs/${id}`)).json();
const offersOf = async (id: string) => ((await job(id)).offers as Array<{ vendorOrganizationId: string; rank: number; status: string }>).map((o) => [o.vendorOrganizationId, o.rank, o.status]);
const offerAudits = (id: string) => platform.database.db.selectFrom('auditLog').select(['action', 'details', 'actorUserId']).where('targetId', '=', id).where('action', '=', 'dispatch.offer').orderBy('at').orderBy('id').execute();
const mailsTo = (vendorId: string) => platform.database.db.selectFrom('mailOutbox').select(['toAddress', 'subject']).where('organizationId', '=', vendorId).execute();

beforeAll(async () => {
  platform = await startTestPlatform();
  const cast = await startDispatchCast(platform, { name: '梅田商店株式会社', ownerEmail: 'owner@umeda.example', address: '大阪市北区梅田1-1-1', postalCode: '530-0001' });
  s.admin = cast.admin;
  s.desk = cast.desk;
  s.owner = cast.owner;
  ids.org = cast.subscriberId;
  ids.site = cast.siteId;
  ids.rival = await platform.createOrganization({ kind: 'subscriber', name: '別の会社', membership: 'member', prefecture: '大阪府', city: '大阪市北区' });

  // Ranked by rate (same city, same load): A, B, C. Kyoto serves elsewhere; the cabler lacks the skill.
  await vendor('a', '梅田パソコン救急', 'a@vendor.example', { hourlyRateYen: 7000 });
  await vendor('b', '北区ITサービス', 'b@vendor.example', { hourlyRateYen: 8000 });
  await vendor('c', '前回の業者', 'c@vendor.example', { hourlyRateYen: 9000 });
  await vendor('kyoto', '京都の業者', 'k@vendor.example', { prefecture: '京都府' });
  await vendor('cabler', '配線工事の業者', 'w@vendor.example', { skills: ['cabling'] });
  // A vendor organization without a registry profile.
  v.unregistered = await platform.createOrganization({ kind: 'vendor', name: '未登録の業者' });

  const create = async (problem: string) => {
    const ticket = await platform.request(s.desk!, 'POST', '/api/v1/helpdesk/tickets', { organizationId: ids.org, callerName: '梅田 花子', subject: problem, description: problem, category: 'network', priority: 'low' });
    expect(ticket.statusCode, ticket.body).toBe(200);
    const r = await platform.request(s.desk!, 'POST', '/api/v1/dispatch/jobs', { ticketId: ticket.json().ticket.id, siteId: ids.site, skill: 'pc_repair', problem, contactName: '梅田 花子', contactPhone: '06-1234-5678', offerMinutes: 30 });
    expect(r.statusCode, r.body).toBe(200);
    return r.json().id as string;
  };
  ids.job = await create('前回と同じ業者に来てほしい');
  ids.other = await create('プリンタの点検');
  ids.race = await create('二人の担当者が同時に依頼');
});

afterAll(async () => platform?.close());

describe('offering a job to the vendor the desk picks', () => {
  it('offers the chosen candidate with the usual deadline, mail and audit entry, and its portal sees the job', async () => {
    const candidates = (await platform.request(s.desk!, 'GET', `/api/v1/dispatch/jobs/${ids.job}/candidates`)).json();
    expect(candidates.map((c: { organizationId: string }) => c.organizationId)).toEqual([v.a, v.b, v.c]);

    const r = await platform.request(s.desk!, 'POST', offerUrl(ids.job), { vendorId: v.c });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ id: ids.job, status: 'offered', offerDeadlineAt: new Date(platform.clock.now().getTime() + 30 * 60_000).toISOString() });
    expect(await offersOf(ids.job)).toEqual([[v.c, 1, 'pending']]);

    const mails = await mailsTo(v.c!);
    expect(mails).toEqual([{ toAddress: 'c@vendor.example', subject: '【お助け隊】駆け付け依頼のご打診（大阪府大阪市北区・pc_repair）' }]);
    expect(await mailsTo(v.a!)).toEqual([]);
    const audits = await offerAudits(ids.job);
    expect(audits).toHaveLength(1);
    expect(audits[0]!.details).toEqual({ vendor: v.c, match: 'city', chosenBy: 'desk', candidateRank: 3 });
    expect(audits[0]!.actorUserId).not.toBeNull();

    // The chosen vendor's portal has the job with its deadline; the vendor ranked first does not.
    const portal = (await platform.request(s.c!, 'GET', '/api/v1/dispatch/jobs')).json();
    expect(portal.map((j: { id: string }) => j.id)).toEqual([ids.job]);
    expect(portal[0].offerDeadlineAt).toBe(r.json().offerDeadlineAt);
    expect((await platform.request(s.a!, 'GET', `/api/v1/dispatch/jobs/${ids.job}`)).statusCode).toBe(404);
  });

  it('refuses a second offer while the chosen vendor has not answered', async () => {
    const r = await platform.request(s.desk!, 'POST', offerUrl(ids.job), { vendorId: v.a });
    expect(r.statusCode).toBe(409);
    expect(r.json().error).toMatchObject({ code: 'conflict', message: 'an offer is still waiting for the vendor’s answer' });
    expect(await offersOf(ids.job)).toEqual([[v.c, 1, 'pending']]);
  });

  it('moves on to the next best after the chosen vendor declines or lets the deadline pass', async () => {
    expect((await platform.request(s.c!, 'POST', `/api/v1/dispatch/jobs/${ids.job}/decline`, { reason: '本日は伺えません' })).statusCode).toBe(200);
    expect(await offersOf(ids.job)).toEqual([[v.c, 1, 'declined'], [v.a, 2, 'pending']]);
    platform.clock.advance(31 * 60_000);
    expect((await platform.request(s.admin!, 'POST', '/api/v1/dispatch/expire-offers')).json()).toEqual({ expired: 1 });
    expect(await offersOf(ids.job)).toEqual([[v.c, 1, 'declined'], [v.a, 2, 'expired'], [v.b, 3, 'pending']]);
    expect((await offerAudits(ids.job)).map((a) => a.details)).toEqual([
      { vendor: v.c, match: 'city', chosenBy: 'desk', candidateRank: 3 },
      { vendor: v.a, match: 'city' },
      { vendor: v.b, match: 'city' },
    ]);
    expect((await platform.request(s.b!, 'POST', `/api/v1/dispatch/jobs/${ids.job}/decline`, { reason: '満員です' })).statusCode).toBe(200);
    expect((await job(ids.job)).status).toBe('unfilled');
  });

  it('refuses a vendor that was already asked, and changes nothing', async () => {
    for (const [vendorId, status] of [[v.c!, 'declined'], [v.a!, 'expired']] as const) {
      const r = await platform.request(s.desk!, 'POST', offerUrl(ids.job), { vendorId });
      expect(r.statusCode, status).toBe(409);
      expect(r.json().error).toEqual({
        code: 'conflict',
        message: `${vendorId} is not a candidate for this job: the vendor was already offered this job (declined, expired or accepted); pick one from GET /dispatch/jobs/${ids.job}/candidates`,
        details: { reason: 'already_offered', vendorId },
      });
    }
    expect((await job(ids.job)).status).toBe('unfilled');
    expect(await offersOf(ids.job)).toEqual([[v.c, 1, 'declined'], [v.a, 2, 'expired'], [v.b, 3, 'declined']]);
    expect(await offerAudits(ids.job)).toHaveLength(3);
    expect(await mailsTo(v.c!)).toHaveLength(1);
  });

  it('refuses vendors that are not candidates, another organization’s id and an unknown id, and changes nothing', async () => {
    const refusal = async (vendorId: string) => {
      const r = await platform.request(s.desk!, 'POST', offerUrl(ids.other), { vendorId });
      expect(r.statusCode, r.body).toBe(409);
      return r.json().error as { code: string; message: string; details: { reason: string; vendorId: string } };
    };
    expect((await refusal(v.kyoto!)).details).toEqual({ reason: 'no_area', vendorId: v.kyoto });
    expect((await refusal(v.cabler!)).details).toEqual({ reason: 'no_skill', vendorId: v.cabler });
    // Another tenant's organization, a vendor without a profile and an id of nothing answer alike.
    const unknown = '00000000-0000-4000-8000-000000000000';
    for (const id of [ids.rival, v.unregistered!, ids.org, unknown]) {
      const error = await refusal(id);
      expect(error).toEqual({
        code: 'conflict',
        message: `${id} is not a candidate for this job: no registered vendor has this id; pick one from GET /dispatch/jobs/${ids.other}/candidates`,
        details: { reason: 'not_a_vendor', vendorId: id },
      });
    }
    const bad = await platform.request(s.desk!, 'POST', offerUrl(ids.other), { vendorId: 'not-a-uuid' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('validation_failed');

    expect(await job(ids.other)).toMatchObject({ status: 'requested', offers: [], offerDeadlineAt: null });
    expect(await offerAudits(ids.other)).toEqual([]);
    for (const id of [v.kyoto!, v.cabler!]) expect(await mailsTo(id)).toEqual([]);
  });

  it('is closed to vendors and customers', async () => {
    for (const who of [s.a!, s.kyoto!, s.owner!]) {
      const r = await platform.request(who, 'POST', offerUrl(ids.other), { vendorId: v.a });
      expect(r.statusCode, r.body).toBe(403);
    }
    expect(await job(ids.other)).toMatchObject({ status: 'requested', offers: [] });
  });

  it('still offers the next best without a body, and refuses a choice once the job is taken', async () => {
    const r = await platform.request(s.desk!, 'POST', offerUrl(ids.other));
    expect(r.statusCode, r.body).toBe(200);
    expect(await offersOf(ids.other)).toEqual([[v.a, 1, 'pending']]);
    expect((await offerAudits(ids.other)).map((a) => a.details)).toEqual([{ vendor: v.a, match: 'city' }]);
    expect((await platform.request(s.a!, 'POST', `/api/v1/dispatch/jobs/${ids.other}/accept`)).statusCode).toBe(200);
    const late = await platform.request(s.desk!, 'POST', offerUrl(ids.other), { vendorId: v.b });
    expect(late.statusCode).toBe(409);
    expect(late.json().error.message).toBe('the job is already accepted');
    expect(await offersOf(ids.other)).toEqual([[v.a, 1, 'accepted']]);
  });

  it('keeps one waiting offer per job when two agents offer at the same moment', async () => {
    const [next, chosen] = await Promise.all([platform.request(s.desk!, 'POST', offerUrl(ids.race)), platform.request(s.desk!, 'POST', offerUrl(ids.race), { vendorId: v.c })]);
    expect([next.statusCode, chosen.statusCode].sort()).toEqual([200, 409]);
    const loser = next.statusCode === 409 ? next : chosen;
    expect(loser.json().error.message).toBe('an offer is still waiting for the vendor’s answer');
    const offers = await offersOf(ids.race);
    expect(offers.filter((o) => o[2] === 'pending')).toHaveLength(1);
    expect(offers).toHaveLength(1);
    expect(await offerAudits(ids.race)).toHaveLength(1);
    // The database itself refuses a second waiting offer, whatever the service checked before.
    const other = offers[0]![0] === v.b ? v.a : v.b;
    await expect(
      sql`insert into dispatch_offers (job_id, vendor_organization_id, rank, offered_at, deadline_at) values (${ids.race}, ${other}, 2, now(), now() + interval '30 minutes')`.execute(platform.database.db),
    ).rejects.toMatchObject({ code: '23505' });
  });
});
