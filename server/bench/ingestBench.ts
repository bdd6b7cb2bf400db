/**
 * `npm run bench:ingest`: sustained alerts/s and p50/p99 latency from a sensor's send to the rows
 * being visible, with simulated sensors uploading gzip NDJSON over loopback HTTP:
 *   - embedded mode on PGlite, and on PostgreSQL when OTASUKE_TEST_DATABASE_URL or --database-url is set;
 *   - scale mode (NATS_URL set): the ingest node publishes to JetStream, --workers workers store.
 * Embedded mode answers after the commit, so the answer time is the visibility time; in scale mode
 * the time is taken when a worker's commit is done (the afterStore hook; with --hooks monitoring,
 * the worker has also suppressed and correlated the batch, as in production). Figures are printed, not
 * asserted. 3,000 heartbeating sensors: see `npm run bench:heartbeat`.
 *
 * With --hooks monitoring every batch is also suppressed and correlated into incidents inside its
 * insert transaction, as in production. The synthetic alerts are a worst case for correlation: each
 * alert of a batch has its own key (250 inside hosts × 3 signatures), so a batch of 500 touches 500
 * incidents; with --subscribers 1 (the default) every sensor belongs to one subscriber, so all
 * concurrent batches contend for the same incidents. --subscribers N spreads the sensors over N
 * subscribers (the product's case: one sensor per small business), --hosts N (≤ 250) draws the
 * alerts from N inside hosts (an office of 10 PCs: --hosts 10, 30 keys).
 *
 * --sensors 100 --subscribers 1 --hosts 250 --batch 500 --seconds 15 --concurrency 16 --workers 2 --only embedded|postgres|scale --hooks none|monitoring
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { hashSecretToken } from '../src/auth/secrets.ts';
import { ManualClock } from '../src/clock.ts';
import { openDatabase, type Database } from '../src/db/database.ts';
import { buildApp } from '../src/http/app.ts';
import { createMonitoringHooks } from '../src/incidents/monitoringHooks.ts';
import { gzipBatchOf, syntheticAlertEvent } from '../src/ingest/syntheticAlerts.ts';
import { AlertPartitionKeeper } from '../src/ingest/alertPartitionKeeper.ts';
import { IngestRepository } from '../src/ingest/ingestRepository.ts';
import { createServices, type ServiceAdapters } from '../src/services.ts';
import { startScaleModeHarness, uniqueStreamNames } from '../src/worker/scaleModeHarness.ts';

const { values } = parseArgs({
  options: {
    'database-url': { type: 'string' },
    sensors: { type: 'string', default: '100' },
    subscribers: { type: 'string', default: '1' },
    hosts: { type: 'string', default: '250' },
    batch: { type: 'string', default: '500' },
    seconds: { type: 'string', default: '15' },
    concurrency: { type: 'string', default: '16' },
    workers: { type: 'string', default: '2' },
    only: { type: 'string' },
    /** `monitoring`: embedded mode runs the real suppression + incident hooks; `none` measures ingest alone. */
    hooks: { type: 'string', default: 'none' },
  },
});
const SENSORS = Number(values.sensors);
const SUBSCRIBERS = Math.max(1, Math.min(SENSORS, Number(values.subscribers)));
/** Inside hosts the synthetic alerts come from (× 3 signatures = correlation keys per subscriber). */
const HOSTS = Math.max(1, Math.min(250, Number(values.hosts)));
const BATCH = Number(values.batch);
const SECONDS = Number(values.seconds);
const CONCURRENCY = Number(values.concurrency);
const WORKERS = Number(values.workers);
const postgresUrl = values['database-url'] ?? process.env.OTASUKE_TEST_DATABASE_URL;
const natsUrl = process.env.NATS_URL;
const settings = { publicUrl: 'http://bench.test', sessionIdleMinutes: 720, mailCharset: 'utf-8' as const };
const clock = new ManualClock(new Date());

interface BenchSensor {
  sensorId: string;
  credential: string;
  nextSeq: number;
}

