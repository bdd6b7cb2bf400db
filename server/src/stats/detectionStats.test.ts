/**
 * The seed's table (2019-07-08 … 2020-01-31, 208 days) rebuilt from data the platform would hold.
 *
 * How the fixture lands exactly on the seed's figures. Per-company-month = detections ÷ (Σ monitored
 * days of the companies in the row ÷ 30), so each row only needs the right day sum for its companies:
 * - inbound IPS only, 30 companies, 4,400 days (20 × 147 + 10 × 146)
 * - inbound IPS and virus, 18 companies, 3,250 days (10 × 181 + 8 × 180)
 * - inbound virus only, 16 companies, 2,550 days (6 × 160 + 10 × 159)
 *   → inbound total 64 companies, 10,200 days = 340 months: 19,100 ÷ 340 = 56.2 → 56
 *   → inbound IPS 48 companies, 7,650 days = 255 months: 18,325 ÷ 255 = 71.9 → 72
 *   → inbound virus 34 companies, 5,800 days = 193.3 months: 775 ÷ 193.3 = 4.01 → 4 (4.0)
 * - outbound, 31 companies, 5,150 days: one watched the whole 208 days and has the only outbound
 *   virus and 8 behaviour detections (total only), 30 share 4,942 days (22 × 165 + 8 × 164)
 *   → outbound total 692 ÷ 171.7 months = 4.03 → 4; IPS 683 ÷ 171.7 = 3.98 → 4;
 *     virus 1 ÷ (208 ÷ 30) = 0.14 → 0.1
 * - 15 companies without detections, 600 days (15 × 40)
 *   → 110 companies, 15,950 days, 145 days on average.
 * Monitored days = the contract's start to the period's end (contracts are open-ended here).
 * Alerts are spread evenly over each group's companies. Noise that must not count: suppressed
 * alerts, internal alerts, alerts just outside the period, and a company whose contract ended before it.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UplinkAlert } from '@otasuke/shared';
import { insertAlertSeries } from '../incidents/alertFixtures.ts';
import { startTestPlatform, type Session, type TestPlatform } from '../testing/testPlatform.ts';
import { detectionStats, monitoredDays, roundPerCompanyMonth } from './detectionStats.ts';

const FROM = '2019-07-08';
const TO = '2020-01-31';

/** n integers summing to total, as even as possible (the first ones get the remainder). */
const spread = (total: number, n: number) => Array.from({ length: n }, (_, i) => Math.floor(total / n) + (i < total % n ? 1 : 0));
const daysBefore = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);

const base: Omit<UplinkAlert, 'observedAt' | 'direction' | 'engine'> = {
  srcIp: '203.0.113.9', destIp: '192.168.1.10', proto: 'TCP', explain: 'rule.attempted-admin', gid: 1, signatureId: 2_000_001, rev: 1, signature: 'ET EXPLOIT test', category: 'Attempted Administrator Privilege Gain', severity: 1,
};
const kinds = {
  inboundIps: { ...base, direction: 'inbound', engine: 'rule' },
  inboundVirus: { ...base, direction: 'inbound', engine: 'file', explain: 'malware_file' },
  outboundIps: { ...base, srcIp: '192.168.1.20', destIp: '198.51.100.7', direction: 'outbound', engine: 'rule', explain: 'rule.trojan-activity' },
  outboundIoc: { ...base, srcIp: '192.168.1.20', destIp: '198.51.100.7', direction: 'outbound', engine: 'ioc', explain: 'c2_communication' },
  outboundVirus: { ...base, srcIp: '192.168.1.20', destIp: '198.51.100.7', direction: 'outbound', engine: 'file', explain: 'malware_file' },
  outboundBehaviour: { ...base, srcIp: '192.168.1.20', destIp: '198.51.100.7', direction: 'outbound', engine: 'behaviour', explain: 'beaconing' },
  internal: { ...base, srcIp: '192.168.1.20', destIp: '192.168.1.30', direction: 'internal', engine: 'rule' },
} satisfies Record<string, Omit<UplinkAlert, 'observedAt'>>;

