import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertStore } from '../ingest/alertStore.ts';
import { IngestRepository } from '../ingest/ingestRepository.ts';
import { gzipBatchOf, syntheticAlertEvent } from '../ingest/syntheticAlerts.ts';
import { startTestPlatform, type Session, type TestPlatform } from '../testing/testPlatform.ts';
import { c2Alert, insertAlertSeries, scanAlert } from './alertFixtures.ts';
import { createMonitoringHooks } from './monitoringHooks.ts';

const cli = { scope: null, ip: null, requestId: 'setup' };

describe(`incidents (${process.env.OTASUKE_TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  let platform: TestPlatform;
  let analyst: Session;
  let analystId: string;
  let subscriberA: Session;
  const orgs: Record<'a' | 'b', { id: string; siteId: string; sensorId: string }> = {} as never;
  let hooks: ReturnType<typeof createMonitoringHooks>;
  let seq = 1;
  const nextSeq = (count: number) => {
    const first = seq;
    seq += count;
    return first;
  };

  beforeAll(async () => {
    platform = await startTestPlatform();
    hooks = createMonitoringHooks(platform.services);
    const operatorId = await platform.createOrganization({ kind: 'operator', name: '運営' });
    analystId = await platform.createUser(operatorId, 'analyst', 'analyst@inc.example');
    const opScope = { userId: null, tokenId: null, sessionId: null, organizationId: operatorId, organizationKind: 'operator' as const, role: 'operator_admin' as const };
    for (const key of ['a', 'b'] as const) {
      const id = await platform.createOrganization({ kind: 'subscriber', name: `${key.toUpperCase()}商店`, membership: 'member' });
      const site = await platform.services.organizations.createSite({ ...cli, scope: opScope }, id, { name: '本社' });
      const sensor = await platform.services.organizations.createSensor({ ...cli, scope: opScope }, site.id, { name: 'sensor' });
      orgs[key] = { id, siteId: site.id, sensorId: sensor.id };
    }
    await platform.createUser(orgs.a.id, 'subscriber_admin', 'owner@a.example');
    analyst = await platform.signIn('analyst@inc.example');
    subscriberA = await platform.signIn('owner@a.example');
  });
  afterAll(async () => platform?.close());

  const series = (org: 'a' | 'b', count: number, start: string, stepMs: number, alert = c2Alert) =>
    insertAlertSeries(platform.database.db, { organizationId: orgs[org].id, siteId: orgs[org].siteId, sensorId: orgs[org].sensorId, firstSeq: nextSeq(count), count, start: new Date(start), stepMs, alert });
  const incidentsOf = async (org: 'a' | 'b') =>
    (await platform.database.db.withTables<{ incidents: { id: string; organizationId: string; alertCount: string; status: string; createdAt: Date; firstSeenAt: Date } }>().selectFrom('incidents').selectAll().where('organizationId', '=', orgs[org].id).orderBy('firstSeenAt').orderBy('alertCount', 'desc').execute());
  const get = async (id: string, session = analyst) => (await platform.request(session, 'GET', `/api/v1/incidents/${id}`)).json();

  it('turns a flood of 10,000 alerts from one sensor into one incident with count 10,000', async () => {
    const flood = await series('a', 10_000, '2026-03-02T01:00:00Z', 100);
    for (let i = 0; i < flood.length; i += 5000) await hooks.afterStore(flood.slice(i, i + 5000));
    const incidents = await incidentsOf('a');
    expect(incidents).toHaveLength(1);
    const detail = await get(incidents[0]!.id);
    expect(detail.incident).toMatchObject({ alertCount: 10_000, kind: 'c2_communication', priority: 'P1', status: 'new', insideHost: '192.168.1.23', peer: '198.51.100.7' });
    expect(detail.incident.firstSeenAt).toBe('2026-03-02T01:00:00.000Z');
    expect(detail.incident.lastSeenAt).toBe(new Date(Date.parse('2026-03-02T01:00:00Z') + 9_999 * 100).toISOString());
    // P1 runs on the 24/7 calendar: 15 minutes to acknowledge from when it was opened.
    expect(Date.parse(detail.incident.acknowledgeDueAt) - platform.clock.now().getTime()).toBe(15 * 60_000);
    expect(detail.analysis.alertGroups).toEqual([{ gid: 1, signatureId: 9_000_001, signature: c2Alert.signature, count: 10_000, firstSeenAt: detail.incident.firstSeenAt, lastSeenAt: detail.incident.lastSeenAt }]);
    expect(detail.analysis.evidence).toHaveLength(200);
    expect(detail.analysis.evidence[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(detail.analysis.evidence[0].flow).toEqual(c2Alert.flow);
    expect(detail.ownerText.subject).toBe('【お助け隊】パソコンが攻撃者のサーバーと通信しています');
    expect(detail.ownerText.body).toContain('（10,000件）');
    const unassigned = await sql<{ n: string }>`select count(*) as n from alerts where organization_id = ${orgs.a.id} and incident_id is null`.execute(platform.database.db);
    expect(Number(unassigned.rows[0]!.n)).toBe(0);
  });

  it('opens a new incident after the key has been quiet longer than its window', async () => {
    // The window of the outbound-peer group (C2, bad site, beaconing) = 120 min; the flood ended 2026-03-02 01:16:40 UTC.
    const later = await series('a', 3, '2026-03-02T03:17:00Z', 1000);
    await hooks.afterStore(later);
    const incidents = await incidentsOf('a');
    expect(incidents.map((i) => Number(i.alertCount))).toEqual([10_000, 3]);
    // Only the newest of a key correlates.
    const correlating = await sql<{ n: string }>`select count(*) as n from incidents where organization_id = ${orgs.a.id} and correlating`.execute(platform.database.db);
    expect(Number(correlating.rows[0]!.n)).toBe(1);
  });

  it('lets two correlators racing on the same key create one incident', async () => {
    const scanA = await series('b', 50, '2026-03-03T00:00:00Z', 1000, scanAlert);
    const scanB = await series('b', 50, '2026-03-03T00:00:30Z', 1000, scanAlert);
    await Promise.all([hooks.afterStore(scanA), hooks.afterStore(scanB)]);
    const incidents = await incidentsOf('b');
    expect(incidents).toHaveLength(1);
    expect(Number(incidents[0]!.alertCount)).toBe(100);
    expect((await get(incidents[0]!.id)).incident).toMatchObject({ kind: 'scan', priority: 'P3', insideHost: '192.168.1.10', peer: '203.0.113.9', severity: 3 });
    // 50 alerts opened it at P4 (severity 3); reaching 100 raised it one step.
    expect((await get(incidents[0]!.id)).analysis.timeline.map((e: { kind: string }) => e.kind)).toEqual(['opened', 'priority_raised']);
  });

  it('refuses a second correlating incident of the same key at the database', async () => {
    const [incident] = await incidentsOf('b');
    const copy = sql`insert into incidents (organization_id, dedup_key, kind, explain, direction, engine, severity, priority, first_seen_at, last_seen_at, sla_calendar, acknowledge_due_at, notify_due_at)
      select organization_id, dedup_key, kind, explain, direction, engine, severity, priority, first_seen_at, last_seen_at, sla_calendar, acknowledge_due_at, notify_due_at from incidents where id = ${incident!.id}`;
    await expect(copy.execute(platform.database.db)).rejects.toThrow(/incidents_correlating_key/);
  });

  it('walks the triage workflow with notes, tasks, assignment and a timeline, all audited', async () => {
    const [incident] = await incidentsOf('b');
    const id = incident!.id;
    expect((await platform.request(analyst, 'POST', `/api/v1/incidents/${id}/transition`, { to: 'customer_notified' })).statusCode).toBe(409);
    expect((await platform.request(analyst, 'POST', `/api/v1/incidents/${id}/transition`, { to: 'acknowledged' })).json().incident.status).toBe('acknowledged');
    const assigned = await platform.request(analyst, 'POST', `/api/v1/incidents/${id}/assign`, { assigneeUserId: analystId });
    expect(assigned.json().incident.assigneeUserId).toBe(analystId);
    const wrongAssignee = await platform.request(analyst, 'POST', `/api/v1/incidents/${id}/assign`, { assigneeUserId: orgs.a.id });
    expect(wrongAssignee.statusCode).toBe(400);
    await platform.request(analyst, 'POST', `/api/v1/incidents/${id}/notes`, { body: '顧客のVPN機器からのスキャンではない' });
    const withTask = (await platform.request(analyst, 'POST', `/api/v1/incidents/${id}/tasks`, { title: '顧客に外部公開ポートを確認' })).json();
    const taskId = withTask.analysis.tasks[0].id;
    const ticked = (await platform.request(analyst, 'POST', `/api/v1/incidents/${id}/tasks`, { taskId, done: true })).json();
    expect(ticked.analysis.tasks[0]).toMatchObject({ title: '顧客に外部公開ポートを確認', done: true, doneByUserId: analystId });
    expect((await platform.request(analyst, 'POST', `/api/v1/incidents/${id}/transition`, { to: 'resolved' })).statusCode).toBe(400);
    const resolved = (await platform.request(analyst, 'POST', `/api/v1/incidents/${id}/transition`, { to: 'resolved', resolution: 'benign', note: '定期診断だった' })).json();
    expect(resolved.incident).toMatchObject({ status: 'resolved', resolution: 'benign' });
    const reopened = (await platform.request(analyst, 'POST', `/api/v1/incidents/${id}/transition`, { to: 'investigating' })).json();
    expect(reopened.incident).toMatchObject({ status: 'investigating', resolution: null, resolvedAt: null });
    expect(reopened.analysis.timeline.map((e: { kind: string }) => e.kind)).toEqual([
      'opened', 'priority_raised', 'status_changed', 'assigned', 'note_added', 'task_added', 'task_done', 'status_changed', 'note_added', 'reopened',
    ]);
    expect(reopened.analysis.notes.map((n: { body: string }) => n.body)).toEqual(['顧客のVPN機器からのスキャンではない', '定期診断だった']);
    const audit = await platform.database.db.selectFrom('auditLog').select('action').where('targetId', '=', id).orderBy('at').execute();
    expect(audit.map((a) => a.action)).toEqual(['incident.transition', 'incident.assign', 'incident.note', 'incident.task_add', 'incident.task_done', 'incident.transition', 'incident.reopen']);
  });

  it('merges incidents of one subscriber, and refuses another subscriber\'s', async () => {
    const [big, small] = await incidentsOf('a');
    const merged = (await platform.request(analyst, 'POST', `/api/v1/incidents/${big!.id}/merge`, { sourceIds: [small!.id] })).json();
    expect(merged.incident.alertCount).toBe(10_003);
    expect(merged.incident.lastSeenAt).toBe('2026-03-02T03:17:02.000Z');
    expect((await get(small!.id)).incident).toMatchObject({ status: 'merged', mergedIntoId: big!.id, alertCount: 0 });
    const [otherTenant] = await incidentsOf('b');
    const refused = await platform.request(analyst, 'POST', `/api/v1/incidents/${big!.id}/merge`, { sourceIds: [otherTenant!.id] });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.details.fields[0].field).toBe('body.sourceIds');
  });

  it('splits chosen alerts into a new incident and detaches one alert into its own', async () => {
    const [big] = await incidentsOf('a');
    const alerts = await sql<{ id: string }>`select id from alerts where incident_id = ${big!.id} order by observed_at desc limit 3`.execute(platform.database.db);
    const [first, second, third] = alerts.rows.map((r) => r.id);
    const split = await platform.request(analyst, 'POST', `/api/v1/incidents/${big!.id}/split`, { alertIds: [first, second] });
    expect(split.statusCode, split.body).toBe(200);
    expect(split.json().incident).toMatchObject({ alertCount: 2, status: 'new', kind: 'c2_communication' });
    expect(split.json().analysis.timeline.map((e: { kind: string }) => e.kind)).toEqual(['opened']);
    const detached = (await platform.request(analyst, 'POST', `/api/v1/incidents/${big!.id}/detach`, { alertId: third })).json();
    expect(detached.incident.alertCount).toBe(1);
    expect(detached.analysis.evidence.map((e: { alertId: string }) => e.alertId)).toEqual([third]);
    expect((await get(big!.id)).incident.alertCount).toBe(10_000);
    // An alert of another incident cannot be split out of this one.
    const foreign = await platform.request(analyst, 'POST', `/api/v1/incidents/${big!.id}/detach`, { alertId: third });
    expect(foreign.statusCode).toBe(400);
  });

  it('pages the queue with a keyset cursor, P1 first, and filters it', async () => {
    const all = (await platform.request(analyst, 'GET', '/api/v1/incidents?limit=200')).json();
    expect(all.items.length).toBeGreaterThanOrEqual(4);
    expect(all.items[0].priority).toBe('P1');
    expect(all.items.at(-1).priority).toBe('P3');
    for (const sort of ['priority', 'recent']) {
      const reference = (await platform.request(analyst, 'GET', `/api/v1/incidents?limit=200&sort=${sort}`)).json().items.map((i: { id: string }) => i.id);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const response = await platform.request(analyst, 'GET', `/api/v1/incidents?limit=1&sort=${sort}${cursor ? `&cursor=${cursor}` : ''}`);
        expect(response.statusCode, response.body).toBe(200);
        const page = response.json();
        seen.push(...page.items.map((i: { id: string }) => i.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toEqual(reference);
    }
    const scans = (await platform.request(analyst, 'GET', `/api/v1/incidents?engine=behaviour&organizationId=${orgs.b.id}`)).json();
    expect(scans.items.map((i: { kind: string }) => i.kind)).toEqual(['scan']);
    const merged = (await platform.request(analyst, 'GET', '/api/v1/incidents?status=merged')).json();
    expect(merged.items).toHaveLength(1);
    expect((await platform.request(analyst, 'GET', '/api/v1/incidents?cursor=bm9wZQ')).statusCode).toBe(400);
  });

  it('shows a subscriber its own incidents with the owner text only, and never another subscriber\'s', async () => {
    const own = (await platform.request(subscriberA, 'GET', '/api/v1/incidents?limit=200')).json();
    expect(own.items.length).toBeGreaterThan(0);
    expect(own.items.every((i: { organizationId: string }) => i.organizationId === orgs.a.id)).toBe(true);
    const filtered = (await platform.request(subscriberA, 'GET', `/api/v1/incidents?organizationId=${orgs.b.id}`)).json();
    expect(filtered.items).toEqual([]);
    const detail = await get(own.items[0].id, subscriberA);
    expect(detail.analysis).toBeNull();
    expect(detail.ownerText.body).toContain('お助け隊の窓口にお電話ください');
    const [bIncident] = await incidentsOf('b');
    expect((await platform.request(subscriberA, 'GET', `/api/v1/incidents/${bIncident!.id}`)).statusCode).toBe(404);
    expect((await platform.request(subscriberA, 'POST', `/api/v1/incidents/${own.items[0].id}/transition`, { to: 'acknowledged' })).statusCode).toBe(403);
  });

  it('keeps the analyst\'s edited text for the owner', async () => {
    const [big] = await incidentsOf('a');
    const edited = (await platform.request(analyst, 'PUT', `/api/v1/incidents/${big!.id}/customer-text`, { customerTextJa: '担当者が確認しました。対応は不要です。', customerTextEn: null })).json();
    expect(edited.ownerText.body).toBe('担当者が確認しました。対応は不要です。');
    expect(edited.analysis.customerTextJa).toBe('担当者が確認しました。対応は不要です。');
  });

  it('correlates alerts arriving through the ingest API', async () => {
    const admin = await platform.createUser(orgs.b.id, 'subscriber_admin', 'admin@b.example').then(() => platform.signIn('admin@b.example'));
    const code = (await platform.request(admin, 'POST', `/api/v1/sites/${orgs.b.siteId}/enrollment-codes`, {})).json();
    const enrolled = (await platform.request(null, 'POST', '/api/v1/sensors/enroll', { code: code.code })).json();
    const before = (await incidentsOf('b')).length;
    // Same signature, source and destination for every event: one incident of 20 alerts.
    const events = Array.from({ length: 20 }, (_, i) => {
      const event = syntheticAlertEvent(i + 1, new Date(Date.parse('2026-05-10T00:00:00Z') + i * 1000));
      return { ...event, alert: { ...event.alert, srcIp: '192.168.1.50', signatureId: 2_000_001, explain: 'rule.trojan-activity' } };
    });
    const response = await platform.app.inject({ method: 'POST', url: '/api/v1/ingest/events', headers: { authorization: `Bearer ${enrolled.credential}`, 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip' }, payload: gzipBatchOf(events) });
    expect(response.json()).toMatchObject({ accepted: 20, suppressed: 0 });
    const after = await incidentsOf('b');
    expect(after.length).toBe(before + 1);
    const incident = after.at(-1)!;
    expect((await get(incident.id)).incident).toMatchObject({ alertCount: 20, kind: 'c2_communication', insideHost: '192.168.1.50', peer: '203.0.113.7', priority: 'P1' });

    // Correlated in the insert's transaction: every alert was written with its incident id.
    const ofSensor = async () =>
      (await sql<{ incidentId: string | null; n: number }>`select incident_id, count(*)::int as n from alerts where sensor_id = ${enrolled.sensorId} group by incident_id`.execute(platform.database.db)).rows;
    expect(await ofSensor()).toEqual([{ incidentId: incident.id, n: 20 }]);

    // Two overlapping re-sends at once (8 of them stored already, 5 new each, 3 shared) and the
    // beaconing alert of the same host and peer: counted once each, all in the same incident.
    const beacon = (seq: number) => {
      const event = syntheticAlertEvent(seq, new Date(Date.parse('2026-05-10T00:01:00Z') + seq * 1000));
      return { ...event, alert: { ...event.alert, srcIp: '192.168.1.50', engine: 'behaviour' as const, explain: 'beaconing', signatureId: 9_100_500, severity: 2 } };
    };
    const send = (batch: unknown[]) =>
      platform.app.inject({ method: 'POST', url: '/api/v1/ingest/events', headers: { authorization: `Bearer ${enrolled.credential}`, 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip' }, payload: gzipBatchOf(batch as never) });
    const [x, y] = await Promise.all([send([...events.slice(12), beacon(21), beacon(22), beacon(23), beacon(24), beacon(25)]), send([...events.slice(12), beacon(23), beacon(24), beacon(25), beacon(26), beacon(27)])]);
    expect(x.json().accepted + y.json().accepted).toBe(7);
    expect(x.json().duplicates + y.json().duplicates).toBe(8 + 8 + 3);
    expect(await ofSensor()).toEqual([{ incidentId: incident.id, n: 27 }]);
    expect((await get(incident.id)).incident).toMatchObject({ alertCount: 27, kind: 'c2_communication', explain: 'rule.trojan-activity', priority: 'P1' });
    expect((await incidentsOf('b')).length).toBe(before + 1);
    // The same event twice in one batch is stored and counted once.
    const twice = await send([beacon(28), beacon(28)]);
    expect(twice.json()).toMatchObject({ accepted: 1, duplicates: 1 });
    expect((await get(incident.id)).incident.alertCount).toBe(28);
  });

  it('stores a batch whose correlation fails without incidents, and correlates it after the commit', async () => {
    const sensorId = orgs.a.sensorId;
    const failing = { ...hooks, correlate: async () => Promise.reject(new Error('correlation is down')) };
    const errors: string[] = [];
    const logger = { info: () => {}, warn: () => {}, error: (_: unknown, message: string) => void errors.push(message) };
    const store = new AlertStore(new IngestRepository(platform.database.db), failing, platform.clock, logger);
    const events = Array.from({ length: 4 }, (_, i) => syntheticAlertEvent(900_000 + i, new Date(Date.parse('2026-05-11T00:00:00Z') + i * 1000)));
    const outcome = await store.store({ sensorId, organizationId: orgs.a.id, rejected: 0, events });
    expect(outcome).toEqual({ accepted: 4, duplicates: 0, suppressed: 0 });
    expect(errors).toEqual(['ingest: correlation failed; the batch is stored without incidents']);
    const rows = await sql<{ n: number; incidents: number }>`
      select count(*)::int as n, count(distinct incident_id)::int as incidents from alerts where sensor_id = ${sensorId} and seq >= 900000 and incident_id is not null`.execute(platform.database.db);
    // afterStore correlated them: each synthetic seq has its own inside host (four keys).
    expect(rows.rows).toEqual([{ n: 4, incidents: 4 }]);
  });

  it('lets two correlators racing on many shared keys, in opposite orders, create one incident per key', async () => {
    // Last in this file: its 20 incidents would change the queue the tests above page through.
    // Each batch takes the locks of all its keys: in key order, so neither waits on the other forever.
    const attackers = Array.from({ length: 20 }, (_, i) => `198.51.100.${100 + i}`);
    const batchOf = async (offsetMs: number) =>
      (await Promise.all(attackers.map((srcIp) => series('b', 5, new Date(Date.parse('2026-03-04T00:00:00Z') + offsetMs).toISOString(), 1000, { ...scanAlert, srcIp })))).flat();
    const first = await batchOf(0);
    const second = (await batchOf(500)).reverse();
    await Promise.all([hooks.afterStore(first), hooks.afterStore(second)]);
    const rows = await sql<{ peer: string; alertCount: number }>`
      select peer, alert_count::int as alert_count from incidents where organization_id = ${orgs.b.id} and peer like '198.51.100.%' order by peer`.execute(platform.database.db);
    expect(rows.rows).toEqual(attackers.sort().map((peer) => ({ peer, alertCount: 10 })));
    const unassigned = await sql<{ n: string }>`select count(*) as n from alerts where organization_id = ${orgs.b.id} and incident_id is null`.execute(platform.database.db);
    expect(Number(unassigned.rows[0]!.n)).toBe(0);
  });
});