/** Sensors straight in SQL (enrolling 100 through the API would measure enrollment), spread over SUBSCRIBERS subscribers. */
async function makeSensors(database: Database): Promise<BenchSensor[]> {
  const places: Array<{ organizationId: string; siteId: string }> = [];
  for (let k = 0; k < SUBSCRIBERS; k++) {
    const org = await database.db.insertInto('organizations').values({ kind: 'subscriber', name: `bench-${randomBytes(3).toString('hex')}`, membership: 'member' }).returning('id').executeTakeFirstOrThrow();
    const site = await database.db.insertInto('sites').values({ organizationId: org.id, name: 'bench' }).returning('id').executeTakeFirstOrThrow();
    places.push({ organizationId: org.id, siteId: site.id });
  }
  const sensors: BenchSensor[] = [];
  for (let i = 0; i < SENSORS; i++) {
    const credential = `ots_bench_${randomBytes(16).toString('hex')}`;
    const row = await database.db
      .insertInto('sensors')
      .values({ ...places[i % SUBSCRIBERS]!, name: `bench-${i}`, status: 'active', credentialHash: hashSecretToken(credential) })
      .returning('id')
      .executeTakeFirstOrThrow();
    sensors.push({ sensorId: row.id, credential, nextSeq: 1 });
  }
  return sensors;
}

