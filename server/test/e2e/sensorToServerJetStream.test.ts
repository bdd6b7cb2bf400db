/**
 * Issue #5's acceptance in JetStream mode (NATS_URL set; skipped loudly otherwise): the server's
 * ingest publishes to a stream with names unique to this run, a worker (`otasuke worker`'s
 * IngestWorker, in-process) stores from it; the same replay as sensorToServer.test.ts finds
 * exactly the expected alerts once each.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { connectNats } from '../../src/ingest/natsIngestQueue.ts';
import { uniqueStreamNames } from '../../src/worker/scaleModeHarness.ts';
import { NATS_URL, replayAndCheck, World } from './sensorWorld.ts';

if (!NATS_URL) console.warn('\n!!! NATS_URL is not set: the JetStream-mode end-to-end test is SKIPPED (e.g. NATS_URL=nats://127.0.0.1:4222) !!!\n');

describe.skipIf(!NATS_URL)('sensor → server, JetStream mode (NATS_URL)', () => {
  let dir: string;
  let world: World;
  const stream = uniqueStreamNames('e2e');
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'otasuke-e2e-js-'));
    world = new World(dir, stream);
    await world.start();
  }, 120_000);
  afterAll(async () => {
    await world?.close();
    if (NATS_URL) {
      const { jetstreamManager } = await import('@nats-io/jetstream');
      const nc = await connectNats(NATS_URL, 'otasuke-e2e-cleanup');
      await (await jetstreamManager(nc)).streams.delete(stream.stream).catch(() => false);
      await nc.close();
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('the same replay through the stream and the worker: exactly the expected alerts once each', async () => {
    await replayAndCheck(world);
  }, 120_000);
});