describe('detection statistics arithmetic', () => {
  it('clips monitored days to the period, both ends included', () => {
    expect(monitoredDays({ organizationId: 'x', startDate: '2019-01-01', endDate: null }, FROM, TO)).toBe(208);
    expect(monitoredDays({ organizationId: 'x', startDate: '2019-07-10', endDate: '2019-07-10' }, FROM, TO)).toBe(1);
    expect(monitoredDays({ organizationId: 'x', startDate: '2019-01-01', endDate: '2019-07-07' }, FROM, TO)).toBe(0);
  });
  it('rounds to one decimal below 10 and to an integer from 10', () => {
    expect([0.05, 0.144, 3.98, 4.0086, 9.94, 9.96, 56.18, 71.5].map(roundPerCompanyMonth)).toEqual([0.1, 0.1, 4, 4, 9.9, 10, 56, 72]);
  });
  it('answers zeros for an empty period', () => {
    expect(detectionStats(FROM, TO, [], []).rows.map((r) => [r.companies, r.detections, r.perCompanyMonth])).toEqual(Array.from({ length: 6 }, () => [0, 0, 0]));
  });
});

describe(`detection statistics endpoint (${process.env.OTASUKE_TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  let platform: TestPlatform;
  let staff: Session;
  let subscriberAdmin: Session;

  beforeAll(async () => {
    platform = await startTestPlatform();
    const db = platform.database.db;
    const operatorId = await platform.createOrganization({ kind: 'operator', name: '運営' });
    await platform.createUser(operatorId, 'helpdesk', 'desk@stats.example');
    staff = await platform.signIn('desk@stats.example');

    let seq = 1;
    const company = async (index: number, days: number | null, endDate: string | null = null) => {
      const org = await sql<{ id: string }>`insert into organizations (kind, name, membership) values ('subscriber', ${`企業${index}`}, 'member') returning id`.execute(db);
      const organizationId = org.rows[0]!.id;
      const site = await sql<{ id: string }>`insert into sites (organization_id, name) values (${organizationId}, '本社') returning id`.execute(db);
      const sensor = await sql<{ id: string }>`insert into sensors (organization_id, site_id, name) values (${organizationId}, ${site.rows[0]!.id}, 'sensor') returning id`.execute(db);
      const startDate = days === null ? '2019-01-01' : daysBefore(TO, days - 1);
      await sql`insert into contracts (organization_id, plan_code, start_date, end_date) values (${organizationId}, 'member', ${startDate}, ${endDate})`.execute(db);
      return { organizationId, siteId: site.rows[0]!.id, sensorId: sensor.rows[0]!.id };
    };
    const alerts = async (c: { organizationId: string; siteId: string; sensorId: string }, count: number, alert: Omit<UplinkAlert, 'observedAt'>, options: { start?: string; suppressionId?: string } = {}) => {
      if (count === 0) return;
      await insertAlertSeries(db, { ...c, firstSeq: seq, count, start: new Date(options.start ?? '2019-10-01T00:00:00Z'), stepMs: 60_000, alert, suppressionId: options.suppressionId ?? null });
      seq += count;
    };

    let index = 0;
    const group = async (days: number[]) => Promise.all(days.map((d) => company(++index, d)));
    const ipsOnly = await group([...Array(20).fill(147), ...Array(10).fill(146)]);
    const both = await group([...Array(10).fill(181), ...Array(8).fill(180)]);
    const virusOnly = await group([...Array(6).fill(160), ...Array(10).fill(159)]);
    const outbound = await group([208, ...Array(22).fill(165), ...Array(8).fill(164)]);
    const quiet = await group(Array(15).fill(40));
    expect(ipsOnly.length + both.length + virusOnly.length + outbound.length + quiet.length).toBe(110);

    const inboundIps = [...ipsOnly, ...both];
    const ipsCounts = spread(18_325, inboundIps.length);
    for (const [i, c] of inboundIps.entries()) await alerts(c, ipsCounts[i]!, kinds.inboundIps);
    const inboundVirus = [...both, ...virusOnly];
    const virusCounts = spread(775, inboundVirus.length);
    for (const [i, c] of inboundVirus.entries()) await alerts(c, virusCounts[i]!, kinds.inboundVirus);
    const outboundCounts = spread(683, outbound.length);
    for (const [i, c] of outbound.entries()) {
      // IOC matches are IPS detections too: company 2 has two of them among its 22.
      if (i === 1) {
        await alerts(c, outboundCounts[i]! - 2, kinds.outboundIps);
        await alerts(c, 2, kinds.outboundIoc);
      } else await alerts(c, outboundCounts[i]!, kinds.outboundIps);
    }
    await alerts(outbound[0]!, 1, kinds.outboundVirus);
    await alerts(outbound[0]!, 8, kinds.outboundBehaviour);

    // Noise. First day 00:00 JST counts; the day after the period (00:00 JST 2020-02-01) does not.
    const suppression = await sql<{ id: string }>`insert into suppressions (organization_id, cidr, reason, created_at) values (null, '203.0.113.0/24', 'noise', now()) returning id`.execute(db);
    await alerts(quiet[0]!, 500, kinds.inboundIps, { suppressionId: suppression.rows[0]!.id });
    await alerts(quiet[1]!, 50, kinds.internal);
    await alerts(quiet[2]!, 5, kinds.inboundIps, { start: '2020-01-31T15:00:00Z' });
    await alerts(quiet[2]!, 5, kinds.outboundIps, { start: '2019-07-07T14:55:00Z' });
    const former = await company(999, null, '2019-06-30');
    await alerts(former, 40, kinds.inboundIps);
    // Boundary that counts: an inbound IPS alert at 2019-07-08 00:00 JST, moved from another company's share.
    await sql`update alerts set observed_at = '2019-07-07T15:00:00Z' where id = (select id from alerts where organization_id = ${ipsOnly[0]!.organizationId} limit 1)`.execute(db);

    const subscriberOrg = ipsOnly[0]!.organizationId;
    await platform.createUser(subscriberOrg, 'subscriber_admin', 'owner@stats.example');
    subscriberAdmin = await platform.signIn('owner@stats.example');
  }, 300_000);
  afterAll(async () => platform?.close());

  it("reproduces the seed's table exactly", async () => {
    const response = await platform.request(staff, 'GET', `/api/v1/stats/detections?from=${FROM}&to=${TO}`);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({
      from: FROM,
      to: TO,
      monitoredCompanies: 110,
      averageMonitoringDays: 145,
      rows: [
        { direction: 'inbound', box: 'total', label: '「外→内」の攻撃', companies: 64, detections: 19_100, perCompanyMonth: 56 },
        { direction: 'inbound', box: 'ips', label: 'IPS(不正侵入防止)', companies: 48, detections: 18_325, perCompanyMonth: 72 },
        { direction: 'inbound', box: 'virus', label: 'ウイルス除去', companies: 34, detections: 775, perCompanyMonth: 4 },
        { direction: 'outbound', box: 'total', label: '「内→外」の不正通信', companies: 31, detections: 692, perCompanyMonth: 4 },
        { direction: 'outbound', box: 'ips', label: 'IPS', companies: 31, detections: 683, perCompanyMonth: 4 },
        { direction: 'outbound', box: 'virus', label: 'ウイルス除去', companies: 1, detections: 1, perCompanyMonth: 0.1 },
      ],
    });
  });

  it('exports the same table as CSV with a BOM', async () => {
    const response = await platform.request(staff, 'GET', `/api/v1/stats/detections.csv?from=${FROM}&to=${TO}`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(response.body.replace(/^\uFEFF/, '').split('\r\n')).toEqual([
      `"期間","${FROM}〜${TO}"`,
      '"監視企業数",110',
      '"平均監視期間(日)",145',
      '',
      '"項目","企業数","件数","件数/社月"',
      '"「外→内」の攻撃",64,19100,56',
      '"IPS(不正侵入防止)",48,18325,72',
      '"ウイルス除去",34,775,4',
      '"「内→外」の不正通信",31,692,4',
      '"IPS",31,683,4',
      '"ウイルス除去",1,1,0.1',
      '',
    ]);
  });

  it('refuses subscribers, and a period that ends before it starts', async () => {
    expect((await platform.request(subscriberAdmin, 'GET', `/api/v1/stats/detections?from=${FROM}&to=${TO}`)).statusCode).toBe(403);
    const backwards = await platform.request(staff, 'GET', `/api/v1/stats/detections?from=${TO}&to=${FROM}`);
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json().error.details.fields[0].field).toBe('querystring.from');
  });
});