async function freshPostgres(url: string): Promise<{ database: Database; drop(): Promise<void> }> {
  const name = `otasuke_bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const target = new URL(url);
  target.pathname = `/${name}`;
  const database = await openDatabase({ url: target.toString() });
  return {
    database,
    async drop() {
      await database.close();
      const dropper = new pg.Client({ connectionString: url });
      await dropper.connect();
      await dropper.query(`drop database if exists ${name} with (force)`);
      await dropper.end();
    },
  };
}

const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN);

/**
 * Uploads for SECONDS from CONCURRENCY loops over the sensors, then waits until `visible` says every
 * acknowledged alert can be read. `visibleAt` gives the time a batch became visible (undefined = at its answer).
 */
async function drive(label: string, baseUrl: string, sensors: BenchSensor[], visibleAt: (sensorId: string, lastSeq: number) => Promise<number> | number | undefined) {
  // Batches are made before the clock starts: the bench measures the server, not gzip in the client.
  const pool = Array.from({ length: 8 }, (_, k) =>
    Array.from({ length: BATCH }, (_, i) => {
      const event = syntheticAlertEvent(k * BATCH + i + 1, new Date(clock.now().getTime() - 1000));
      return { ...event, alert: { ...event.alert, srcIp: `192.168.1.${((k * BATCH + i + 1) % HOSTS) + 2}` } };
    }),
  );
  const latencies: number[] = [];
  let acknowledged = 0;
  let refused = 0;
  const start = performance.now();
  const stopAt = start + SECONDS * 1000;
  let turn = 0;
  const pending: Array<Promise<void>> = [];
  const loop = async () => {
    while (performance.now() < stopAt) {
      const sensor = sensors[turn++ % sensors.length]!;
      const template = pool[turn % pool.length]!;
      const first = sensor.nextSeq;
      sensor.nextSeq += BATCH;
      const events = template.map((e, i) => ({ ...e, seq: first + i }));
      const body = gzipBatchOf(events);
      const sentAt = performance.now();
      const response = await fetch(`${baseUrl}/api/v1/ingest/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${sensor.credential}`, 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip' },
        body,
      });
      await response.arrayBuffer();
      if (response.status !== 200) {
        refused++;
        continue;
      }
      acknowledged += BATCH;
      const lastSeq = first + BATCH - 1;
      pending.push(
        (async () => {
          const at = await visibleAt(sensor.sensorId, lastSeq);
          latencies.push((at ?? performance.now()) - sentAt);
        })(),
      );
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, loop));
  const sendSeconds = (performance.now() - start) / 1000;
  await Promise.all(pending);
  const allSeconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  console.log(
    `${label.padEnd(34)} ${String(Math.round(acknowledged / allSeconds)).padStart(7)} alerts/s persisted (${acknowledged} in ${allSeconds.toFixed(1)} s; sending ${sendSeconds.toFixed(1)} s)` +
      `  p50 ${percentile(latencies, 50).toFixed(0)} ms  p99 ${percentile(latencies, 99).toFixed(0)} ms${refused ? `  refused ${refused}` : ''}`,
  );
}

async function embedded(label: string, database: Database) {
  const services = createServices(database.db, clock, settings, undefined, {
    ingestRate: { batchesPerSecond: 100_000, burst: 100_000 },
    ...(values.hooks === 'monitoring' ? {} : { alertHooks: {} }),
  });
  await new AlertPartitionKeeper(new IngestRepository(database.db), clock).ensure();
  const app = await buildApp({ services, logger: false, bodyLimitBytes: 8 * 1024 * 1024 });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    await drive(label, address, await makeSensors(database), () => undefined);
  } finally {
    await app.close();
  }
}

async function scale(label: string, database: Database) {
  const visible = new Map<string, () => void>();
  const waits = new Map<string, Promise<number>>();
  const storedAt = new Map<string, number>();
  const key = (sensorId: string, seq: number) => `${sensorId}:${seq}`;
  // With --hooks monitoring the workers suppress and correlate as in production, and a batch counts
  // as visible once its incidents are written too.
  const monitoring = values.hooks === 'monitoring' ? createMonitoringHooks(createServices(database.db, clock, settings)) : null;
  const adapters: ServiceAdapters = {
    alertHooks: {
      ...(monitoring ? { suppress: monitoring.suppress, ...(monitoring.correlate ? { correlate: monitoring.correlate } : {}) } : {}),
      afterStore: async (alerts) => {
        if (monitoring) await monitoring.afterStore(alerts);
        const now = performance.now();
        for (const a of alerts) {
          const k = key(a.sensorId, a.seq);
          storedAt.set(k, now);
          visible.get(k)?.();
        }
      },
    },
  };
  await new AlertPartitionKeeper(new IngestRepository(database.db), clock).ensure();
  const names = uniqueStreamNames('bench');
  const harness = await startScaleModeHarness(database, natsUrl!, names, { workers: WORKERS, concurrency: 4, clock, workerAdapters: adapters });
  const address = await harness.app.listen({ port: 0, host: '127.0.0.1' });
  try {
    await drive(label, address, await makeSensors(database), (sensorId, lastSeq) => {
      const k = key(sensorId, lastSeq);
      const done = storedAt.get(k);
      if (done !== undefined) return done;
      let wait = waits.get(k);
      if (!wait) {
        wait = new Promise<number>((resolve) => visible.set(k, () => resolve(performance.now())));
        waits.set(k, wait);
      }
      return wait;
    });
  } finally {
    await harness.close();
  }
}

console.log(`bench:ingest — ${SENSORS} sensors of ${SUBSCRIBERS} subscriber(s), alerts from ${HOSTS} inside hosts × 3 signatures, ${BATCH} alerts per batch, ${CONCURRENCY} uploads in flight, ${SECONDS} s per mode, ingest hooks: ${values.hooks === 'monitoring' ? 'suppressions + incidents (correlated in the insert transaction)' : 'none'}`);
const only = values.only;
if (!only || only === 'embedded') {
  const database = await openDatabase({});
  await embedded('embedded, PGlite', database);
  await database.close();
}
if (postgresUrl && (!only || only === 'postgres')) {
  const pgDb = await freshPostgres(postgresUrl);
  await embedded('embedded, PostgreSQL', pgDb.database);
  await pgDb.drop();
} else if (!postgresUrl) console.log('embedded, PostgreSQL: skipped (set OTASUKE_TEST_DATABASE_URL or --database-url)');
if (natsUrl && postgresUrl && (!only || only === 'scale')) {
  const pgDb = await freshPostgres(postgresUrl);
  await scale(`scale mode, ${WORKERS} workers, PostgreSQL`, pgDb.database);
  await pgDb.drop();
} else if (!natsUrl || !postgresUrl) console.log('scale mode: skipped (needs NATS_URL and PostgreSQL)');
process.exit(0);
