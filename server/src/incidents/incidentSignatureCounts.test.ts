import type { SensorEvent } from '@otasuke/shared';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statements as signatureCountsMigration } from '../db/migrations/0017_incident_signature_counts.ts';
import { AlertStore } from '../ingest/alertStore.ts';
import { IngestRepository } from '../ingest/ingestRepository.ts';
import { syntheticAlertEvent } from '../ingest/syntheticAlerts.ts';
import { startTestPlatform, type Session, type TestPlatform } from '../testing/testPlatform.ts';
import { IncidentRepository } from './incidentRepository.ts';
import { createMonitoringHooks } from './monitoringHooks.ts';

const cli = { scope: null, ip: null, requestId: 'setup' };

/**
 * incident_signature_counts must always equal the group-by over the alerts it replaces in the
 * detail: after ingest (correlated in the insert, re-sends, the after-commit fallback), merge,
 * split and detach. Timestamps carry microseconds, compared as text.
 */
describe(`incident signature counts (${process.env.OTASUKE_TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  let platform: TestPlatform;
  let analyst: Session;
  let org: { id: string; siteId: string; sensorId: string };
  let store: AlertStore;
  let repository: IncidentRepository;

  beforeAll(async () => {
    platform = await startTestPlatform();
    const operatorId = await platform.createOrganization({ kind: 'operator', name: '運営' });
    await platform.createUser(operatorId, 'analyst', 'analyst@counts.example');
    const opScope = { userId: null, tokenId: null, sessionId: null, organizationId: operatorId, organizationKind: 'operator' as const, role: 'operator_admin' as const };
    const id = await platform.createOrganization({ kind: 'subscriber', name: 'カウント商店', membership: 'member' });
    const site = await platform.services.organizations.createSite({ ...cli, scope: opScope }, id, { name: '本社' });
    const sensor = await platform.services.organizations.createSensor({ ...cli, scope: opScope }, site.id, { name: 'sensor' });
    org = { id, siteId: site.id, sensorId: sensor.id };
    store = new AlertStore(new IngestRepository(platform.database.db), createMonitoringHooks(platform.services), platform.clock);
    repository = new IncidentRepository(platform.database.db);
    analyst = await platform.signIn('analyst@counts.example');
  });
  afterAll(async () => platform?.close());

  /** One host talking to one peer with several signatures (one incident per host). */
  const event = (seq: number, host: string, signatureId: number, second: number): SensorEvent => {
    const base = syntheticAlertEvent(seq);
    const observedAt = new Date(Date.parse('2026-06-01T00:00:00Z') + second * 1000).toISOString().replace('Z', `${String(seq % 1000).padStart(3, '0')}Z`);
    if (base.kind !== 'alert') throw new Error('synthetic event is an alert');
    return { ...base, alert: { ...base.alert, observedAt, srcIp: host, explain: 'rule.trojan-activity', signatureId, signature: `TEST signature ${signatureId % 3}` } };
  };
  const send = (events: SensorEvent[]) => store.store({ sensorId: org.sensorId, organizationId: org.id, rejected: 0, events });

  const incidentIds = async () =>
    (await sql<{ id: string }>`select id from incidents where organization_id = ${org.id} order by first_seen_at, id`.execute(platform.database.db)).rows.map((r) => r.id);
  const kept = async () =>
    (
      await sql`
        select c.incident_id, c.gid, c.signature_id::text, c.signature, c.count::int, c.first_seen_at::text, c.last_seen_at::text
        from incident_signature_counts c join incidents i on i.id = c.incident_id where i.organization_id = ${org.id}
        order by 1, 2, 3, 4`.execute(platform.database.db)
    ).rows;
  const fromAlerts = async () =>
    (
      await sql`
        select incident_id, gid, signature_id::text, signature, count(*)::int as count, min(observed_at)::text as first_seen_at, max(observed_at)::text as last_seen_at
        from alerts where organization_id = ${org.id} and incident_id is not null group by 1, 2, 3, 4
        order by 1, 2, 3, 4`.execute(platform.database.db)
    ).rows;
  /** The detail's groups as alertGroups used to count them, with its tie-break. */
  const groupsFromAlerts = async (incidentId: string) =>
    (
      await sql<{ gid: number; signatureId: string; signature: string; count: number; firstSeenAt: Date; lastSeenAt: Date }>`
        select gid, signature_id, signature, count(*)::int as count, min(observed_at) as first_seen_at, max(observed_at) as last_seen_at
        from alerts where incident_id = ${incidentId} group by gid, signature_id, signature order by count(*) desc, gid, signature_id, signature limit 50`.execute(platform.database.db)
    ).rows.map((r) => ({ gid: r.gid, signatureId: Number(r.signatureId), signature: r.signature, count: r.count, firstSeenAt: new Date(r.firstSeenAt).toISOString(), lastSeenAt: new Date(r.lastSeenAt).toISOString() }));
  const expectConsistent = async () => {
    const expected = await fromAlerts();
    expect(expected.length).toBeGreaterThan(0);
    expect(await kept()).toEqual(expected);
    for (const id of await incidentIds()) expect(await repository.alertGroups(id)).toEqual(await groupsFromAlerts(id));
    // The incident's own count is the sum of its signature rows.
    const sums = await sql<{ n: number }>`
      select count(*)::int as n from incidents i
      where i.organization_id = ${org.id} and i.alert_count <> coalesce((select sum(count) from incident_signature_counts c where c.incident_id = i.id), 0)`.execute(platform.database.db);
    expect(sums.rows).toEqual([{ n: 0 }]);
  };

  it('adds each batch\'s new alerts once, re-sends included, and through the after-commit fallback', async () => {
    const hostA = '192.168.7.10';
    const hostB = '192.168.7.20';
    // Batch 1: host A, three signatures in unequal numbers (ties between two of them).
    const first = [
      ...Array.from({ length: 6 }, (_, i) => event(1 + i, hostA, 3_000_001, i)),
      ...Array.from({ length: 3 }, (_, i) => event(10 + i, hostA, 3_000_002, 10 + i)),
      ...Array.from({ length: 3 }, (_, i) => event(20 + i, hostA, 3_000_003, 20 + i)),
    ];
    expect(await send(first)).toMatchObject({ accepted: 12, duplicates: 0 });
    await expectConsistent();
    // Batch 2 re-sends half of batch 1 with new alerts of an existing and a new signature, and host B.
    const second = [...first.slice(0, 6), event(30, hostA, 3_000_002, 30), event(31, hostA, 3_000_004, 31), event(32, hostB, 3_000_001, 32), event(33, hostB, 3_000_001, 33), event(33, hostB, 3_000_001, 33)];
    expect(await send(second)).toMatchObject({ accepted: 4, duplicates: 7 });
    // An exact duplicate batch adds nothing.
    const before = await kept();
    expect(await send(second)).toMatchObject({ accepted: 0, duplicates: 11 });
    expect(await kept()).toEqual(before);
    await expectConsistent();

    const [incidentA] = await incidentIds();
    const groups = await repository.alertGroups(incidentA!);
    expect(groups.map((g) => [g.signatureId, g.count])).toEqual([
      [3_000_001, 6],
      [3_000_002, 4],
      [3_000_003, 3],
      [3_000_004, 1],
    ]);
    expect(groups[0]!.firstSeenAt).toBe('2026-06-01T00:00:00.000Z');

    // The correlation in the insert fails: the batch is stored without incidents, afterStore
    // correlates it in a transaction of its own and the counts follow.
    const failing = new AlertStore(new IngestRepository(platform.database.db), { ...createMonitoringHooks(platform.services), correlate: async () => Promise.reject(new Error('down')) }, platform.clock);
    const third = [event(40, hostA, 3_000_003, 40), event(41, hostA, 3_000_003, 41), event(42, hostB, 3_000_005, 42)];
    expect(await failing.store({ sensorId: org.sensorId, organizationId: org.id, rejected: 0, events: third })).toMatchObject({ accepted: 3 });
    const unassigned = await sql<{ n: number }>`select count(*)::int as n from alerts where organization_id = ${org.id} and incident_id is null`.execute(platform.database.db);
    expect(unassigned.rows).toEqual([{ n: 0 }]);
    await expectConsistent();
    expect((await repository.alertGroups(incidentA!)).map((g) => [g.signatureId, g.count])).toEqual([
      [3_000_001, 6],
      [3_000_003, 5],
      [3_000_002, 4],
      [3_000_004, 1],
    ]);
  });

  it('recomputes the incidents a split, a detach and a merge touch', async () => {
    const [incidentA, incidentB] = await incidentIds();
    const alertsOf = async (incidentId: string, signatureId: number) =>
      (await sql<{ id: string }>`select id from alerts where incident_id = ${incidentId} and signature_id = ${signatureId} order by observed_at`.execute(platform.database.db)).rows.map((r) => r.id);

    const [s1, s2] = await alertsOf(incidentA!, 3_000_001);
    const [s3] = await alertsOf(incidentA!, 3_000_002);
    const split = await platform.request(analyst, 'POST', `/api/v1/incidents/${incidentA}/split`, { alertIds: [s1, s2, s3] });
    expect(split.statusCode, split.body).toBe(200);
    expect(split.json().analysis.alertGroups.map((g: { signatureId: number; count: number }) => [g.signatureId, g.count])).toEqual([
      [3_000_001, 2],
      [3_000_002, 1],
    ]);
    await expectConsistent();

    const [d1] = await alertsOf(incidentA!, 3_000_004);
    const detached = await platform.request(analyst, 'POST', `/api/v1/incidents/${incidentA}/detach`, { alertId: d1 });
    expect(detached.statusCode, detached.body).toBe(200);
    expect(detached.json().analysis.alertGroups).toHaveLength(1);
    // Its last alert of that signature left: the row is gone, not left at zero.
    expect((await repository.alertGroups(incidentA!)).map((g) => g.signatureId)).not.toContain(3_000_004);
    await expectConsistent();

    const merged = await platform.request(analyst, 'POST', `/api/v1/incidents/${incidentA}/merge`, { sourceIds: [incidentB, split.json().incident.id] });
    expect(merged.statusCode, merged.body).toBe(200);
    expect(merged.json().analysis.alertGroups.map((g: { signatureId: number; count: number }) => [g.signatureId, g.count])).toEqual([
      [3_000_001, 8],
      [3_000_003, 5],
      [3_000_002, 4],
      [3_000_005, 1],
    ]);
    expect(await repository.alertGroups(incidentB!)).toEqual([]);
    await expectConsistent();
  });

  it('backfills the counts from the alerts as the migration does', async () => {
    const before = await kept();
    await sql`delete from incident_signature_counts`.execute(platform.database.db);
    expect(await kept()).toEqual([]);
    await sql.raw(signatureCountsMigration.at(-1)!).execute(platform.database.db);
    expect(await kept()).toEqual(before);
    await expectConsistent();
  });
});
