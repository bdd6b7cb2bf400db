/**
 * The operator's subscriber directory: list figures (contract state, sensors online/total, open
 * incidents, last alert), search and paging, one subscriber's page with the sensors' last 24 hours,
 * enrollment codes created and revoked from it, and who may read it.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { c2Alert, insertAlertSeries } from '../incidents/alertFixtures.ts';
import { startTestPlatform, type Session, type TestPlatform } from '../testing/testPlatform.ts';
import { healthSeries } from './subscriberDirectoryService.ts';

describe('health series', () => {
  it('gives 24 hourly points, hours without heartbeats as zero with no drop rate', () => {
    const from = new Date('2026-04-01T00:00:00Z');
    const series = healthSeries(from, [{ hour: new Date('2026-04-01T05:00:00Z'), heartbeats: 58, maxDropRate: 0.02 }]);
    expect(series).toHaveLength(24);
    expect(series[0]).toEqual({ hour: '2026-04-01T00:00:00.000Z', heartbeats: 0, maxDropRate: null });
    expect(series[5]).toEqual({ hour: '2026-04-01T05:00:00.000Z', heartbeats: 58, maxDropRate: 0.02 });
  });
});

describe(`subscriber directory (${process.env.OTASUKE_TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  let platform: TestPlatform;
  let operator: Session;
  let analyst: Session;
  let owner: Session;
  let minatoId: string;
  let siteId: string;
  let sensorId: string;

  beforeAll(async () => {
    platform = await startTestPlatform();
    const db = platform.database.db;
    const operatorOrg = await platform.createOrganization({ kind: 'operator', name: '運営' });
    await platform.createUser(operatorOrg, 'operator_admin', 'admin@dir.example');
    await platform.createUser(operatorOrg, 'analyst', 'analyst@dir.example');
    operator = await platform.signIn('admin@dir.example');
    analyst = await platform.signIn('analyst@dir.example');

    // 12 quiet subscribers for paging, and 港町精機 with a contract, two sensors, alerts and an incident.
    for (let i = 1; i <= 12; i++) await platform.createOrganization({ kind: 'subscriber', name: `静かな会社${String(i).padStart(2, '0')}`, membership: 'non_member', prefecture: '京都府' });
    minatoId = await platform.createOrganization({ kind: 'subscriber', name: '港町精機株式会社', membership: 'member', prefecture: '大阪府', city: '大阪市港区' });
    await platform.createUser(minatoId, 'subscriber_admin', 'owner@minato.example');
    owner = await platform.signIn('owner@minato.example');
    await sql`insert into contracts (organization_id, plan_code, start_date) values (${minatoId}, 'member', '2026-01-01')`.execute(db);
    siteId = (await sql<{ id: string }>`insert into sites (organization_id, name, address) values (${minatoId}, '本社工場', '大阪市港区1-1') returning id`.execute(db)).rows[0]!.id;
    const now = platform.clock.now();
    sensorId = (
      await sql<{ id: string }>`insert into sensors (organization_id, site_id, name, status, last_heartbeat_at, bundle_version, created_at) values (${minatoId}, ${siteId}, '本社センサー', 'active', ${new Date(now.getTime() - 60_000)}, 'v1', ${new Date('2026-01-10T00:00:00Z')}) returning id`.execute(db)
    ).rows[0]!.id;
    await sql`insert into sensors (organization_id, site_id, name, status, last_heartbeat_at, created_at) values (${minatoId}, ${siteId}, '倉庫センサー', 'active', ${new Date(now.getTime() - 3_600_000)}, ${new Date('2026-01-11T00:00:00Z')})`.execute(db);
    await sql`insert into sensors (organization_id, site_id, name, status, created_at) values (${minatoId}, ${siteId}, '廃止センサー', 'revoked', ${new Date('2026-01-01T00:00:00Z')})`.execute(db);
    // Heartbeats: 3 in the hour two hours ago (one with 4 % drops), 1 a minute ago.
    const hb = async (at: Date, dropRate: number) =>
      sql`insert into sensor_heartbeats (sensor_id, organization_id, received_at, sent_at, agent_version, bundle_version, uptime_sec, packets_per_sec, packets_total, drops_total, drop_rate, cpu_percent, memory_bytes, disk_free_bytes, spool_backlog_events, spool_backlog_bytes, spool_dropped)
          values (${sensorId}, ${minatoId}, ${at}, ${at}, '1.0.0', 'v1', 10, 1, 100, 0, ${dropRate}, 1, 1, 1, 0, 0, 0)`.execute(db);
    const hourStart = Math.floor(now.getTime() / 3_600_000) * 3_600_000;
    for (const [minute, drop] of [[1, 0], [2, 0.04], [3, 0]] as const) await hb(new Date(hourStart - 2 * 3_600_000 + minute * 60_000), drop);
    await hb(new Date(now.getTime() - 60_000), 0);
    const alerts = await insertAlertSeries(db, { organizationId: minatoId, siteId, sensorId, firstSeq: 1, count: 3, start: new Date('2026-03-31T10:00:00Z'), stepMs: 60_000, alert: c2Alert });
    await platform.services.incidents.correlate(alerts);
    await sql`insert into notification_contacts (organization_id, role, name, email) values (${minatoId}, 'primary', '港 一郎', 'ichiro@minato.example')`.execute(db);
  });
  afterAll(async () => platform?.close());

  it('lists subscribers with contract state, sensors online/total, open incidents and last alert', async () => {
    const response = await platform.request(operator, 'GET', '/api/v1/subscriber-directory?q=港町');
    expect(response.statusCode, response.body).toBe(200);
    const page = response.json();
    expect(page.total).toBe(1);
    expect(page.items[0]).toEqual({
      id: minatoId,
      name: '港町精機株式会社',
      nameKana: null,
      membership: 'member',
      prefecture: '大阪府',
      city: '大阪市港区',
      contract: { status: 'active', planCode: 'member', startDate: '2026-01-01', endDate: null, membershipVerified: false },
      sensorsOnline: 1,
      sensorsTotal: 2,
      openIncidents: 1,
      lastAlertAt: '2026-03-31T10:02:00.000Z',
    });
  });

  it('pages through every subscriber and searches by prefecture', async () => {
    const first = (await platform.request(operator, 'GET', '/api/v1/subscriber-directory?pageSize=5')).json();
    const third = (await platform.request(operator, 'GET', '/api/v1/subscriber-directory?pageSize=5&page=3')).json();
    expect(first.total).toBe(13);
    expect(first.items).toHaveLength(5);
    expect(third.items).toHaveLength(3);
    expect(new Set([...first.items, ...third.items].map((i: { id: string }) => i.id)).size).toBe(8);
    const kyoto = (await platform.request(operator, 'GET', '/api/v1/subscriber-directory?q=京都')).json();
    expect(kyoto.total).toBe(12);
    expect(kyoto.items[0].contract).toBeNull();
    // LIKE wildcards are plain characters.
    expect((await platform.request(operator, 'GET', '/api/v1/subscriber-directory?q=%25')).json().total).toBe(0);
  });

  it("shows one subscriber's sites, sensors with 24 hours of health, contacts and incidents", async () => {
    const response = await platform.request(operator, 'GET', `/api/v1/subscriber-directory/${minatoId}`);
    expect(response.statusCode, response.body).toBe(200);
    const detail = response.json();
    expect(detail.sites).toEqual([{ id: siteId, name: '本社工場', postalCode: null, address: '大阪市港区1-1' }]);
    expect(detail.sensors.map((s: { name: string; online: boolean; status: string }) => [s.name, s.status, s.online])).toEqual([
      ['本社センサー', 'active', true],
      ['倉庫センサー', 'active', false],
      ['廃止センサー', 'revoked', false],
    ]);
    const health = detail.sensors[0].health as Array<{ heartbeats: number; maxDropRate: number | null }>;
    expect(health).toHaveLength(24);
    expect(health.map((h) => h.heartbeats).slice(-3)).toEqual([3, 0, 1]);
    expect(health[21]!.maxDropRate).toBeCloseTo(0.04);
    expect(health[22]!.maxDropRate).toBeNull();
    expect(detail.contacts).toEqual([expect.objectContaining({ role: 'primary', name: '港 一郎', email: 'ichiro@minato.example' })]);
    expect(detail.recentIncidents).toHaveLength(1);
    expect(detail.recentIncidents[0]).toEqual(expect.objectContaining({ signature: 'OTASUKE IOC known C2 server', alertCount: 3 }));
    expect(detail.openEnrollmentCodes).toEqual([]);
    expect((await platform.request(operator, 'GET', '/api/v1/subscriber-directory/00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
  });

  it('lists an enrollment code created for a site until it is revoked, and the revoked code no longer enrolls', async () => {
    const created = await platform.request(operator, 'POST', `/api/v1/sites/${siteId}/enrollment-codes`, { name: '2階センサー' });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json().qrPngDataUrl).toMatch(/^data:image\/png;base64,/);
    const open = (await platform.request(operator, 'GET', `/api/v1/subscriber-directory/${minatoId}`)).json().openEnrollmentCodes;
    expect(open).toEqual([expect.objectContaining({ siteId, sensorId: created.json().sensorId, sensorName: '2階センサー', expiresAt: created.json().expiresAt })]);
    const revoked = await platform.request(operator, 'POST', `/api/v1/enrollment-codes/${open[0].id}/revoke`);
    expect(revoked.statusCode, revoked.body).toBe(204);
    expect((await platform.request(operator, 'GET', `/api/v1/subscriber-directory/${minatoId}`)).json().openEnrollmentCodes).toEqual([]);
    expect((await platform.request(null, 'POST', '/api/v1/sensors/enroll', { code: created.json().code })).statusCode).toBe(401);
    // Twice: nothing left to revoke.
    expect((await platform.request(operator, 'POST', `/api/v1/enrollment-codes/${open[0].id}/revoke`)).statusCode).toBe(404);
    const audit = await sql<{ action: string }>`select action from audit_log where action = 'enrollment_code.revoke'`.execute(platform.database.db);
    expect(audit.rows).toHaveLength(1);
  });

  it('is for the operator’s administrators only', async () => {
    for (const session of [analyst, owner]) {
      expect((await platform.request(session, 'GET', '/api/v1/subscriber-directory')).statusCode).toBe(403);
      expect((await platform.request(session, 'GET', `/api/v1/subscriber-directory/${minatoId}`)).statusCode).toBe(403);
    }
    expect((await platform.request(operator, 'GET', '/api/v1/subscriber-directory?pageSize=500')).statusCode).toBe(400);
  });
});
