import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gzipBatchOf, syntheticAlertEvent } from '../ingest/syntheticAlerts.ts';
import { startTestPlatform, type Session, type TestPlatform } from '../testing/testPlatform.ts';
import { decodeCursor, encodeCursor } from './alertService.ts';

describe(`alerts API (${process.env.OTASUKE_TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  let platform: TestPlatform;
  let operator: Session;
  let adminA: Session;
  let memberA: Session;
  let adminB: Session;
  let orgA: string;
  let sensorA: string;
  let sensorB: string;

  const enroll = async (admin: Session, orgId: string) => {
    const siteId = (await platform.request(admin, 'POST', `/api/v1/organizations/${orgId}/sites`, { name: '拠点' })).json().id;
    const code = (await platform.request(admin, 'POST', `/api/v1/sites/${siteId}/enrollment-codes`, {})).json();
    return (await platform.request(null, 'POST', '/api/v1/sensors/enroll', { code: code.code })).json() as { sensorId: string; credential: string };
  };
  const send = async (credential: string, seqs: number[], at: (seq: number) => string) => {
    const response = await platform.app.inject({
      method: 'POST',
      url: '/api/v1/ingest/events',
      headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip' },
      payload: gzipBatchOf(seqs.map((s) => syntheticAlertEvent(s, at(s)))),
    });
    expect(response.statusCode, response.body).toBe(200);
  };
  const list = async (session: Session, query: string) => {
    const response = await platform.request(session, 'GET', `/api/v1/alerts?${query}`);
    expect(response.statusCode, response.body).toBe(200);
    return response.json() as { items: Array<{ seq: number; sensorId: string; observedAt: string; severity: number; id: string }>; nextCursor: string | null };
  };

  beforeAll(async () => {
    platform = await startTestPlatform();
    const operatorOrg = await platform.createOrganization({ kind: 'operator', name: '運営' });
    await platform.createUser(operatorOrg, 'analyst', 'analyst@alerts.example');
    orgA = await platform.createOrganization({ kind: 'subscriber', name: 'A社', membership: 'member' });
    await platform.createUser(orgA, 'subscriber_admin', 'a@alerts.example');
    await platform.createUser(orgA, 'subscriber_member', 'a-member@alerts.example');
    const orgB = await platform.createOrganization({ kind: 'subscriber', name: 'B社', membership: 'member' });
    await platform.createUser(orgB, 'subscriber_admin', 'b@alerts.example');
    operator = await platform.signIn('analyst@alerts.example');
    adminA = await platform.signIn('a@alerts.example');
    memberA = await platform.signIn('a-member@alerts.example');
    adminB = await platform.signIn('b@alerts.example');
    const a = await enroll(adminA, orgA);
    const b = await enroll(adminB, orgB);
    sensorA = a.sensorId;
    sensorB = b.sensorId;
    // A: 25 alerts, several sharing one observedAt (the id breaks the tie); microseconds kept.
    await send(a.credential, Array.from({ length: 25 }, (_, i) => i + 1), (s) => `2026-04-01T0${Math.floor(s / 5)}:00:00.123456Z`);
    await send(b.credential, [1, 2, 3], () => '2026-04-01T01:00:00Z');
  });
  afterAll(async () => platform?.close());

  it('pages newest first by (observedAt, id) without losing or repeating an alert', async () => {
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await list(memberA, `limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.items.map((a) => a.seq));
      const times = page.items.map((a) => a.observedAt);
      expect([...times].sort().reverse()).toEqual(times);
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(4);
    expect([...seen].sort((x, y) => x - y)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
  });

  it('filters by sensor, time range and severity', async () => {
    expect((await list(adminA, `sensor=${sensorA}&limit=100`)).items).toHaveLength(25);
    const range = await list(adminA, `from=2026-04-01T01:00:00Z&to=2026-04-01T02:00:00Z`);
    expect(range.items.map((a) => a.seq).sort((x, y) => x - y)).toEqual([5, 6, 7, 8, 9]);
    const severe = await list(adminA, 'severity=1');
    expect(severe.items.every((a) => a.severity === 1)).toBe(true);
    expect(severe.items.length).toBe(8);
    expect((await list(adminA, 'direction=inbound')).items).toEqual([]);
    expect((await list(adminA, 'engine=rule&limit=1')).items).toHaveLength(1);
  });

  it("shows subscribers only their own organization's alerts, operator staff all of them", async () => {
    expect((await list(adminB, `sensor=${sensorA}`)).items).toEqual([]);
    expect((await list(adminB, `organization=${orgA}`)).items).toEqual([]);
    expect((await list(adminB, 'limit=1000')).items.every((a) => a.sensorId === sensorB)).toBe(true);
    const all = await list(operator, 'limit=1000');
    expect(new Set(all.items.map((a) => a.sensorId))).toEqual(new Set([sensorA, sensorB]));
    expect((await list(operator, `organization=${orgA}&limit=1000`)).items).toHaveLength(25);
  });

  it('gives ingest counters of visible sensors only (another tenant’s answers 404)', async () => {
    const own = await platform.request(adminA, 'GET', `/api/v1/sensors/${sensorA}/ingest-counters`);
    expect(own.json()).toMatchObject({ sensorId: sensorA, accepted: 25, duplicates: 0, rejected: 0, suppressed: 0 });
    expect((await platform.request(adminB, 'GET', `/api/v1/sensors/${sensorA}/ingest-counters`)).statusCode).toBe(404);
    expect((await platform.request(operator, 'GET', `/api/v1/sensors/${sensorB}/ingest-counters`)).json().accepted).toBe(3);
  });

  it('refuses a cursor it did not give out', async () => {
    const response = await platform.request(adminA, 'GET', '/api/v1/alerts?cursor=bm9wZQ');
    expect(response.statusCode).toBe(400);
    const cursor = { observedAt: '2026-04-01T00:00:00.123456Z', id: '11111111-1111-4111-8111-111111111111' };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
  });
});
