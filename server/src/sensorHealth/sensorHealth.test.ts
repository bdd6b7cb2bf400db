import type { SensorHeartbeat } from '@otasuke/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDistributionPlatform, type DistributionPlatform, type EnrolledSensor } from '../bundles/distributionTestPlatform.ts';
import { bucketSecondsFor, MAX_HEALTH_POINTS } from './sensorHealthService.ts';

const heartbeat = (over: Partial<SensorHeartbeat> = {}): SensorHeartbeat => ({
  sentAt: '2026-04-01T00:00:00.000Z',
  agentVersion: '0.2.0',
  bundleVersion: 'abcdef0123456789',
  uptimeSec: 3600,
  packetsPerSec: 1200.5,
  packetsTotal: 4_321_000,
  dropsTotal: 12,
  dropRate: 0.001,
  cpuPercent: 23.5,
  memoryBytes: 180_000_000,
  diskFreeBytes: 9_000_000_000,
  spoolBacklogEvents: 3,
  spoolBacklogBytes: 2048,
  spoolDropped: 0,
  ...over,
});

describe(`sensor heartbeats and health history (${process.env.OTASUKE_TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  let d: DistributionPlatform;
  let sensor: EnrolledSensor;

  beforeAll(async () => {
    d = await startDistributionPlatform({ heartbeatRetentionDays: 30 }, 'health');
    sensor = await d.enrollSensor('subscriber');
  });
  afterAll(async () => d?.close());

  it('stores a heartbeat and moves the sensor’s last heartbeat, bundle and agent versions', async () => {
    const response = await d.sensorRequest(sensor.credential, 'POST', '/api/v1/sensors/me/heartbeat', heartbeat());
    expect(response.statusCode, response.body).toBe(204);
    const row = await d.platform.database.db.selectFrom('sensors').selectAll().where('id', '=', sensor.sensorId).executeTakeFirstOrThrow();
    const now = d.platform.clock.now().getTime();
    expect(row.lastHeartbeatAt?.getTime()).toBe(now);
    expect(row.lastSeenAt?.getTime()).toBe(now);
    expect(row).toMatchObject({ bundleVersion: 'abcdef0123456789', agentVersion: '0.2.0' });
  });

  it('shows the history to operator staff and to the sensor’s own organization only', async () => {
    const url = `/api/v1/sensors/${sensor.sensorId}/health`;
    for (const session of [d.sessions.operator, d.sessions.analyst, d.sessions.admin, d.sessions.member]) {
      const response = await d.request(session, 'GET', url);
      expect(response.statusCode, response.body).toBe(200);
      const body = response.json();
      expect(body.bucketSeconds).toBeNull();
      expect(body.samples).toHaveLength(1);
      expect(body.samples[0]).toEqual({ ...heartbeat(), sensorId: sensor.sensorId, receivedAt: d.platform.clock.now().toISOString() });
    }
    const other = await d.request(d.sessions.otherAdmin, 'GET', url);
    const missing = await d.request(d.sessions.otherAdmin, 'GET', '/api/v1/sensors/00000000-0000-4000-8000-000000000000/health');
    expect(other.statusCode).toBe(404);
    expect(other.json().error).toEqual(missing.json().error);
  });

  it('refuses bad heartbeats and callers without a sensor credential', async () => {
    expect((await d.sensorRequest(sensor.credential, 'POST', '/api/v1/sensors/me/heartbeat', { ...heartbeat(), dropRate: 2 })).statusCode).toBe(400);
    expect((await d.sensorRequest(sensor.credential, 'POST', '/api/v1/sensors/me/heartbeat', { agentVersion: '1' })).statusCode).toBe(400);
    expect((await d.request(d.sessions.operator, 'POST', '/api/v1/sensors/me/heartbeat', heartbeat())).statusCode).toBe(401);
    expect((await d.sensorRequest('ots_forged', 'POST', '/api/v1/sensors/me/heartbeat', heartbeat())).statusCode).toBe(401);
    expect((await d.request(d.sessions.operator, 'GET', `/api/v1/sensors/${sensor.sensorId}/health?from=2026-04-02T00:00:00Z&to=2026-04-01T00:00:00Z`)).statusCode).toBe(400);
  });

  it('averages long ranges into at most 500 buckets', async () => {
    const other = await d.enrollSensor('subscriber');
    const start = new Date('2026-05-01T00:00:00Z');
    // 1 000 samples a minute apart, CPU alternating 20 / 10: two per 120 s bucket, so 500 of 15.
    // (Written in one insert: the test is about reading them back.)
    const { sentAt: _s, ...sample } = heartbeat();
    await d.platform.database.db
      .insertInto('sensorHeartbeats')
      .values(Array.from({ length: 1000 }, (_, i) => ({ ...sample, sensorId: other.sensorId, organizationId: d.subscriberId, sentAt: new Date(start.getTime() + i * 60_000), receivedAt: new Date(start.getTime() + i * 60_000), cpuPercent: i % 2 === 0 ? 20 : 10, packetsTotal: i })))
      .execute();
    const to = new Date(start.getTime() + 1000 * 60_000);
    expect(bucketSecondsFor(to.getTime() - start.getTime())).toBe(120);
    const response = await d.request(d.sessions.operator, 'GET', `/api/v1/sensors/${other.sensorId}/health?from=${start.toISOString()}&to=${to.toISOString()}`);
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json();
    expect(body.bucketSeconds).toBe(120);
    expect(body.samples).toHaveLength(MAX_HEALTH_POINTS);
    expect(new Set(body.samples.map((s: { cpuPercent: number }) => s.cpuPercent))).toEqual(new Set([15]));
    // Counters take the bucket's largest value; the bucket time is the mean of its samples.
    expect(body.samples[0]).toMatchObject({ packetsTotal: 1, receivedAt: new Date(start.getTime() + 30_000).toISOString() });
    expect(body.samples[499]).toMatchObject({ packetsTotal: 999 });

    const short = await d.request(d.sessions.operator, 'GET', `/api/v1/sensors/${other.sensorId}/health?from=${start.toISOString()}&to=${new Date(start.getTime() + 10 * 60_000).toISOString()}`);
    expect(short.json().bucketSeconds).toBeNull();
    expect(short.json().samples.map((s: { packetsTotal: number }) => s.packetsTotal)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('prunes raw samples older than the retention', async () => {
    const db = d.platform.database.db;
    const before = Number((await db.selectFrom('sensorHeartbeats').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
    expect(before).toBe(1001);
    // The clock stands at 2026-04-01; 30 days after 2026-05-01 00:10 keeps the samples after it.
    d.platform.clock.set(new Date('2026-05-31T00:10:00Z'));
    expect(await d.services.sensorHealth.prune()).toBe(1 + 10);
    const after = Number((await db.selectFrom('sensorHeartbeats').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
    expect(after).toBe(990);
  });
});
