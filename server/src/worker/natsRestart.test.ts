/**
 * Fault: NATS killed (SIGKILL) and restarted in the middle of a stream of batches, in scale mode.
 * A private `nats-server -js` child on a free loopback port (the machine's shared NATS is left
 * alone). The client re-sends whatever was not acknowledged, then everything once more; every
 * event must be stored exactly once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.ts';
import type { Database } from '../db/database.ts';
import { openTestDatabase } from '../db/testDatabase.ts';
import { gzipBatchOf, syntheticAlertEvent } from '../ingest/syntheticAlerts.ts';
import { startScaleModeHarness, uniqueStreamNames, type ScaleModeHarness } from './scaleModeHarness.ts';
import { enrollTestSensor, waitFor } from './workerTesting.ts';

const NATS_SERVER = '/usr/sbin/nats-server';
const haveNats = existsSync(NATS_SERVER);
if (!haveNats) console.warn(`\n  ⚠ ${NATS_SERVER} is missing (apt-get install nats-server): the NATS-restart fault test is SKIPPED.\n`);

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function portOpen(port: number): Promise<boolean> {
  const { connect } = await import('node:net');
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

describe.skipIf(!haveNats)(`fault: NATS restarted mid-stream (scale mode, ${process.env.OTASUKE_TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  let dir: string;
  let port: number;
  let nats: ChildProcess | null = null;
  let database: Database;
  let harness: ScaleModeHarness;

  const startNats = async () => {
    nats = spawn(NATS_SERVER, ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', dir], { stdio: 'ignore' });
    await waitFor(() => portOpen(port), 15_000, 'nats-server to listen');
  };
  const killNats = async () => {
    const child = nats;
    nats = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'otasuke-nats-'));
    port = await freePort();
    await startNats();
    database = await openTestDatabase();
    harness = await startScaleModeHarness(database, `nats://127.0.0.1:${port}`, uniqueStreamNames('restart'), { workers: 2, clock: new ManualClock() });
  });
  afterAll(async () => {
    await harness?.close({ deleteStream: false }).catch(() => undefined);
    await killNats();
    await database?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores every acknowledged and re-sent event exactly once', async () => {
    const sensor = await enrollTestSensor(harness.services);
    const batches = Array.from({ length: 40 }, (_, b) => gzipBatchOf(Array.from({ length: 50 }, (_, i) => syntheticAlertEvent(b * 50 + i + 1))));
    const total = batches.length * 50;
    let refused = 0;
    const sendUntilAcked = async (body: Buffer) => {
      for (let attempt = 0; attempt < 200; attempt++) {
        const response = await harness.app.inject({
          method: 'POST',
          url: '/api/v1/ingest/events',
          headers: { authorization: `Bearer ${sensor.credential}`, 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip' },
          payload: body,
        });
        if (response.statusCode === 200) return;
        expect(response.statusCode, response.body).toBe(503);
        refused++;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      throw new Error('NATS never came back');
    };

    let restarted: Promise<void> | null = null;
    for (const [i, body] of batches.entries()) {
      if (i === 15) {
        // Killed while batches are in flight; back two seconds later on the same port and store.
        await killNats();
        restarted = new Promise((resolve) => setTimeout(resolve, 2000)).then(startNats);
      }
      await sendUntilAcked(body);
    }
    await restarted;
    expect(refused).toBeGreaterThan(0);
    // The sensor's spool resends whatever it is unsure about: here, everything.
    for (const body of batches) await sendUntilAcked(body);

    const count = async () => Number((await database.db.selectFrom('alerts').select((eb) => eb.fn.countAll().as('n')).where('sensorId', '=', sensor.sensorId).executeTakeFirstOrThrow()).n);
    await waitFor(async () => (await count()) === total && (await harness.backlog()) === 0, 150_000, `${total} alerts stored and the stream drained`);
    const seqs = (await database.db.selectFrom('alerts').select('seq').where('sensorId', '=', sensor.sensorId).execute()).map((r) => Number(r.seq));
    expect(seqs.length).toBe(total);
    expect(new Set(seqs).size).toBe(total);
    expect(Math.min(...seqs)).toBe(1);
    expect(Math.max(...seqs)).toBe(total);
    const counters = await database.db.selectFrom('sensorIngestCounters').selectAll().where('sensorId', '=', sensor.sensorId).executeTakeFirstOrThrow();
    expect(Number(counters.accepted)).toBe(total);
  }, 240_000);
});
