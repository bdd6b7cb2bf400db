/**
 * Live events in scale mode: the ingest node only publishes to NATS JetStream and an `otasuke worker`
 * (its own services, as in its own process) stores and correlates — yet the node's open streams get
 * the new incident, because the hub reads committed rows, not in-process calls. A subscriber's
 * stream elsewhere gets nothing of it. Needs NATS_URL (skipped without, like the other scale tests).
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessScope } from '../access/accessScope.ts';
import { ManualClock } from '../clock.ts';
import type { Database } from '../db/database.ts';
import { openTestDatabase } from '../db/testDatabase.ts';
import { gzipBatchOf, syntheticAlertEvent } from '../ingest/syntheticAlerts.ts';
import { startScaleModeHarness, uniqueStreamNames, type ScaleModeHarness } from '../worker/scaleModeHarness.ts';
import { enrollTestSensor } from '../worker/workerTesting.ts';
import { open } from './liveEventTesting.ts';

const natsUrl = process.env.NATS_URL;

describe.skipIf(!natsUrl)(`live events with ingest in NATS workers (${process.env.OTASUKE_TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  let database: Database;
  let harness: ScaleModeHarness;
  let baseUrl: string;
  const clock = new ManualClock(new Date('2026-04-01T00:31:00Z'));
  const cli = { scope: null, ip: '127.0.0.1', requestId: 'test' } as const;

  /** An API token of a fresh organization's admin (streams accept tokens like every route). */
  async function tokenOf(kind: 'operator' | 'subscriber'): Promise<{ organizationId: string; bearer: string }> {
    const org = await harness.services.organizations.create(cli, kind === 'operator' ? { kind, name: `運営${Math.random()}` } : { kind, name: `他社${Math.random()}`, membership: 'member' });
    const scope: AccessScope = { userId: null, tokenId: null, sessionId: null, organizationId: org.id, organizationKind: kind, role: kind === 'operator' ? 'operator_admin' : 'subscriber_admin' };
    const { secret } = await harness.services.apiTokens.create({ ...cli, scope }, 'live stream');
    return { organizationId: org.id, bearer: secret };
  }

  beforeAll(async () => {
    database = await openTestDatabase();
    harness = await startScaleModeHarness(database, natsUrl!, uniqueStreamNames('live'), { workers: 1, clock });
    await harness.app.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = `http://127.0.0.1:${(harness.app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await harness?.close();
    await database?.close();
  });

  it('streams an incident the worker opened to the ingest node’s readers, and only to those who may see it', async () => {
    const operator = await tokenOf('operator');
    const other = await tokenOf('subscriber');
    const staff = await open(baseUrl, null, { authorization: `Bearer ${operator.bearer}` });
    const stranger = await open(baseUrl, null, { authorization: `Bearer ${other.bearer}` });
    expect([staff.status, stranger.status]).toEqual([200, 200]);

    const sensor = await enrollTestSensor(harness.services);
    const sent = await harness.app.inject({
      method: 'POST',
      url: '/api/v1/ingest/events',
      headers: { authorization: `Bearer ${sensor.credential}`, 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip' },
      payload: gzipBatchOf([1, 2, 3].map((s) => syntheticAlertEvent(s))),
    });
    expect(sent.statusCode, sent.body).toBe(200);
    await staff.waitFor(() => staff.events.some((e) => e.type === 'incident.created' && e.subscriber.id === sensor.organizationId), 'the worker’s incident on the node’s stream', 30_000);
    // The hub has read past it (a poll a second); the other subscriber got none of it.
    await new Promise((r) => setTimeout(r, 1500));
    expect(stranger.events).toEqual([]);
    staff.close();
    stranger.close();
  }, 60_000);
});
