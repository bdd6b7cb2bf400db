/** The statistics page's series: top signatures and one detection table per month, counted like the seed's table. */
import type { UplinkAlert } from '@otasuke/shared';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertAlertSeries } from '../incidents/alertFixtures.ts';
import { startTestPlatform, type Session, type TestPlatform } from '../testing/testPlatform.ts';
import { boxOfEngine, monthSlices } from './monthlyStats.ts';

const base: Omit<UplinkAlert, 'observedAt'> = {
  srcIp: '203.0.113.9', destIp: '192.168.1.10', proto: 'TCP', direction: 'inbound', engine: 'rule', explain: 'rule.attempted-admin', gid: 1, signatureId: 2_000_001, rev: 1, signature: 'ET EXPLOIT A', category: 'x', severity: 1,
};
const exploitB = { ...base, signatureId: 2_000_002, signature: 'ET EXPLOIT B' };
const virus = { ...base, engine: 'file' as const, explain: 'malware_file', gid: 1, signatureId: 9_300_001, signature: 'OTASUKE malware file' };
const c2 = { ...base, srcIp: '192.168.1.20', destIp: '198.51.100.7', direction: 'outbound' as const, engine: 'ioc' as const, signatureId: 9_200_001, signature: 'OTASUKE IOC C2' };

describe('month slices', () => {
  it('clips the first and last month to the period', () => {
    expect(monthSlices('2026-01-15', '2026-03-10')).toEqual([
      { month: '2026-01', from: '2026-01-15', to: '2026-01-31' },
      { month: '2026-02', from: '2026-02-01', to: '2026-02-28' },
      { month: '2026-03', from: '2026-03-01', to: '2026-03-10' },
    ]);
    expect(monthSlices('2025-12-31', '2026-01-01').map((s) => s.month)).toEqual(['2025-12', '2026-01']);
  });
  it('puts file detections under virus and behaviour under other', () => {
    expect(['rule', 'ioc', 'file', 'behaviour'].map((e) => boxOfEngine(e as 'rule'))).toEqual(['ips', 'ips', 'virus', 'other']);
  });
});

