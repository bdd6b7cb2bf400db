import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.ts';
import type { Database } from '../db/database.ts';
import { openTestDatabase } from '../db/testDatabase.ts';
import { gzipBatchOf, syntheticAlertEvent } from '../ingest/syntheticAlerts.ts';
import { startScaleModeHarness, uniqueStreamNames, type ScaleModeHarness } from './scaleModeHarness.ts';
import { enrollTestSensor, waitFor } from './workerTesting.ts';

const natsUrl = process.env.NATS_URL;
if (!natsUrl) console.warn('\n  ⚠ NATS_URL is not set: the scale-mode (JetStream) ingest tests are SKIPPED. Run with NATS_URL=nats://127.0.0.1:4222.\n');

describe.skipIf(!natsUrl)(`ingest, scale mode through NATS JetStream (${process.env.OTASUKE_TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  let database: Database;
  let harness: ScaleModeHarness;
  const clock = new ManualClock();

  beforeAll(async () => {
    database = await openTestDatabase();
    harness = await startScaleModeHarness(database, natsUrl!, uniqueStreamNames('t'), { workers: 2, clock });
  });
  afterAll(async () => {
    await harness?.close();
    await database?.close();
  });

  const send = (credential: string, body: Buffer) =>
    harness.app.inject({ method: 'POST', url: '/api/v1/ingest/events', headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip' }, payload: body });
  const stored = async (sensorId: string) => {
    const rows = await database.db.selectFrom('alerts').select('seq').where('sensorId', '=', sensorId).execute();
    return rows.map((r) => Number(r.seq)).sort((a, b) => a - b);
  };

  it('queues validated batches, answers after the publish ack, and the workers store each event once', async () => {
    const sensor = await enrollTestSensor(harness.services);
    const first = await send(sensor.credential, gzipBatchOf([...[1, 2, 3].map((s) => syntheticAlertEvent(s)), '{"seq":4}']));
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({ accepted: 3, duplicates: 0, rejected: [{ line: 4, seq: 4 }] });
    // Re-sent and overlapping: queued again, stored once.
    expect((await send(sensor.credential, gzipBatchOf([2, 3, 4, 5].map((s) => syntheticAlertEvent(s))))).json()).toMatchObject({ accepted: 4 });
    await waitFor(async () => (await stored(sensor.sensorId)).length === 5 && (await harness.backlog()) === 0, 30_000);
    expect(await stored(sensor.sensorId)).toEqual([1, 2, 3, 4, 5]);
    const counters = await database.db.selectFrom('sensorIngestCounters').selectAll().where('sensorId', '=', sensor.sensorId).executeTakeFirstOrThrow();
    expect([Number(counters.accepted), Number(counters.duplicates), Number(counters.rejected)]).toEqual([5, 2, 1]);
  }, 120_000);

  it('splits a batch larger than a NATS message into several and loses none', async () => {
    const sensor = await enrollTestSensor(harness.services);
    const events = Array.from({ length: 5000 }, (_, i) => syntheticAlertEvent(i + 1));
    const response = await send(sensor.credential, gzipBatchOf(events));
    expect(response.json()).toMatchObject({ accepted: 5000 });
    await waitFor(async () => (await stored(sensor.sensorId)).length === 5000, 150_000);
    expect(new Set(await stored(sensor.sensorId)).size).toBe(5000);
  }, 180_000);
});
