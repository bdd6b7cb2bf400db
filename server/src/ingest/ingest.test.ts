import { gzipSync } from 'node:zlib';
import { INGEST_LIMITS } from '@otasuke/shared';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../http/app.ts';
import { createServices } from '../services.ts';
import { startTestPlatform, type Session, type TestPlatform } from '../testing/testPlatform.ts';
import type { AlertToStore, StoredAlertRef } from './alertIngestHooks.ts';
import { IngestRepository } from './ingestRepository.ts';
import { monthPartitionOf } from './alertPartitions.ts';
import { gzipBatchOf, ndjsonOf, syntheticAlertEvent } from './syntheticAlerts.ts';

describe(`ingest, embedded mode (${process.env.OTASUKE_TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  let platform: TestPlatform;
  let admin: Session;
  let siteId: string;

  const enrollSensor = async () => {
    const code = (await platform.request(admin, 'POST', `/api/v1/sites/${siteId}/enrollment-codes`, {})).json();
    const enrolled = (await platform.request(null, 'POST', '/api/v1/sensors/enroll', { code: code.code })).json();
    return { sensorId: enrolled.sensorId as string, credential: enrolled.credential as string };
  };
  const send = (credential: string, body: Buffer | string, headers: Record<string, string> = { 'content-encoding': 'gzip' }, app = platform.app) =>
    app.inject({ method: 'POST', url: '/api/v1/ingest/events', headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/x-ndjson', ...headers }, payload: body });
  const storedSeqs = async (sensorId: string) =>
    (await platform.database.db.selectFrom('alerts').select('seq').where('sensorId', '=', sensorId).orderBy('seq').execute()).map((r) => Number(r.seq));
  const counters = async (sensorId: string) => (await platform.request(admin, 'GET', `/api/v1/sensors/${sensorId}/ingest-counters`)).json();

  beforeAll(async () => {
    platform = await startTestPlatform();
    const orgId = await platform.createOrganization({ kind: 'subscriber', name: '取込株式会社', membership: 'member' });
    await platform.createUser(orgId, 'subscriber_admin', 'admin@ingest.example');
    admin = await platform.signIn('admin@ingest.example');
    siteId = (await platform.request(admin, 'POST', `/api/v1/organizations/${orgId}/sites`, { name: '本社' })).json().id;
  });
  afterAll(async () => platform?.close());

  it('stores a gzip NDJSON batch and lists it through the alerts API', async () => {
    const sensor = await enrollSensor();
    const events = [1, 2, 3].map((seq) => syntheticAlertEvent(seq));
    const response = await send(sensor.credential, gzipBatchOf(events));
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({ accepted: 3, duplicates: 0, rejected: [], suppressed: 0 });
    const listed = (await platform.request(admin, 'GET', `/api/v1/alerts?sensor=${sensor.sensorId}`)).json();
    expect(listed.nextCursor).toBeNull();
    expect(listed.items.map((a: { seq: number }) => a.seq).sort()).toEqual([1, 2, 3]);
    const first = listed.items.find((a: { seq: number }) => a.seq === 1);
    expect(first).toMatchObject({ ...events[0]!.alert, observedAt: '2026-04-01T00:30:00.000Z', sensorId: sensor.sensorId, siteId, suppressed: false });
    const sensorRow = await platform.database.db.selectFrom('sensors').select('lastSeenAt').where('id', '=', sensor.sensorId).executeTakeFirstOrThrow();
    expect(sensorRow.lastSeenAt?.toISOString()).toBe(platform.clock.now().toISOString());
    expect(await counters(sensor.sensorId)).toMatchObject({ accepted: 3, duplicates: 0, rejected: 0, suppressed: 0 });
  });

  it('accepts an uncompressed body too', async () => {
    const sensor = await enrollSensor();
    const response = await send(sensor.credential, ndjsonOf([syntheticAlertEvent(7)]), {});
    expect(response.json()).toEqual({ accepted: 1, duplicates: 0, rejected: [], suppressed: 0 });
  });

  it('acknowledges a re-sent batch as duplicates and stores each event once', async () => {
    const sensor = await enrollSensor();
    const batch = gzipBatchOf([1, 2, 3, 4].map((seq) => syntheticAlertEvent(seq)));
    expect((await send(sensor.credential, batch)).json()).toMatchObject({ accepted: 4, duplicates: 0 });
    expect((await send(sensor.credential, batch)).json()).toMatchObject({ accepted: 0, duplicates: 4 });
    // Overlapping, and a repeat inside one batch.
    const overlap = gzipBatchOf([3, 4, 5, 5].map((seq) => syntheticAlertEvent(seq)));
    expect((await send(sensor.credential, overlap)).json()).toMatchObject({ accepted: 1, duplicates: 3 });
    expect(await storedSeqs(sensor.sensorId)).toEqual([1, 2, 3, 4, 5]);
    expect(await counters(sensor.sensorId)).toMatchObject({ accepted: 5, duplicates: 7 });
  });

  it('drops a batch whose sensor was deleted after its credential was checked, and follows a sensor moved to another site', async () => {
    const gone = await enrollSensor();
    const identity = (await platform.services.enrollment.authenticateSensor(gone.credential))!;
    expect(identity.siteId).toBe(siteId);
    await sql`delete from sensors where id = ${gone.sensorId}`.execute(platform.database.db);
    // The batch still names the site it was checked at; the insert finds no sensor and the batch is dropped.
    expect(await platform.services.ingest.ingest(identity, gzipBatchOf([syntheticAlertEvent(1)]), 'gzip')).toEqual({ accepted: 0, duplicates: 0, rejected: [], suppressed: 0 });
    expect(await storedSeqs(gone.sensorId)).toEqual([]);

    const moved = await enrollSensor();
    const movedIdentity = (await platform.services.enrollment.authenticateSensor(moved.credential))!;
    const orgId = movedIdentity.organizationId;
    const newSite = (await platform.request(admin, 'POST', `/api/v1/organizations/${orgId}/sites`, { name: '新工場' })).json().id as string;
    await sql`update sensors set site_id = ${newSite} where id = ${moved.sensorId}`.execute(platform.database.db);
    // Checked at the old site, which still exists: stored there (where the sensor was when it sent).
    expect((await platform.services.ingest.ingest(movedIdentity, gzipBatchOf([syntheticAlertEvent(1)]), 'gzip')).accepted).toBe(1);
    // Checked again: the new site.
    const again = (await platform.services.enrollment.authenticateSensor(moved.credential))!;
    expect(again.siteId).toBe(newSite);
    expect((await platform.services.ingest.ingest(again, gzipBatchOf([syntheticAlertEvent(2)]), 'gzip')).accepted).toBe(1);
    const sites = await platform.database.db.selectFrom('alerts').select(['seq', 'siteId']).where('sensorId', '=', moved.sensorId).orderBy('seq').execute();
    expect(sites.map((r) => [Number(r.seq), r.siteId])).toEqual([
      [1, siteId],
      [2, newSite],
    ]);
  });

  it('rejects invalid lines with their line number, seq and reason, and stores the rest', async () => {
    const sensor = await enrollSensor();
    const bad = syntheticAlertEvent(2);
    const badSeverity = { ...bad, alert: { ...bad.alert, severity: 9 } };
    const lines = [syntheticAlertEvent(1), JSON.stringify(badSeverity), '{not json', '', JSON.stringify({ seq: 4, kind: 'flow' }), syntheticAlertEvent(5), 'x'.repeat(INGEST_LIMITS.maxEventBytes + 1)];
    const response = await send(sensor.credential, gzipBatchOf(lines));
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.accepted).toBe(2);
    expect(body.rejected).toEqual([
      { line: 2, seq: 2, reason: expect.stringContaining('alert.severity') },
      { line: 3, reason: 'the line is not JSON' },
      { line: 5, seq: 4, reason: expect.stringContaining('kind') },
      { line: 7, reason: `the line is longer than ${INGEST_LIMITS.maxEventBytes} bytes` },
    ]);
    expect(await storedSeqs(sensor.sensorId)).toEqual([1, 5]);
    expect(await counters(sensor.sensorId)).toMatchObject({ accepted: 2, rejected: 4 });
    // The sensor is not locked out by its bad events.
    expect((await send(sensor.credential, gzipBatchOf([syntheticAlertEvent(6)]))).json()).toMatchObject({ accepted: 1 });
  });

  it('refuses oversized batches with 413 and stores nothing', async () => {
    const sensor = await enrollSensor();
    // Too many bytes on the wire (random, so gzip cannot shrink it).
    const huge = Buffer.alloc(INGEST_LIMITS.maxBatchBytes + 1024, 0x41);
    for (let i = 0; i < huge.length; i++) huge[i] = 0x20 + ((i * 7919) % 90);
    const tooBig = await send(sensor.credential, huge, {});
    expect(tooBig.statusCode).toBe(413);
    expect(tooBig.json().error.code).toBe('payload_too_large');
    // Too many events.
    const many = Array.from({ length: INGEST_LIMITS.maxEventsPerBatch + 1 }, (_, i) => syntheticAlertEvent(i + 1));
    const tooMany = await send(sensor.credential, gzipBatchOf(many));
    expect(tooMany.statusCode).toBe(413);
    expect(tooMany.json().error.message).toContain(`at most ${INGEST_LIMITS.maxEventsPerBatch}`);
    // A gzip bomb: a small body that expands past the decompression cap.
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20));
    expect(bomb.length).toBeLessThan(INGEST_LIMITS.maxBatchBytes);
    const bombed = await send(sensor.credential, bomb);
    expect(bombed.statusCode).toBe(413);
    expect(await storedSeqs(sensor.sensorId)).toEqual([]);
  });

  it('answers 400 for a body that is not gzip or not NDJSON, and 415 for another encoding', async () => {
    const sensor = await enrollSensor();
    const notGzip = await send(sensor.credential, ndjsonOf([syntheticAlertEvent(1)]));
    expect(notGzip.statusCode).toBe(400);
    expect(notGzip.json().error.message).toContain('not gzip');
    const truncated = gzipBatchOf([syntheticAlertEvent(1), syntheticAlertEvent(2)]).subarray(0, 30);
    expect((await send(sensor.credential, truncated)).statusCode).toBe(400);
    const garbage = await send(sensor.credential, gzipSync('this is not json\nnor is this\n'));
    expect(garbage.statusCode).toBe(400);
    expect(garbage.json().error.message).toContain('not NDJSON');
    expect((await send(sensor.credential, gzipSync(Buffer.from([0xff, 0xfe, 0x00, 0x41])))).statusCode).toBe(400);
    expect((await send(sensor.credential, Buffer.alloc(0), {})).statusCode).toBe(400);
    expect((await send(sensor.credential, ndjsonOf([syntheticAlertEvent(1)]), { 'content-encoding': 'br' })).statusCode).toBe(415);
    expect(await storedSeqs(sensor.sensorId)).toEqual([]);
  });

  it('refuses forged and revoked credentials and users, storing nothing', async () => {
    const sensor = await enrollSensor();
    const batch = gzipBatchOf([syntheticAlertEvent(1)]);
    expect((await send('ots_forged-credential-that-does-not-exist-anywhere', batch)).statusCode).toBe(401);
    expect((await platform.app.inject({ method: 'POST', url: '/api/v1/ingest/events', headers: { 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip', cookie: admin.cookie, 'x-csrf-token': admin.csrfToken }, payload: batch })).statusCode).toBe(401);
    expect((await platform.request(admin, 'POST', `/api/v1/sensors/${sensor.sensorId}/revoke`)).statusCode).toBe(200);
    // The guard knows only active credentials: a revoked sensor's answers 401 like any unknown one.
    const revoked = await send(sensor.credential, batch);
    expect(revoked.statusCode).toBe(401);
    expect(await storedSeqs(sensor.sensorId)).toEqual([]);
  });

  it('rate-limits each sensor with 429 and Retry-After, without touching other sensors', async () => {
    const services = createServices(platform.database.db, platform.clock, { publicUrl: 'http://otasuke.test', sessionIdleMinutes: 720, mailCharset: 'utf-8' }, undefined, {
      ingestRate: { batchesPerSecond: 0.01, burst: 2 },
    });
    const app = await buildApp({ services, logger: false });
    try {
      const a = await enrollSensor();
      const b = await enrollSensor();
      expect((await send(a.credential, gzipBatchOf([syntheticAlertEvent(1)]), undefined, app)).statusCode).toBe(200);
      expect((await send(a.credential, gzipBatchOf([syntheticAlertEvent(2)]), undefined, app)).statusCode).toBe(200);
      const limited = await send(a.credential, gzipBatchOf([syntheticAlertEvent(3)]), undefined, app);
      expect(limited.statusCode).toBe(429);
      expect(limited.json().error.code).toBe('too_many_requests');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect((await send(b.credential, gzipBatchOf([syntheticAlertEvent(1)]), undefined, app)).statusCode).toBe(200);
      expect(await storedSeqs(a.sensorId)).toEqual([1, 2]);
    } finally {
      await app.close();
    }
  });

  it('asks the suppress hook before storing and tells afterStore only about new alerts', async () => {
    const suppressedSeen: AlertToStore[][] = [];
    const stored: StoredAlertRef[][] = [];
    const suppressionId = '11111111-1111-4111-8111-111111111111';
    const services = createServices(platform.database.db, platform.clock, { publicUrl: 'http://otasuke.test', sessionIdleMinutes: 720, mailCharset: 'utf-8' }, undefined, {
      alertHooks: {
        suppress: async (alerts) => {
          suppressedSeen.push([...alerts]);
          return alerts.map((a) => (a.alert.severity === 3 ? suppressionId : null));
        },
        afterStore: async (alerts) => {
          stored.push([...alerts]);
          throw new Error('a failing hook must not fail the batch');
        },
      },
    });
    const app = await buildApp({ services, logger: false });
    try {
      const sensor = await enrollSensor();
      // seq % 3 === 1 is the severity-3 signature of the synthetic set.
      const first = await send(sensor.credential, gzipBatchOf([1, 2, 3].map((s) => syntheticAlertEvent(s))), undefined, app);
      expect(first.json()).toEqual({ accepted: 3, duplicates: 0, rejected: [], suppressed: 1 });
      const again = await send(sensor.credential, gzipBatchOf([2, 3, 4].map((s) => syntheticAlertEvent(s))), undefined, app);
      expect(again.json()).toMatchObject({ accepted: 1, duplicates: 2, suppressed: 1 });
      expect(suppressedSeen.map((batch) => batch.map((a) => a.seq))).toEqual([[1, 2, 3], [2, 3, 4]]);
      expect(suppressedSeen[0]![0]).toMatchObject({ sensorId: sensor.sensorId, siteId });
      const bySeq = (batch: StoredAlertRef[]) => batch.map((a) => [a.seq, a.suppressed, a.suppressionId]).sort((x, y) => Number(x[0]) - Number(y[0]));
      expect(stored.map(bySeq)).toEqual([
        [[1, true, suppressionId], [2, false, null], [3, false, null]],
        [[4, true, suppressionId]],
      ]);
      const rows = await platform.database.db.selectFrom('alerts').select(['seq', 'suppressed', 'suppressionId']).where('sensorId', '=', sensor.sensorId).orderBy('seq').execute();
      expect(rows.map((r) => [Number(r.seq), r.suppressed, r.suppressionId])).toEqual([[1, true, suppressionId], [2, false, null], [3, false, null], [4, true, suppressionId]]);
      expect(await counters(sensor.sensorId)).toMatchObject({ accepted: 4, duplicates: 2, suppressed: 2 });
    } finally {
      await app.close();
    }
  });

  it('keeps month partitions ready and moves default-partition rows into a month created later', async () => {
    const repository = new IngestRepository(platform.database.db);
    const sensor = await enrollSensor();
    // Far in the future: no partition, so the default partition takes it.
    const future = '2031-07-15T01:02:03.456Z';
    expect((await send(sensor.credential, gzipBatchOf([syntheticAlertEvent(1, future), syntheticAlertEvent(2)]))).json()).toMatchObject({ accepted: 2 });
    const inDefault = await sql<{ n: number }>`select count(*)::int as n from alerts_default where sensor_id = ${sensor.sensorId}`.execute(platform.database.db);
    expect(inDefault.rows[0]!.n).toBeGreaterThanOrEqual(1);
    const july = monthPartitionOf(new Date(future));
    expect(july.name).toBe('alerts_y2031m07');
    expect(await repository.ensureMonthPartition(july)).toBe('moved');
    expect(await repository.ensureMonthPartition(july)).toBe('exists');
    const moved = await sql<{ n: number }>`select count(*)::int as n from alerts_y2031m07 where sensor_id = ${sensor.sensorId}`.execute(platform.database.db);
    expect(moved.rows[0]!.n).toBe(1);
    // The moved table enforces the unique key like any partition: a re-send is still a duplicate.
    expect((await send(sensor.credential, gzipBatchOf([syntheticAlertEvent(1, future)]))).json()).toMatchObject({ accepted: 0, duplicates: 1 });
    const august = monthPartitionOf(new Date('2031-08-02T00:00:00Z'));
    const [a, b] = await Promise.all([repository.ensureMonthPartition(august), repository.ensureMonthPartition(august)]);
    expect([a, b].sort()).toEqual(['created', 'exists']);
  });
});