describe(`statistics series (${process.env.OTASUKE_TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  let platform: TestPlatform;
  let staff: Session;
  let owner: Session;

  beforeAll(async () => {
    platform = await startTestPlatform();
    const db = platform.database.db;
    const operatorId = await platform.createOrganization({ kind: 'operator', name: '運営' });
    await platform.createUser(operatorId, 'analyst', 'analyst@series.example');
    staff = await platform.signIn('analyst@series.example');
    let seq = 1;
    const company = async (name: string, startDate: string | null) => {
      const organizationId = await platform.createOrganization({ kind: 'subscriber', name, membership: 'member' });
      const siteId = (await sql<{ id: string }>`insert into sites (organization_id, name) values (${organizationId}, '本社') returning id`.execute(db)).rows[0]!.id;
      const sensorId = (await sql<{ id: string }>`insert into sensors (organization_id, site_id, name) values (${organizationId}, ${siteId}, 's') returning id`.execute(db)).rows[0]!.id;
      if (startDate) await sql`insert into contracts (organization_id, plan_code, start_date) values (${organizationId}, 'member', ${startDate})`.execute(db);
      return { organizationId, siteId, sensorId };
    };
    const alerts = async (c: { organizationId: string; siteId: string; sensorId: string }, count: number, alert: Omit<UplinkAlert, 'observedAt'>, start: string, suppressionId: string | null = null) => {
      await insertAlertSeries(db, { ...c, firstSeq: seq, count, start: new Date(start), stepMs: 60_000, alert, suppressionId });
      seq += count;
    };
    const a = await company('甲社', '2026-01-01');
    const b = await company('乙社', '2026-01-01');
    const c = await company('丙社', '2026-02-01');
    const noContract = await company('契約なし社', null);
    await alerts(a, 5, base, '2026-01-10T00:00:00Z');
    await alerts(b, 3, base, '2026-02-10T00:00:00Z');
    await alerts(b, 4, exploitB, '2026-02-11T00:00:00Z');
    await alerts(c, 2, virus, '2026-02-12T00:00:00Z');
    await alerts(c, 1, c2, '2026-03-01T00:00:00Z');
    // 1 March 00:30 JST is still February 28 15:30 UTC: it counts in March.
    await alerts(a, 1, exploitB, '2026-02-28T15:30:00Z');
    // Never counted: suppressed, internal, a subscriber without a contract.
    const suppression = (await sql<{ id: string }>`insert into suppressions (organization_id, cidr, reason, created_at) values (null, '203.0.113.0/24', 'noise', now()) returning id`.execute(db)).rows[0]!.id;
    await alerts(a, 50, base, '2026-01-11T00:00:00Z', suppression);
    await alerts(a, 20, { ...base, direction: 'internal' }, '2026-01-12T00:00:00Z');
    await alerts(noContract, 30, base, '2026-01-13T00:00:00Z');
    await platform.createUser(a.organizationId, 'subscriber_admin', 'owner@series.example');
    owner = await platform.signIn('owner@series.example');
  });
  afterAll(async () => platform?.close());

  it('ranks the signatures of the period with their companies', async () => {
    const response = await platform.request(staff, 'GET', '/api/v1/stats/top-signatures?from=2026-01-01&to=2026-03-31&limit=3');
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({
      from: '2026-01-01',
      to: '2026-03-31',
      signatures: [
        { gid: 1, signatureId: 2_000_001, signature: 'ET EXPLOIT A', direction: 'inbound', box: 'ips', detections: 8, companies: 2 },
        { gid: 1, signatureId: 2_000_002, signature: 'ET EXPLOIT B', direction: 'inbound', box: 'ips', detections: 5, companies: 2 },
        { gid: 1, signatureId: 9_300_001, signature: 'OTASUKE malware file', direction: 'inbound', box: 'virus', detections: 2, companies: 1 },
      ],
    });
    const february = (await platform.request(staff, 'GET', '/api/v1/stats/top-signatures?from=2026-02-01&to=2026-02-28')).json();
    expect(february.signatures.map((s: { signature: string; detections: number }) => [s.signature, s.detections])).toEqual([
      ['ET EXPLOIT B', 4],
      ['ET EXPLOIT A', 3],
      ['OTASUKE malware file', 2],
    ]);
  });

  it('answers one detection table per Japan calendar month', async () => {
    const response = await platform.request(staff, 'GET', '/api/v1/stats/monthly?from=2026-01-01&to=2026-03-31');
    expect(response.statusCode, response.body).toBe(200);
    const months = response.json().months as Array<{ month: string; stats: { monitoredCompanies: number; rows: Array<{ direction: string; box: string; companies: number; detections: number }> } }>;
    const figures = months.map((m) => [m.month, m.stats.monitoredCompanies, ...m.stats.rows.map((r) => `${r.direction}.${r.box}=${r.detections}/${r.companies}`)]);
    expect(figures).toEqual([
      ['2026-01', 2, 'inbound.total=5/1', 'inbound.ips=5/1', 'inbound.virus=0/0', 'outbound.total=0/0', 'outbound.ips=0/0', 'outbound.virus=0/0'],
      ['2026-02', 3, 'inbound.total=9/2', 'inbound.ips=7/1', 'inbound.virus=2/1', 'outbound.total=0/0', 'outbound.ips=0/0', 'outbound.virus=0/0'],
      ['2026-03', 3, 'inbound.total=1/1', 'inbound.ips=1/1', 'inbound.virus=0/0', 'outbound.total=1/1', 'outbound.ips=1/1', 'outbound.virus=0/0'],
    ]);
  });

  it('refuses subscribers, backwards periods and more than 24 months', async () => {
    expect((await platform.request(owner, 'GET', '/api/v1/stats/top-signatures?from=2026-01-01&to=2026-03-31')).statusCode).toBe(403);
    expect((await platform.request(owner, 'GET', '/api/v1/stats/monthly?from=2026-01-01&to=2026-03-31')).statusCode).toBe(403);
    expect((await platform.request(staff, 'GET', '/api/v1/stats/top-signatures?from=2026-03-31&to=2026-01-01')).statusCode).toBe(400);
    const long = await platform.request(staff, 'GET', '/api/v1/stats/monthly?from=2024-01-01&to=2026-01-31');
    expect(long.statusCode).toBe(400);
    expect(long.json().error.details.fields[0].field).toBe('querystring.from');
    expect((await platform.request(staff, 'GET', '/api/v1/stats/top-signatures?from=2026-01-01&to=2026-03-31&limit=0')).statusCode).toBe(400);
  });
});
