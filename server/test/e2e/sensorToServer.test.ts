/**
 * Issue #5's acceptance, end to end on loopback, embedded mode: a real server, an enrollment code
 * made through the API, the real `otasuke sensor enroll` as a child process, the real agent over a
 * watched folder of captures with known attacks, and exactly the expected alerts, once each,
 * through `GET /api/v1/alerts?sensor=…` — also with the server stopped in the middle of the replay
 * and started again on the same port and database. See sensorWorld.ts for the set-up.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bySid, dropCapture, expectOnceEach, generated, GENERATED_EXPECTED, replayAndCheck, sum, until, World } from './sensorWorld.ts';

describe('sensor → server, embedded mode (one server, two sensors)', () => {
  let dir: string;
  let world: World;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'otasuke-e2e-'));
    world = new World(dir, null);
    await world.start();
  }, 120_000);
  afterAll(async () => {
    await world?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('enrolls with `otasuke sensor enroll`, replays known attacks through `otasuke sensor run` and finds exactly the expected alerts once each', async () => {
    await replayAndCheck(world);
  }, 120_000);

  it('backs off while the server is away and, once it is back on the same port and database, delivers every alert exactly once', async () => {
    const { configFile, watchDir } = await world.enroll('sensor-outage');
    const [first, second, third, fourth] = generated();
    dropCapture(watchDir, ...first!);
    dropCapture(watchDir, ...second!);
    const agent = await world.startAgent(configFile);
    await until(async () => (await world.alerts()).length === 2, 'the first two files delivered');

    await world.stopServer();
    dropCapture(watchDir, ...third!);
    dropCapture(watchDir, ...fourth!);
    await until(() => agent.stats().capture.filesDone === 4 && agent.stats().uplink.retries >= 3, 'the rest captured while the server is down');
    expect(agent.stats().spool.backlogEvents).toBe(sum(GENERATED_EXPECTED) - 2);
    const logged = world.log.length;
    await until(() => world.log.slice(logged).some((l) => l.includes('"uplink_retry"')) || agent.stats().uplink.retries >= 3, 'the retries logged');
    expect(world.log.some((l) => l.includes('"uplink_retry"'))).toBe(true);

    await world.startServer();
    await until(() => agent.stats().spool.backlogEvents === 0, 'the backlog delivered after the restart');
    await new Promise((r) => setTimeout(r, 500));
    const alerts = await world.alerts();
    expect(bySid(alerts)).toEqual(GENERATED_EXPECTED);
    expectOnceEach(alerts);
    const counters = (await (await world.api('GET', `/sensors/${world.sensorId}/ingest-counters`)).json()) as { accepted: number; rejected: number };
    expect(counters).toMatchObject({ accepted: sum(GENERATED_EXPECTED), rejected: 0 });
  }, 120_000);
});

