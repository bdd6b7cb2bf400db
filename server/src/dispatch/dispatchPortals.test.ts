/**
 * What the partner pages read (HTTP, on PGlite or PostgreSQL): a job names its subscriber's company
 * and, for the desk, the vendors of its offer history; its files download for the vendor holding it,
 * the customer and the desk — never for a vendor that declined, another customer or another vendor;
 * and a claim's summary gives the insurer the policy, coverage, incident as filed and the pack's files.
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { c2Alert, insertAlertSeries } from '../incidents/alertFixtures.ts';
import { PACK_FILES } from '../insurance/evidencePack.ts';
import { startTestPlatform, type Session, type TestPlatform } from '../testing/testPlatform.ts';
import { startDispatchCast } from './dispatchTestFixture.ts';

const cli = { scope: null, ip: null, requestId: 'setup' };
let platform: TestPlatform;
const s: Record<string, Session> = {};
const ids = { org: '', site: '', incident: '', near: '', second: '', job: '', file: '', claim: '', insurer: '' };
const photo = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360f8cfc0000003010100c9fe92ef0000000049454e44ae426082', 'hex');

async function vendor(name: string, email: string, prefecture = '大阪府') {
  const id = await platform.createOrganization({ kind: 'vendor', name });
  await platform.createUser(id, 'vendor_staff', email);
  const r = await platform.request(s.admin!, 'PUT', `/api/v1/vendors/${id}`, {
    companyName: name, areas: [{ prefecture, city: null }], skills: ['pc_repair'], businessHours: '平日 9:00–18:00', hourlyRateYen: 8000, callOutFeeYen: 5000, capacity: 2,
    contactName: '担当', contactEmail: email, contactPhone: '06-1111-2222',
  });
  expect(r.statusCode, r.body).toBe(200);
  return id;
}

beforeAll(async () => {
  platform = await startTestPlatform();
  const cast = await startDispatchCast(platform, { name: '梅田商店株式会社', ownerEmail: 'owner@umeda.example', address: '大阪市北区梅田1-1-1', postalCode: '530-0001' });
  s.admin = cast.admin;
  s.desk = cast.desk;
  s.owner = cast.owner;
  ids.org = cast.subscriberId;
  ids.site = cast.siteId;
  const scope = cast.ownerScope;
  const sensor = await platform.services.organizations.createSensor({ ...cli, scope }, ids.site, { name: 'センサー' });
  await platform.services.contracts.create(cli, { organizationId: ids.org, planCode: 'member', startDate: '2026-03-01' });
  const alerts = await insertAlertSeries(platform.database.db, { organizationId: ids.org, siteId: ids.site, sensorId: sensor.id, firstSeq: 1, count: 2, start: new Date(platform.clock.now().getTime() - 3_600_000), stepMs: 1000, alert: c2Alert });
  ids.incident = (await platform.services.incidents.correlate(alerts)).incidents[0]!;
  const rival = await platform.createOrganization({ kind: 'subscriber', name: '別の会社', membership: 'member' });
  await platform.createUser(rival, 'subscriber_admin', 'owner@rival.example');
  s.rival = await platform.signIn('owner@rival.example');

  ids.near = await vendor('梅田パソコン救急', 'a@vendor.example');
  ids.second = await vendor('北区ITサービス', 'b@vendor.example');
  await vendor('京都の業者', 'c@vendor.example', '京都府');
  s.vendorA = await platform.signIn('a@vendor.example');
  s.vendorB = await platform.signIn('b@vendor.example');
  s.vendorC = await platform.signIn('c@vendor.example');

  ids.insurer = await platform.createOrganization({ kind: 'insurer', name: 'お助け損害保険株式会社' });
  await platform.createUser(ids.insurer, 'insurer_staff', 'claims@insurer.example');
  s.insurer = await platform.signIn('claims@insurer.example');
  const policy = (await sql<{ id: string }>`insert into insurance_policies (organization_id, policy_number, period_start) values (${ids.org}, 'OT-2026-0042', '2026-03-01') returning id`.execute(platform.database.db)).rows[0]!.id;
  const put = await platform.request(s.admin, 'PUT', `/api/v1/insurance/policies/${policy}`, { insurerOrganizationId: ids.insurer, coverage: [{ code: 'first_response', nameJa: '初動対応費用', limitYen: 300000 }, { code: 'onsite', nameJa: '駆け付け費用', limitYen: 100000 }] });
  expect(put.statusCode, put.body).toBe(200);
});

afterAll(async () => platform?.close());

describe('dispatch for the partner pages', () => {
  it('names the company for everyone who sees the job, and the vendors of the offer history for the desk', async () => {
    const created = await platform.request(s.desk!, 'POST', '/api/v1/dispatch/jobs', { incidentId: ids.incident, siteId: ids.site, skill: 'pc_repair', problem: 'パソコンの点検', contactName: '梅田 花子', contactPhone: '06-1234-5678' });
    expect(created.statusCode, created.body).toBe(200);
    ids.job = created.json().id;
    // Equal load and rate: the company name decides, so the first offer is deterministic.
    const offered = await platform.request(s.desk!, 'POST', `/api/v1/dispatch/jobs/${ids.job}/offer`);
    expect(offered.statusCode, offered.body).toBe(200);
    const first = (await platform.request(s.desk!, 'GET', `/api/v1/dispatch/jobs/${ids.job}`)).json();
    const firstVendor = first.offers[0].vendorOrganizationId as string;
    const [declining, accepting] = firstVendor === ids.near ? [s.vendorA!, s.vendorB!] : [s.vendorB!, s.vendorA!];

    const asVendor = (await platform.request(declining, 'GET', `/api/v1/dispatch/jobs/${ids.job}`)).json();
    expect(asVendor).toMatchObject({ companyName: '梅田商店株式会社', address: '大阪市北区梅田1-1-1', contactName: '梅田 花子', offers: null, organizationId: null, incidentId: null });
    expect(asVendor.offerDeadlineAt).not.toBeNull();
    expect((await platform.request(declining, 'POST', `/api/v1/dispatch/jobs/${ids.job}/decline`, { reason: '本日は手一杯です' })).statusCode).toBe(200);
    expect((await platform.request(accepting, 'POST', `/api/v1/dispatch/jobs/${ids.job}/accept`)).statusCode).toBe(200);

    const desk = (await platform.request(s.desk!, 'GET', '/api/v1/dispatch/jobs')).json().find((j: { id: string }) => j.id === ids.job);
    expect(desk.companyName).toBe('梅田商店株式会社');
    expect(desk.offers.map((o: { vendorName: string; status: string; reason: string | null }) => [o.vendorName, o.status, o.reason])).toEqual([
      [firstVendor === ids.near ? '梅田パソコン救急' : '北区ITサービス', 'declined', '本日は手一杯です'],
      [firstVendor === ids.near ? '北区ITサービス' : '梅田パソコン救急', 'accepted', null],
    ]);
    expect(desk.vendorName).toBe(firstVendor === ids.near ? '北区ITサービス' : '梅田パソコン救急');
    s.holder = accepting;
    s.decliner = declining;
  });

  it('downloads a file for the holding vendor, the customer and the desk only', async () => {
    expect((await platform.request(s.holder!, 'POST', `/api/v1/dispatch/jobs/${ids.job}/arrival`, {})).statusCode).toBe(200);
    const up = await platform.request(s.holder!, 'POST', `/api/v1/dispatch/jobs/${ids.job}/files`, { fileName: '作業写真 1.png', contentType: 'image/png', contentBase64: photo.toString('base64') });
    expect(up.statusCode, up.body).toBe(200);
    ids.file = up.json().files[0].id;
    const url = `/api/v1/dispatch/jobs/${ids.job}/files/${ids.file}`;
    for (const who of [s.holder!, s.owner!, s.desk!, s.admin!]) {
      const r = await platform.request(who, 'GET', url);
      expect(r.statusCode, r.body).toBe(200);
      expect(r.headers['content-type']).toBe('image/png');
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(r.headers['content-disposition']).toBe(`attachment; filename="____ 1.png"; filename*=UTF-8''${encodeURIComponent('作業写真 1.png')}`);
      expect(createHash('sha256').update(r.rawPayload).digest('hex')).toBe(createHash('sha256').update(photo).digest('hex'));
    }
    // The vendor that declined, an uninvolved vendor and another customer: the same 404 as a missing file.
    const missing = await platform.request(s.holder!, 'GET', `/api/v1/dispatch/jobs/${ids.job}/files/00000000-0000-4000-8000-000000000000`);
    expect(missing.statusCode).toBe(404);
    for (const who of [s.decliner!, s.vendorC!, s.rival!, s.insurer!]) {
      const r = await platform.request(who, 'GET', url);
      expect([403, 404], r.body).toContain(r.statusCode);
      if (r.statusCode === 404) expect(r.json().error.code).toBe(missing.json().error.code);
    }
    // A file id of another job does not open through this job.
    const other = await platform.request(s.desk!, 'POST', '/api/v1/dispatch/jobs', { incidentId: ids.incident, siteId: ids.site, skill: 'pc_repair', problem: '別件', contactName: '梅田', contactPhone: '06' });
    expect((await platform.request(s.desk!, 'GET', `/api/v1/dispatch/jobs/${other.json().id}/files/${ids.file}`)).statusCode).toBe(404);
  });
});

describe('the claim summary for the insurer', () => {
  it('gives the policy, its coverage, the incident as filed and the files of the pack', async () => {
    const filed = await platform.request(s.owner!, 'POST', '/api/v1/insurance/claims', { incidentId: ids.incident, description: '駆け付け費用の請求', claimedAmountYen: 30000 });
    expect(filed.statusCode, filed.body).toBe(200);
    ids.claim = filed.json().id;
    const r = await platform.request(s.insurer!, 'GET', `/api/v1/insurance/claims/${ids.claim}/summary`);
    expect(r.statusCode, r.body).toBe(200);
    const summary = r.json();
    expect(summary).toMatchObject({
      claimId: ids.claim,
      companyName: '梅田商店株式会社',
      insurerName: 'お助け損害保険株式会社',
      policy: { policyNumber: 'OT-2026-0042', periodStart: '2026-03-01', periodEnd: null, coverage: [{ code: 'first_response', limitYen: 300000 }, { code: 'onsite', limitYen: 100000 }] },
      incident: { alertCount: 2, priority: expect.stringMatching(/^P[1-4]$/) },
    });
    expect(summary.packFiles.map((f: { name: string }) => f.name)).toEqual(PACK_FILES.filter((n) => n !== 'manifest.json'));
    const zip = await platform.request(s.insurer!, 'GET', `/api/v1/insurance/claims/${ids.claim}/evidence-pack`);
    expect(summary.packBytes).toBe(zip.rawPayload.length);
    // The customer reads it too; another customer and another insurer do not.
    expect((await platform.request(s.owner!, 'GET', `/api/v1/insurance/claims/${ids.claim}/summary`)).statusCode).toBe(200);
    expect((await platform.request(s.rival!, 'GET', `/api/v1/insurance/claims/${ids.claim}/summary`)).statusCode).toBe(404);
    expect((await platform.request(s.vendorA!, 'GET', `/api/v1/insurance/claims/${ids.claim}/summary`)).statusCode).toBe(403);
  });
});
